"""Issue 20, "Cases": PT-metered capacity, refused computations, 三不放过 closure, settled amounts, violation
facts per type, the notice as a legal document, per-case settings.

Messages are matched on the field they name (``message_dict``), not on their wording: the Chinese of new
messages comes with the lead's locale merge.
"""

import datetime
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gridcheck.cases import pdf, services
from gridcheck.cases.choices import CaseStatus
from gridcheck.cases.forms import CaseForm, violation_field_name, violation_params
from gridcheck.cases.models import CaseEvent
from gridcheck.cases.tests.conftest import run_to_pending
from gridcheck_analytics import penalties

pytestmark = pytest.mark.django_db

SQRT3 = Decimal(3).sqrt()


def _pdf_upload(name="receipt.pdf") -> SimpleUploadedFile:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


def _pt_customer(county):
    """The issue's customer: 10 kV, metered through PT 10000/100 and CT 4, a 3 × 1.5 A meter, 250 kVA."""
    customer = county.customers["east12"]
    customer.voltage_level = "10kV"
    customer.contracted_capacity_kva = Decimal("250")
    customer.save()
    meter = customer.metering_points.get().meters.get()
    point = meter.metering_point
    point.ct_ratio, point.pt_ratio = Decimal("4"), Decimal("100")
    point.save()
    meter.rated_voltage_v = Decimal("100")
    meter.save()
    return customer


def _theft(county, customer, **extra):
    return services.case_create(
        customer=customer,
        kind="theft",
        theft_type=extra.pop("theft_type", "meter_tampered_inaccurate"),
        case_date=extra.pop("case_date", datetime.date(2023, 5, 1)),
        facts="计量回路短接",
        created_by=county.users["inspector_east"],
        **extra,
    )


def _approve(case, county):
    case = run_to_pending(case, county)
    while level := services.next_approval_level(case):
        approver = county.users["head_east" if level == "station" else "admin"]
        case = services.case_approve(case=case, user=approver, level=level, decision="approve")
    return case


# ------------------------------------------------------------------------------------------------ 1. PT


def test_pt_metered_voltage_is_the_primary_voltage_from_the_archive(county):
    """The capacity's voltage is the metering point's primary voltage: 10 kV (= 100 V × PT 100), never
    380 V × PT 100 = 38 kV."""
    customer = _pt_customer(county)
    meter = customer.metering_points.get().meters.get()
    assert services.archive_capacity_voltage(customer, meter) == Decimal("10000")
    customer.voltage_level = "380V"  # a wrong level: the secondary voltage × PT still gives 10 kV
    assert services.archive_capacity_voltage(customer, meter) == Decimal("10000.0")
    case = _theft(county, _pt_customer(county))
    assert case.capacity_voltage_v == Decimal("10000")


def test_pt_metered_capacity_is_103_9_kw_not_394_9(county):
    """Issue 20's example: 10 kV, PT 10000/100, CT 4, I = 1.5 A, 250 kVA, 100 h proven, GEN-1 0.65 元/kWh,
    1996 rules (case in 2023: penalty 3 × the back-bill).

    By hand: S = √3 × 10,000 V × 1.5 A × 4 / 1000 = 103.923 kW (not √3 × 380 × 1.5 × 4 × 100 / 1000
    = 394.908 kW, the low-voltage value times the PT ratio); W = 103.923 × 100 h = 10,392 kWh;
    back-bill 10,392 × 0.65 = 6,754.80; penalty 3 × 6,754.80 = 20,264.40; total 27,019.20 (the wrong
    capacity gave 4 × 39,491 × 0.65 = 102,676.60).
    """
    wrong = SQRT3 * 380 * Decimal("1.5") * 4 * 100 / 1000
    right = SQRT3 * 10000 * Decimal("1.5") * 4 / 1000
    assert wrong.quantize(Decimal("0.1")) == Decimal("394.9")
    assert right.quantize(Decimal("0.1")) == Decimal("103.9")
    case = _theft(county, _pt_customer(county), inputs={"hours": "100"})
    case = services.case_compute(case=case, user=county.users["inspector_east"])
    items = {i["key"]: Decimal(str(i["value"])) for i in case.calculation["items"]}
    assert items["capacity_kw"].quantize(Decimal("0.01")) == Decimal("103.92")
    assert items["stolen_energy_kwh"] == Decimal("10392")
    assert items["back_bill_yuan"] == Decimal("6754.80")
    assert items["penalty_yuan"] == Decimal("20264.40")
    assert case.total_due_yuan == Decimal("27019.20")
    assert not CaseEvent.objects.filter(case=case, note__contains="394.9").exists()


def test_pt_metered_low_voltage_value_refused(county):
    """A low-voltage value entered for a PT-fed meter (380 V) is the issue's error: refused on the field."""
    case = _theft(county, _pt_customer(county), capacity_voltage_v=Decimal("380"), inputs={"hours": "100"})
    with pytest.raises(ValidationError) as refused:
        services.case_compute(case=case, user=county.users["inspector_east"])
    assert list(refused.value.message_dict) == ["capacity_voltage_v"]


def test_capacity_above_the_contract_needs_a_recorded_reason(county):
    """Example A's meter gives S = 220 × 5 / 1000 = 1.1 kW; on a 1 kVA contract that is above what the
    contract carries: refused until a reason is entered, then computed and the reason recorded."""
    customer = county.customers["east11"]
    customer.contracted_capacity_kva = Decimal("1")
    customer.save()
    user = county.users["inspector_east"]
    case = _theft(county, customer, theft_type="bypass_meter")
    with pytest.raises(ValidationError) as refused:
        services.case_compute(case=case, user=user)
    assert list(refused.value.message_dict) == ["capacity_reason"]
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT
    services.case_update(case=case, user=user, capacity_reason="现场核实私增负荷，容量以电能表为准")
    case = services.case_compute(case=case, user=user)
    assert case.status == CaseStatus.COMPUTED and case.total_due_yuan == Decimal("2661.12")
    assert CaseEvent.objects.filter(
        case=case, to_status="computed", note__contains="现场核实私增负荷"
    ).exists()
    assert case.capacity_voltage_v == Decimal("220")


# ------------------------------------------------------------------------------- 2. refused, edit, cancel


def test_a_refused_case_stays_editable_then_computes(county):
    """A direct tap without the equipment's capacity is refused on that field; the case stays a draft,
    is corrected and computes (Example C: 16 kW × 360 h = 5,760 kWh × 0.65 = 3,744.00; total 14,976.00)."""
    user = county.users["inspector_east"]
    case = _theft(county, county.customers["east12"], theft_type="tap_supply_facility")
    with pytest.raises(ValidationError) as refused:
        services.case_compute(case=case, user=user)
    assert list(refused.value.message_dict) == ["equipment_capacity_kw"]
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT
    services.case_update(
        case=case,
        user=user,
        inputs={"equipment_capacity_kw": ["11", "5"], "days": "45", "hours_per_day": "8"},
    )
    case = services.case_compute(case=case, user=user)
    assert case.total_due_yuan == Decimal("14976.00")
    # Correcting a computed case sends it back to draft: its amounts no longer match.
    case = services.case_update(case=case, user=user, facts="两台私接设备")
    assert case.status == CaseStatus.DRAFT and case.total_due_yuan is None


def test_calculator_errors_name_the_field_in_chinese(county):
    """25 hours a day is refused on the hours-per-day field, named by its label, not ``hours_per_day``."""
    user = county.users["inspector_east"]
    case = _theft(
        county,
        county.customers["east12"],
        theft_type="tap_supply_facility",
        inputs={"equipment_capacity_kw": ["11"], "days": "2", "hours_per_day": "25"},
    )
    with pytest.raises(ValidationError) as refused:
        services.case_compute(case=case, user=user)
    errors = refused.value.message_dict
    assert list(errors) == ["hours_per_day"]
    assert "hours_per_day" not in errors["hours_per_day"][0]
    assert re.search(r"[\u4e00-\u9fff]", errors["hours_per_day"][0])
    # the whole line in Chinese: the field's label, then what is wrong with it
    assert errors["hours_per_day"][0].endswith("不能超过 24。"), errors["hours_per_day"][0]


def test_cancel_needs_a_reason_and_is_recorded(county):
    user = county.users["inspector_east"]
    case = _theft(county, county.customers["east12"], theft_type="tap_supply_facility")
    with pytest.raises(ValidationError) as refused:
        services.case_cancel(case=case, user=user, reason=" ")
    assert list(refused.value.message_dict) == ["reason"]
    case = services.case_cancel(case=case, user=user, reason="误立案：设备为供电企业所有")
    assert case.status == CaseStatus.CANCELLED
    event = CaseEvent.objects.filter(case=case).latest("at", "pk")
    assert (event.from_status, event.to_status, event.actor) == ("draft", "cancelled", user)
    with pytest.raises(ValidationError):
        services.case_compute(case=case, user=user)


def test_edit_and_cancel_through_the_pages(county, login):
    client = login("inspector_east")
    case = _theft(county, county.customers["east12"], theft_type="tap_supply_facility")
    client.post(reverse("cases:case_compute", args=[case.pk]))
    html = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="edit"' in html and 'data-testid="cancel-form"' in html
    response = client.get(reverse("cases:case_edit", args=[case.pk]))
    assert response.status_code == 200
    response = client.post(
        reverse("cases:case_edit", args=[case.pk]),
        {
            "theft_type": "tap_supply_facility",
            "case_date": "2023-05-01",
            "equipment_capacity_kw": "11，5",
            "days": "45",
            "hours_per_day": "8",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.inputs["equipment_capacity_kw"] == ["11", "5"]
    client.post(reverse("cases:case_cancel", args=[case.pk]), {"cancel-reason": "重复立案"})
    case.refresh_from_db()
    assert case.status == CaseStatus.CANCELLED and case.cancel_reason == "重复立案"


# -------------------------------------------------------------------------------------- 3. 三不放过


def test_closure_police_transfer_needs_its_receipt(theft_case, county):
    case = _approve(theft_case, county)
    user = county.users["inspector_east"]
    services.case_payment_record(
        case=case,
        amount_yuan=case.total_due_yuan,
        paid_on=timezone.localdate(),
        receipt_number="R1",
        user=user,
    )
    with pytest.raises(ValidationError) as refused:
        services.case_legal_record(
            case=case, user=user, step="police_transfer", transfer_on=timezone.localdate(), reference="JA-1"
        )
    assert list(refused.value.message_dict) == ["receipt"]
    with pytest.raises(ValidationError) as refused:
        services.case_legal_record(
            case=case,
            user=user,
            step="police_transfer",
            transfer_on=timezone.localdate(),
            reference="JA-1",
            receipt=SimpleUploadedFile("receipt.pdf", b"not a pdf"),
        )
    assert list(refused.value.message_dict) == ["receipt"]
    case = services.case_legal_record(
        case=case,
        user=user,
        step="police_transfer",
        transfer_on=timezone.localdate(),
        reference="JA-1",
        receipt=_pdf_upload(),
    )
    assert case.police_receipt.name.endswith(".pdf") and case.police_receipt_name == "receipt.pdf"
    assert all(item["done"] for item in services.closure_checklist(case))
    case = services.case_close(case=case, user=user)
    assert case.status == CaseStatus.CLOSED


def test_write_off_is_approved_above_the_station_only(theft_case, county):
    """2,661.12 due; 1,000.00 paid; the rest 1,661.12 written off by the county: the case is settled."""
    case = _approve(theft_case, county)
    user = county.users["inspector_east"]
    services.case_payment_record(
        case=case, amount_yuan=Decimal("1000"), paid_on=timezone.localdate(), receipt_number="R1", user=user
    )
    with pytest.raises(ValidationError):
        services.case_write_off_request(case=case, user=user, amount_yuan=Decimal("2000"), reason="无力支付")
    case = services.case_write_off_request(
        case=case, user=user, amount_yuan=Decimal("1661.12"), reason="无力支付"
    )
    for approver in ("inspector_east", "head_east"):  # who asked, and a station head: refused
        with pytest.raises(PermissionDenied):
            services.case_write_off_approve(case=case, user=county.users[approver])
    services.case_legal_record(case=case, user=user, step="not_due", reason="未达追诉标准")
    with pytest.raises(ValidationError):
        services.case_close(case=case, user=user)  # still approved, not paid
    case = services.case_write_off_approve(case=case, user=county.users["admin"])
    assert case.status == CaseStatus.PAID and services.outstanding_yuan(case) == 0
    case = services.case_close(case=case, user=user)
    assert case.status == CaseStatus.CLOSED


def test_violation_case_closes_without_a_legal_step(county):
    user = county.users["inspector_east"]
    case = services.case_create(
        customer=county.customers["east12"],
        kind="violation",
        violation_type="excess_capacity",
        case_date=datetime.date(2023, 5, 1),
        inputs={"extra_capacity_kva": "15", "two_part": False},
        created_by=user,
    )
    case = _approve(case, county)
    services.case_payment_record(
        case=case, amount_yuan=Decimal("750"), paid_on=timezone.localdate(), receipt_number="V1", user=user
    )
    assert [i["key"] for i in services.closure_checklist(case)] == ["energy", "penalty"]
    assert services.case_close(case=case, user=user).status == CaseStatus.CLOSED


# ------------------------------------------------------------------------------------ 4. settled amount


def test_settled_amount_beside_the_computed_one(theft_case, county, login):
    """Computed 2,661.12; mediated at 2,000.00: the computed total stays, payments are due to 2,000.00."""
    case = run_to_pending(theft_case, county)
    user = county.users["inspector_east"]
    with pytest.raises(ValidationError) as refused:
        services.case_settle(
            case=case,
            user=user,
            amount_yuan=Decimal("3000"),
            kind="court",
            settled_on=timezone.localdate(),
            reference="(2026)民调12号",
            document=_pdf_upload("judgment.pdf"),
        )
    assert list(refused.value.message_dict) == ["amount_yuan"]
    case = services.case_settle(
        case=case,
        user=user,
        amount_yuan=Decimal("2000"),
        kind="court",
        settled_on=timezone.localdate(),
        reference="(2026)民调12号",
        document=_pdf_upload("judgment.pdf"),
    )
    assert case.total_due_yuan == Decimal("2661.12") and case.settled_amount_yuan == Decimal("2000.00")
    assert case.settlement_document.name.endswith(".pdf")
    case = services.case_approve(
        case=case, user=county.users["head_east"], level="station", decision="approve"
    )
    with pytest.raises(ValidationError):
        services.case_payment_record(
            case=case,
            amount_yuan=Decimal("2000.01"),
            paid_on=timezone.localdate(),
            receipt_number="X",
            user=user,
        )
    services.case_payment_record(
        case=case, amount_yuan=Decimal("2000"), paid_on=timezone.localdate(), receipt_number="S1", user=user
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.PAID
    html = login("inspector_east").get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="settled">2,000.00' in html and 'data-testid="total-due">2,661.12' in html
    response = login("inspector_east").get(reverse("cases:case_settlement_document", args=[case.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]


# ------------------------------------------------------------------------------ 5. violation facts form


def test_violation_facts_are_fields_per_type_never_the_date_or_a_price():
    form = CaseForm()
    for vtype in penalties.VIOLATIONS:
        names = {p.name for p in violation_params(vtype)}
        assert not names & {
            "case_date",
            "today",
            "price_yuan_per_kwh",
            "price_difference_yuan_per_kwh",
            "basic_charge_yuan_per_kva_month",
            "table",
            "settings",
        }
        for name in names:
            field = form.fields[violation_field_name(vtype, name)]
            assert field.label and not re.fullmatch(r"[a-z_]+", str(field.label))
    assert "violation_inputs" not in form.fields


def test_violation_form_gives_the_inputs_and_names_a_missing_fact(county):
    data = {
        "customer_account": "1200000002",
        "kind": "violation",
        "violation_type": "excess_capacity",
        "case_date": "2023-05-01",
        violation_field_name("excess_capacity", "extra_capacity_kva"): "15",
    }
    form = CaseForm(data)
    assert form.is_valid(), form.errors
    assert form.inputs() == {"extra_capacity_kva": "15", "two_part": False}
    del data[violation_field_name("excess_capacity", "extra_capacity_kva")]
    form = CaseForm(data)
    assert not form.is_valid()
    assert list(form.errors) == [violation_field_name("excess_capacity", "extra_capacity_kva")]


def test_category_change_price_difference_comes_from_the_catalogue(county):
    """A residential customer (0.56) using the commercial tariff GEN-1 (0.65): the price difference is
    0.65 − 0.56 = 0.09 元/kWh from the catalogue; the inputs name only the tariff used."""
    case = services.case_create(
        customer=county.customers["east11"],
        kind="violation",
        violation_type="category_change",
        case_date=datetime.date(2023, 5, 1),
        inputs={"used_tariff_code": "GEN-1", "energy_kwh": "1000"},
        created_by=county.users["inspector_east"],
    )
    kwargs = services._violation_kwargs(case, services.tariff_in_force("RES-1", case.case_date))
    assert kwargs["price_difference_yuan_per_kwh"] == Decimal("0.0900")
    assert "used_tariff_code" not in kwargs


# --------------------------------------------------------------------------------------------- 6. notice


def test_notice_rounds_to_units_and_names_inputs_in_chinese(county):
    """Example B: S = √3 × 380 × 1.5 × 40 / 1000 = 39.49 kW (printed to 0.01 kW, never 39.4908...)."""
    case = _theft(county, county.customers["east12"], theft_type="meter_tampered_inaccurate")
    case = services.case_compute(case=case, user=county.users["inspector_east"])
    billed, recorded = pdf.notice_items(case, customer_copy=True)
    capacity = next(i for i in billed if i["key"] == "capacity_kw")
    assert capacity["value"] == "39.49"
    total = next(i for i in billed if i["key"] == "total_due_yuan")
    assert re.fullmatch(r"[\d,]+\.\d{2}", total["value"])
    text = " | ".join(f"{i['inputs_text']} | {i['value']} | {i['article']}" for i in billed + recorded)
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), text  # no voltage_v, ct_ratio...
    assert "电压" in capacity["inputs_text"] and "CT变比" in capacity["inputs_text"]
    assert not re.search(r"\d\.\d{5,}", text)


def test_customer_copy_cites_unverified_rows_by_name_only(county, login):
    """A 2024 case: the 2024 rules' article numbers are unverified (U): the customer's copy names
    《供电营业规则》 without a number; the staff page keeps the review warning."""
    case = _theft(
        county, county.customers["east11"], theft_type="bypass_meter", case_date=datetime.date(2024, 7, 1)
    )
    case = services.case_compute(case=case, user=county.users["inspector_east"])
    staff, _ = pdf.notice_items(case)
    customer, _ = pdf.notice_items(case, customer_copy=True)
    energy_staff = next(i for i in staff if i["key"] == "stolen_energy_kwh")
    energy_customer = next(i for i in customer if i["key"] == "stolen_energy_kwh")
    assert "未核实" in energy_staff["article"]
    assert "《供电营业规则》" in energy_customer["article"]
    assert "第一百" not in energy_customer["article"] and "未核实" not in energy_customer["article"]
    html = login("inspector_east").get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="unverified"' in html and 'data-testid="warnings"' in html
    body = pdf.case_notice_pdf(case)
    from pypdf import PdfReader

    printed = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert "未核实" not in printed and "第一百零三条" not in printed
    assert "voltage_v" not in printed and "ct_ratio" not in printed


# ------------------------------------------------------------------------------------------ 7. settings


def test_per_case_setting_is_recorded_used_and_printed(county, login):
    """Rounding before the multiple switched off on this case: the penalty is 3 × the unrounded back-bill.
    Example B: W = 14,217 kWh × 0.65 = 9,241.05 exactly, so both readings give 27,723.15; the setting is
    recorded on the case, in the calculation and on the notice."""
    user = county.users["inspector_east"]
    case = _theft(
        county,
        county.customers["east12"],
        calc_settings={"rounding.back_bill_before_multiple": "false"},
    )
    assert case.calc_settings == {"rounding.back_bill_before_multiple": "false"}
    case = services.case_compute(case=case, user=user)
    assert case.calculation["case_settings"] == {"rounding.back_bill_before_multiple": "false"}
    used = {s["name"]: s for s in case.calculation.get("settings", [])}
    assert used["rounding.back_bill_before_multiple"]["source"] == "case"
    from gridcheck.cases import calc_settings

    assert calc_settings.describe(case.calc_settings)[0][1] in ("No", "否")
    html = login("inspector_east").get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="settings-used"' in html and "先将补交电费取整再乘倍数" in html
    assert pdf._context(case)["chosen_settings"] == calc_settings.describe(case.calc_settings)
    with pytest.raises(ValidationError) as refused:
        _theft(county, county.customers["east12"], calc_settings={"no.such.setting": "1"})
    assert list(refused.value.message_dict) == ["calc_settings"]


def test_every_calculator_setting_of_a_case_is_on_the_form():
    from gridcheck.cases.calc_settings import CALC_SETTINGS

    form = CaseForm()
    names = {getattr(f, "setting", None) for f in form.fields.values()}
    expected = {
        n
        for n in CALC_SETTINGS
        if n.startswith(("rounding.", "theft.", "period.", "basic_charge.", "violation."))
    }
    assert expected <= names and "basis" in names


def test_the_form_prefills_the_voltage_and_shows_facts_per_type(county, login):
    """Opened for the PT-fed customer, the form carries 10000 V from the archive, a fieldset per violation
    type (no JSON box) and the settings; a refused computation leaves the case a draft with its edit link."""
    customer = _pt_customer(county)
    client = login("inspector_east")
    html = client.get(reverse("cases:case_create") + f"?customer={customer.pk}").content.decode()
    assert 'name="capacity_voltage_v"' in html and 'value="10000"' in html
    assert html.count('class="row g-3 gc-violation"') == len(penalties.VIOLATIONS)
    assert "violation_inputs" not in html and 'data-setting="rounding.back_bill_before_multiple"' in html
    case = _theft(county, customer, capacity_voltage_v=Decimal("380"), inputs={"hours": "100"})
    response = client.post(reverse("cases:case_compute", args=[case.pk]), follow=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT
    assert 'data-testid="edit"' in response.content.decode()


def test_the_criminal_amount_of_an_unknown_duration_is_entered_on_the_form(county, login):
    """Duration unknown: the 180-day estimate is not the criminal amount; the form takes the months
    before and since the theft and the theft months (SJ-2013 art. 4(3)), and the case computes it."""
    client = login("inspector_east")
    case = _theft(county, county.customers["east12"], theft_type="tap_supply_facility")
    form = {"theft_type": "tap_supply_facility", "case_date": "2023-05-01", "equipment_capacity_kw": "5"}
    client.post(reverse("cases:case_edit", args=[case.pk]), form)
    client.post(reverse("cases:case_compute", args=[case.pk]))
    case.refresh_from_db()
    keys = {item["key"] for item in case.calculation["items"]}
    assert "criminal_amount_yuan" not in keys
    asked = [w for w in case.calculation["warnings"] if "判断是否移送" in w]
    assert asked and "窃电前正常月份各月电量" in asked[0] and "_kwh" not in asked[0]

    html = client.get(reverse("cases:case_edit", args=[case.pk])).content.decode()
    assert 'name="normal_months_kwh"' in html and 'name="theft_months"' in html
    refused = client.post(reverse("cases:case_edit", args=[case.pk]), {**form, "normal_months_kwh": "300，x"})
    assert refused.status_code == 200 and "normal_months_kwh" in refused.context["form"].errors
    # the months before without the months since: the computation names the missing field in Chinese
    client.post(
        reverse("cases:case_edit", args=[case.pk]), {**form, "normal_months_kwh": "300", "theft_months": "2"}
    )
    html = client.post(reverse("cases:case_compute", args=[case.pk]), follow=True).content.decode()
    assert "窃电后各月计量电量（千瓦时）为必填项。" in html

    months = {"normal_months_kwh": "300，320、310 290", "after_months_kwh": "100, 120", "theft_months": "4"}
    assert client.post(reverse("cases:case_edit", args=[case.pk]), {**form, **months}).status_code == 302
    client.post(reverse("cases:case_compute", args=[case.pk]))
    case.refresh_from_db()
    assert case.inputs["normal_months_kwh"] == ["300", "320", "310", "290"]
    assert case.inputs["after_months_kwh"] == ["100", "120"] and case.inputs["theft_months"] == "4"
    item = next(i for i in case.calculation["items"] if i["key"] == "criminal_amount_yuan")
    price = Decimal(str(item["inputs"]["price_yuan_per_kwh"]))
    # (305 - 110) kWh a month x 4 months x the price
    assert Decimal(item["value"]) == (Decimal(195) * 4 * price).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert not [w for w in case.calculation["warnings"] if "判断是否移送" in w]
    # the form shows the stored months again for a correction
    html = client.get(reverse("cases:case_edit", args=[case.pk])).content.decode()
    assert 'value="300, 320, 310, 290"' in html

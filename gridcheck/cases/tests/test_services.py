"""The case services: Example A through the service, bad inputs, approvals, payment, closing, labels, audit.

The UI language is Chinese (settings.LANGUAGE_CODE), so refusals are matched on their Chinese wording.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gridcheck.archive.models import Tariff
from gridcheck.cases import selectors, services
from gridcheck.cases.choices import CaseStatus
from gridcheck.cases.models import CaseEvent
from gridcheck.cases.tests.conftest import run_to_pending

pytestmark = pytest.mark.django_db


def test_example_a_through_the_service(theft_case, county):
    case = services.case_compute(case=theft_case, user=county.users["inspector_east"])
    # By hand: S = 220 V x 5 A / 1000 = 1.1 kW; T = 180 d x 6 h/d = 1,080 h; W = 1.1 x 1,080 = 1,188 kWh.
    capacity = Decimal(220) * Decimal(5) / Decimal(1000)
    hours = Decimal(180) * Decimal(6)
    energy = (capacity * hours).quantize(Decimal("1"))
    back_bill = (energy * Decimal("0.56")).quantize(Decimal("0.01"))
    penalty = (3 * back_bill).quantize(Decimal("0.01"))
    assert energy == Decimal("1188")
    assert (back_bill, penalty) == (Decimal("665.28"), Decimal("1995.84"))
    items = {item["key"]: item for item in case.calculation["items"]}
    assert Decimal(items["stolen_energy_kwh"]["value"]) == energy
    assert Decimal(items["back_bill_yuan"]["value"]) == back_bill
    assert Decimal(items["penalty_yuan"]["value"]) == penalty
    assert case.total_due_yuan == back_bill + penalty == Decimal("2661.12")
    # Each figure shows its formula, its inputs and its article.
    for item in items.values():
        assert item["formula"] and item["article"] and isinstance(item["inputs"], dict)
    assert "第一百零三条" in items["stolen_energy_kwh"]["article"]
    assert case.status == CaseStatus.COMPUTED
    assert case.price_yuan_per_kwh == Decimal("0.5600")
    assert not case.police_referral  # the 180-day estimate is not the criminal amount
    assert case.calculation["warnings"]  # the U mapping residential -> lighting is flagged for review


def test_future_date_refused(county):
    with pytest.raises(ValidationError, match="晚于今天"):
        services.case_create(
            customer=county.customers["east11"],
            kind="theft",
            theft_type="bypass_meter",
            case_date=timezone.localdate() + datetime.timedelta(days=1),
            created_by=county.users["inspector_east"],
        )


def test_date_before_meter_install_refused(county):
    with pytest.raises(ValidationError, match="安装日期"):
        services.case_create(
            customer=county.customers["east11"],
            kind="theft",
            theft_type="bypass_meter",
            case_date=datetime.date(2022, 2, 28),  # the meter went in on 2022-03-01
            created_by=county.users["inspector_east"],
        )


def test_direct_tap_without_capacity_refused(county):
    case = services.case_create(
        customer=county.customers["east12"],
        kind="theft",
        theft_type="tap_supply_facility",
        case_date=datetime.date(2023, 5, 1),
        inputs={"hours": 360},
        created_by=county.users["inspector_east"],
    )
    with pytest.raises(ValidationError, match="容量"):
        services.case_compute(case=case, user=county.users["inspector_east"])
    case.inputs = {"hours": 360, "equipment_capacity_kw": ["11", "0"]}
    case.save()
    with pytest.raises(ValidationError, match="容量"):
        services.case_compute(case=case, user=county.users["inspector_east"])


def test_meter_with_zero_current_refused(theft_case, county):
    meter = theft_case.meter
    meter.rated_current_a = Decimal("0")
    meter.save()
    with pytest.raises(ValidationError, match="标定电流"):
        services.case_compute(case=theft_case, user=county.users["inspector_east"])


def test_example_c_direct_tap(county):
    case = services.case_create(
        customer=county.customers["east12"],
        kind="theft",
        theft_type="tap_supply_facility",
        case_date=datetime.date(2023, 5, 1),
        inputs={"equipment_capacity_kw": ["11", "5"], "days": 45, "hours_per_day": 8},
        created_by=county.users["inspector_east"],
    )
    case = services.case_compute(case=case, user=county.users["inspector_east"])
    # W = 16 kW x 45 d x 8 h = 5,760 kWh; back-bill 5,760 x 0.65 = 3,744.00; total 4 x = 14,976.00.
    assert case.total_due_yuan == Decimal(16 * 45 * 8) * Decimal("0.65") * 4 == Decimal("14976.00")
    # The proven amount 3,744 元 is above the 1,000 元 "large" threshold: flagged for the police.
    assert case.police_referral
    assert case.needs_county_approval  # above the 5,000 元 threshold


def test_tariff_missing_on_case_date_refused(theft_case, county):
    Tariff.objects.filter(code="RES-1").update(effective_from=datetime.date(2023, 6, 1))
    with pytest.raises(ValidationError, match="没有有效的电价"):
        services.case_compute(case=theft_case, user=county.users["inspector_east"])


def test_tariff_version_in_force_is_used(theft_case, county):
    Tariff.objects.create(
        code="RES-1",
        name="居民生活用电",
        category="residential",
        price_yuan_per_kwh=Decimal("0.60"),
        effective_from=datetime.date(2023, 6, 1),
    )
    case = services.case_compute(case=theft_case, user=county.users["inspector_east"])
    assert case.price_yuan_per_kwh == Decimal("0.5600")


def test_signature_missing_refused(theft_case, county):
    case = services.case_compute(case=theft_case, user=county.users["inspector_east"])
    with pytest.raises(ValidationError, match="签收"):
        services.case_notify(
            case=case, signed_by_customer=True, signer_name=" ", user=county.users["inspector_east"]
        )
    with pytest.raises(ValidationError):
        services.case_notify(
            case=case, signed_by_customer=False, refusal_note="", user=county.users["inspector_east"]
        )
    case = services.case_notify(
        case=case,
        signed_by_customer=False,
        refusal_note="拒签，见证人李四",
        user=county.users["inspector_east"],
    )
    assert case.status == CaseStatus.NOTIFIED and case.signed_by_customer is False


def test_self_approval_refused(theft_case, county):
    case = run_to_pending(theft_case, county)
    with pytest.raises(PermissionDenied):
        services.case_approve(
            case=case, user=county.users["inspector_east"], level="station", decision="approve"
        )
    # An inspector of the station is no approver either; nor is the head of another station's case.
    with pytest.raises(PermissionDenied):
        services.case_approve(
            case=case, user=county.users["inspector2_east"], level="station", decision="approve"
        )


def test_head_who_created_the_case_cannot_approve_it(county):
    case = services.case_create(
        customer=county.customers["east11"],
        kind="theft",
        theft_type="bypass_meter",
        case_date=datetime.date(2023, 5, 1),
        created_by=county.users["head_east"],
    )
    case = services.case_compute(case=case, user=county.users["head_east"])
    case = services.case_notify(
        case=case, signed_by_customer=True, signer_name="张三", user=county.users["head_east"]
    )
    case = services.case_submit_for_approval(case=case, user=county.users["head_east"])
    with pytest.raises(PermissionDenied):
        services.case_approve(case=case, user=county.users["head_east"], level="station", decision="approve")


def test_below_threshold_needs_station_head_only(theft_case, county):
    case = run_to_pending(theft_case, county)
    assert not case.needs_county_approval  # 2,661.12 <= 5,000
    with pytest.raises(ValidationError):
        services.case_approve(case=case, user=county.users["admin"], level="county", decision="approve")
    case = services.case_approve(
        case=case, user=county.users["head_east"], level="station", decision="approve"
    )
    assert case.status == CaseStatus.APPROVED


def test_above_threshold_needs_county(theft_case, county, rule_values):
    rule_values({"cases.approval_threshold_yuan": 1000})
    case = run_to_pending(theft_case, county)
    assert case.needs_county_approval
    case = services.case_approve(
        case=case, user=county.users["head_east"], level="station", decision="approve"
    )
    assert case.status == CaseStatus.PENDING_APPROVAL
    with pytest.raises(PermissionDenied):  # a station head is not the county
        services.case_approve(case=case, user=county.users["head_east"], level="county", decision="approve")
    case = services.case_approve(case=case, user=county.users["admin"], level="county", decision="approve")
    assert case.status == CaseStatus.APPROVED


def test_rejection_needs_reason_and_allows_recompute(theft_case, county):
    case = run_to_pending(theft_case, county)
    with pytest.raises(ValidationError):
        services.case_approve(case=case, user=county.users["head_east"], level="station", decision="reject")
    case = services.case_approve(
        case=case, user=county.users["head_east"], level="station", decision="reject", comment="证据不足"
    )
    assert case.status == CaseStatus.REJECTED
    case = services.case_compute(case=case, user=county.users["inspector_east"])
    assert case.status == CaseStatus.COMPUTED and case.signed_by_customer is None


def _approved(theft_case, county):
    case = run_to_pending(theft_case, county)
    return services.case_approve(
        case=case, user=county.users["head_east"], level="station", decision="approve"
    )


def test_payment_partial_then_full(theft_case, county):
    case = _approved(theft_case, county)
    user = county.users["inspector_east"]
    today = timezone.localdate()
    services.case_payment_record(
        case=case, amount_yuan=Decimal("1000"), paid_on=today, receipt_number="R1", user=user
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    with pytest.raises(ValidationError, match="尚欠"):
        services.case_payment_record(
            case=case, amount_yuan=Decimal("5000"), paid_on=today, receipt_number="R2", user=user
        )
    services.case_payment_record(
        case=case, amount_yuan=Decimal("1661.12"), paid_on=today, receipt_number="R3", user=user
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.PAID
    assert selectors.paid_yuan(case) == Decimal("2661.12")


def test_close_needs_the_three_not_let_go_and_gives_a_label(theft_case, county):
    """三不放过: energy recovered and penalty collected (paid in full) and, for a theft, the legal step
    recorded; the old remarks (cause, responsible, measures) are optional and do not close a case."""
    case = _approved(theft_case, county)
    user = county.users["inspector_east"]
    services.case_payment_record(
        case=case,
        amount_yuan=case.total_due_yuan,
        paid_on=timezone.localdate(),
        receipt_number="R9",
        user=user,
    )
    with pytest.raises(ValidationError):
        services.case_close(
            case=case,
            user=user,
            cause_found="表前接线",
            responsible_dealt_with="已处理",
            measures_taken="加封",
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.PAID
    assert selectors.case_labels() == []
    services.case_legal_record(case=case, user=user, step="not_due", reason="金额未达较大标准，已批评教育")
    case = services.case_close(case=case, user=user)
    assert case.status == CaseStatus.CLOSED
    assert selectors.case_labels() == [("1100000001", ["M1100000001"], 1, datetime.date(2023, 5, 1))]


def test_every_state_change_is_recorded(theft_case, county):
    case = _approved(theft_case, county)
    events = list(CaseEvent.objects.filter(case=case).order_by("at", "pk"))
    assert [(e.from_status, e.to_status) for e in events] == [
        ("", "draft"),
        ("draft", "computed"),
        ("computed", "notified"),
        ("notified", "pending_approval"),
        ("pending_approval", "approved"),
    ]
    assert events[-1].actor == county.users["head_east"]
    assert all(e.at for e in events)
    assert case.history.count() >= 5


def test_closing_an_unpaid_case_refused(theft_case, county):
    case = _approved(theft_case, county)
    with pytest.raises(ValidationError):
        services.case_close(
            case=case,
            user=county.users["inspector_east"],
            cause_found="a",
            responsible_dealt_with="b",
            measures_taken="c",
        )


def test_meter_reader_may_not_open_cases(county):
    with pytest.raises(PermissionDenied):
        services.case_create(
            customer=county.customers["east11"],
            kind="theft",
            theft_type="bypass_meter",
            case_date=datetime.date(2023, 5, 1),
            created_by=county.users["reader_east"],
        )


def test_violation_case(county):
    case = services.case_create(
        customer=county.customers["east12"],
        kind="violation",
        violation_type="excess_capacity",
        case_date=datetime.date(2023, 5, 1),
        inputs={"extra_capacity_kva": "15", "two_part": False},
        created_by=county.users["inspector_east"],
    )
    case = services.case_compute(case=case, user=county.users["inspector_east"])
    assert case.total_due_yuan == Decimal("15") * 50  # 50 元/kW, art. 100 item 2


@pytest.mark.parametrize(
    "forced",
    [
        {"case_date": "2010-01-01"},
        {"price_yuan_per_kwh": "0.01"},
        {"price_difference_yuan_per_kwh": "0.01"},
        {"basic_charge_yuan_per_kva_month": "0.01"},
    ],
)
def test_inputs_cannot_override_the_case_date_or_the_tariff(county, forced):
    """The case date decides the rules in force and the catalogue the prices: the inputs may not, neither
    when the case is opened nor when it is computed (inputs written around the service)."""
    inputs = {"extra_capacity_kva": "15", "two_part": False}
    with pytest.raises(ValidationError) as refused:
        services.case_create(
            customer=county.customers["east12"],
            kind="violation",
            violation_type="excess_capacity",
            case_date=datetime.date(2023, 5, 1),
            inputs={**inputs, **forced},
            created_by=county.users["inspector_east"],
        )
    assert "inputs" in refused.value.message_dict
    case = services.case_create(
        customer=county.customers["east12"],
        kind="violation",
        violation_type="excess_capacity",
        case_date=datetime.date(2023, 5, 1),
        inputs=inputs,
        created_by=county.users["inspector_east"],
    )
    type(case).objects.filter(pk=case.pk).update(inputs={**inputs, **forced})
    with pytest.raises(ValidationError) as refused:
        services.case_compute(case=case, user=county.users["inspector_east"])
    assert "inputs" in refused.value.message_dict
    case.refresh_from_db()
    assert case.total_due_yuan is None and case.status == CaseStatus.DRAFT


def _visit(county, customer, findings):
    from gridcheck.inspections.models import Visit, WorkOrder

    order = WorkOrder.objects.create(
        number=f"WO-{customer.account_number}",
        source="plan",
        customer=customer,
        station=customer.station,
        reason="巡视",
    )
    return Visit.objects.create(
        work_order=order,
        station=customer.station,
        visited_at=timezone.make_aware(datetime.datetime(2023, 5, 1, 10, 0)),
        findings=findings,
        inspector1=county.users["inspector_east"],
        inspector1_signature="sig1.png",
        inspector2=county.users["inspector2_east"],
        inspector2_signature="sig2.png",
    )


def test_case_from_a_visit_finding_and_normal_visits_label_0(county):
    visit = _visit(
        county,
        county.customers["east11"],
        [{"kind": "hazard", "description": "表箱破损"}, {"kind": "theft", "description": "绕越电能表"}],
    )
    normal = _visit(county, county.customers["east21"], [])
    with pytest.raises(ValidationError):
        services.case_create_from_visit(
            visit=visit, finding_index=0, created_by=county.users["inspector_east"]
        )
    case = services.case_create_from_visit(
        visit=visit, finding_index=1, theft_type="bypass_meter", created_by=county.users["inspector_east"]
    )
    assert case.visit == visit and case.customer == county.customers["east11"]
    assert case.case_date == datetime.date(2023, 5, 1) and case.facts == "绕越电能表"
    # The visit that found nothing is an inspected-normal label; the open case is no label yet.
    assert selectors.case_labels() == [
        (
            county.customers["east21"].account_number,
            [f"M{county.customers['east21'].account_number}"],
            0,
            normal.visited_at.date(),
        )
    ]

"""Tariff and billing rules (电费电价, DF-02 ..): each with a hand-made positive and negative case on the
small county's March 2025 bills (collection's ``issued`` fixture: east11..east22 billed and issued)."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from gridcheck.archive.models import Customer, MeteringPoint, Tariff
from gridcheck.audit import services
from gridcheck.audit.choices import RunRuleStatus
from gridcheck.audit.models import Finding
from gridcheck.billing.models import Bill, BillAdjustment, BillingTerms, CategoryChange, MeterReading
from gridcheck.billing.tests.conftest import book, read_march  # noqa: F401  (fixtures)
from gridcheck.collection.tests.conftest import issued  # noqa: F401  (fixture)

MONTH = datetime.date(2025, 3, 1)
ON = datetime.date(2025, 4, 10)
TZ = ZoneInfo("Asia/Shanghai")


def _found(county, code: str) -> set[str]:
    run = services.audit_run_start(
        month=MONTH, user=county.users["auditor_east"], run_on=ON, enqueue=False, rule_codes=[code]
    )
    run = services.audit_run_execute(run)
    result = run.results.get(rule__code=code)
    assert result.status == RunRuleStatus.SUCCEEDED, result.error
    return set(Finding.objects.filter(rule__code=code).values_list("key", flat=True))


def _customer(county, key: str, **fields) -> Customer:
    customer = county.customers[key]
    Customer.objects.filter(pk=customer.pk).update(**fields)
    customer.refresh_from_db()
    return customer


def _bill(issued, key: str, **fields) -> Bill:  # noqa: F811
    bill = Bill.objects.get(pk=issued.bills[key].pk)
    for name, value in fields.items():
        setattr(bill, name, value)
    bill.save()
    return bill


def _inputs(issued, key: str, **extra) -> Bill:  # noqa: F811
    bill = Bill.objects.get(pk=issued.bills[key].pk)
    bill.inputs = {**bill.inputs, **extra}
    bill.save()
    return bill


def _tariffs():
    common = {"effective_from": datetime.date(2020, 1, 1)}
    Tariff.objects.create(
        code="LI-10",
        name="大工业用电(1-10千伏)",
        category="large_industry",
        voltage_level="10kV",
        price_yuan_per_kwh=Decimal("0.6"),
        is_time_of_use=True,
        peak_price_yuan_per_kwh=Decimal("0.96"),
        valley_price_yuan_per_kwh=Decimal("0.27"),
        basic_price_yuan_per_kva_month=Decimal("30"),
        **common,
    )
    Tariff.objects.create(
        code="GEN-10",
        name="一般工商业用电(1-10千伏)",
        category="general",
        voltage_level="10kV",
        price_yuan_per_kwh=Decimal("0.62"),
        **common,
    )
    Tariff.objects.create(
        code="GEN-TOU",
        name="一般工商业用电(峰谷)",
        category="general",
        voltage_level="380V",
        price_yuan_per_kwh=Decimal("0.65"),
        is_time_of_use=True,
        **common,
    )
    Tariff.objects.create(
        code="RES-TOU",
        name="居民生活用电(峰谷)",
        category="residential",
        voltage_level="220V",
        price_yuan_per_kwh=Decimal("0.57"),
        is_time_of_use=True,
        **common,
    )


TOU_PRICES = {"time_of_use_prices_yuan_per_kwh": {"peak": "0.9", "flat": "0.6", "valley": "0.3"}}


def test_df02_time_of_use_due_but_not_applied(county, issued):  # noqa: F811
    _tariffs()
    due = _customer(
        county,
        "east12",
        category="industrial",
        voltage_level="10kV",
        contracted_capacity_kva=400,
        tariff_code="GEN-10",
    )
    # Negative: on the large-industry time-of-use tariff; under the capacity of the scope.
    _customer(
        county,
        "east22",
        category="industrial",
        voltage_level="10kV",
        contracted_capacity_kva=400,
        tariff_code="LI-10",
    )
    _customer(
        county,
        "west12",
        category="industrial",
        voltage_level="10kV",
        contracted_capacity_kva=200,
        tariff_code="GEN-10",
    )
    flat = _bill(issued, "east22", tariff_code="LI-10")  # a time-of-use tariff billed flat
    _bill(issued, "east21", tariff_code="RES-1")
    assert _found(county, "DF-02") == {f"customer:{due.pk}", f"bill:{flat.pk}"}


def test_df03_time_of_use_applied_where_not_due(county, issued):  # noqa: F811
    _tariffs()
    wrong = _customer(county, "east12", tariff_code="GEN-TOU")
    _customer(county, "east11", tariff_code="RES-TOU")  # residents may choose it
    _customer(
        county,
        "west12",
        category="industrial",
        voltage_level="10kV",
        contracted_capacity_kva=400,
        tariff_code="LI-10",
    )
    priced = _inputs(issued, "east21", **TOU_PRICES)  # priced by time of use on a flat tariff
    _bill(issued, "east22", tariff_code="GEN-TOU")
    _inputs(issued, "east22", **TOU_PRICES)  # a time-of-use tariff priced so: right
    assert _found(county, "DF-03") == {f"customer:{wrong.pk}", f"bill:{priced.pk}"}


def test_df04_power_factor_due_but_not_applied(county, issued):  # noqa: F811
    _customer(county, "east12", contracted_capacity_kva=160)
    _customer(county, "east22", contracted_capacity_kva=200)
    _inputs(issued, "east22", power_factor_class="non_industrial")  # applied: right
    _customer(county, "east11", contracted_capacity_kva=120)  # residential: never adjusted
    assert _found(county, "DF-04") == {f"bill:{issued.bills['east12'].pk}"}


def test_df05_power_factor_applied_where_not_due(county, issued):  # noqa: F811
    _inputs(issued, "east11", power_factor_class="non_industrial")  # residential
    _inputs(issued, "east21", power_factor_class="non_industrial")
    _customer(county, "east21", category="commercial")  # 8 kVA: below 100 kVA
    _customer(county, "east12", contracted_capacity_kva=160)
    _inputs(issued, "east12", power_factor_class="non_industrial")  # due: right
    assert _found(county, "DF-05") == {f"bill:{issued.bills[k].pk}" for k in ("east11", "east21")}


def _last_history(customer, when):
    row = customer.history.order_by("-history_date", "-history_id").first()
    type(row).objects.filter(pk=row.pk).update(history_date=when)
    return row.pk


def test_df06_tariff_or_category_changed_without_an_approved_application(county, issued):  # noqa: F811
    from gridcheck.billing import services as billing

    when = datetime.datetime(2025, 3, 20, 10, 0, tzinfo=TZ)
    # The customers were created (the fixture's history rows) long before.
    Customer.history.model.objects.update(history_date=datetime.datetime(2024, 1, 1, tzinfo=TZ))
    east11 = county.customers["east11"]
    east11.tariff_code = "GEN-1"
    east11.save()
    tariff_changed = _last_history(east11, when)
    east12 = county.customers["east12"]
    east12.category = "industrial"
    east12.save()
    category_changed = _last_history(east12, when)
    # Negative: east21's change approved by the head after the auditor entered and the admin checked it.
    change = billing.category_change_apply(
        user=county.users["auditor_east"],
        customer=county.customers["east21"],
        new_tariff_code="GEN-1",
        effective_on=datetime.date(2025, 3, 20),
        reason="开店",
    )
    billing.category_change_check(user=county.users["admin"], change=change)
    billing.category_change_decide(user=county.users["head_east"], change=change, approve=True)
    CategoryChange.objects.filter(pk=change.pk).update(decided_at=when)
    _last_history(county.customers["east21"], when + datetime.timedelta(minutes=1))
    # Outside the window (three months before March): not looked at.
    west11 = county.customers["west11"]
    west11.tariff_code = "GEN-1"
    west11.save()
    _last_history(west11, datetime.datetime(2024, 10, 1, tzinfo=TZ))
    assert _found(county, "DF-06") == {
        f"customer-change:{tariff_changed}",
        f"customer-change:{category_changed}",
    }


def test_df07_tariff_of_a_higher_voltage_than_the_supply(county, issued):  # noqa: F811
    _tariffs()
    wrong = _customer(county, "east12", tariff_code="GEN-10")  # 380 V on the 10 kV tariff
    _customer(county, "west12", tariff_code="GEN-10", voltage_level="10kV")
    _customer(county, "east22", tariff_code="GEN-TOU")  # 380 V tariff for 380 V
    assert _found(county, "DF-07") == {f"customer:{wrong.pk}"}


LOSS = {
    "transformer_loss": {"no_load_loss_kw": "0.5", "load_loss_kw": "2", "hours": "672", "capacity_kva": "200"}
}


def test_df08_transformer_loss_charged_where_not_due(county, issued):  # noqa: F811
    wrong = _inputs(issued, "east11", **LOSS)  # 220 V, no terms
    _customer(county, "east12", voltage_level="10kV")
    BillingTerms.objects.create(
        customer=county.customers["east12"],
        station=county.stations["east"],
        area=county.areas["east1"],
        low_side_metering=True,
        transformer_capacity_kva=200,
        no_load_loss_kw=Decimal("0.5"),
        load_loss_kw=Decimal("2"),
    )
    _inputs(issued, "east12", **LOSS)  # agreed low-side metering: right
    assert _found(county, "DF-08") == {f"bill:{wrong.pk}"}


def test_df09_transformer_loss_missing_where_due(county, issued):  # noqa: F811
    BillingTerms.objects.create(
        customer=county.customers["east12"],
        station=county.stations["east"],
        area=county.areas["east1"],
        low_side_metering=True,
        transformer_capacity_kva=200,
        no_load_loss_kw=Decimal("0.5"),
        load_loss_kw=Decimal("2"),
    )
    _customer(county, "east22", voltage_level="10kV")  # 10 kV, metered without a PT: low side
    _customer(county, "east21", voltage_level="10kV")
    MeteringPoint.objects.filter(customer=county.customers["east21"]).update(pt_ratio=100, multiplier=100)
    assert _found(county, "DF-09") == {f"bill:{issued.bills[k].pk}" for k in ("east12", "east22")}


def test_df10_multiplier_differs_between_archive_bill_and_meter_data(county, issued):  # noqa: F811
    reading = MeterReading.objects.get(cycle=issued.cycle, customer=county.customers["east11"])
    reading.multiplier_read = Decimal("2")
    reading.save()
    MeterReading.objects.filter(cycle=issued.cycle, customer=county.customers["east21"]).update(
        multiplier_read=Decimal("1")
    )  # the same as the archive
    bill = Bill.objects.get(pk=issued.bills["east12"].pk)
    meters = [dict(bill.inputs["meters"][0], ct_ratio="30")]
    wrong = _inputs(issued, "east12", meters=meters)
    assert _found(county, "DF-10") == {f"reading:{reading.pk}", f"bill:{wrong.pk}"}


def test_df11_fee_items_outside_the_catalogue(county, issued):  # noqa: F811
    resident = _bill(issued, "east11", funds_yuan=Decimal("1.00"))  # residents pay no fund
    extra = _bill(issued, "east22", funds_yuan=issued.bills["east22"].funds_yuan + 5)
    basic = _bill(issued, "east21", basic_charge_yuan=Decimal("10.00"))  # single-part tariff
    assert issued.bills["east12"].funds_yuan > 0  # the catalogue's surcharge: right
    assert _found(county, "DF-11") == {f"bill:{b.pk}" for b in (resident, extra, basic)}


def test_df12_adjustment_without_the_heads_approval(county, issued):  # noqa: F811
    from gridcheck.billing import services as billing

    auditor, head = county.users["auditor_east"], county.users["head_east"]
    right = billing.adjustment_prepare(
        user=auditor,
        bill=issued.bills["east12"],
        kind="correction",
        reason="录入错误",
        inputs={"energies": {"total": "400"}},
    )
    billing.adjustment_decide(user=head, adjustment=right, approve=True)
    own = billing.adjustment_prepare(
        user=auditor,
        bill=issued.bills["east22"],
        kind="correction",
        reason="录入错误",
        inputs={"energies": {"total": "300"}},
    )
    BillAdjustment.objects.filter(pk=own.pk).update(status="approved", decided_by=auditor)
    bare = _bill(issued, "east21", status="adjusted", adjusted_total_yuan=Decimal("1.00"))
    assert _found(county, "DF-12") == {f"adjustment:{own.pk}", f"bill:{bare.pk}"}


def _january(county, book):  # noqa: F811
    from gridcheck.billing import services as billing

    cycle = billing.cycle_open(
        user=county.users["auditor_east"], book=book.book, period=datetime.date(2025, 1, 1)
    )
    for key in ("east11", "east21"):
        billing.reading_enter(
            user=county.users["reader_east"],
            cycle=cycle,
            meter=book.meters[key],
            source="manual",
            total=Decimal("900"),
        )
    return cycle


def test_df13_estimated_three_cycles_in_a_row(county, book, issued):  # noqa: F811
    _january(county, book)
    MeterReading.objects.filter(customer=county.customers["east11"]).update(source="estimated")
    east21 = MeterReading.objects.filter(customer=county.customers["east21"])
    east21.exclude(cycle=book.first).update(source="estimated")  # February read: not in a row
    found = _found(county, "DF-13")
    assert found == {f"meter:{book.meters['east11'].pk}"}


def test_df14_area_actual_reading_rate_under_100_percent(county, book, issued):  # noqa: F811
    MeterReading.objects.filter(cycle=book.cycle, customer=county.customers["east11"]).update(
        source="estimated"
    )
    assert _found(county, "DF-14") == {f"area-cycle:{county.areas['east1'].pk}:2025-03"}


def _zero_bills(county, book, key, energies):  # noqa: F811
    from gridcheck.billing import services as billing

    customer = county.customers[key]
    cycles = {
        datetime.date(2025, 1, 1): billing.cycle_open(
            user=county.users["auditor_east"], book=book.book, period=datetime.date(2025, 1, 1)
        ),
        datetime.date(2025, 2, 1): book.first,
    }
    for period, cycle in cycles.items():
        Bill.objects.create(
            number=f"B{period:%Y%m}{customer.account_number}",
            customer=customer,
            station=customer.station,
            area=customer.area,
            cycle=cycle,
            period=period,
            period_start=period,
            period_end=period,
            tariff_code=customer.tariff_code,
            tariff_name="测试",
            energy_kwh=energies[period.month - 1],
            energy_charge_yuan=0,
            total_yuan=0,
            status="issued",
        )
    Bill.objects.filter(customer=customer, period=MONTH).update(energy_kwh=energies[2])


def test_df15_zero_energy_of_an_active_account(county, book, issued):  # noqa: F811
    _zero_bills(county, book, "east11", [0, 0, 0])
    _zero_bills(county, book, "east21", [0, 0, 100])  # used energy in March
    _zero_bills(county, book, "east12", [0, 0, 0])
    _customer(county, "east12", status="suspended")  # not active
    assert _found(county, "DF-15") == {f"customer:{county.customers['east11'].pk}"}


def test_df16_bill_issued_without_a_check_or_checked_by_its_preparer(county, issued):  # noqa: F811
    auditor = county.users["auditor_east"]
    own = _bill(issued, "east11", checked_by=auditor)  # the auditor prepared it
    unchecked = _bill(issued, "east12", checked_by=None)
    assert _found(county, "DF-16") == {f"bill:{own.pk}", f"bill:{unchecked.pk}"}


def test_df17_bill_energy_differs_from_the_readings(county, issued):  # noqa: F811
    wrong = _bill(issued, "east21", energy_kwh=Decimal("150"))  # read 100 kWh
    assert issued.bills["east12"].energy_kwh == 500  # 12.5 × 40: right
    assert _found(county, "DF-17") == {f"bill:{wrong.pk}"}

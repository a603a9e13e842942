"""Golden bills through the whole path (book, readings, bill run): each figure computed by hand below."""

import datetime
from decimal import Decimal

import pytest

from gridcheck.archive.models import Customer, Meter, MeteringPoint, Tariff
from gridcheck.billing import services
from gridcheck.billing.choices import ReviewFlag
from gridcheck.billing.models import Bill
from gridcheck.billing.tests.conftest import MARCH, meter_exchanged


@pytest.fixture
def factory(county, book):
    """A 315 kVA, 10 kV industrial customer on a two-part time-of-use tariff, CT 20 × PT 100, in the book."""
    Tariff.objects.create(
        code="LI-10",
        name="大工业用电(1-10千伏)",
        category="large_industry",
        voltage_level="10kV",
        price_yuan_per_kwh=Decimal("0.6000"),
        peak_price_yuan_per_kwh=Decimal("0.9600"),
        valley_price_yuan_per_kwh=Decimal("0.2700"),
        basic_price_yuan_per_kva_month=Decimal("30.00"),
        is_time_of_use=True,
        effective_from=datetime.date(2020, 1, 1),
    )
    customer = Customer.objects.create(
        account_number="1190000001",
        name="示范机械厂",
        area=county.areas["east1"],
        station=county.stations["east"],
        category="industrial",
        voltage_level="10kV",
        contracted_capacity_kva=Decimal("315"),
        tariff_code="LI-10",
        inspection_class="A",
    )
    point = MeteringPoint.objects.create(
        customer=customer, code="MP1190000001", ct_ratio=Decimal("20"), pt_ratio=Decimal("100")
    )
    meter = Meter.objects.create(
        metering_point=point,
        asset_number="M1190000001",
        phase="three",
        accuracy_class="0.5S",
        rated_current_a=Decimal("1.5"),
        max_current_a=Decimal("6"),
        install_date=datetime.date(2022, 3, 1),
    )
    reader = county.users["reader_east"]
    services.reading_enter(
        user=reader,
        cycle=book.first,
        meter=meter,
        source="manual",
        total=Decimal("100"),
        peak=Decimal("30"),
        flat=Decimal("50"),
        valley=Decimal("20"),
        reactive=Decimal("40"),
    )
    return customer, meter


def _bill(county, book, customer) -> Bill:
    services.cycle_bill(user=county.users["auditor_east"], cycle=book.cycle)
    return Bill.objects.get(customer=customer, period=book.cycle.period)


def test_two_part_time_of_use_with_power_factor_surcharge(county, book, read_march, factory):
    customer, meter = factory
    read_march()
    services.reading_enter(
        user=county.users["reader_east"],
        cycle=book.cycle,
        meter=meter,
        total=Decimal("112"),
        peak=Decimal("34"),
        flat=Decimal("55"),
        valley=Decimal("23"),
        reactive=Decimal("48"),
    )
    bill = _bill(county, book, customer)
    # Energy × 2000 (CT 20 × PT 100): total 24,000; peak 8,000; flat 10,000; valley 6,000; reactive 16,000.
    assert bill.energy_kwh == Decimal("24000")
    # 8,000 × 0.96 = 7,680.00; 10,000 × 0.60 = 6,000.00; 6,000 × 0.27 = 1,620.00 → 15,300.00.
    assert bill.energy_charge_yuan == Decimal("15300.00")
    # Basic: 315 kVA × 30.00 = 9,450.00.
    assert bill.basic_charge_yuan == Decimal("9450.00")
    # cos φ = 24,000 / √(24,000² + 16,000²) = 0.832 → 0.83; standard 0.90 (high-voltage industrial above
    # 160 kVA): +3.5 %; (9,450.00 + 15,300.00) × 3.5 % = 866.25.
    assert bill.power_factor == Decimal("0.83")
    assert bill.power_factor_yuan == Decimal("866.25")
    # Renewable surcharge 24,000 × 0.019 = 456.00 (not adjusted by the power factor).
    assert bill.funds_yuan == Decimal("456.00")
    assert bill.total_yuan == Decimal("26072.25")
    assert bill.review_flags == []


def test_power_factor_customer_without_reactive_register_is_on_the_review_list(
    county, book, read_march, factory
):
    customer, meter = factory
    read_march()
    services.reading_enter(
        user=county.users["reader_east"],
        cycle=book.cycle,
        meter=meter,
        total=Decimal("112"),
        peak=Decimal("34"),
        flat=Decimal("55"),
        valley=Decimal("23"),
    )
    bill = _bill(county, book, customer)
    assert ReviewFlag.PF_NOT_APPLIED in bill.review_flags
    assert bill.power_factor is None


def test_reactive_register_smaller_than_last_month_is_refused(county, book, factory):
    customer, meter = factory
    with pytest.raises(services.ValidationError) as info:
        services.reading_enter(
            user=county.users["reader_east"],
            cycle=book.cycle,
            meter=meter,
            total=Decimal("112"),
            reactive=Decimal("39"),
        )
    assert "无功示数" in str(info.value) and customer.account_number in str(info.value)


def test_residential_tiers_across_the_first_threshold(county, book, read_march):
    Tariff.objects.filter(code="RES-1").update(is_tiered=True)
    customer = county.customers["east11"]
    Bill.objects.create(
        number="B202501-X",
        customer=customer,
        station=customer.station,
        area=customer.area,
        cycle=book.first,
        period=datetime.date(2025, 1, 1),
        period_start=datetime.date(2024, 12, 5),
        period_end=datetime.date(2025, 1, 5),
        tariff_code="RES-1",
        tariff_name="居民",
        energy_kwh=Decimal("2700"),
        energy_charge_yuan=Decimal("0"),
        total_yuan=Decimal("0"),
        status="issued",
    )
    read_march()
    bill = _bill(county, book, customer)
    # 2,700 kWh billed earlier this year, 150 now: 60 kWh at 0.538 = 32.28, 90 kWh at 0.588 = 52.92.
    assert bill.energy_kwh == Decimal("150")
    assert bill.total_yuan == Decimal("85.20")


def test_meter_changed_in_the_middle_of_the_month(county, book, read_march):
    customer = county.customers["east21"]
    old = book.meters["east21"]
    # The archive still says the old meter is in service: the recorded change retires it for billing.
    new = meter_exchanged(county, old, datetime.date(2025, 2, 20))
    book.meters.pop("east21")
    read_march()
    services.reading_enter(user=county.users["reader_east"], cycle=book.cycle, meter=new, total=Decimal("40"))
    bill = _bill(county, book, customer)
    # Old meter 5,000 → 5,060 (60 kWh) + new meter 0 → 40 (40 kWh) = 100 kWh × 0.56 = 56.00.
    assert bill.energy_kwh == Decimal("100")
    assert bill.total_yuan == Decimal("56.00")


def test_register_rollover_is_billed_across_full_scale(county, book, read_march):
    meter = book.meters["east22"]
    book.first.readings.filter(meter=meter).update(total=Decimal("999990.00"))
    for key, m in book.meters.items():
        value = "10.00" if key == "east22" else MARCH[key]
        book.cycle.readings.update_or_create(
            meter=m,
            defaults={
                "customer": m.metering_point.customer,
                "station": m.metering_point.customer.station,
                "area": m.metering_point.customer.area,
                "read_on": book.cycle.reading_date,
                "source": "manual",
                "total": Decimal(value),
            },
        )
    bill = _bill(county, book, county.customers["east22"])
    # 6 digits: 10 + 1,000,000 − 999,990 = 20 on the register × CT 40 = 800 kWh × 0.65 = 520.00 + 800 × 0.019.
    assert bill.energy_kwh == Decimal("800")
    assert bill.energy_charge_yuan == Decimal("520.00")


def test_tariff_missing_for_the_period_names_the_customer(county, book, read_march):
    read_march()
    Customer.objects.filter(pk=county.customers["east12"].pk).update(tariff_code="GEN-X")
    with pytest.raises(services.BillRunError) as info:
        services.cycle_bill(user=county.users["auditor_east"], cycle=book.cycle)
    assert any("电价" in e and county.customers["east12"].account_number in e for e in info.value.errors)
    assert not Bill.objects.exists()


def test_transformer_loss_of_a_customer_metered_on_the_low_side(county, book, read_march):
    from gridcheck.billing.models import BillingTerms

    customer = county.customers["east12"]
    BillingTerms.objects.create(
        customer=customer,
        station=customer.station,
        area=customer.area,
        low_side_metering=True,
        transformer_capacity_kva=Decimal("50"),
        no_load_loss_kw=Decimal("0.17"),
        load_loss_kw=Decimal("0.87"),
    )
    read_march()
    bill = _bill(county, book, customer)
    # 2025-02-05 to 2025-03-05: 28 days = 672 h. Metered 500 kWh, no reactive register:
    # β = 500 / (50 × 672) = 0.01488; loss = 0.17 × 672 + 0.87 × 0.01488² × 672 = 114.24 + 0.13 = 114 kWh.
    # Billed 614 kWh × 0.65 = 399.10; surcharge 614 × 0.019 = 11.666 → 11.67; total 410.77.
    assert bill.energy_kwh == Decimal("614")
    assert bill.energy_charge_yuan == Decimal("399.10")
    assert bill.total_yuan == Decimal("410.77")


def test_mixed_use_share_billed_under_the_second_tariff(county, book, read_march):
    from gridcheck.billing.models import BillingTerms

    customer = county.customers["east11"]
    BillingTerms.objects.create(
        customer=customer,
        station=customer.station,
        area=customer.area,
        mixed_use_share=Decimal("0.2"),
        mixed_use_tariff_code="GEN-1",
        mixed_use_signed_on=datetime.date(2023, 1, 10),
    )
    read_march()
    bill = _bill(county, book, customer)
    # 150 kWh: 20 % = 30 kWh at 0.65 = 19.50; 120 kWh at 0.56 = 67.20; total 86.70 (residential: no surcharge).
    assert bill.total_yuan == Decimal("86.70")
    # Signed in January 2023 and never re-checked: more than 12 months before March 2025.
    assert ReviewFlag.MIXED_USE_RECHECK in bill.review_flags


def test_basic_charge_by_maximum_demand(county, book, read_march, factory):
    from gridcheck.billing.models import BillingTerms

    customer, meter = factory
    BillingTerms.objects.create(
        customer=customer, station=customer.station, area=customer.area, basic_charge_basis="demand"
    )
    Tariff.objects.filter(code="LI-10").update(basic_price_yuan_per_kw_month=Decimal("40.00"))
    read_march()
    services.reading_enter(
        user=county.users["reader_east"],
        cycle=book.cycle,
        meter=meter,
        total=Decimal("112"),
        peak=Decimal("34"),
        flat=Decimal("55"),
        valley=Decimal("23"),
        reactive=Decimal("48"),
        max_demand_kw=Decimal("250"),
    )
    bill = _bill(county, book, customer)
    # 250 kW × 40.00 = 10,000.00 instead of 315 kVA × 30.00.
    assert bill.basic_charge_yuan == Decimal("10000.00")
    # (10,000.00 + 15,300.00) × 3.5 % = 885.50.
    assert bill.power_factor_yuan == Decimal("885.50")


def test_power_factor_customer_with_nothing_consumed_gets_a_zero_bill_to_review(
    county, book, read_march, factory
):
    customer, meter = factory
    read_march()
    services.reading_enter(
        user=county.users["reader_east"],
        cycle=book.cycle,
        meter=meter,
        total=Decimal("100"),
        peak=Decimal("30"),
        flat=Decimal("50"),
        valley=Decimal("20"),
        reactive=Decimal("40"),
    )
    bill = _bill(county, book, customer)
    # No energy, no average power factor: the basic charge alone, and the bill is on the review list.
    assert bill.power_factor is None
    assert bill.total_yuan == Decimal("9450.00")
    assert ReviewFlag.ZERO_ACTIVE in bill.review_flags


def test_two_meters_of_which_one_lacks_a_register_bill_the_registers_both_read(
    county, book, read_march, factory
):
    customer, meter = factory
    second = Meter.objects.create(
        metering_point=MeteringPoint.objects.create(
            customer=customer, code="MP1190000001-2", ct_ratio=Decimal("20"), pt_ratio=Decimal("100")
        ),
        asset_number="M1190000001-2",
        phase="three",
        accuracy_class="0.5S",
        rated_current_a=Decimal("1.5"),
        install_date=datetime.date(2022, 3, 1),
    )
    reader = county.users["reader_east"]
    services.reading_enter(user=reader, cycle=book.first, meter=second, source="manual", total=Decimal("10"))
    read_march()
    services.reading_enter(
        user=reader,
        cycle=book.cycle,
        meter=meter,
        total=Decimal("112"),
        peak=Decimal("34"),
        flat=Decimal("55"),
        valley=Decimal("23"),
        reactive=Decimal("48"),
    )
    services.reading_enter(user=reader, cycle=book.cycle, meter=second, total=Decimal("11"))
    bill = _bill(county, book, customer)
    # Total only (the second meter reads no periods and no reactive): (12 + 1) × 2,000 = 26,000 kWh, billed
    # flat at 0.60 = 15,600.00, with the review flags for time-of-use and power factor not applied.
    assert bill.energy_kwh == Decimal("26000")
    assert bill.energy_charge_yuan == Decimal("15600.00")
    assert {ReviewFlag.TOU_NOT_APPLIED, ReviewFlag.PF_NOT_APPLIED} <= set(bill.review_flags)


def test_terms_page_saves_with_history_and_refuses_half_terms(county, login):
    from django.urls import reverse

    from gridcheck.billing.models import BillingTerms

    customer = county.customers["east12"]
    url = reverse("billing:billing_terms", args=[customer.pk])
    client = login("auditor_east")
    assert client.get(url).status_code == 200
    response = client.post(url, {"basic_charge_basis": "capacity", "low_side_metering": "on"})
    assert response.status_code == 200 and not BillingTerms.objects.exists()  # no transformer given
    response = client.post(
        url,
        {
            "basic_charge_basis": "capacity",
            "low_side_metering": "on",
            "transformer_capacity_kva": "50",
            "no_load_loss_kw": "0.17",
            "load_loss_kw": "0.87",
        },
    )
    assert response.status_code == 302
    terms = BillingTerms.objects.get()
    assert terms.low_side_metering and terms.history.first().history_user == county.users["auditor_east"]
    assert login("inspector_west").get(url).status_code in (403, 404)
    assert login("reader_east").get(url).status_code == 403


def test_correction_of_a_time_of_use_bill_with_power_factor(county, book, read_march, factory):
    customer, meter = factory
    read_march()
    services.reading_enter(
        user=county.users["reader_east"],
        cycle=book.cycle,
        meter=meter,
        total=Decimal("112"),
        peak=Decimal("34"),
        flat=Decimal("55"),
        valley=Decimal("23"),
        reactive=Decimal("48"),
    )
    bill = _bill(county, book, customer)
    Bill.objects.filter(pk=bill.pk).update(status="issued")
    bill.refresh_from_db()
    head = county.users["head_east"]
    with pytest.raises(services.ValidationError):
        services.adjustment_prepare(
            user=head, bill=bill, kind="correction", reason="x", inputs={"energies": {"total": 20000}}
        )
    adjustment = services.adjustment_prepare(
        user=head,
        bill=bill,
        kind="correction",
        reason="倍率错误更正",
        inputs={"energies": {"total": 24000, "peak": 8000, "valley": 6000, "reactive": 7000}},
    )
    # Same energies, reactive 7,000: cos φ = 24,000 / √(24,000² + 7,000²) = 0.96 → −0.75 % of 24,750.00 =
    # −185.63 (half up) instead of +866.25: the customer is refunded 1,051.88.
    assert adjustment.amount_yuan == Decimal("-1051.88")


def test_customer_page_links_the_category_change_and_terms_for_billing_staff(county, login):
    from django.urls import reverse

    customer = county.customers["east12"]
    url = reverse("archive:customer_detail", args=[customer.pk])
    page = login("auditor_east").get(url).content.decode()
    assert f"{reverse('billing:category_change_create')}?customer={customer.pk}" in page
    assert reverse("billing:billing_terms", args=[customer.pk]) in page
    page = login("inspector_east").get(url).content.decode()
    assert reverse("billing:billing_terms", args=[customer.pk]) not in page

"""Collection figures: recovery rate (per area, owner, station, county), remittance rate, arrears ageing,
late-fee income against its target, and the scope of each. Figures are hand-computed here.

The east station's March 2025 bills (the ``issued`` fixture, due 2025-04-23) get round amounts:
east11 100, east12 200 (area east1, owned by manager_east), east21 300, east22 400 (area east2, no owner).
"""

import datetime
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridcheck.collection.models import (
    BankDeposit,
    CollectionEvent,
    LateFeeTarget,
    Payment,
    PaymentAllocation,
)
from gridcheck.collection.selectors import reports
from gridcheck.collection.services.targets import late_fee_target_set

pytestmark = pytest.mark.django_db

D = datetime.date
MARCH = D(2025, 3, 1)
TZ = ZoneInfo("Asia/Shanghai")
AMOUNTS = {"east11": "100.00", "east12": "200.00", "east21": "300.00", "east22": "400.00"}
_serial = itertools.count(1)


def pay(receivable, amount, day, *, status="posted", channel="counter", late_fee="0.00", collector=None):
    """A payment of ``amount`` (principal) plus ``late_fee`` to ``receivable`` on ``day``, allocated."""
    n = next(_serial)
    principal, fee = Decimal(amount), Decimal(late_fee)
    payment = Payment.objects.create(
        number=f"P{n:06d}",
        idempotency_key=f"test-{n}",
        customer_id=receivable.customer_id,
        station_id=receivable.station_id,
        area_id=receivable.area_id,
        channel=channel,
        amount_yuan=principal + fee,
        principal_yuan=principal,
        late_fee_yuan=fee,
        received_at=datetime.datetime(day.year, day.month, day.day, 10, tzinfo=TZ),
        received_on=day,
        collector=collector,
        status=status,
    )
    PaymentAllocation.objects.create(
        payment=payment, receivable=receivable, principal_yuan=principal, late_fee_yuan=fee
    )
    if status != "reversed":
        receivable.paid_yuan += principal
        receivable.late_fee_paid_yuan += fee
        if receivable.paid_yuan >= receivable.amount_yuan:
            receivable.status, receivable.settled_on = "paid", day
        receivable.save()
    return payment


def pay_march(issued) -> dict:
    """The four receivables with round amounts; east11 and east21 paid in full, east12 partly, east22
    paid 100 only in May; a reversed payment on east12 counts for nothing."""
    rec = issued.receivables
    for key, amount in AMOUNTS.items():
        rec[key].amount_yuan = Decimal(amount)
        rec[key].save()
    pay(rec["east11"], "100.00", D(2025, 4, 10))
    pay(rec["east12"], "50.00", D(2025, 4, 15))
    pay(rec["east12"], "30.00", D(2025, 4, 16), status="reversed")
    pay(rec["east21"], "300.00", D(2025, 4, 20), late_fee="0.00")
    pay(rec["east22"], "100.00", D(2025, 5, 5), late_fee="3.20")
    return rec


@pytest.fixture
def march(issued):
    return pay_march(issued)


# ------------------------------------------------------------------------------------ recovery rate
def test_recovery_rate_by_the_default_cutoff_per_area_owner_station_and_county(county, march):
    head = county.users["head_east"]
    result = reports.recovery(user=head, month=MARCH)
    assert result.cutoff == D(2025, 4, 30)  # end of the month after the billing month
    # 100 + 50 + 300 paid of 1000 by 30 April (the May payment and the reversed one do not count)
    assert result.total["due_yuan"] == Decimal("1000.00")
    assert result.total["paid_yuan"] == Decimal("450.00")
    assert result.total["unpaid_yuan"] == Decimal("550.00")
    assert result.total["rate_percent"] == Decimal("45.00")
    areas = {r["area__code"]: r for r in result.by_area}
    assert areas["S01-A1"]["rate_percent"] == Decimal("50.00")  # 150 / 300
    assert areas["S01-A2"]["rate_percent"] == Decimal("42.86")  # 300 / 700
    assert areas["S01-A1"]["owner"] == "manager_east"
    owners = {r["owner"]: r for r in result.by_owner}
    assert owners["manager_east"]["paid_yuan"] == Decimal("150.00")
    assert owners["manager_east"]["rate_percent"] == Decimal("50.00")
    assert owners["未指定台区经理"]["rate_percent"] == Decimal("42.86")
    assert [(r["station__code"], r["rate_percent"]) for r in result.by_station] == [("S01", Decimal("45.00"))]


def test_recovery_rate_by_a_later_cutoff_counts_the_may_payment(county, march):
    result = reports.recovery(user=county.users["head_east"], month=MARCH, cutoff=D(2025, 5, 31))
    assert result.total["paid_yuan"] == Decimal("550.00")
    assert result.total["rate_percent"] == Decimal("55.00")
    # and an earlier one only what came before it
    early = reports.recovery(user=county.users["head_east"], month=MARCH, cutoff=D(2025, 4, 12))
    assert early.total["paid_yuan"] == Decimal("100.00")


def test_paid_above_a_refunded_amount_counts_only_the_amount(county, march):
    march["east11"].amount_yuan = Decimal("80.00")  # refunded after the payment of 100
    march["east11"].save()
    result = reports.recovery(user=county.users["head_east"], month=MARCH)
    assert result.total["due_yuan"] == Decimal("980.00")
    assert result.total["paid_yuan"] == Decimal("430.00")


def test_a_receivable_settled_without_allocations_counts_from_its_settlement_day(county, issued):
    rec = issued.receivables["east11"]
    rec.amount_yuan = rec.paid_yuan = Decimal("100.00")
    rec.status, rec.settled_on = "paid", D(2025, 4, 9)
    rec.save()
    total = reports.recovery_total(user=county.users["head_east"], month=MARCH)
    assert total["paid_yuan"] == Decimal("100.00")
    before = reports.recovery_total(user=county.users["head_east"], month=MARCH, cutoff=D(2025, 4, 8))
    assert before["paid_yuan"] == Decimal("0.00")


def test_credit_applied_without_a_payment_counts_up_to_today(county, issued):
    from gridcheck.collection.selectors.reports import local_day

    head, rec = county.users["head_east"], issued.receivables["east21"]
    rec.amount_yuan, rec.paid_yuan = Decimal("300.00"), Decimal("120.00")  # from the account's credit
    rec.save()
    assert reports.recovery_total(user=head, month=MARCH, cutoff=local_day())["paid_yuan"] == Decimal(
        "120.00"
    )
    assert reports.recovery_total(user=head, month=MARCH)["paid_yuan"] == Decimal("0.00")  # day unknown
    owed = {r.pk: r.arrears_yuan for r in reports.arrears(user=head)}
    assert owed[rec.pk] == Decimal("180.00")


def test_recovery_trend_has_thirteen_months(county, march):
    trend = reports.recovery_trend(user=county.users["head_east"], month=D(2025, 4, 1))
    assert len(trend) == 13
    assert trend[0]["month"] == D(2024, 4, 1)
    assert trend[-2]["month"] == MARCH and trend[-2]["rate_percent"] == Decimal("45.00")
    assert trend[-1]["rate_percent"] is None  # no bills of April yet


# ------------------------------------------------------------------------------------------- scope
def test_the_area_manager_sees_only_their_areas(county, march):
    result = reports.recovery(user=county.users["manager_east"], month=MARCH)
    assert [r["area__code"] for r in result.by_area] == ["S01-A1"]
    assert result.total["due_yuan"] == Decimal("300.00")
    assert result.total["rate_percent"] == Decimal("50.00")
    summary = reports.arrears_summary(user=county.users["manager_east"], as_of=D(2025, 5, 1))
    assert [r["area__code"] for r in summary["by_area"]] == ["S01-A1"]
    assert summary["total"]["arrears_yuan"] == Decimal("150.00")


def test_west_users_see_nothing_of_east_and_the_county_sees_all(county, march):
    west = county.users["inspector_west"]
    assert reports.recovery(user=west, month=MARCH).total["due_yuan"] == Decimal("0.00")
    assert reports.recovery(user=west, month=MARCH).by_area == []
    assert reports.arrears_summary(user=west, as_of=D(2025, 5, 1))["total"]["arrears_yuan"] == Decimal("0.00")
    assert reports.late_fee_income(user=west, year=2025)["total"]["income_yuan"] == Decimal("0.00")
    admin = county.users["admin"]
    assert reports.recovery(user=admin, month=MARCH).total["due_yuan"] == Decimal("1000.00")


# ------------------------------------------------------------------------------------------ arrears
@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (0, None),
        (1, "0_30"),
        (30, "0_30"),
        (31, "31_90"),
        (90, "31_90"),
        (91, "91_180"),
        (180, "91_180"),
        (181, "181_365"),
        (365, "181_365"),
        (366, "over_365"),
    ],
)
def test_ageing_buckets_at_their_boundaries(county, issued, days, bucket):
    as_of = D(2026, 6, 30)
    rec = issued.receivables["east22"]
    rec.due_date = as_of - datetime.timedelta(days=days)
    rec.save()
    found = reports.bucket_of(days)
    assert (found.key if found else None) == bucket
    head = county.users["head_east"]
    # the other bills (due 2025-04-23) are over a year overdue; look at this one alone
    only = reports.arrears(user=head, as_of=as_of).filter(customer=rec.customer_id)
    summary = reports.arrears_summary(user=head, as_of=as_of, queryset=only)
    counted = {row["key"]: row["receivables"] for row in summary["by_bucket"] if row["receivables"]}
    if bucket is None:
        assert counted == {} and not only.exists()
    else:
        assert counted == {bucket: 1}
        amounts = dict(zip([b.key for b in reports.AGEING_BUCKETS], summary["total"]["buckets"], strict=True))
        assert amounts[bucket] == rec.amount_yuan


def test_arrears_as_of_a_day_by_area_owner_and_bucket(county, march):
    # 1 May 2025: east12 owes 150, east22 400 (its May payment comes later); both 8 days overdue
    summary = reports.arrears_summary(user=county.users["head_east"], as_of=D(2025, 5, 1))
    assert summary["total"]["arrears_yuan"] == Decimal("550.00")
    assert summary["total"]["customers"] == 2
    assert summary["total"]["buckets"][0] == Decimal("550.00")
    areas = {r["area__code"]: r["arrears_yuan"] for r in summary["by_area"]}
    assert areas == {"S01-A1": Decimal("150.00"), "S01-A2": Decimal("400.00")}
    owners = {r["owner"]: r["arrears_yuan"] for r in summary["by_owner"]}
    assert owners == {"manager_east": Decimal("150.00"), "未指定台区经理": Decimal("400.00")}
    # 1 June 2025: east22 paid 100 in May -> 300; 39 days overdue
    later = reports.arrears_summary(user=county.users["head_east"], as_of=D(2025, 6, 1))
    assert later["total"]["arrears_yuan"] == Decimal("450.00")
    assert later["total"]["buckets"][:2] == [Decimal("0.00"), Decimal("450.00")]
    rows = reports.arrears(user=county.users["head_east"], as_of=D(2025, 6, 1))
    assert [(r.customer.account_number, r.arrears_yuan) for r in rows] == [
        ("11" + "00000002", Decimal("150.00")),
        ("12" + "00000002", Decimal("300.00")),
    ]
    # on the due date nothing is overdue yet
    assert reports.arrears(user=county.users["head_east"], as_of=D(2025, 4, 23)).count() == 0


# -------------------------------------------------------------------------------------- remittance
def test_remittance_rate_remitted_deposits_of_cash_taken(county, march):
    head, reader = county.users["head_east"], county.users["reader_east"]
    station = county.stations["east"]
    # cash taken in April: 100 + 50 + 300 at the counter (the reversed 30 does not count) = 450
    for n, (amount, status, remitted_on) in enumerate(
        [
            ("150.00", "remitted", D(2025, 4, 18)),
            ("200.00", "remitted", D(2025, 5, 3)),
            ("100.00", "deposited", None),
        ]
    ):
        BankDeposit.objects.create(
            station=station, collector=reader, collection_day=D(2025, 4, 10 + n), deposited_on=D(2025, 4, 11 + n),
            amount_yuan=Decimal(amount), bank="农业银行", slip_number=f"SLIP{n}", status=status,
            remitted_on=remitted_on,
        )  # fmt: skip
    result = reports.remittance(user=head, month=D(2025, 4, 1), as_of=D(2025, 5, 31))
    assert result["total"]["cash_yuan"] == Decimal("450.00")
    assert result["total"]["deposited_yuan"] == Decimal("450.00")
    assert result["total"]["remitted_yuan"] == Decimal("350.00")
    assert result["total"]["rate_percent"] == Decimal("77.78")  # 350 / 450
    assert result["by_station"][0]["station__code"] == "S01"
    # on 30 April only the first remittance was made
    early = reports.remittance(user=head, month=D(2025, 4, 1), as_of=D(2025, 4, 30))
    assert early["total"]["remitted_yuan"] == Decimal("150.00")
    assert early["total"]["rate_percent"] == Decimal("33.33")
    # the west station sees none of it
    west = reports.remittance(user=county.users["inspector_west"], month=D(2025, 4, 1), as_of=D(2025, 5, 31))
    assert west["by_station"] == [] and west["total"]["rate_percent"] is None


# --------------------------------------------------------------------------------- late-fee income
def test_late_fee_income_against_the_target(county, march):
    admin, station = county.users["admin"], county.stations["east"]
    target = late_fee_target_set(user=admin, station=station, year=2025, target_yuan="8.00")
    assert target.set_by == admin
    assert CollectionEvent.objects.filter(subject_type="LateFeeTarget", subject_id=target.pk).exists()
    pay(march["east12"], "10.00", D(2025, 6, 2), late_fee="1.80")
    pay(march["east12"], "10.00", D(2025, 6, 3), late_fee="5.00", status="reversed")
    income = reports.late_fee_income(user=county.users["head_east"], year=2025)
    east = income["by_station"][0]
    assert east["income_yuan"] == Decimal("5.00")  # 3.20 + 1.80, the reversed 5.00 not
    assert east["target_yuan"] == Decimal("8.00")
    assert east["reached_percent"] == Decimal("62.50")
    assert income["total"]["reached_percent"] == Decimal("62.50")
    assert reports.late_fee_income(user=county.users["head_east"], year=2024)["total"]["income_yuan"] == 0
    # changing the target keeps one row
    late_fee_target_set(user=admin, station=station, year=2025, target_yuan="10")
    assert LateFeeTarget.objects.get(station=station, year=2025).target_yuan == Decimal("10.00")
    assert LateFeeTarget.objects.count() == 1
    assert reports.late_fee_months(user=admin, year=2025)[4:6] == [Decimal("3.20"), Decimal("1.80")]


def test_only_county_level_staff_set_targets_and_bad_input_is_refused(county):
    station = county.stations["east"]
    for name in ("head_east", "auditor_east", "manager_east"):
        with pytest.raises(PermissionDenied):
            late_fee_target_set(user=county.users[name], station=station, year=2025, target_yuan="1")
    admin = county.users["admin"]
    with pytest.raises(ValidationError) as error:
        late_fee_target_set(user=admin, station=station, year=2025, target_yuan="1.234")
    assert "东城供电所" in str(error.value) and "target_yuan" in error.value.message_dict
    with pytest.raises(ValidationError):
        late_fee_target_set(user=admin, station=station, year=2025, target_yuan="-5")
    with pytest.raises(ValidationError) as error:
        late_fee_target_set(user=admin, station=station, year="20x5", target_yuan="5")
    assert "year" in error.value.message_dict
    with pytest.raises(ValidationError):
        late_fee_target_set(user=admin, station=station, year=1990, target_yuan="5")
    assert LateFeeTarget.objects.count() == 0


def test_month_figures_for_the_dashboard(county, march):
    figures = reports.month_figures(user=county.users["head_east"], month=MARCH, today=D(2025, 5, 1))
    assert figures["cutoff"] == D(2025, 4, 30)
    assert figures["recovery"]["rate_percent"] == Decimal("45.00")
    assert figures["arrears_yuan"] == Decimal("550.00")
    assert figures["arrears_customers"] == 2
    assert figures["remittance_month"] == D(2025, 4, 1)
    assert figures["remittance"]["cash_yuan"] == Decimal("450.00")
    assert figures["late_fees"]["income_yuan"] == Decimal("0.00")  # the May fee is after 1 May


def test_the_trend_in_one_query_equals_each_months_total(county, march, django_assert_num_queries):
    head = county.users["head_east"]
    month = D(2025, 4, 1)
    for today in (D(2025, 4, 10), D(2025, 6, 1)):  # March's cut-off (30 April) after today, then before it
        with django_assert_num_queries(1):
            trend = reports.recovery_trend(user=head, month=month, today=today)
        each = [reports.recovery_total(user=head, month=row["month"], today=today) for row in trend]
        assert trend == each
        assert any(row["receivables"] for row in trend)

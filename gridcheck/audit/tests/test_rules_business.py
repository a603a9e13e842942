"""Audit rules of business acceptance and collection (营业受理, YY-nn): for each rule a hand-made case it
must find and cases it must leave alone, on the small county with its east station's March 2025 bills
issued (``issued``: issued 2025-04-08, due 2025-04-23)."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from gridcheck.audit.engine import INJECTORS, RULES, RuleContext
from gridcheck.billing.tests import conftest as _billing
from gridcheck.collection.tests import conftest as _collection

# The billing and collection fixtures: the east station's March bills issued.
book, read_march, issued = _billing.book, _billing.read_march, _collection.issued

TZ = ZoneInfo("Asia/Shanghai")
MARCH, APRIL, MAY = datetime.date(2025, 3, 1), datetime.date(2025, 4, 1), datetime.date(2025, 5, 1)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TZ)


def _hits(code: str, *, month: datetime.date, on: datetime.date, area_ids=None, **params):
    definition = RULES[code]
    values = {name: Decimal(value) for name, value in definition.default_params().items()}
    values.update({name: Decimal(str(value)) for name, value in params.items()})
    context = RuleContext(on=on, month=month, params=values, area_ids=area_ids)
    return list(definition.function(context))


def _keys(hits) -> set[str]:
    return {hit.key for hit in hits}


def _pay(
    county, key: str, day: datetime.date, amount=None, *, user="reader_east", receipt="", channel="counter"
):
    from gridcheck.collection.services.payments import payment_post

    customer = county.customers[key]
    return payment_post(
        user=county.users[user],
        customer=customer,
        amount_yuan=amount if amount is not None else Decimal("10.00"),
        channel=channel,
        idempotency_key=f"test:{key}:{day}:{receipt}:{user}",
        received_at=_at(day),
        receipt_number=receipt,
    )


def _customer(county, key: str, area: str, **fields):
    from gridcheck.archive.models import Customer

    area = county.areas[area]
    defaults = {
        "account_number": f"9{len(county.customers):09d}",
        "name": f"客户{key}",
        "address": "示范县某镇某村",
        "area": area,
        "station": area.station,
        "category": "residential",
        "voltage_level": "220V",
        "contracted_capacity_kva": Decimal("8"),
        "tariff_code": "RES-1",
        "inspection_class": "C",
    }
    defaults.update(fields)
    customer = Customer.objects.create(**defaults)
    county.customers[key] = customer
    return customer


# ------------------------------------------------------------------------------------------ YY-01
def test_yy01_reversal_asked_too_long_after_the_receipt(county, issued):
    from gridcheck.collection.models import Reversal

    reader = county.users["reader_east"]
    late = _pay(county, "east11", datetime.date(2025, 4, 10))
    in_time = _pay(county, "east12", datetime.date(2025, 4, 10))
    rejected = _pay(county, "east21", datetime.date(2025, 4, 10))
    made = {}
    for payment, asked, status in (
        (late, datetime.date(2025, 4, 15), "pending"),  # 5 days > 2
        (in_time, datetime.date(2025, 4, 12), "approved"),  # 2 days: allowed
        (rejected, datetime.date(2025, 4, 20), "rejected"),  # late, but refused
    ):
        reversal = Reversal.objects.create(
            payment=payment,
            station_id=payment.station_id,
            area_id=payment.area_id,
            reason="收错",
            requested_by=reader,
            status=status,
        )
        Reversal.objects.filter(pk=reversal.pk).update(created_at=_at(asked))
        made[payment.pk] = reversal
    hits = _hits("YY-01", month=APRIL, on=datetime.date(2025, 5, 5))
    assert _keys(hits) == {f"reversal:{made[late.pk].pk}"}
    assert "相隔5天" in hits[0].summary and hits[0].customer_id == county.customers["east11"].pk
    # A later month's run does not find it again.
    assert _hits("YY-01", month=MAY, on=datetime.date(2025, 6, 5)) == []


# ------------------------------------------------------------------------------------------ YY-02
def test_yy02_staff_accounts_with_low_energy_or_arrears(county, issued):
    from gridcheck.billing.models import Bill

    users = county.users
    users["manager_east"].phone = "13800000001"
    users["manager_east"].save()
    customers = county.customers
    # east11 bears a staff member's name and used nothing this month.
    customers["east11"].name = "reader_east"
    customers["east11"].save()
    Bill.objects.filter(customer=customers["east11"]).update(energy_kwh=0)
    # east21 gave the area manager's phone and has not paid for more than 30 days.
    customers["east21"].phone = "13800000001"
    customers["east21"].save()
    # east12 bears a staff name but used 12 kWh and paid; east22 used 10 kWh but is nobody's.
    customers["east12"].name = "auditor_east"
    customers["east12"].save()
    _pay(county, "east12", datetime.date(2025, 4, 20), issued.receivables["east12"].amount_yuan)
    Bill.objects.filter(customer=customers["east22"]).update(energy_kwh=10)
    # west11 bears an east staff member's name: another station, no match.
    customers["west11"].name = "head_east"
    customers["west11"].save()
    hits = _hits("YY-02", month=MARCH, on=datetime.date(2025, 6, 1))
    assert _keys(hits) == {f"customer:{customers['east11'].pk}", f"customer:{customers['east21'].pk}"}
    by_key = {hit.key: hit for hit in hits}
    assert "电话相同" in by_key[f"customer:{customers['east21'].pk}"].summary
    assert "0 kWh" in by_key[f"customer:{customers['east11'].pk}"].summary
    # Before the arrears are 30 days old only the low energy is found.
    assert _keys(_hits("YY-02", month=MARCH, on=datetime.date(2025, 5, 1))) == {
        f"customer:{customers['east11'].pk}"
    }


# ------------------------------------------------------------------------------------------ YY-03
def test_yy03_arrears_never_dunned(county, issued):
    from gridcheck.collection.models import DunningNotice

    customers = county.customers
    _pay(county, "east12", datetime.date(2025, 4, 20), issued.receivables["east12"].amount_yuan)
    notice = DunningNotice.objects.create(
        customer=customers["east21"],
        station=customers["east21"].station,
        area=customers["east21"].area,
        number="CF0001",
        channel="paper",
        arrears_yuan=issued.receivables["east21"].amount_yuan,
        pay_by=datetime.date(2025, 5, 1),
    )
    notice.receivables.add(issued.receivables["east21"])
    customers["east22"].status = "suspended"
    customers["east22"].save()
    hits = _hits("YY-03", month=datetime.date(2025, 7, 1), on=datetime.date(2025, 8, 1))
    assert _keys(hits) == {f"customer:{customers['east11'].pk}"}
    assert "从未催费" in hits[0].summary
    # Not yet three months overdue.
    assert _hits("YY-03", month=datetime.date(2025, 5, 1), on=datetime.date(2025, 6, 1)) == []


# ------------------------------------------------------------------------------------------ YY-04
def test_yy04_several_residential_accounts_at_one_address(county):
    from gridcheck.audit.rules.business import address_key, address_normalised_python

    for key in ("east11", "east21", "west11"):
        county.customers[key].address = "示范县某镇某村3号"
        county.customers[key].save()
    # east1: two more residents at the same address written differently, a shop and a closed account too.
    _customer(county, "east13", "east1", address="示范县某镇某村３号")
    _customer(county, "east14", "east1", address="示范县某镇 某村3号")
    _customer(county, "east15", "east1", address="示范县某镇某村3号", category="commercial")
    _customer(county, "east16", "east1", address="示范县某镇某村3号", status="closed")
    # east2 and west1: two residents each.
    _customer(county, "east23", "east2", address="示范县某镇某村3号")
    _customer(county, "west13", "west1", address="示范县某镇某村3号")
    hits = _hits("YY-04", month=MARCH, on=datetime.date(2025, 4, 10))
    expected = address_key(county.areas["east1"].pk, address_normalised_python("示范县某镇某村3号"))
    assert _keys(hits) == {expected}
    assert "3个在用居民户号" in hits[0].summary and hits[0].area_id == county.areas["east1"].pk
    assert len(_hits("YY-04", month=MARCH, on=datetime.date(2025, 4, 10), min_accounts=2)) == 3


# ------------------------------------------------------------------------------------------ YY-05
def test_yy05_late_fee_waived_or_reduced(county, issued):
    from gridcheck.billing.models import BillAdjustment
    from gridcheck.collection.models import CollectionPolicy, Receivable

    r = issued.receivables

    def settle(key, day, accrued="0", paid="0"):
        Receivable.objects.filter(pk=r[key].pk).update(
            status="paid",
            paid_yuan=r[key].amount_yuan,
            settled_on=day,
            late_fee_accrued_yuan=Decimal(accrued),
            late_fee_paid_yuan=Decimal(paid),
        )

    settle("east11", datetime.date(2025, 5, 10))  # 17 days late, no fee: waived
    settle("east21", datetime.date(2025, 5, 12), accrued="5.00", paid="2.00")  # reduced
    settle("east22", datetime.date(2025, 4, 24))  # the day after the due date: no day charged
    settle("east12", datetime.date(2025, 5, 10))  # late, but the bill was adjusted with approval
    BillAdjustment.objects.create(
        bill=issued.bills["east12"],
        station=county.stations["east"],
        area=county.areas["east1"],
        kind="correction",
        reason="抄错",
        amount_yuan=Decimal("-1.00"),
        status="approved",
        prepared_by=county.users["auditor_east"],
    )
    hits = _hits("YY-05", month=MAY, on=datetime.date(2025, 6, 1))
    assert _keys(hits) == {f"receivable:{r['east11'].pk}", f"receivable:{r['east21'].pk}"}
    # A company practice of 30 grace days charges nothing for 17 days; the reduced fee is still found.
    CollectionPolicy.objects.create(company=county.company, grace_days=30)
    assert _keys(_hits("YY-05", month=MAY, on=datetime.date(2025, 6, 1))) == {f"receivable:{r['east21'].pk}"}
    assert _hits("YY-05", month=datetime.date(2025, 6, 1), on=datetime.date(2025, 7, 1)) == []


# ------------------------------------------------------------------------------------------ YY-06
def test_yy06_receipts_outside_the_collectors_stock(county, issued):
    from gridcheck.collection.services.cash import stock_issue

    stock_issue(
        user=county.users["auditor_east"],
        station=county.stations["east"],
        kind="receipt",
        series="E",
        first_number=1,
        last_number=100,
        holder=county.users["reader_east"],
    )
    day = datetime.date(2025, 4, 10)
    good = _pay(county, "east11", day, receipt="E00000005")
    beyond = _pay(county, "east12", day, receipt="E00000500")
    electronic = _pay(county, "east21", day)
    unknown = _pay(county, "east22", day, receipt="X00000001")
    others = _pay(
        county, "east11", day, user="manager_east", channel="rural_electrician", receipt="E00000007"
    )
    assert electronic.receipt_number.startswith("DZ") and good.pk
    hits = _hits("YY-06", month=APRIL, on=datetime.date(2025, 5, 5))
    assert _keys(hits) == {f"payment:{p.pk}" for p in (beyond, unknown, others)}
    assert _hits("YY-06", month=MAY, on=datetime.date(2025, 6, 5)) == []


# ------------------------------------------------------------------------------------------ YY-07
def test_yy07_cancelled_receipts_left_unchecked(county):
    from gridcheck.collection.models import ReceiptCancellation
    from gridcheck.collection.services.cash import receipt_cancel, receipt_cancellation_check, stock_issue

    stock = stock_issue(
        user=county.users["auditor_east"],
        station=county.stations["east"],
        kind="receipt",
        series="E",
        first_number=1,
        last_number=100,
        holder=county.users["reader_east"],
    )
    reader = county.users["reader_east"]
    old = receipt_cancel(user=reader, stock=stock, number=10, reason="填错金额")
    recent = receipt_cancel(user=reader, stock=stock, number=11, reason="填错户名")
    checked = receipt_cancel(user=reader, stock=stock, number=12, reason="污损")
    receipt_cancellation_check(user=county.users["auditor_east"], cancellation=checked, approve=True)
    for cancellation, day in ((old, datetime.date(2025, 4, 1)), (recent, datetime.date(2025, 4, 28))):
        ReceiptCancellation.objects.filter(pk=cancellation.pk).update(created_at=_at(day))
    ReceiptCancellation.objects.filter(pk=checked.pk).update(created_at=_at(datetime.date(2025, 4, 1)))
    on = datetime.date(2025, 5, 1)
    hits = _hits("YY-07", month=APRIL, on=on)
    assert _keys(hits) == {f"cancellation:{old.pk}"} and "30天未审核" in hits[0].summary
    assert _hits("YY-07", month=APRIL, on=on, area_ids=[county.areas["east1"].pk]) == []


# ------------------------------------------------------------------------------------------ YY-08
def test_yy08_disconnection_without_the_procedure(county, issued):
    from gridcheck.collection.models import Disconnection

    users = county.users
    served = datetime.date(2025, 5, 1)

    def cut(key, executed, **fields):
        customer = county.customers[key]
        values = {
            "proposed_by": users["auditor_east"],
            "approved_by": users["head_east"],
            "notice_served_on": served,
            "status": "executed",
        }
        values.update(fields)
        return Disconnection.objects.create(
            customer=customer,
            station=customer.station,
            area=customer.area,
            number=f"TD{key}",
            arrears_yuan=Decimal("100.00"),
            reason="欠费",
            executed_at=_at(executed),
            **values,
        )

    short = cut("east11", datetime.date(2025, 5, 4))  # residential: 7 days, cut on the 3rd
    fine = cut("east12", datetime.date(2025, 5, 5))  # other: 3 days, cut on the 4th
    county_missing = cut("east21", datetime.date(2025, 5, 9), needs_county=True)
    later = cut("east22", datetime.date(2025, 6, 2), approved_by=users["auditor_east"])  # outside the month
    hits = _hits("YY-08", month=MAY, on=datetime.date(2025, 5, 31))
    assert _keys(hits) == {f"disconnection:{short.pk}", f"disconnection:{county_missing.pk}"}
    assert fine.pk and later.pk
    by_key = {hit.key: hit for hit in hits}
    assert "应满7天" in by_key[f"disconnection:{short.pk}"].summary
    assert "县公司" in by_key[f"disconnection:{county_missing.pk}"].summary
    june = _hits("YY-08", month=datetime.date(2025, 6, 1), on=datetime.date(2025, 6, 30))
    assert _keys(june) == {f"disconnection:{later.pk}"} and "自行审批" in june[0].summary


# ------------------------------------------------------------------------------------------ YY-09
def test_yy09_payment_posted_into_a_closed_month(county, issued):
    from gridcheck.collection.models import MonthClose, Payment

    after = _pay(county, "east11", datetime.date(2025, 4, 10))
    before = _pay(county, "east12", datetime.date(2025, 4, 12))
    open_month = _pay(county, "east21", datetime.date(2025, 5, 2))
    MonthClose.objects.create(
        station=county.stations["east"], month=APRIL, closed_at=_at(datetime.date(2025, 5, 3))
    )
    Payment.objects.filter(pk=after.pk).update(created_at=_at(datetime.date(2025, 5, 5)))
    Payment.objects.filter(pk=before.pk).update(created_at=_at(datetime.date(2025, 5, 2)))
    Payment.objects.filter(pk=open_month.pk).update(created_at=_at(datetime.date(2025, 5, 6)))
    hits = _hits("YY-09", month=MAY, on=datetime.date(2025, 5, 31))
    assert _keys(hits) == {f"payment:{after.pk}"}
    assert "2025-05-03月结" in hits[0].summary


# ------------------------------------------------------------------------------------------ YY-10
def test_yy10_reversal_approved_by_its_requester_or_after_the_close(county, issued):
    from gridcheck.collection.models import MonthClose, Reversal

    users = county.users
    made = {}
    for key, requester, decider, decided in (
        ("east11", "head_east", "head_east", datetime.date(2025, 4, 12)),  # approved by its requester
        ("east12", "reader_east", "head_east", datetime.date(2025, 4, 12)),  # proper
        ("east21", "reader_east", "head_east", datetime.date(2025, 5, 6)),  # after April's close
    ):
        payment = _pay(county, key, datetime.date(2025, 4, 10))
        made[key] = Reversal.objects.create(
            payment=payment,
            station_id=payment.station_id,
            area_id=payment.area_id,
            reason="收错",
            requested_by=users[requester],
            decided_by=users[decider],
            decided_at=_at(decided),
            status="approved",
        )
    MonthClose.objects.create(
        station=county.stations["east"], month=APRIL, closed_at=_at(datetime.date(2025, 5, 3))
    )
    hits = _hits("YY-10", month=APRIL, on=datetime.date(2025, 5, 31))
    assert _keys(hits) == {f"reversal:{made['east11'].pk}", f"reversal:{made['east21'].pk}"}
    by_key = {hit.key: hit for hit in hits}
    assert "自行审批" in by_key[f"reversal:{made['east11'].pk}"].summary
    assert "月结" in by_key[f"reversal:{made['east21'].pk}"].summary


# ------------------------------------------------------------------------------------------ YY-11
def test_yy11_prepaid_account_below_zero(county, issued):
    from gridcheck.collection.models import Account, Receivable

    customers = county.customers
    Account.objects.filter(customer=customers["east11"]).update(is_prepaid=True)
    Account.objects.filter(customer=customers["east21"]).update(
        is_prepaid=True, credit_yuan=Decimal("1000.00")
    )
    Account.objects.filter(customer=customers["east22"]).update(is_prepaid=True)
    Receivable.objects.filter(pk=issued.receivables["east22"].pk).update(
        status="paid", paid_yuan=issued.receivables["east22"].amount_yuan
    )
    hits = _hits("YY-11", month=APRIL, on=datetime.date(2025, 4, 10))
    assert _keys(hits) == {f"customer:{customers['east11'].pk}"}  # east12 is not prepaid
    assert "余额-" in hits[0].summary
    assert _hits("YY-11", month=APRIL, on=datetime.date(2025, 4, 10), days=5) == []


# ------------------------------------------------------------------------------------------ YY-12
def test_yy12_new_connection_never_billed(county, issued):
    old = _customer(county, "east13", "east1", connected_on=datetime.date(2024, 12, 1))
    _customer(county, "east14", "east1", connected_on=datetime.date(2025, 3, 10))  # too recent
    _customer(county, "west13", "west1", connected_on=datetime.date(2020, 1, 1))  # area in no book
    _customer(county, "east23", "east2", connected_on=datetime.date(2020, 1, 1), status="closed")
    hits = _hits("YY-12", month=MARCH, on=datetime.date(2025, 4, 10))
    assert _keys(hits) == {f"customer:{old.pk}"}
    assert hits[0].evidence[-2].value == "无"  # no meter in service
    # Before the area's bills of the month exist, nothing is said.
    assert _hits("YY-12", month=APRIL, on=datetime.date(2025, 5, 10)) == []


# ------------------------------------------------------------------------------------------ YY-13
def test_yy13_billed_customer_whose_area_is_in_no_book(county, issued):
    from gridcheck.archive.models import Area

    east = county.stations["east"]
    area = Area.objects.create(
        line=county.lines["east"],
        station=east,
        code="S01-A3",
        name="东城供电所3号台区",
        capacity_kva=Decimal("200"),
    )
    moved = county.customers["east11"]
    moved.area = area
    moved.save()
    hits = _hits("YY-13", month=MARCH, on=datetime.date(2025, 4, 10))
    # west11 is in no book either, but was never billed.
    assert _keys(hits) == {f"customer:{moved.pk}"}
    assert "2025年03月" in hits[0].summary and hits[0].area_id == area.pk


# ---------------------------------------------------------------------------------- the engine
@pytest.mark.parametrize("month", [MARCH, APRIL])
def test_every_business_rule_runs_in_an_audit_run(county, issued, month):
    from gridcheck.audit import services
    from gridcheck.audit.models import AuditRunRule

    codes = sorted(code for code in RULES if code.startswith("YY-"))
    assert len(codes) >= 13
    for code in codes:
        definition = RULES[code]
        assert definition.module == "business" and definition.source and definition.title
    _pay(county, "east12", datetime.date(2025, 4, 20), issued.receivables["east12"].amount_yuan)
    run = services.audit_run_start(
        month=month,
        user=county.users["admin"],
        run_on=datetime.date(2025, 8, 1),
        enqueue=False,
        rule_codes=codes,
    )
    services.audit_run_execute(run)
    failed = list(AuditRunRule.objects.filter(run=run, status="failed").values_list("rule__code", "error"))
    assert failed == []
    assert AuditRunRule.objects.filter(run=run).count() == len(codes)


# ---------------------------------------------------------------------------------- the injectors
INJECTED = {
    # code: (audited month, run day)
    "YY-01": (APRIL, datetime.date(2025, 5, 20)),
    "YY-02": (MARCH, datetime.date(2025, 4, 10)),
    "YY-03": (datetime.date(2025, 7, 1), datetime.date(2025, 8, 1)),
    "YY-04": (APRIL, datetime.date(2025, 5, 20)),
    "YY-05": (MAY, datetime.date(2025, 6, 1)),
    "YY-06": (APRIL, datetime.date(2025, 5, 20)),
    "YY-07": (APRIL, datetime.date(2025, 5, 20)),
    "YY-08": (MAY, datetime.date(2025, 5, 31)),
    "YY-09": (MAY, None),  # April closed, then posted now: run today
    "YY-10": (APRIL, datetime.date(2025, 5, 20)),
    "YY-11": (APRIL, datetime.date(2025, 4, 10)),
    "YY-12": (MARCH, datetime.date(2025, 4, 10)),
    "YY-13": (MARCH, datetime.date(2025, 4, 10)),
}


@pytest.mark.parametrize("code", sorted(INJECTED))
def test_each_injector_makes_facts_its_rule_finds(county, issued, code, monkeypatch):
    """The demo injectors on the small county (every customer taken as this module's): each returns keys
    and its rule finds every one of them."""
    import random

    from django.utils import timezone

    from gridcheck.audit.injections import business as injections
    from gridcheck.collection.services.cash import stock_issue

    def every(code, pks):
        return sorted(set(pks))

    def one_per_customer(code, rows, wanted=20):
        seen, chosen = set(), []
        for row in sorted(rows, key=lambda r: r["pk"]):
            if row["customer_id"] not in seen:
                seen.add(row["customer_id"])
                chosen.append(row)
        return chosen

    monkeypatch.setattr(injections, "_part", every)
    monkeypatch.setattr(injections, "_payments_part", one_per_customer)
    stock_issue(
        user=county.users["auditor_east"],
        station=county.stations["east"],
        kind="receipt",
        series="E",
        first_number=1,
        last_number=100,
        holder=county.users["reader_east"],
    )
    for n, key in enumerate(("east11", "east12", "east21", "east22")):
        _pay(
            county,
            key,
            datetime.date(2025, 4, 10 + n),
            issued.receivables[key].amount_yuan,
            receipt=f"E{n + 1:08d}",
        )
    _customer(county, "east13", "east1")
    _customer(county, "east14", "east1")
    month, on = INJECTED[code]
    on = on or timezone.localdate()
    keys = INJECTORS[code](rng=random.Random(1), count=2, month=month, on=on)
    assert keys, f"{code} injected nothing"
    assert set(keys) <= _keys(_hits(code, month=month, on=on))

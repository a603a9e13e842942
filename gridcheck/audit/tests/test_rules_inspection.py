"""Inspection rules (用电检查, JC-01..JC-06): each with a hand-made positive and negative case on the small
county."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from gridcheck.archive.models import Area, Meter
from gridcheck.audit import library  # noqa: F401 - registers the rules
from gridcheck.audit.engine import RULES, RuleContext
from gridcheck.billing.models import ReaderAnomaly
from gridcheck.cases.models import Case, CaseApproval, Payment
from gridcheck.inspections.models import InspectionPlan, Visit, WorkOrder
from gridcheck.lineloss.models import AreaMonthLoss

MONTH = datetime.date(2025, 3, 1)
ON = datetime.date(2025, 4, 10)


def hits(code: str, *, on=ON, month=MONTH, area_ids=None, **params) -> dict:
    """The hits of rule ``code`` by key, under its default thresholds (``params`` override them)."""
    definition = RULES[code]
    values = {name: Decimal(value) for name, value in definition.default_params().items()}
    values.update({name: Decimal(str(value)) for name, value in params.items()})
    context = RuleContext(on=on, month=month, params=values, area_ids=area_ids)
    found = {}
    for hit in definition.function(context):
        assert hit.key not in found, f"{code} found {hit.key} twice"
        found[hit.key] = hit
    return found


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def loss(county, area: str, month: datetime.date, rate: float, previous=None, target=7.0, causes=()):
    a = county.areas[area]
    return AreaMonthLoss.objects.create(
        area=a,
        line=a.line,
        station=a.station,
        month=month,
        supply_kwh=10000.0,
        sales_kwh=10000.0 * (1 - rate / 100),
        loss_kwh=100.0 * rate,
        loss_rate_percent=rate,
        previous_loss_rate_percent=previous,
        target_percent=target,
        causes=list(causes),
    )


def order(county, key: str, *, source="manual", created=None, **fields) -> WorkOrder:
    customer = county.customers[key]
    wo = WorkOrder.objects.create(
        number=f"GD{WorkOrder.objects.count() + 1:06d}",
        source=source,
        customer=customer,
        station=customer.station,
        reason="核查",
        **fields,
    )
    if created:
        WorkOrder.objects.filter(pk=wo.pk).update(created_at=at(created))
    return wo


# ------------------------------------------------------------------------------------------- JC-01
def test_jc01_loss_swing_without_analysis(county):
    loss(county, "east1", MONTH, 9.0, previous=5.0)  # +80 %, nothing found: a hit
    loss(county, "east2", MONTH, 5.5, previous=5.0)  # +10 %: no swing
    loss(
        county, "west1", MONTH, 2.0, previous=6.0, causes=[{"code": "events", "event": "stopped", "count": 2}]
    )
    loss(county, "west2", MONTH, 12.0, previous=6.0, causes=[{"code": "unexplained_loss"}])
    # west2 was followed up with a line-loss work order in the month: analysed.
    order(county, "west21", source="lineloss", created=datetime.date(2025, 3, 20))
    found = hits("JC-01")
    assert set(found) == {f"area:{county.areas['east1'].pk}:2025-03"}
    assert "波动80%" in found[f"area:{county.areas['east1'].pk}:2025-03"].summary
    # A work order before the month does not count.
    WorkOrder.objects.update(created_at=at(datetime.date(2025, 2, 20)))
    assert set(hits("JC-01")) == {f"area:{county.areas[a].pk}:2025-03" for a in ("east1", "west2")}


def test_the_jc01_injector_leaves_areas_with_theft_suspects_alone(county):
    """The demo's swing nobody analysed clears an area's causes: never on an area whose theft suspects
    are listed (its flags would say suspects while its causes said nothing)."""
    import random

    from gridcheck.audit.injections.inspection import inject_jc01

    line, station = county.lines["east"], county.stations["east"]
    rows = {}
    for pk in (800001, 800009):  # the injector's share of the areas: ids 1 modulo 8
        area = Area.objects.create(
            pk=pk, line=line, station=station, code=f"JC01-{pk}", name=f"测试{pk}号台区", capacity_kva=100
        )
        rows[pk] = loss(county, "east1", MONTH, 5.0, previous=6.0)
        AreaMonthLoss.objects.filter(pk=rows[pk].pk).update(area=area)
    suspects = [{"code": "theft_suspects", "count": 2, "accounts": ["1001", "1002"]}]
    AreaMonthLoss.objects.filter(pk=rows[800009].pk).update(
        theft_suspects=2, suspects_material=True, flagged=True, causes=suspects
    )
    keys = inject_jc01(rng=random.Random(1), count=5, month=MONTH, on=ON)
    assert keys == [f"area:800001:{MONTH:%Y-%m}"]
    untouched = AreaMonthLoss.objects.get(pk=rows[800009].pk)
    assert (untouched.loss_rate_percent, untouched.causes) == (5.0, suspects)
    assert AreaMonthLoss.objects.get(pk=rows[800001].pk).loss_rate_percent == 3.0  # halved


# ------------------------------------------------------------------------------------------- JC-02
def test_jc02_three_months_above_target_without_a_plan(county):
    from gridcheck.inspections.models import Campaign

    for area, rates in {
        "east1": (8.0, 9.0, 10.0),  # three months above 7 %: a hit
        "east2": (8.0, 6.0, 10.0),  # broken run
        "west1": (8.0, 9.0, 10.0),  # above, but a campaign targets its customers
    }.items():
        for n, rate in enumerate(rates):
            loss(county, area, datetime.date(2025, 1 + n, 1), rate)
    campaign = Campaign.objects.create(
        station=county.stations["west"],
        name="反窃电专项",
        starts_on=datetime.date(2025, 3, 1),
        ends_on=datetime.date(2025, 4, 30),
    )
    campaign.targets.add(county.customers["west11"])
    found = hits("JC-02")
    assert set(found) == {f"area:{county.areas['east1'].pk}:2025-03"}
    hit = found[f"area:{county.areas['east1'].pk}:2025-03"]
    assert "连续3个月" in hit.summary and "2025-01 8.0%" in hit.summary


# ------------------------------------------------------------------------------------------- JC-03 / JC-04
def _case(county, key, *, kind, status, total, back_bill, penalty, number, approved=None) -> Case:
    customer = county.customers[key]
    items = [
        {"key": "back_bill_yuan", "value": str(back_bill)},
        {"key": "penalty_yuan", "value": str(penalty)},
        {
            "key": "total_due_yuan",
            "value": str(total),
            "inputs": {"back_bill_yuan": str(back_bill), "penalty_yuan": str(penalty)},
        },
    ]
    case = Case.objects.create(
        number=number,
        kind=kind,
        customer=customer,
        station=customer.station,
        case_date=datetime.date(2025, 1, 10),
        theft_type="bypass_meter" if kind == "theft" else "",
        violation_type="category_change" if kind == "violation" else "",
        calculation={"items": items},
        total_due_yuan=Decimal(total),
        status=status,
        closed_on=datetime.date(2025, 3, 5) if status == "closed" else None,
        created_by=county.users["inspector_east"],
    )
    if approved:
        CaseApproval.objects.create(
            case=case,
            level="station",
            approver=county.users["head_east"],
            decision="approve",
            decided_at=at(approved),
        )
    return case


def _pay(county, case, amount, receipt):
    Payment.objects.create(
        case=case,
        amount_yuan=Decimal(amount),
        paid_on=datetime.date(2025, 3, 1),
        receipt_number=receipt,
        recorded_by=county.users["inspector_east"],
    )


def test_jc03_violation_back_bill_never_billed(county):
    args = {"kind": "violation", "total": "300.00", "back_bill": "100.00", "penalty": "200.00"}
    unpaid = _case(
        county, "east11", status="approved", number="V1", approved=datetime.date(2025, 2, 1), **args
    )
    paid = _case(county, "east12", status="approved", number="V2", approved=datetime.date(2025, 2, 1), **args)
    _pay(county, paid, "120.00", "R-1")  # the back-bill part is covered
    recent = _case(
        county, "east21", status="approved", number="V3", approved=datetime.date(2025, 4, 1), **args
    )
    found = hits("JC-03")
    assert set(found) == {f"case:{unpaid.pk}"}
    assert "补交电费100.00 元" in found[f"case:{unpaid.pk}"].summary
    assert set(hits("JC-03", grace_days=5)) == {f"case:{unpaid.pk}", f"case:{recent.pk}"}


def test_jc04_closed_theft_case_with_the_penalty_unpaid(county):
    args = {"kind": "theft", "total": "2661.12", "back_bill": "665.28", "penalty": "1995.84"}
    short = _case(county, "east11", status="closed", number="T1", **args)
    _pay(county, short, "665.28", "R-2")
    full = _case(county, "east12", status="closed", number="T2", **args)
    _pay(county, full, "2661.12", "R-3")
    _case(county, "east21", status="approved", number="T3", **args)  # not closed: still being collected
    found = hits("JC-04")
    assert set(found) == {f"case:{short.pk}"}
    assert "未收1,995.84 元" in found[f"case:{short.pk}"].summary


# ------------------------------------------------------------------------------------------- JC-05
def _visit(county, work_order, day):
    return Visit.objects.create(
        work_order=work_order,
        station=work_order.station,
        visited_at=at(day),
        inspector1=county.users["inspector_east"],
        inspector2=county.users["inspector2_east"],
        inspector1_signature="x.png",
        inspector2_signature="y.png",
    )


def test_jc05_patrol_missed_by_class(county):
    plan = InspectionPlan.objects.create(station=county.stations["east"], month=MONTH)
    last = datetime.date(2025, 3, 31)
    monthly = {
        k: order(county, k, source="plan", plan=plan, plan_slot="M", due_on=last)
        for k in ("east12", "east22")
    }
    # east12 visited in March (on another work order); east22 not.
    _visit(county, order(county, "east12"), datetime.date(2025, 3, 18))
    # east11: weekly slot W2 (3-10 March) visited on the 4th; W3 (10-16 March) missed.
    order(county, "east11", source="plan", plan=plan, plan_slot="W2", due_on=datetime.date(2025, 3, 9))
    order(county, "east11", source="plan", plan=plan, plan_slot="W3", due_on=datetime.date(2025, 3, 16))
    _visit(county, order(county, "east11"), datetime.date(2025, 3, 4))
    found = hits("JC-05")
    east = {k for k in found if not k.startswith("station:")}
    assert east == {
        f"customer:{county.customers['east22'].pk}:2025-03",
        f"customer:{county.customers['east11'].pk}:2025-03-W3",
    }
    # The west station has no plan for March: one finding for the station.
    assert {k for k in found if k.startswith("station:")} == {f"station:{county.stations['west'].pk}:2025-03"}
    assert (
        "B类（每月）2户、C类（每季度）2户" in found[f"station:{county.stations['west'].pk}:2025-03"].summary
    )
    assert monthly  # both orders exist; only the unvisited one is found
    # A run during the month judges only the weeks that have ended.
    assert set(hits("JC-05", on=datetime.date(2025, 3, 12))) == set()


# ------------------------------------------------------------------------------------------- JC-06
def test_jc06_reader_anomaly_without_action(county):
    def anomaly(key, kind, found_on, **fields):
        customer = county.customers[key]
        return ReaderAnomaly.objects.create(
            meter=Meter.objects.get(metering_point__customer=customer),
            customer=customer,
            station=customer.station,
            area=customer.area,
            kind=kind,
            found_on=found_on,
            **fields,
        )

    old = anomaly("east11", "burned", datetime.date(2025, 3, 20))
    anomaly("east12", "seal_broken", datetime.date(2025, 3, 20), status="work_order", work_order_id_ref=7)
    anomaly("east21", "stopped", datetime.date(2025, 4, 9))  # found yesterday
    anomaly("east22", "display_dark", datetime.date(2025, 3, 1))  # not a kind that needs a visit
    anomaly("west11", "stolen", datetime.date(2025, 3, 1), status="resolved", outcome="已补装")
    found = hits("JC-06")
    assert set(found) == {f"anomaly:{old.pk}"}
    assert "21天未处理" in found[f"anomaly:{old.pk}"].summary


@pytest.mark.parametrize("code", ["JC-01", "JC-02", "JC-03", "JC-04", "JC-05", "JC-06"])
def test_inspection_rules_are_declared_for_inspectors(code):
    definition = RULES[code]
    assert definition.module == "inspection" and definition.owner_role == "inspector"
    assert definition.source and definition.title


@pytest.mark.parametrize("code", ["JC-03", "JC-04"])
def test_the_injected_cases_are_computed_as_a_users_are(county, code, monkeypatch):
    """The cases the demo injects for JC-03 and JC-04 go through the cases services: each has its meter
    and price, and each amount its formula and article (a user opening one reads a whole notice); the
    rule finds every one."""
    import random

    from gridcheck.audit import evaluation
    from gridcheck.audit.engine import INJECTORS
    from gridcheck.audit.injections import inspection

    evaluation.injectors_load()
    # the small county's customers all candidates (the demo's share of them is a residue of the key)
    monkeypatch.setattr(inspection, "_ours", lambda queryset, field="pk", slot=None: queryset)
    keys = INJECTORS[code](rng=random.Random(1), count=2, month=MONTH, on=ON)
    assert keys, f"{code} injected nothing"
    for key in keys:
        case = Case.objects.get(pk=int(key.split(":")[1]))
        assert case.meter_id and case.price_yuan_per_kwh and case.total_due_yuan > 0
        items = {item["key"]: item for item in case.calculation["items"]}
        for name in ("back_bill_yuan", "penalty_yuan", "total_due_yuan"):
            assert items[name]["formula"] and items[name]["article"], name
        # its record dated as the case, before its approval (not on the day the demo ran)
        approved = case.approvals.get().decided_at
        dates = [
            *case.events.values_list("at", flat=True),
            *case.history.values_list("history_date", flat=True),
        ]
        assert all(at.date() >= case.case_date and at < approved for at in dates), (case.case_date, dates)
        # and so is the computation its change record shows
        computed = {h.computed_at for h in case.history.all() if h.computed_at is not None}
        assert computed == {case.computed_at} and case.computed_at < approved, (computed, case.computed_at)
    assert set(keys) <= set(hits(code))

"""Demo injectors of the inspection rules (JC-01..JC-06, see ``gridcheck.audit.engine.audit_injector``).

Each changes the demo county so that ``count`` facts of its rule exist and returns their keys. Customer
subjects have ``pk % 8 == 3`` (this module's share), split further by ``(pk // 8) % 4`` so that one
customer carries one injected fact; area subjects have ``pk % 4 == 1``, JC-01 taking ``pk % 8 == 1`` and
JC-02 ``pk % 8 == 5`` so that their changes of the loss results never meet. The demo county has no cases,
plans or reading anomalies: the injectors create them, the cases computed through the cases services (a
user opening one reads its formulas and articles) and then advanced with the ORM to the state the rule
looks for.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Mod
from django.utils import timezone

from gridcheck.archive.choices import MeterStatus
from gridcheck.archive.models import Customer, Meter, Tariff
from gridcheck.audit.engine import RULES, RuleContext, audit_injector
from gridcheck.billing.choices import AnomalyKind
from gridcheck.billing.models import ReaderAnomaly
from gridcheck.cases.models import Case, CaseApproval, Payment
from gridcheck.core.periods import month_add, month_end
from gridcheck.core.roles import Role
from gridcheck.core.rules import rule_int, rule_value
from gridcheck.inspections.models import InspectionPlan, WorkOrder
from gridcheck.lineloss.models import AreaMonthLoss

RESIDUE = 3
SLOTS = 4


def _ours(queryset, field: str = "pk", slot: int | None = None):
    queryset = queryset.annotate(_r=Mod(F(field), 8)).filter(_r=RESIDUE)
    if slot is not None:
        queryset = queryset.annotate(_s=Mod((F(field) - RESIDUE) / 8, SLOTS)).filter(_s=slot)
    return queryset


def _sample(rng: random.Random, pks, count: int) -> list:
    pks = sorted(set(pks))
    return sorted(rng.sample(pks, min(count, len(pks))))


def _found(code: str, month: datetime.date, on: datetime.date) -> set[str]:
    params = {name: Decimal(value) for name, value in RULES[code].default_params().items()}
    return {h.key for h in RULES[code].function(RuleContext(on=on, month=month, params=params))}


def _aware(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _people(station_id: int):
    """Two different members of staff of a station: (who opened it, who approved it)."""
    from gridcheck.users.models import User

    staff = User.objects.filter(is_active=True).exclude(role=Role.CUSTOMER)
    opener = (
        staff.filter(station_id=station_id, role=Role.INSPECTOR).order_by("pk").first()
        or staff.order_by("pk").first()
    )
    approver = (
        staff.filter(station_id=station_id, role=Role.STATION_HEAD)
        .exclude(pk=opener.pk)
        .order_by("pk")
        .first()
        or staff.exclude(pk=opener.pk).order_by("pk").first()
    )
    return opener, approver


def _set_rate(row: AreaMonthLoss, rate: float) -> None:
    row.loss_rate_percent = round(rate, 2)
    row.sales_kwh = round(row.supply_kwh * (1 - rate / 100), 3)
    row.loss_kwh = round(row.supply_kwh - row.sales_kwh, 3)
    row.negative_loss = row.loss_kwh < 0
    row.above_target = rate > row.target_percent


LOSS_FIELDS = [
    "loss_rate_percent",
    "sales_kwh",
    "loss_kwh",
    "negative_loss",
    "above_target",
    "previous_loss_rate_percent",
    "swing",
    "failing_months",
    "failing_three_months",
    "flagged",
    "causes",
    "causes_text",
]


@audit_injector("JC-01")
def inject_jc01(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Areas whose loss rate of the month halves against the previous month (to at most its target), with
    the analysis' causes cleared: a swing nobody analysed. Areas with theft suspects are left alone (their
    suspects are a cause the analysis found, which the area's page and flags would still show)."""
    found = _found("JC-01", month, on)
    rows = (
        AreaMonthLoss.objects.annotate(_r=Mod(F("area_id"), 8))
        .filter(_r=1, month=month, previous_loss_rate_percent__gt=1, loss_rate_percent__isnull=False)
        .filter(previous_loss_rate_percent__lte=F("target_percent") * 2, theft_suspects=0)
    )
    pool = {r.pk: r for r in rows if f"area:{r.area_id}:{month:%Y-%m}" not in found}
    chosen = [pool[pk] for pk in _sample(rng, pool, count)]
    for row in chosen:
        _set_rate(row, row.previous_loss_rate_percent * 0.5)
        row.swing, row.failing_months, row.failing_three_months = True, 0, False
        row.flagged, row.causes, row.causes_text = True, [], ""
    AreaMonthLoss.objects.bulk_update(chosen, LOSS_FIELDS)
    return [f"area:{row.area_id}:{month:%Y-%m}" for row in chosen]


@audit_injector("JC-02")
def inject_jc02(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Areas whose loss rate sits 2 to 4 points above target in each of the last three months (the rule
    table's run), with no work order or campaign for them."""
    months = rule_int("lineloss.failing_months", month_end(month))
    first = month_add(month, -(months - 1))
    found = _found("JC-02", month, on)
    rows = (
        AreaMonthLoss.objects.annotate(_r=Mod(F("area_id"), 8))
        .filter(_r=5, month__range=(first, month), loss_rate_percent__isnull=False, supply_kwh__gt=0)
        .order_by("area_id", "month")
    )
    by_area: dict[int, list[AreaMonthLoss]] = {}
    for row in rows:
        by_area.setdefault(row.area_id, []).append(row)
    pool = [a for a, r in by_area.items() if len(r) == months and f"area:{a}:{month:%Y-%m}" not in found]
    chosen = _sample(rng, pool, count)
    changed = []
    for area_id in chosen:
        previous = None
        excess = rng.uniform(2.0, 4.0)
        for n, row in enumerate(by_area[area_id]):
            _set_rate(row, row.target_percent + excess + 0.1 * n)
            if previous is not None:
                row.previous_loss_rate_percent = previous
                row.swing = False
            row.failing_months = n + 1
            row.failing_three_months = n + 1 >= months
            row.flagged = True
            row.causes = [c for c in row.causes or [] if c.get("code") != "negative_loss"] or [
                {"code": "unexplained_loss"}
            ]
            previous = row.loss_rate_percent
            changed.append(row)
    AreaMonthLoss.objects.bulk_update(changed, LOSS_FIELDS, batch_size=500)
    return [f"area:{a}:{month:%Y-%m}" for a in chosen]


def _computed_case(
    customer: Customer, opener, *, kind: str, case_date: datetime.date, energy_kwh: int = 0
) -> Case | None:
    """A case of ``customer`` opened and computed through the cases services (the amounts, formulas and
    articles of the rule table in force on ``case_date``), as a real one is; None where the services
    refuse it (no meter on that day, no tariff to change to).  A violation: ``energy_kwh`` used at a
    dearer category's tariff."""
    from gridcheck.cases import services as cases

    if kind == "theft":
        attempts = [{"theft_type": "bypass_meter"}]
    else:  # a change to a dearer category: the price difference is what the customer owes
        own = Tariff.objects.filter(code=customer.tariff_code, effective_from__lte=case_date)
        own = own.order_by("-effective_from").first()
        dearer = Tariff.objects.filter(effective_from__lte=case_date).exclude(code=customer.tariff_code)
        if own is not None:
            dearer = dearer.filter(price_yuan_per_kwh__gt=own.price_yuan_per_kwh).exclude(
                category=own.category
            )
        # the commonest change first: a household's supply used for a shop (general commerce), at the
        # dearest such price; then the other categories
        ranked = sorted(
            dearer.values_list("code", "category", "price_yuan_per_kwh"),
            key=lambda row: (row[1] != "general", -row[2], row[0]),
        )
        codes = list(dict.fromkeys(code for code, _category, _price in ranked))
        attempts = [
            {
                "violation_type": "category_change",
                "inputs": {"used_tariff_code": code, "energy_kwh": energy_kwh},
            }
            for code in codes[:3]
        ]
    facts = "现场检查发现" + ("绕越计量装置用电" if kind == "theft" else "擅自改变用电类别")
    for attempt in attempts:
        try:
            with transaction.atomic():
                case = cases.case_create(
                    customer=customer,
                    kind=kind,
                    case_date=case_date,
                    created_by=opener,
                    facts=facts,
                    **attempt,
                )
                return cases.case_compute(case=case, user=opener)
        except (ValidationError, PermissionDenied):
            continue
    return None


def _item_yuan(case: Case, key: str) -> Decimal:
    return next(Decimal(str(i["value"])) for i in case.calculation["items"] if i.get("key") == key)


def _cases(rng, count, slot, *, kind: str, on: datetime.date) -> list[tuple[Case, Decimal, Decimal]]:
    """``count`` cases of ``kind`` computed by the cases services (:func:`_computed_case`), notified and
    approved by the station three to five months before ``on``: (case, back-bill, penalty) each."""
    pool = _ours(Customer.objects.filter(status="active"), slot=slot).exclude(
        Exists(Case.objects.filter(customer=OuterRef("pk")))
    )
    candidates = _sample(rng, pool.values_list("pk", flat=True), 3 * count)
    made = []
    customers = Customer.objects.filter(pk__in=candidates).select_related("station").order_by("pk")
    for customer in customers:
        if len(made) == count:
            break
        opener, approver = _people(customer.station_id)
        case_date = on - datetime.timedelta(days=rng.randint(90, 150))
        energy = rng.randint(20, 600) * 10
        case = _computed_case(customer, opener, kind=kind, case_date=case_date, energy_kwh=energy)
        if case is None:
            continue
        # its record dated as the case: opened on the day, computed the day after
        case.events.filter(to_status="draft").update(at=_aware(case_date))
        case.events.exclude(to_status="draft").update(at=_aware(case_date + datetime.timedelta(days=1)))
        history = case.history.order_by("history_id")
        history.filter(history_type="+").update(history_date=_aware(case_date))
        computed_at = _aware(case_date + datetime.timedelta(days=1))
        # the computation's own record too: its change record shows when it was computed
        history.exclude(history_type="+").update(history_date=computed_at, computed_at=computed_at)
        Case.objects.filter(pk=case.pk).update(
            computed_at=computed_at,
            notified_on=case_date + datetime.timedelta(days=2),
            signed_by_customer=True,
            signer_name=customer.name[:50],
        )
        case.refresh_from_db()
        CaseApproval.objects.create(
            case=case,
            level="station",
            approver=approver,
            decision="approve",
            decided_at=_aware(case_date + datetime.timedelta(days=5)),
        )
        made.append((case, _item_yuan(case, "back_bill_yuan"), _item_yuan(case, "penalty_yuan")))
    return made


@audit_injector("JC-03")
def inject_jc03(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Violation cases (tariff category changed) approved three to five months before the run, with no
    payment recorded and no back-bill through billing."""
    made = _cases(rng, count, 0, kind="violation", on=on)
    Case.objects.filter(pk__in=[c.pk for c, _b, _p in made]).update(status="approved")
    return [f"case:{case.pk}" for case, _b, _p in made]


@audit_injector("JC-04")
def inject_jc04(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Theft cases closed after only the back-bill was paid: the penalty (three times) was never collected."""
    made = _cases(rng, count, 1, kind="theft", on=on)
    for case, back_bill, _penalty in made:
        opener, _approver = _people(case.station_id)
        paid_on = case.case_date + datetime.timedelta(days=10)
        Payment.objects.create(
            case=case,
            amount_yuan=back_bill,
            paid_on=paid_on,
            receipt_number=f"SJ{case.number}",
            recorded_by=opener,
        )
        Case.objects.filter(pk=case.pk).update(
            status="closed",
            closed_on=paid_on + datetime.timedelta(days=5),
            cause_found="绕越计量装置",
            responsible_dealt_with="已批评教育",
            measures_taken="已整改接线并加封",
        )
    return [f"case:{case.pk}" for case, _b, _p in made]


@audit_injector("JC-05")
def inject_jc05(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Class-B customers given their monthly patrol in their station's plan of the month (made if the
    station has none), never visited."""
    period = {k: rule_value(f"inspections.patrol.class_{k.lower()}", month) for k in "ABC"}
    monthly = [k for k, p in period.items() if p == "month"]
    pool = _ours(Customer.objects.filter(status="active", inspection_class__in=monthly), slot=2).exclude(
        Exists(WorkOrder.objects.filter(customer=OuterRef("pk"), plan__month=month))
    )
    chosen = _sample(rng, pool.values_list("pk", flat=True), count)
    last = month_end(month)
    keys = []
    for n, customer in enumerate(Customer.objects.filter(pk__in=chosen).order_by("pk")):
        plan, _ = InspectionPlan.objects.get_or_create(station_id=customer.station_id, month=month)
        number = f"GD{last:%Y%m%d}9{n:04d}"
        while WorkOrder.objects.filter(number=number).exists():
            number += "1"
        WorkOrder.objects.create(
            number=number,
            source="plan",
            customer=customer,
            station_id=customer.station_id,
            reason=f"{customer.inspection_class}类客户每月反窃电巡查",
            due_on=last,
            plan=plan,
            plan_slot="M",
        )
        keys.append(f"customer:{customer.pk}:{month:%Y-%m}")
    return keys


@audit_injector("JC-06")
def inject_jc06(*, rng: random.Random, count: int, month: datetime.date, on: datetime.date) -> list[str]:
    """Reading anomalies (meter burned, stopped, seal broken) found 5 to 25 days before the run, still
    open without a work order."""
    meters = _ours(
        Meter.objects.filter(status=MeterStatus.IN_SERVICE, metering_point__customer__status="active"),
        "metering_point__customer_id",
        3,
    )
    by_customer = dict(meters.order_by("pk").values_list("metering_point__customer_id", "pk"))
    chosen = _sample(rng, by_customer, count)
    customers = {c.pk: c for c in Customer.objects.filter(pk__in=chosen)}
    kinds = [AnomalyKind.BURNED, AnomalyKind.STOPPED, AnomalyKind.SEAL_BROKEN]
    keys = []
    for customer_id in chosen:
        customer = customers[customer_id]
        kind = rng.choice(kinds)
        anomaly = ReaderAnomaly.objects.create(
            meter_id=by_customer[customer_id],
            customer=customer,
            station_id=customer.station_id,
            area_id=customer.area_id,
            kind=kind,
            note="抄表时发现",
            found_on=on - datetime.timedelta(days=rng.randint(5, 25)),
            suspected_theft=kind != AnomalyKind.STOPPED,
        )
        keys.append(f"anomaly:{anomaly.pk}")
    return keys

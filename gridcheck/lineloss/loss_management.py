"""Services of loss management (线损管理): the station's loss indicator and its decomposition into area and
line targets, area targets edited afterwards, analyses of flagged areas, rectification plans and the
theoretical loss of areas. Every write checks the actor's capability and scope, validates, and is kept in
the history (``AuditedModel``); a plan's status changes are logged with ``record_transition``.

Decomposition (docs/lineloss.md): for a station indicator ``I`` in month ``M``, each area's history is its
supply and sales over the ``lineloss.decomposition_history_months`` months before ``M``. With ``r_a`` the
area's loss rate over that period (negative counted as 0) and ``w_a`` its supply, ``R = Σ w_a·r_a / Σ w_a``
is the station's own rate; the area's target is ``I · r_a / R``, the ratio ``r_a / R`` held between
``lineloss.decomposition_ratio_min`` and ``_max``, so that the supply-weighted mean of the area targets is
``I`` (exactly, unless a ratio was clipped). An area without history (or a station whose history shows
no loss) gets ``I``. A line's target is the supply-weighted mean of its areas' targets.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.archive.models import Area, Meter, Station
from gridcheck.core.events import record_transition
from gridcheck.core.periods import PeriodError, month_add, month_parse
from gridcheck.core.roles import MANAGE_LOSS_TARGETS, RECORD_LOSS_ANALYSIS, has_capability
from gridcheck.core.rules import rule_int, rule_value
from gridcheck.core.scoping import user_can_see
from gridcheck.lineloss.choices import AnalysisCause, PlanStatus, TargetSource, TheoreticalMethod
from gridcheck.lineloss.models import (
    AreaMonthLoss,
    LineLossTarget,
    LossAnalysis,
    LossTarget,
    RectificationPlan,
    RectificationPlanEvent,
    StationLossIndicator,
    TheoreticalLoss,
)
from gridcheck.lineloss.selectors import area_history, loss_targets
from gridcheck.lineloss.theory import TheoryInput, theoretical_loss

HUNDREDTH = Decimal("0.01")


def _require(actor, capability: str, obj=None) -> None:
    if not has_capability(actor, capability):
        raise PermissionDenied(_("You may not do this."))
    if obj is not None and not user_can_see(actor, obj):
        raise PermissionDenied(_("This is outside your areas."))


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _month(value, field: str, label: str) -> dt.date:
    try:
        return month_parse(value)
    except (PeriodError, ValueError, TypeError) as error:
        raise ValidationError({field: [f"{label}：{error}"]}) from None


def _open_month(value, *, today: dt.date | None, field: str = "month") -> dt.date:
    """The first day of the month ``value``; a month that has already ended (closed) is refused."""
    label = _("Month")
    month = _month(value, field, label)
    first = _today(today).replace(day=1)
    if month < first:
        raise ValidationError(
            {
                field: [
                    _("%(field)s: %(month)s is closed; a target can only be set for this month or later.")
                    % {"field": label, "month": f"{month:%Y-%m}"}
                ]
            }
        )
    return month


def _percent(value, field: str, label: str) -> Decimal:
    try:
        pct = Decimal(str(value)).quantize(HUNDREDTH, ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: [_("%(field)s: enter a number.") % {"field": label}]}) from None
    if not Decimal(0) <= pct <= Decimal(100):
        raise ValidationError({field: [_("%(field)s: must be between 0 and 100.") % {"field": label}]})
    return pct


# --------------------------------------------------------------------------------- indicators, targets


def decompose(*, indicator: Decimal, history: dict[int, tuple[float, float]], area_ids, month) -> dict:
    """``{area_id: target [%]}``: the station indicator spread over its areas (the module's method)."""
    low = float(rule_value("lineloss.decomposition_ratio_min", month))
    high = float(rule_value("lineloss.decomposition_ratio_max", month))
    rates, weights = {}, {}
    for area_id in area_ids:
        supply, sales = history.get(area_id, (0.0, 0.0))
        if supply > 0:
            rates[area_id] = max((supply - sales) / supply, 0.0)
            weights[area_id] = supply
    total = sum(weights.values())
    station_rate = sum(weights[a] * rates[a] for a in rates) / total if total else 0.0
    targets = {}
    for area_id in area_ids:
        if area_id in rates and station_rate > 0:
            ratio = min(max(rates[area_id] / station_rate, low), high)
        else:
            ratio = 1.0
        value = (indicator * Decimal(str(ratio))).quantize(HUNDREDTH, ROUND_HALF_UP)
        targets[area_id] = min(value, Decimal(100))
    return targets


def _line_targets_write(*, station: Station, month: dt.date, indicator=None) -> int:
    """Each line's target of ``month``: the supply-weighted mean of its areas' targets in force."""
    areas = list(Area.objects.filter(station=station).values_list("pk", "code", "line_id"))
    targets = loss_targets(month=month)
    default = Decimal(str(rule_value("lineloss.default_target_percent", month)))
    history = area_history(areas=[a[0] for a in areas], month=month)
    lines: dict[int, list[tuple[float, Decimal]]] = {}
    for pk, code, line_id in areas:
        target = Decimal(str(targets[code])) if code in targets else default
        lines.setdefault(line_id, []).append((history.get(pk, (0.0, 0.0))[0], target))
    for line_id, rows in lines.items():
        weight = sum(w for w, _t in rows)
        if weight > 0:
            value = sum(Decimal(str(w)) * t for w, t in rows) / Decimal(str(weight))
        else:
            value = sum(t for _w, t in rows) / len(rows)
        value = value.quantize(HUNDREDTH, ROUND_HALF_UP)
        obj = LineLossTarget.objects.filter(line_id=line_id, month=month).first()
        if obj is None:
            obj = LineLossTarget(line_id=line_id, station=station, month=month)
        if obj.max_loss_rate_percent != value or obj.pk is None or indicator is not None:
            obj.max_loss_rate_percent = value
            if indicator is not None:
                obj.indicator = indicator
            obj.save()
    return len(lines)


def _area_target_write(*, area, month, pct, source, indicator=None, note="") -> LossTarget:
    target = LossTarget.objects.filter(area=area, effective_from=month).order_by("-pk").first()
    if target is None:
        target = LossTarget(area=area, effective_from=month)
    target.max_loss_rate_percent = pct
    target.source = source
    target.note = note
    if indicator is not None:
        target.indicator = indicator
    target.full_clean()
    target.save()
    return target


@transaction.atomic
def station_indicator_set(
    *, station: Station, month, max_loss_rate_percent, actor, note: str = "", today: dt.date | None = None
) -> StationLossIndicator:
    """Set (or change) the station's loss-rate indicator of ``month`` and decompose it into that month's
    area and line targets (every area target of the month is recomputed; the former values stay in the
    history). A closed month is refused."""
    _require(actor, MANAGE_LOSS_TARGETS, station)
    month = _open_month(month, today=today)
    pct = _percent(max_loss_rate_percent, "max_loss_rate_percent", _("Maximum loss rate [%]"))
    indicator = StationLossIndicator.objects.filter(station=station, month=month).first()
    if indicator is None:
        indicator = StationLossIndicator(station=station, month=month)
    indicator.max_loss_rate_percent, indicator.set_by, indicator.note = pct, actor, note
    indicator.full_clean()
    indicator.save()
    areas = list(Area.objects.filter(station=station))
    history = area_history(areas=areas, month=month)
    targets = decompose(indicator=pct, history=history, area_ids=[a.pk for a in areas], month=month)
    for area in areas:
        _area_target_write(
            area=area,
            month=month,
            pct=targets[area.pk],
            source=TargetSource.DECOMPOSED,
            indicator=indicator,
        )
    _line_targets_write(station=station, month=month, indicator=indicator)
    return indicator


def station_indicator_set_year(
    *, station: Station, year: int, max_loss_rate_percent, actor, note: str = "", today: dt.date | None = None
) -> list[StationLossIndicator]:
    """The same indicator for every month of ``year`` that is not closed yet."""
    first = _today(today).replace(day=1)
    months = [dt.date(int(year), m, 1) for m in range(1, 13)]
    months = [m for m in months if m >= first]
    if not months:
        raise ValidationError({"year": [_("Year: %(year)s is closed.") % {"year": year}]})
    return [
        station_indicator_set(
            station=station,
            month=m,
            max_loss_rate_percent=max_loss_rate_percent,
            actor=actor,
            note=note,
            today=today,
        )
        for m in months
    ]


@transaction.atomic
def area_target_set(
    *, area: Area, month, max_loss_rate_percent, actor, note: str = "", today: dt.date | None = None
) -> LossTarget:
    """Edit one area's target of ``month`` after the decomposition (the line's target follows). A closed
    month is refused."""
    _require(actor, MANAGE_LOSS_TARGETS, area)
    month = _open_month(month, today=today)
    pct = _percent(max_loss_rate_percent, "max_loss_rate_percent", _("Maximum loss rate [%]"))
    indicator = StationLossIndicator.objects.filter(station_id=area.station_id, month=month).first()
    target = _area_target_write(
        area=area, month=month, pct=pct, source=TargetSource.ENTERED, indicator=indicator, note=note
    )
    _line_targets_write(station=area.station, month=month)
    return target


# --------------------------------------------------------------------------------- analyses and plans


@transaction.atomic
def analysis_record(
    *,
    area: Area,
    month,
    cause: str,
    cause_detail: str,
    measures: str,
    actor,
    analysed_on: dt.date | None = None,
    today: dt.date | None = None,
) -> LossAnalysis:
    """Record (or correct) the analysis of a flagged area-month: the cause found, the measures, who
    (the actor) and when. Only an area flagged that month can be analysed."""
    _require(actor, RECORD_LOSS_ANALYSIS, area)
    month = _month(month, "month", _("Month"))
    result = AreaMonthLoss.objects.filter(area=area, month=month).first()
    if result is None or not result.flagged:
        raise ValidationError(
            {
                "month": [
                    _("Month: %(area)s was not flagged in %(month)s.")
                    % {"area": area, "month": f"{month:%Y-%m}"}
                ]
            }
        )
    if cause not in AnalysisCause.values:
        raise ValidationError({"cause": [_("Cause identified: choose one of the list.")]})
    if not (cause_detail or "").strip():
        raise ValidationError({"cause_detail": [_("Cause in detail: this field is required.")]})
    if not (measures or "").strip():
        raise ValidationError({"measures": [_("Measures: this field is required.")]})
    analysed_on = analysed_on or _today(today)
    if analysed_on > _today(today) or analysed_on < month:
        raise ValidationError(
            {"analysed_on": [_("Analysed on: the date must lie between the month and today.")]}
        )
    analysis = LossAnalysis.objects.filter(area=area, month=month).first() or LossAnalysis(
        area=area, station_id=area.station_id, month=month
    )
    analysis.flags = [
        f
        for f in (
            "negative_loss",
            "above_target",
            "swing",
            "failing_three_months",
            "imbalance",
            "theft_suspects",
        )
        if result.flag_on(f)
    ]
    analysis.loss_rate_percent = result.loss_rate_percent
    analysis.cause, analysis.cause_detail, analysis.measures = cause, cause_detail.strip(), measures.strip()
    analysis.analysed_by, analysis.analysed_on = actor, analysed_on
    analysis.full_clean()
    analysis.save()
    return analysis


def plan_needed(analysis: LossAnalysis) -> bool:
    """Whether the analysed area-month failed its target for the rule table's months running."""
    result = AreaMonthLoss.objects.filter(area_id=analysis.area_id, month=analysis.month).first()
    if result is None:
        return False
    return result.failing_three_months or result.failing_months >= rule_int(
        "lineloss.failing_months", analysis.month
    )


@transaction.atomic
def plan_open(
    *, analysis: LossAnalysis, measures: str, responsible, actor, today: dt.date | None = None
) -> RectificationPlan:
    """Open the rectification plan of an area that failed its target three months running; its deadline
    is the rule table's ``lineloss.rectification_plan_days`` after today."""
    _require(actor, RECORD_LOSS_ANALYSIS, analysis.area)
    if hasattr(analysis, "plan"):
        raise ValidationError(_("This analysis already has a rectification plan."))
    if not plan_needed(analysis):
        raise ValidationError(_("A rectification plan is opened only after three months above target."))
    if not (measures or "").strip():
        raise ValidationError({"measures": [_("Measures: this field is required.")]})
    if responsible is None or not responsible.is_active or not user_can_see(responsible, analysis.area):
        raise ValidationError({"responsible": [_("Responsible: choose a member of the area's staff.")]})
    opened = _today(today)
    plan = RectificationPlan(
        area=analysis.area,
        station_id=analysis.station_id,
        analysis=analysis,
        month=analysis.month,
        measures=measures.strip(),
        responsible=responsible,
        opened_on=opened,
        deadline=opened + dt.timedelta(days=rule_int("lineloss.rectification_plan_days", opened)),
    )
    plan.full_clean()
    plan.save()
    record_transition(
        RectificationPlanEvent, plan, to_status=PlanStatus.OPEN, actor=actor, note=plan.measures
    )
    return plan


@transaction.atomic
def plan_close(
    *, plan: RectificationPlan, result: str, actor, today: dt.date | None = None
) -> RectificationPlan:
    """Close a plan with its result (what was done, the loss since)."""
    _require(actor, RECORD_LOSS_ANALYSIS, plan.area)
    plan = RectificationPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.OPEN:
        raise ValidationError(_("This plan is already closed."))
    if not (result or "").strip():
        raise ValidationError({"result": [_("Rectification result: this field is required.")]})
    plan.status, plan.closed_on, plan.result = PlanStatus.CLOSED, _today(today), result.strip()
    plan.save()
    record_transition(
        RectificationPlanEvent,
        plan,
        from_status=PlanStatus.OPEN,
        to_status=PlanStatus.CLOSED,
        actor=actor,
        note=plan.result,
    )
    return plan


# --------------------------------------------------------------------------------- theoretical loss


def _calc_date(value, today) -> dt.date:
    day = value or _today(today)
    if day > _today(today):
        raise ValidationError({"calculated_on": [_("Calculated on: the date cannot lie in the future.")]})
    return day


@transaction.atomic
def theoretical_loss_enter(
    *, area: Area, loss_rate_percent, actor, calculated_on: dt.date | None = None, note: str = "", today=None
) -> TheoreticalLoss:
    """Record an area's theoretical loss rate from a calculation report."""
    _require(actor, MANAGE_LOSS_TARGETS, area)
    day = _calc_date(calculated_on, today)
    pct = _percent(loss_rate_percent, "loss_rate_percent", _("Theoretical loss rate [%]"))
    obj = TheoreticalLoss(
        area=area,
        station_id=area.station_id,
        line_id=area.line_id,
        capacity_kva=area.capacity_kva,
        calculated_on=day,
        method=TheoreticalMethod.ENTERED,
        loss_rate_percent=pct,
        note=note,
        recorded_by=actor,
    )
    obj.full_clean()
    obj.save()
    return obj


def area_average_supply(area: Area, day: dt.date) -> tuple[float, float] | None:
    """``(supply [kWh], hours)`` of the area over its history months before ``day``'s month."""
    month = day.replace(day=1)
    months = rule_int("lineloss.decomposition_history_months", month)
    rows = AreaMonthLoss.objects.filter(area=area, month__gte=month_add(month, -months), month__lt=month)
    agg = rows.aggregate(supply=Sum("supply_kwh"), days=Sum("days"))
    if not agg["supply"] or not agg["days"]:
        return None
    return float(agg["supply"]), float(agg["days"]) * 24


@transaction.atomic
def theoretical_loss_compute(
    *,
    area: Area,
    resistance_ohm,
    actor,
    calculated_on: dt.date | None = None,
    supply_kwh=None,
    hours=None,
    no_load_loss_kw=0,
    load_loss_kw=0,
    power_factor=None,
    note: str = "",
    today=None,
) -> TheoreticalLoss:
    """Compute an area's theoretical loss from its parameters (``gridcheck.lineloss.theory``): its
    transformer's capacity from the archive, its meters counted in the archive, its supply over the
    history months (unless given) and the network's equivalent resistance."""
    _require(actor, MANAGE_LOSS_TARGETS, area)
    day = _calc_date(calculated_on, today)
    if supply_kwh in (None, "") or hours in (None, ""):
        average = area_average_supply(area, day)
        if average is None:
            raise ValidationError(
                {
                    "supply_kwh": [
                        _("Supply [kWh]: the area has no loss results yet; enter its supply and hours.")
                    ]
                }
            )
        supply_kwh, hours = average
    try:
        params = TheoryInput(
            supply_kwh=float(supply_kwh),
            hours=float(hours),
            capacity_kva=float(area.capacity_kva),
            resistance_ohm=float(resistance_ohm),
            meters=Meter.objects.filter(metering_point__customer__area=area).count(),
            power_factor=float(power_factor or rule_value("lineloss.theory_power_factor", day)),
            shape_factor=float(rule_value("lineloss.theory_shape_factor", day)),
            voltage_kv=float(rule_value("lineloss.theory_voltage_kv", day)),
            meter_loss_w=float(rule_value("lineloss.theory_meter_loss_w", day)),
            no_load_loss_kw=float(no_load_loss_kw or 0),
            load_loss_kw=float(load_loss_kw or 0),
        )
        if params.resistance_ohm < 0 or params.no_load_loss_kw < 0 or params.load_loss_kw < 0:
            raise ValueError("resistance_ohm")
        result = theoretical_loss(params)
    except (TypeError, ValueError) as error:
        raise ValidationError(
            _("The parameters must be positive numbers (%(name)s).") % {"name": error}
        ) from None
    if result.loss_rate_percent > 100:
        raise ValidationError(
            {"resistance_ohm": [_("Equivalent resistance [Ω]: the result is above 100 %; check it.")]}
        )
    obj = TheoreticalLoss(
        area=area,
        station_id=area.station_id,
        line_id=area.line_id,
        capacity_kva=area.capacity_kva,
        calculated_on=day,
        method=TheoreticalMethod.COMPUTED,
        loss_rate_percent=result.loss_rate_percent,
        parameters={
            "supply_kwh": round(params.supply_kwh, 1),
            "hours": params.hours,
            "resistance_ohm": params.resistance_ohm,
            "meters": params.meters,
            "power_factor": params.power_factor,
            "shape_factor": params.shape_factor,
            "voltage_kv": params.voltage_kv,
            "meter_loss_w": params.meter_loss_w,
            "no_load_loss_kw": params.no_load_loss_kw,
            "load_loss_kw": params.load_loss_kw,
            "load_factor": result.load_factor,
            "line_kwh": result.line_kwh,
            "transformer_kwh": result.transformer_kwh,
            "meter_kwh": result.meter_kwh,
        },
        note=note,
        recorded_by=actor,
    )
    obj.full_clean()
    obj.save()
    return obj

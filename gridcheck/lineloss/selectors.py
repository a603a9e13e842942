"""Selectors of line loss: targets, dashboard figures, trends and flagged areas (always scoped)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext as _

from gridcheck.archive.models import Area
from gridcheck.core.periods import month_add, month_end
from gridcheck.core.rules import rule_int
from gridcheck.core.runs import runs_active
from gridcheck.core.scoping import scope_queryset
from gridcheck.lineloss.models import LOSS_FLAGS, AnalysisRun, AreaDayLoss, AreaMonthLoss, LossTarget
from gridcheck_analytics.thresholds import LineLossRules

#: Bins of the loss-rate histogram [%]: below the first edge, between edges, above the last.
HISTOGRAM_EDGES = [-4, -2, 0, 2, 4, 6, 8, 10, 12, 15, 20]


def loss_targets(*, month: dt.date) -> dict[str, float]:
    """``{area_code: target [%]}`` in force at the end of ``month`` for areas that have one.

    An area's own target wins over its owner's; areas with neither are left out (the analysis then
    uses the rule table's ``lineloss.default_target_percent`` in force that month).
    """
    end = month_end(month)
    targets: dict[str, float] = {}
    rows = LossTarget.objects.filter(effective_from__lte=end).order_by("effective_from", "pk")
    by_owner: dict[int, float] = {}
    for area_code, owner_id, pct in rows.values_list("area__code", "owner_id", "max_loss_rate_percent"):
        if area_code:
            targets[area_code] = float(pct)  # newest wins (ascending order)
        elif owner_id:
            by_owner[owner_id] = float(pct)
    if by_owner:
        for code, owner_id in Area.objects.filter(owner_id__in=by_owner).values_list("code", "owner_id"):
            targets.setdefault(code, by_owner[owner_id])
    return targets


def area_target(*, area: Area, month: dt.date) -> float:
    default = LineLossRules.in_force(month_end(month)).default_target_percent
    return loss_targets(month=month).get(area.code, default)


def loss_months(*, user) -> list[dt.date]:
    """Months with area results in the user's scope, newest first."""
    return list(scope_queryset(AreaMonthLoss.objects.all(), user).dates("month", "month", order="DESC"))


def _rate(supply, sales):
    if not supply:
        return None
    return round((supply - sales) * 100.0 / supply, 2)


def area_results(*, user, month: dt.date | None = None, station_id=None, line_id=None):
    qs = scope_queryset(AreaMonthLoss.objects.select_related("area", "line", "station"), user)
    if month:
        qs = qs.filter(month=month)
    if station_id:
        qs = qs.filter(station_id=station_id)
    if line_id:
        qs = qs.filter(line_id=line_id)
    return qs


def loss_summary(*, user, month: dt.date, station_id=None, line_id=None) -> dict:
    """KPIs of the scope in ``month``: supply, sales, loss [kWh], loss rate, reading rate [%], areas."""
    qs = area_results(user=user, month=month, station_id=station_id, line_id=line_id)
    agg = qs.aggregate(
        supply=Sum("supply_kwh"),
        sales=Sum("sales_kwh"),
        areas=Count("pk"),
        flagged=Count("pk", filter=Q(flagged=True)),
        negative=Count("pk", filter=Q(negative_loss=True)),
        above=Count("pk", filter=Q(above_target=True)),
    )
    from gridcheck.readings.models import ReadingRate

    rr = scope_queryset(ReadingRate.objects.filter(reading_date__range=(month, month_end(month))), user)
    if station_id:
        rr = rr.filter(station_id=station_id)
    if line_id:
        rr = rr.filter(line_id=line_id)
    rr = rr.aggregate(m=Sum("meters"), r=Sum("meters_read"))
    supply, sales = agg["supply"] or 0.0, agg["sales"] or 0.0
    return {
        "supply_kwh": supply,
        "sales_kwh": sales,
        "loss_kwh": supply - sales,
        "loss_rate_percent": _rate(supply, sales),
        "areas": agg["areas"],
        "flagged": agg["flagged"],
        "negative": agg["negative"],
        "above_target": agg["above"],
        "reading_rate_percent": round(100.0 * rr["r"] / rr["m"], 2) if rr["m"] else None,
    }


def loss_breakdown(*, user, month: dt.date, level: str, station_id=None, line_id=None) -> list[dict]:
    """Loss per station, line or area (``level``) in ``month``: the drill-down table's rows."""
    qs = area_results(user=user, month=month, station_id=station_id, line_id=line_id)
    if level == "area":
        return [
            {
                "id": r.area_id,
                "code": r.area.code,
                "name": r.area.name,
                "supply_kwh": r.supply_kwh,
                "sales_kwh": r.sales_kwh,
                "loss_kwh": r.loss_kwh,
                "loss_rate_percent": r.loss_rate_percent,
                "reading_rate_percent": r.reading_rate_percent,
                "target_percent": r.target_percent,
                "areas": 1,
                "flagged": int(r.flagged),
                "flags": r.flag_labels,
            }
            for r in qs.order_by("area__code")
        ]
    key = f"{level}_id"
    rows = (
        qs.values(key, f"{level}__code", f"{level}__name")
        .annotate(
            supply=Sum("supply_kwh"),
            sales=Sum("sales_kwh"),
            areas=Count("pk"),
            flagged=Count("pk", filter=Q(flagged=True)),
            meter_days=Sum("days"),
        )
        .order_by(f"{level}__code")
    )
    return [
        {
            "id": r[key],
            "code": r[f"{level}__code"],
            "name": r[f"{level}__name"],
            "supply_kwh": r["supply"],
            "sales_kwh": r["sales"],
            "loss_kwh": r["supply"] - r["sales"],
            "loss_rate_percent": _rate(r["supply"], r["sales"]),
            "areas": r["areas"],
            "flagged": r["flagged"],
        }
        for r in rows
    ]


def loss_trend(*, user, station_id=None, line_id=None, area_id=None, months: int = 13) -> list[dict]:
    """Monthly loss rate [%] of the scope for the newest ``months`` months, oldest first, with the flagged
    areas: all of them (``flagged``) and those flagged only by material theft suspects
    (``flagged_by_suspects``: a month without a detection run has none)."""
    by_suspects = Q(flagged=True, suspects_material=True)
    for flag in LOSS_FLAGS:
        by_suspects &= Q(**{flag: False})
    qs = scope_queryset(AreaMonthLoss.objects.all(), user)
    if station_id:
        qs = qs.filter(station_id=station_id)
    if line_id:
        qs = qs.filter(line_id=line_id)
    if area_id:
        qs = qs.filter(area_id=area_id)
    rows = list(
        qs.values("month")
        .annotate(
            supply=Sum("supply_kwh"),
            sales=Sum("sales_kwh"),
            # names apart from the field ``flagged``, which the second filter reads
            areas_flagged=Count("pk", filter=Q(flagged=True)),
            areas_by_suspects=Count("pk", filter=by_suspects),
        )
        .order_by("-month")[:months]
    )
    rows.reverse()
    return [
        {
            "month": f"{r['month']:%Y-%m}",
            "supply_kwh": round(r["supply"] or 0, 1),
            "sales_kwh": round(r["sales"] or 0, 1),
            "loss_rate_percent": _rate(r["supply"], r["sales"]),
            "flagged": r["areas_flagged"],
            "flagged_by_suspects": r["areas_by_suspects"],
        }
        for r in rows
    ]


def loss_histogram(*, user, month: dt.date, station_id=None, line_id=None) -> dict:
    """Number of areas per loss-rate bin [%] (``labels`` and ``counts``)."""
    rates = area_results(user=user, month=month, station_id=station_id, line_id=line_id).values_list(
        "loss_rate_percent", flat=True
    )
    edges = HISTOGRAM_EDGES
    labels = (
        [f"<{edges[0]}"] + [f"{a}~{b}" for a, b in zip(edges, edges[1:], strict=False)] + [f"≥{edges[-1]}"]
    )
    counts = [0] * len(labels)
    for rate in rates:
        if rate is None:
            continue
        i = 0
        while i < len(edges) and rate >= edges[i]:
            i += 1
        counts[i] += 1
    return {"labels": labels, "counts": counts}


def flagged_areas(*, user, month: dt.date, station_id=None, line_id=None):
    """Flagged area-months of ``month``, ranked by what acting on them recovers: the expected recovery of
    their suspects and faults [yuan], then the loss they explain [kWh], then the worst loss rate."""
    return (
        area_results(user=user, month=month, station_id=station_id, line_id=line_id)
        .filter(flagged=True)
        .order_by(
            F("suspects_expected_yuan").desc(nulls_last=True), "-suspects_explained_kwh", "-loss_rate_percent"
        )
    )


def area_months(*, user, area: Area, months: int = 13):
    """An area's monthly results, oldest first."""
    rows = list(scope_queryset(AreaMonthLoss.objects.filter(area=area), user).order_by("-month")[:months])
    rows.reverse()
    return rows


def area_days(*, user, area: Area, month: dt.date):
    return scope_queryset(
        AreaDayLoss.objects.filter(area=area, reading_date__range=(month, month_end(month))), user
    ).order_by("reading_date")


def latest_run(*, month: dt.date | None = None):
    qs = AnalysisRun.objects.select_related("started_by")
    if month:
        qs = qs.filter(month=month)
    return qs.first()


def active_runs():
    """Analysis runs queued or running (a run whose worker died is marked failed first)."""
    return runs_active(AnalysisRun)


def active_run():
    return active_runs().first()


# --------------------------------------------------------------------------------- loss management


def area_history(*, areas, month: dt.date) -> dict[int, tuple[float, float]]:
    """``{area_id: (supply, sales)}`` over the rule table's history months before ``month``."""
    months = rule_int("lineloss.decomposition_history_months", month)
    rows = (
        AreaMonthLoss.objects.filter(area__in=areas, month__gte=month_add(month, -months), month__lt=month)
        .values("area_id")
        .annotate(supply=Sum("supply_kwh"), sales=Sum("sales_kwh"))
    )
    return {r["area_id"]: (r["supply"] or 0.0, r["sales"] or 0.0) for r in rows}


def month_targets(*, user, month: dt.date, station_id=None) -> dict:
    """The targets of ``month`` in the user's scope: per area (the target in force, its source, the
    history rate the decomposition weighed) and per line, with the station indicators."""
    from gridcheck.lineloss.models import LineLossTarget, StationLossIndicator

    areas = scope_queryset(Area.objects.select_related("line", "station", "owner"), user)
    if station_id:
        areas = areas.filter(station_id=station_id)
    areas = list(areas.order_by("station__code", "line__code", "code"))
    in_force = loss_targets(month=month)
    default = LineLossRules.in_force(month_end(month)).default_target_percent
    own = {
        t.area_id: t
        for t in LossTarget.objects.filter(area__in=[a.pk for a in areas], effective_from=month).order_by(
            "pk"
        )
    }
    history = area_history(areas=[a.pk for a in areas], month=month)
    rows = []
    for area in areas:
        supply, sales = history.get(area.pk, (0.0, 0.0))
        target = own.get(area.pk)
        rows.append(
            {
                "area": area,
                "target_percent": in_force.get(area.code, default),
                "source": target.get_source_display() if target else _("Carried over or default"),
                "this_month": target is not None,
                "history_rate_percent": _rate(supply, sales),
                "history_supply_kwh": supply,
            }
        )
    lines = scope_queryset(LineLossTarget.objects.select_related("line", "station"), user).filter(month=month)
    indicators = scope_queryset(StationLossIndicator.objects.select_related("station", "set_by"), user)
    if station_id:
        lines = lines.filter(station_id=station_id)
        indicators = indicators.filter(station_id=station_id)
    return {
        "areas": rows,
        "lines": list(lines.order_by("line__code")),
        "indicators": list(indicators.filter(month=month)),
    }


def analysis_queue(*, user, month: dt.date, station_id=None, pending_only: bool = False) -> list[dict]:
    """The flagged areas of ``month`` in scope, each with its analysis and plan (if any)."""
    from gridcheck.lineloss.models import LossAnalysis

    flagged = list(flagged_areas(user=user, month=month, station_id=station_id).order_by("area__code"))
    analyses = {
        a.area_id: a
        for a in LossAnalysis.objects.filter(
            month=month, area_id__in=[r.area_id for r in flagged]
        ).select_related("analysed_by", "plan")
    }
    rows = [{"result": r, "analysis": analyses.get(r.area_id)} for r in flagged]
    if pending_only:
        rows = [r for r in rows if r["analysis"] is None]
    return rows


def analyses_missing(*, user, month: dt.date | None = None):
    """Flagged area-months of the newest analysed month (or ``month``) with no analysis recorded."""
    from django.db.models import Exists, OuterRef

    from gridcheck.lineloss.models import LossAnalysis

    if month is None:
        months = loss_months(user=user)
        if not months:
            return AreaMonthLoss.objects.none()
        month = months[0]
    done = LossAnalysis.objects.filter(area_id=OuterRef("area_id"), month=OuterRef("month"))
    return area_results(user=user, month=month).filter(flagged=True).exclude(Exists(done))


def plans_overdue(*, user, today: dt.date | None = None):
    from django.utils import timezone

    from gridcheck.lineloss.choices import PlanStatus
    from gridcheck.lineloss.models import RectificationPlan

    today = today or timezone.localdate()
    return scope_queryset(RectificationPlan.objects.all(), user).filter(
        status=PlanStatus.OPEN, deadline__lt=today
    )


def theoretical_latest(*, user) -> dict[int, object]:
    """``{area_id: newest TheoreticalLoss}`` in the user's scope, with its area and who recorded it."""
    from gridcheck.lineloss.models import TheoreticalLoss

    latest = {}
    losses = scope_queryset(TheoreticalLoss.objects.select_related("area", "recorded_by"), user)
    for row in losses.order_by("area_id", "calculated_on", "pk"):
        latest[row.area_id] = row
    return latest


def _due_why(last, capacity_kva, line_id, years: int, today: dt.date) -> str | None:
    """Why an area's theoretical loss is due, from its newest one ``last`` as ``(capacity_kva, line_id,
    calculated_on)`` (None: none yet) and the area's transformer capacity and line now: ``"none"``,
    ``"grid"`` (the transformer or the line changed since), ``"old"`` (older than ``years``), or None."""
    if last is None:
        return "none"
    if last[0] != capacity_kva or last[1] != line_id:
        return "grid"
    if _years_after(last[2], years) <= today:
        return "old"
    return None


def theoretical_due(*, user, today: dt.date | None = None, station_id=None) -> list[dict]:
    """Areas whose theoretical loss is due: none yet, older than the rule table's years, or computed
    before a grid change (the area's transformer capacity or line differs from the one it was based on)."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    today = today or timezone.localdate()
    years = rule_int("lineloss.theoretical_loss_years", today)
    latest = theoretical_latest(user=user)
    areas = scope_queryset(Area.objects.select_related("line", "station"), user)
    if station_id:
        areas = areas.filter(station_id=station_id)
    rows = []
    for area in areas.order_by("station__code", "code"):
        last = latest.get(area.pk)
        why = _due_why(
            None if last is None else (last.capacity_kva, last.line_id, last.calculated_on),
            area.capacity_kva,
            area.line_id,
            years,
            today,
        )
        if why is None:
            continue
        if why == "none":
            reason = _("No theoretical loss yet")
        elif why == "grid":
            reason = _("The grid changed (transformer or line) since %(date)s") % {
                "date": f"{last.calculated_on:%Y-%m-%d}"
            }
        else:
            reason = _("Older than %(years)d years") % {"years": years}
        rows.append({"area": area, "last": last, "reason": reason})
    return rows


def theoretical_due_count(*, user, today: dt.date | None = None) -> int:
    """``len(theoretical_due(user=user))`` from the areas' and the losses' columns alone (the home page's
    to-do line: four hundred areas of a county counted without building them)."""
    from django.utils import timezone

    from gridcheck.lineloss.models import TheoreticalLoss

    today = today or timezone.localdate()
    years = rule_int("lineloss.theoretical_loss_years", today)
    latest = {}
    losses = scope_queryset(TheoreticalLoss.objects.all(), user).order_by("area_id", "calculated_on", "pk")
    for area_id, capacity_kva, line_id, calculated_on in losses.values_list(
        "area_id", "capacity_kva", "line_id", "calculated_on"
    ):
        latest[area_id] = (capacity_kva, line_id, calculated_on)
    areas = scope_queryset(Area.objects.all(), user).values_list("pk", "capacity_kva", "line_id")
    return sum(
        _due_why(latest.get(pk), capacity_kva, line_id, years, today) is not None
        for pk, capacity_kva, line_id in areas
    )


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def fourway(*, user, month: dt.date, station_id=None) -> dict:
    """The "four-way" management of loss (四分管理) in ``month``: the station(s), per voltage level (the
    10 kV lines and the 0.4 kV areas), per line and per area; each row with supply, sales, loss [kWh] and
    rate [%], and the target where one is set."""
    from gridcheck.lineloss.models import LineLossTarget, LineMonthLoss, StationLossIndicator

    areas = area_results(user=user, month=month, station_id=station_id)
    stations = loss_breakdown(user=user, month=month, level="station", station_id=station_id)
    indicators = {
        i.station_id: float(i.max_loss_rate_percent)
        for i in scope_queryset(StationLossIndicator.objects.filter(month=month), user)
    }
    for row in stations:
        row["target_percent"] = indicators.get(row["id"])
    lines_qs = scope_queryset(LineMonthLoss.objects.select_related("line"), user).filter(month=month)
    if station_id:
        lines_qs = lines_qs.filter(station_id=station_id)
    line_targets = {
        t.line_id: float(t.max_loss_rate_percent)
        for t in scope_queryset(LineLossTarget.objects.filter(month=month), user)
    }
    lines = [
        {
            "id": r.line_id,
            "code": r.line.code,
            "name": r.line.name,
            "voltage_kv": r.line.voltage_kv,
            "supply_kwh": r.supply_kwh,
            "sales_kwh": r.sales_kwh,
            "loss_kwh": r.loss_kwh,
            "loss_rate_percent": r.loss_rate_percent,
            "target_percent": line_targets.get(r.line_id),
        }
        for r in lines_qs.order_by("line__code")
    ]
    voltages: dict = {}
    for row in lines:
        key = f"{float(row['voltage_kv']):g} kV"
        v = voltages.setdefault(key, {"label": key, "supply_kwh": 0.0, "sales_kwh": 0.0, "count": 0})
        v["supply_kwh"] += row["supply_kwh"]
        v["sales_kwh"] += row["sales_kwh"]
        v["count"] += 1
    agg = areas.aggregate(supply=Sum("supply_kwh"), sales=Sum("sales_kwh"), n=Count("pk"))
    if agg["n"]:
        voltages["0.4 kV"] = {
            "label": "0.4 kV",
            "supply_kwh": agg["supply"] or 0.0,
            "sales_kwh": agg["sales"] or 0.0,
            "count": agg["n"],
        }
    for v in voltages.values():
        v["loss_kwh"] = v["supply_kwh"] - v["sales_kwh"]
        v["loss_rate_percent"] = _rate(v["supply_kwh"], v["sales_kwh"])
    area_rows = loss_breakdown(user=user, month=month, level="area", station_id=station_id)
    return {
        "stations": stations,
        "voltages": list(voltages.values()),
        "lines": lines,
        "areas": area_rows,
    }

"""Selectors of line loss: targets, dashboard figures, trends and flagged areas (always scoped)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum

from gridcheck.archive.models import Area
from gridcheck.core.periods import month_end
from gridcheck.core.runs import runs_active
from gridcheck.core.scoping import scope_queryset
from gridcheck.lineloss.models import AnalysisRun, AreaDayLoss, AreaMonthLoss, LossTarget
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
    """Monthly loss rate [%] of the scope for the newest ``months`` months, oldest first."""
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
            supply=Sum("supply_kwh"), sales=Sum("sales_kwh"), flagged=Count("pk", filter=Q(flagged=True))
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
            "flagged": r["flagged"],
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
    """Flagged area-months of ``month``, worst loss rate first."""
    return (
        area_results(user=user, month=month, station_id=station_id, line_id=line_id)
        .filter(flagged=True)
        .order_by("-loss_rate_percent")
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

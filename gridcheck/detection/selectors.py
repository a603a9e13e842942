"""Selectors of theft detection: the scoped suspect lists, a suspect's chart, runs (always scoped)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum

from gridcheck.core.periods import month_end
from gridcheck.core.scoping import scope_queryset
from gridcheck.detection.choices import SuspectStatus
from gridcheck.detection.models import DetectionRun, Suspect, SuspectStatusChange
from gridcheck.lineloss.models import AreaDayLoss, AreaMonthLoss

#: Months of consumption shown on a suspect's page: the suspect's month and the three before it (the
#: history its drop rules compare with).
CHART_MONTHS = 4


def inspections_installed() -> bool:
    return apps.is_installed("gridcheck.inspections")


def last_inspection_subquery():
    """The newest field visit of the row's customer (``None`` without the inspections app)."""
    if not inspections_installed():
        return None
    from gridcheck.inspections.models import Visit

    return Subquery(
        Visit.objects.filter(work_order__customer_id=OuterRef("customer_id"))
        .order_by()
        .values("work_order__customer_id")
        .annotate(last=Max("visited_at"))
        .values("last")[:1]
    )


def with_context(queryset):
    """Annotate suspects with the area's loss rate of their month [%] and the customer's last visit."""
    loss = AreaMonthLoss.objects.filter(area_id=OuterRef("area_id"), month=OuterRef("month"))
    queryset = queryset.annotate(
        area_loss_rate_percent=Subquery(loss.values("loss_rate_percent")[:1]),
        area_target_percent=Subquery(loss.values("target_percent")[:1]),
    )
    last = last_inspection_subquery()
    if last is not None:
        queryset = queryset.annotate(last_inspection_at=last)
    return queryset


def suspect_months(*, user) -> list[dt.date]:
    """Months with suspects in the user's scope, newest first."""
    return list(scope_queryset(Suspect.objects.all(), user).dates("month", "month", order="DESC"))


def suspect_summary(*, user, month: dt.date, station_id=None, area_id=None) -> dict:
    """Counts of the month's suspects in scope: total, by status, areas concerned, those on the month's
    inspection list (``listed``) and their expected recovery [yuan] (``listed_yuan``)."""
    qs = scope_queryset(Suspect.objects.filter(month=month), user)
    if station_id:
        qs = qs.filter(station_id=station_id)
    if area_id:
        qs = qs.filter(area_id=area_id)
    agg = qs.aggregate(
        total=Count("pk"),
        new=Count("pk", filter=Q(status=SuspectStatus.NEW)),
        work_orders=Count("pk", filter=Q(status=SuspectStatus.WORK_ORDER_CREATED)),
        dismissed=Count("pk", filter=Q(status=SuspectStatus.DISMISSED)),
        high=Count("pk", filter=Q(score__gte=0.7)),
        listed=Count("pk", filter=Q(within_capacity=True)),
        listed_yuan=Sum("expected_yuan", filter=Q(within_capacity=True)),
    )
    agg["areas"] = qs.values("area_id").distinct().count()
    return agg


def customer_suspect_history(*, user, suspect: Suspect, limit: int = 12):
    """The same customer's suspects of other months (newest first)."""
    return (
        scope_queryset(Suspect.objects.filter(customer_id=suspect.customer_id), user)
        .exclude(pk=suspect.pk)
        .order_by("-month")[:limit]
    )


def status_changes(*, user, suspect: Suspect):
    return scope_queryset(
        SuspectStatusChange.objects.filter(customer_id=suspect.customer_id, month=suspect.month),
        user,
    ).select_related("changed_by")


def work_order_of(suspect: Suspect):
    """The suspect's work order, or ``None`` (no link, or no inspections app)."""
    if not suspect.work_order_id:
        return None
    return suspect.work_order


def area_month_loss(*, suspect: Suspect):
    return AreaMonthLoss.objects.filter(area_id=suspect.area_id, month=suspect.month).first()


def _shift_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def suspect_chart(*, suspect: Suspect) -> dict:
    """Data of a suspect's chart: daily consumption per meter [kWh], the area's daily and monthly loss
    rate [%] and the meter events, over the suspect's month and the ``CHART_MONTHS - 1`` before it.

    Consumption comes from ``readings.selectors.customer_consumption`` (VEE applied, as the analysis
    sees it); the caller has checked the user may see the suspect.
    """
    from gridcheck.readings.selectors import customer_consumption, meter_store

    first = _shift_months(suspect.month, -(CHART_MONTHS - 1))
    last_day = month_end(suspect.month)
    stored = list(meter_store().months("daily"))
    # customer_consumption reads the newest N stored months: ask for enough to reach back to ``first``.
    wanted = [m for m in stored if f"{first:%Y-%m}" <= str(m)[:7]]
    months = max(1, min(len(wanted), 13)) if wanted else CHART_MONTHS
    data = customer_consumption(customer=suspect.customer, months=months) if stored else {"days": []}
    lo, hi = f"{first:%Y-%m-%d}", f"{last_day:%Y-%m-%d}"
    days = [d for d in data.get("days", []) if lo <= d["date"] <= hi]
    zone = ZoneInfo(settings.TIME_ZONE)
    events = []
    for e in data.get("events", []):
        # the store keeps UTC instants: show the local date and time, as the reasons' texts do
        e = {**e, "timestamp": dt.datetime.fromisoformat(e["timestamp"]).astimezone(zone).isoformat()}
        if lo <= e["timestamp"][:10] <= hi:
            events.append(e)
    area_days = {
        f"{d:%Y-%m-%d}": rate
        for d, rate in AreaDayLoss.objects.filter(
            area_id=suspect.area_id, reading_date__range=(first, last_day)
        ).values_list("reading_date", "loss_rate_percent")
    }
    area_months = {
        f"{m:%Y-%m}": rate
        for m, rate in AreaMonthLoss.objects.filter(
            area_id=suspect.area_id, month__range=(first, suspect.month)
        ).values_list("month", "loss_rate_percent")
    }
    dates = sorted({d["date"] for d in days} | set(area_days))
    # the suspect's own meter first (the chart's first colour), then the customer's other meters
    meters = sorted(data.get("meters", []), key=lambda m: m != suspect.meter_number)
    return {
        "meters": meters,
        "dates": dates,
        "days": days,
        "events": events,
        "area_day_loss": [area_days.get(t) for t in dates],
        "area_month_loss": [area_months.get(t[:7]) for t in dates],
        "month_start": f"{suspect.month:%Y-%m-%d}",
        "month_end": f"{last_day:%Y-%m-%d}",
    }


def latest_run(*, month: dt.date | None = None):
    qs = DetectionRun.objects.select_related("started_by")
    if month:
        qs = qs.filter(month=month)
    return qs.first()


def model_candidates(*, pending: bool):
    """Models trained by ``detect train``: those waiting for the head (``pending``), else the others,
    newest first."""
    from gridcheck.detection.choices import CandidateStatus
    from gridcheck.detection.models import ModelCandidate

    qs = ModelCandidate.objects.select_related("trained_by", "decided_by")
    if pending:
        return qs.filter(status=CandidateStatus.PENDING)
    return qs.exclude(status=CandidateStatus.PENDING)


def current_model_pointer() -> dict | None:
    """The registry's current model (``current.json``: name, version, set_at), ``None`` before any."""
    import json

    from gridcheck.detection.services import detection_model_dir
    from gridcheck_analytics.detection.models import CURRENT

    path = detection_model_dir() / CURRENT
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))

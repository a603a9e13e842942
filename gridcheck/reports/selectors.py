"""What the report centre shows: each report kind of a station with its current period, due day,
status (generated / due / late) and files; what is due and not generated (the to-do line)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from gridcheck.archive.models import Station
from gridcheck.core.scoping import scoped
from gridcheck.reports.choices import PeriodStatus
from gridcheck.reports.kinds import KINDS, Kind
from gridcheck.reports.models import GeneratedReport


@dataclass
class CentreRow:
    kind: Kind
    station: Station
    period_start: datetime.date
    due_on: datetime.date
    status: str
    report: GeneratedReport | None
    history: list[GeneratedReport]

    @property
    def period_text(self) -> str:
        return self.kind.period_text(self.period_start)

    @property
    def period_end(self) -> datetime.date:
        return self.kind.period_end(self.period_start)

    @property
    def period_key(self) -> str:
        return self.kind.period_key(self.period_start)

    @property
    def status_label(self):
        return PeriodStatus(self.status).label


def period_status(kind: Kind, start: datetime.date, generated: bool, today: datetime.date) -> str:
    if generated:
        return PeriodStatus.GENERATED
    return PeriodStatus.LATE if today > kind.due_on(start) else PeriodStatus.DUE


def reports_for(user) -> QuerySet[GeneratedReport]:
    """The generated reports of the stations in ``user``'s scope, newest first."""
    return scoped(GeneratedReport, user).select_related("station", "generated_by")


def report_stations(user) -> QuerySet[Station]:
    return scoped(Station, user).select_related("company").order_by("code")


def report_centre(*, user, station: Station, today: datetime.date, history: int = 6) -> list[CentreRow]:
    """Each report kind of ``station``: this period, its due day and status, and the last reports."""
    reports = list(reports_for(user).filter(station=station).order_by("-period_start"))
    rows = []
    for kind in sorted(KINDS.values(), key=lambda k: k.order):
        start = kind.current_period(today)
        mine = [r for r in reports if r.kind == kind.code]
        current = next((r for r in mine if r.period_start == start), None)
        rows.append(
            CentreRow(
                kind=kind,
                station=station,
                period_start=start,
                due_on=kind.due_on(start),
                status=period_status(kind, start, current is not None, today),
                report=current,
                history=mine[:history],
            )
        )
    return rows


def due_to_generate(*, today: datetime.date, stations=None):
    """``(kind, station, period start)`` of every current period whose due day has come (today or
    earlier) and that has no generated report: what the scheduler makes today."""
    stations = list(stations if stations is not None else Station.objects.order_by("code"))
    out = []
    for kind in sorted(KINDS.values(), key=lambda k: k.order):
        start = kind.current_period(today)
        if kind.due_on(start) > today:
            continue
        done = set(
            GeneratedReport.objects.filter(kind=kind.code, period_start=start).values_list(
                "station_id", flat=True
            )
        )
        out.extend((kind, s, start) for s in stations if s.pk not in done)
    return out


def not_generated_count(user, *, today: datetime.date) -> int:
    """Reports of the current periods in ``user``'s scope that are due or late and not generated."""
    stations = list(report_stations(user))
    if not stations:
        return 0
    count = 0
    for kind in KINDS.values():
        start = kind.current_period(today)
        done = set(
            GeneratedReport.objects.filter(
                kind=kind.code, period_start=start, station__in=stations
            ).values_list("station_id", flat=True)
        )
        count += sum(1 for s in stations if s.pk not in done)
    return count


def late_count(user, *, today: datetime.date) -> int:
    """Of those, the ones past their due day."""
    stations = list(report_stations(user))
    count = 0
    for kind in KINDS.values():
        start = kind.current_period(today)
        if today <= kind.due_on(start):
            continue
        done = set(
            GeneratedReport.objects.filter(
                kind=kind.code, period_start=start, station__in=stations
            ).values_list("station_id", flat=True)
        )
        count += sum(1 for s in stations if s.pk not in done)
    return count


def reports_missing(user, *, today: datetime.date, late: bool | None = None) -> QuerySet:
    """The reports of the current periods in ``user``'s scope not generated yet, as one queryset: a row per
    station and kind (the stations' keys, ``UNION ALL`` over the kinds), so that its ``count()`` is
    ``not_generated_count`` (``late=None``), ``late_count`` (``late=True``) or their difference
    (``late=False``) in one query, counted with the other to-do lines (``core.counting``)."""
    parts = []
    for kind in KINDS.values():
        start = kind.current_period(today)
        if late is not None and (today > kind.due_on(start)) != late:
            continue
        done = GeneratedReport.objects.filter(kind=kind.code, period_start=start, station=OuterRef("pk"))
        parts.append(scoped(Station, user).filter(~Exists(done)).order_by().values("pk"))
    if not parts:
        return Station.objects.none()
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]

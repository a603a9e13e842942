"""The demo's reports: each report generated for the demo's last month for the first station.

``demo_reports(month=<the demo's last month>)`` is called by ``gridcheck demo`` after every app's data
is loaded (the hazards included). The monthly reports are of ``month``; the inspection weekly report of
the month's last full week (Monday to Sunday); the dispatch list of the month's last day. A report that
exists already is kept (a second demo run changes nothing); a report the month's data does not allow
(not analysed) is counted as refused with its reason.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from gridcheck.archive.models import Station
from gridcheck.core.periods import month_end, month_parse
from gridcheck.reports.kinds import KINDS, PeriodKind
from gridcheck.reports.models import GeneratedReport
from gridcheck.reports.services import report_generate


def demo_periods(month: datetime.date) -> dict[str, datetime.date]:
    """The period start of each report kind for the demo's ``month``."""
    last = month_end(month)
    periods = {}
    for code, kind in KINDS.items():
        if kind.period_kind == PeriodKind.MONTH:
            periods[code] = month
        elif kind.period_kind == PeriodKind.WEEK:
            start = kind.period_start(last)
            periods[code] = start if kind.period_end(start) <= last else start - datetime.timedelta(days=7)
        else:
            periods[code] = last
    return periods


def demo_reports(*, month, station: Station | None = None, today: datetime.date | None = None) -> dict:
    """Generate each report of the demo's ``month`` for ``station`` (default: the first station by code).

    Returns ``{"generated": n, "kept": n, "refused": {kind: reason}}``.
    """
    month = month_parse(month)
    station = station or Station.objects.select_related("company").order_by("code").first()
    counts = {"generated": 0, "kept": 0, "refused": {}}
    if station is None:
        return counts
    today = today or max(timezone.localdate(), month_end(month) + datetime.timedelta(days=1))
    for code, start in demo_periods(month).items():
        if GeneratedReport.objects.filter(kind=code, station=station, period_start=start).exists():
            counts["kept"] += 1
            continue
        try:
            report_generate(kind=code, station=station, period=start, today=today)
        except ValidationError as error:
            counts["refused"][code] = " ".join(error.messages)
            continue
        counts["generated"] += 1
    return counts

"""Which function builds which report (``contents`` for four, ``assessment_sheet`` for the fifth)."""

from __future__ import annotations

import datetime

from gridcheck.archive.models import Station
from gridcheck.reports import contents
from gridcheck.reports.assessment_sheet import assessment_document
from gridcheck.reports.contents import Document
from gridcheck.reports.kinds import Kind, ReportKind

BUILDERS = {
    ReportKind.ECONOMIC_ACTIVITY: contents.economic_activity,
    ReportKind.LINELOSS_MONTHLY: contents.lineloss_monthly,
    ReportKind.INSPECTION_WEEKLY: contents.inspection_weekly,
    ReportKind.DISPATCH_LIST: contents.dispatch_list,
    ReportKind.ASSESSMENT: assessment_document,
}


def build(kind: Kind, station: Station, period_start: datetime.date) -> Document:
    """The document of ``kind`` for ``station`` and the period starting ``period_start``."""
    return BUILDERS[kind.code](kind, station, period_start)

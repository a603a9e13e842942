"""Selectors of the hazards app: what a user may see, statistics and the 1+1+1 calendar."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.core.roles import MANAGE_HAZARDS, has_capability
from gridcheck.core.scoping import scope_queryset
from gridcheck.hazards.choices import (
    OPEN_STATUSES,
    DrillStatus,
    HazardSeverity,
    HazardStatus,
    NoticeKind,
)
from gridcheck.hazards.models import Drill, Hazard, HazardPhoto, Notice
from gridcheck.hazards.services import (
    monthly_due_date,
    portal_customer_for,
    quarterly_due_date,
)


def is_portal_user(user) -> bool:
    return portal_customer_for(user) is not None


def can_manage_hazards(user) -> bool:
    """Staff who register hazards and run the calendar: not liaison, not portal users, not readers."""
    if is_portal_user(user):
        return False
    return has_capability(user, MANAGE_HAZARDS)


def visible(queryset: QuerySet, user) -> QuerySet:
    """``queryset`` restricted to what ``user`` may see; a portal user sees only their customer's rows."""
    customer = portal_customer_for(user)
    if customer is not None:
        model = queryset.model
        if model is Hazard or model is Drill:
            return queryset.filter(customer=customer)
        if model is Notice:
            return queryset.filter(customer=customer)
        if model is HazardPhoto:
            return queryset.filter(hazard__customer=customer)
        return queryset.none()
    scoped = scope_queryset(queryset, user)
    if queryset.model is Notice and getattr(user, "is_authenticated", False):
        # County documents (government summaries, briefings) are for every member of staff to read.
        return scoped | queryset.filter(customer__isnull=True)
    return scoped


def hazards_for(user) -> QuerySet:
    return visible(Hazard.objects.select_related("customer", "station"), user)


def hazard_counts(*, user, today: datetime.date | None = None) -> dict:
    """Open hazards by severity and status, and how many are overdue, within the user's view."""
    today = today or timezone.localdate()
    qs = hazards_for(user)
    by_status = {row["status"]: row["n"] for row in qs.order_by().values("status").annotate(n=Count("pk"))}
    open_qs = qs.filter(status__in=OPEN_STATUSES)
    by_severity = {
        row["severity"]: row["n"] for row in open_qs.order_by().values("severity").annotate(n=Count("pk"))
    }
    return {
        "total": sum(by_status.values()),
        "open": open_qs.count(),
        "overdue": qs.filter(status=HazardStatus.OVERDUE).count(),
        "major_open": by_severity.get(HazardSeverity.MAJOR, 0),
        "by_status": [(s.label, by_status.get(s.value, 0), s.value) for s in HazardStatus],
        "by_severity": [(s.label, by_severity.get(s.value, 0), s.value) for s in HazardSeverity],
        "due_within_week": open_qs.filter(
            deadline__gte=today, deadline__lte=today + datetime.timedelta(days=7)
        ).count(),
    }


def hazard_period_statistics(
    *, first: datetime.date, last: datetime.date, queryset=None, as_of: datetime.date | None = None
) -> dict:
    """Figures of a period: hazards found, rectified within it, overdue at its end; by severity, station.

    "Overdue" is counted at the end of the period, or at ``as_of`` (default today) for a period not yet
    over: a deadline still to come is not overdue.
    """
    qs = queryset if queryset is not None else Hazard.objects.all()
    qs = qs.select_related("customer", "station")
    end = min(last, as_of or timezone.localdate())
    found = qs.filter(found_on__gte=first, found_on__lte=last)
    rectified = qs.filter(rectified_on__gte=first, rectified_on__lte=last)
    overdue = (
        qs.filter(found_on__lte=end, deadline__lt=end)
        .filter(Q(status__in=OPEN_STATUSES) | Q(rectified_on__gt=end))
        .exclude(status=HazardStatus.VERIFIED, verified_on__lte=end)
    )
    # The hazards a briefing presents: found in the period, or still open at its end.
    presented = (
        qs.filter(found_on__lte=last)
        .filter(Q(found_on__gte=first) | Q(status__in=OPEN_STATUSES))
        .order_by("-severity", "station__code", "customer__account_number", "pk")
    )
    severity_rank = {HazardSeverity.MAJOR: 0, HazardSeverity.SERIOUS: 1, HazardSeverity.GENERAL: 2}
    presented = sorted(
        presented, key=lambda h: (severity_rank.get(h.severity, 3), h.station.code, h.customer.account_number)
    )
    by_severity = []
    for severity in HazardSeverity:
        by_severity.append(
            {
                "label": severity.label,
                "found": found.filter(severity=severity).count(),
                "rectified": rectified.filter(severity=severity).count(),
                "overdue": overdue.filter(severity=severity).count(),
            }
        )
    by_station = []
    stations = {}
    for h in qs.filter(found_on__lte=last).select_related("station"):
        stations.setdefault(h.station_id, h.station)
    for station in sorted(stations.values(), key=lambda s: s.code):
        by_station.append(
            {
                "label": station.name,
                "found": found.filter(station=station).count(),
                "rectified": rectified.filter(station=station).count(),
                "overdue": overdue.filter(station=station).count(),
            }
        )
    by_category = [
        {"label": label, "n": n}
        for label, n in sorted(
            (
                (dict(Hazard._meta.get_field("category").flatchoices)[row["category"]], row["n"])
                for row in found.order_by().values("category").annotate(n=Count("pk"))
            ),
            key=lambda t: -t[1],
        )
    ]
    drills = Drill.objects.filter(scheduled_on__gte=first, scheduled_on__lte=last)
    n_found = found.count()
    n_rect = rectified.count()
    return {
        "first": first,
        "last": last,
        "as_of": end,
        "found": n_found,
        "rectified": n_rect,
        "overdue": overdue.count(),
        "open_at_end": qs.filter(found_on__lte=last)
        .filter(Q(status__in=OPEN_STATUSES) | Q(rectified_on__gt=last))
        .count(),
        "by_severity": by_severity,
        "by_station": by_station,
        "by_category": by_category,
        "hazards": presented,
        "drills_planned": drills.count(),
        "drills_held": drills.filter(status=DrillStatus.HELD).count(),
    }


def calendar_due(*, user, today: datetime.date | None = None) -> list[dict]:
    """What the 1+1+1 calendar asks for now and whether it is done: this month's notices, last quarter's
    briefing, and paper copies not yet delivered. Each item: ``label``, ``due``, ``done``, ``late``, ``url``.
    """
    today = today or timezone.localdate()
    items = []
    month = today.replace(day=1)
    period = f"{month:%Y-%m}"
    summary = Notice.objects.filter(
        kind=NoticeKind.GOVERNMENT_MONTHLY, period=period, sent_at__isnull=False
    ).first()
    due = monthly_due_date(month)
    items.append(
        {
            "key": "monthly",
            "label": _("Monthly hazard notices and government summary %(period)s") % {"period": period},
            "due": due,
            "done": summary is not None,
            "done_at": summary.sent_at if summary else None,
            "late": summary is None and today > due,
            "period": period,
            "url": reverse("hazards:notice_list") + f"?period={period}",
        }
    )
    quarter = (today.month - 1) // 3  # the quarter that ended before this one (0 = last year's Q4)
    year = today.year if quarter else today.year - 1
    quarter = quarter or 4
    qperiod = f"{year}Q{quarter}"
    briefing = Notice.objects.filter(
        kind=NoticeKind.QUARTERLY_BRIEFING, period=qperiod, sent_at__isnull=False
    ).first()
    qdue = quarterly_due_date(year, quarter)
    items.append(
        {
            "key": "quarterly",
            "label": _("Quarterly hazard briefing %(period)s") % {"period": qperiod},
            "due": qdue,
            "done": briefing is not None,
            "done_at": briefing.sent_at if briefing else None,
            "late": briefing is None and today > qdue,
            "period": qperiod,
            "url": reverse("hazards:notice_list") + f"?period={qperiod}",
        }
    )
    paper = visible(Notice.objects.filter(paper_required=True, paper_delivered_on__isnull=True), user)
    n_paper = paper.count()
    items.append(
        {
            "key": "paper",
            "label": _("Paper copies awaiting a delivery receipt"),
            "due": None,
            "done": n_paper == 0,
            "done_at": None,
            "late": False,
            "count": n_paper,
            "period": "",
            "url": reverse("hazards:notice_list") + "?paper_pending=true",
        }
    )
    return items


def monthly_trend(*, user, months: int = 12, today: datetime.date | None = None) -> dict:
    """Hazards found and rectified per month over the last ``months`` months (for the dashboard chart)."""
    today = today or timezone.localdate()
    qs = hazards_for(user)
    labels, found, rectified = [], [], []
    year, month = today.year, today.month
    points = []
    for _i in range(months):
        points.append((year, month))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    for year, month in reversed(points):
        labels.append(f"{year}-{month:02d}")
        found.append(qs.filter(found_on__year=year, found_on__month=month).count())
        rectified.append(qs.filter(rectified_on__year=year, rectified_on__month=month).count())
    return {"labels": labels, "found": found, "rectified": rectified}

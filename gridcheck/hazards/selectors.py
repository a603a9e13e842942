"""Selectors of the hazards app: reads only.

What a user may see, the 1+1+1 calendar (due dates from the rule table), the hazards and contacts a run
sends to, and the figures the documents show. ``services`` calls these and changes state; ``pdf`` renders
what these return and reads nothing itself.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.core.periods import month_add, month_bounds, month_end, quarter_bounds, quarter_of
from gridcheck.core.roles import MANAGE_HAZARDS, Role, has_capability
from gridcheck.core.roles import is_portal_user as core_is_portal_user
from gridcheck.core.rules import rule_int
from gridcheck.core.scoping import scope_queryset
from gridcheck.hazards.choices import (
    OPEN_STATUSES,
    DrillStatus,
    HazardSeverity,
    HazardStatus,
    NoticeKind,
    PhotoStage,
)
from gridcheck.hazards.models import (
    CustomerContact,
    Drill,
    GovernmentContact,
    Hazard,
    HazardPhoto,
    Notice,
)

# --- who sees what --------------------------------------------------------------------------------


def portal_customer_for(user):
    """The customer whose portal ``user`` logs in to, or ``None`` for staff and liaison users.

    Only a login whose role is the customer portal role has a customer: a link from a contact to a staff
    login (of any other role) gives it nothing, and never confines or widens what it sees.
    """
    if not core_is_portal_user(user):
        return None
    contact = CustomerContact.objects.select_related("customer").filter(portal_user_id=user.pk).first()
    return contact.customer if contact is not None else None


def is_portal_user(user) -> bool:
    """A customer's portal login: a role (``Role.CUSTOMER``), never a flag of the session."""
    return core_is_portal_user(user)


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
        if model is Hazard:
            # A hazard cancelled as registered by mistake is not the customer's.
            return queryset.filter(customer=customer).exclude(status=HazardStatus.CANCELLED)
        if model is Drill:
            return queryset.filter(customer=customer)
        if model is Notice:
            return queryset.filter(customer=customer)
        if model is HazardPhoto:
            return queryset.filter(hazard__customer=customer).exclude(hazard__status=HazardStatus.CANCELLED)
        return queryset.none()
    # County documents (government summaries, briefings: station None) name every station's customers:
    # county-level users (the administrator, the liaison) read them, a station's staff do not.
    return scope_queryset(queryset, user)


def hazards_for(user) -> QuerySet:
    return visible(Hazard.objects.select_related("customer", "station"), user)


def station_heads(station_id) -> list:
    """The active heads of a station: those a major overdue hazard is escalated to."""
    from gridcheck.users.models import User

    return list(User.objects.filter(role=Role.STATION_HEAD, station_id=station_id, is_active=True))


# --- the 1+1+1 calendar: due dates from the rule table ---------------------------------------------


def monthly_due_date(month: datetime.date) -> datetime.date:
    """The day by which the notices of ``month`` must be sent (rule ``hazards.monthly_notice_due_day``,
    in force in that month)."""
    first, last = month_bounds(month)
    due_day = rule_int("hazards.monthly_notice_due_day", on=first)
    return first.replace(day=min(due_day, last.day))


def quarterly_due_date(year: int, quarter: int) -> datetime.date:
    """The day of the month after the quarter by which its briefing is due (rule
    ``hazards.quarterly_briefing_due_day``, in force on the quarter's first day)."""
    first, last = quarter_bounds(year, quarter)
    following = last + datetime.timedelta(days=1)
    due_day = rule_int("hazards.quarterly_briefing_due_day", on=first)
    return following.replace(day=min(due_day, month_end(following).day))


def calendar_lead_days(on: datetime.date) -> int:
    """How many days before its due date a document of the calendar is produced (rule
    ``hazards.calendar_lead_days``)."""
    return rule_int("hazards.calendar_lead_days", on=on)


def monthly_run_from(month: datetime.date) -> datetime.date:
    """The day from which the notices of ``month`` are produced: the lead days before the due date, not
    before the month begins."""
    due = monthly_due_date(month)
    return max(due.replace(day=1), due - datetime.timedelta(days=calendar_lead_days(due.replace(day=1))))


def quarterly_run_from(year: int, quarter: int) -> datetime.date:
    """The day from which the briefing of a quarter is produced: the lead days before its due date, not
    before the month after the quarter begins."""
    due = quarterly_due_date(year, quarter)
    first, _last = quarter_bounds(year, quarter)
    return max(due.replace(day=1), due - datetime.timedelta(days=calendar_lead_days(first)))


def last_quarter(today: datetime.date) -> tuple[int, int]:
    """``(year, quarter)`` of the quarter that ended before the one containing ``today``."""
    year, quarter = quarter_of(today)
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def remind_days_before(on: datetime.date) -> int:
    """Staff are reminded of open hazards whose deadline is this close (rule ``hazards.remind_days_before``)."""
    return rule_int("hazards.remind_days_before", on=on)


def calendar_due(*, user, today: datetime.date | None = None) -> list[dict]:
    """What the 1+1+1 calendar asks for now and whether it is done: this month's notices, last quarter's
    briefing, and paper copies not yet delivered. Each item: ``label``, ``due``, ``done``, ``late`` (not done
    and past its due date), ``done_late`` (done after its due date), ``url``.
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
            "done_late": summary is not None and timezone.localdate(summary.sent_at) > due,
            "period": period,
            "url": reverse("hazards:notice_list") + f"?period={period}",
        }
    )
    year, quarter = last_quarter(today)
    qperiod = f"{year}Q{quarter}"
    briefing = Notice.objects.filter(
        kind=NoticeKind.QUARTERLY_BRIEFING, period=qperiod, sent_at__isnull=False
    ).first()
    qdue = quarterly_due_date(year, quarter)
    items.append(
        {
            "key": "quarterly",
            "label": _("Quarterly hazard briefing, %(year)s Q%(quarter)s")
            % {"year": year, "quarter": quarter},
            "due": qdue,
            "done": briefing is not None,
            "done_at": briefing.sent_at if briefing else None,
            "late": briefing is None and today > qdue,
            "done_late": briefing is not None and timezone.localdate(briefing.sent_at) > qdue,
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


# --- what a run sends, and to whom --------------------------------------------------------------------


def letterhead() -> str:
    """The issuing company as printed on the documents, e.g. 国网示范县供电公司."""
    if settings.GRIDCHECK_HAZARD_LETTERHEAD:
        return settings.GRIDCHECK_HAZARD_LETTERHEAD
    from gridcheck.archive.models import Company

    company = Company.objects.order_by("pk").first()
    name = company.name if company else _("County supply company")
    return name if name.startswith("国网") else f"国网{name}"


def monthly_hazards(first: datetime.date, last: datetime.date) -> QuerySet:
    """The hazards a monthly notice reports: found in the month, and every earlier one still open (never
    one cancelled as registered by mistake)."""
    return (
        Hazard.objects.select_related("customer", "station")
        .exclude(status=HazardStatus.CANCELLED)
        .filter(found_on__lte=last)
        .filter(Q(found_on__gte=first) | Q(status__in=OPEN_STATUSES))
        .order_by("customer__account_number", "deadline", "pk")
    )


def notice_contacts(customer) -> list[CustomerContact]:
    """The contacts of ``customer`` who receive its notices, in the order they were added."""
    return list(CustomerContact.objects.filter(customer=customer, receives_notices=True).order_by("pk"))


def government_contacts() -> list[GovernmentContact]:
    """The active government contacts of the network, by department."""
    return list(GovernmentContact.objects.filter(is_active=True).order_by("department", "pk"))


def briefing_recipients(hazards) -> list[str]:
    """Who gets the quarterly briefing by email: the government, then the customers of ``hazards``."""
    recipients = contact_emails(government_contacts())
    customer_ids = {h.customer_id for h in hazards}
    customers = CustomerContact.objects.filter(customer_id__in=customer_ids, receives_notices=True).order_by(
        "customer", "pk"
    )
    return recipients + [e for e in contact_emails(customers) if e not in recipients]


def contact_emails(contacts) -> list[str]:
    """The email addresses of ``contacts``, each once, in order."""
    seen = []
    for contact in contacts:
        if contact.email and contact.email not in seen:
            seen.append(contact.email)
    return seen


def quarter_drills(first: datetime.date, last: datetime.date) -> list[Drill]:
    """The drills planned within ``first``..``last``, by date."""
    return list(
        Drill.objects.select_related("customer")
        .filter(scheduled_on__gte=first, scheduled_on__lte=last)
        .order_by("scheduled_on")
    )


# --- statistics and the figures of the documents ---------------------------------------------------


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
    # A hazard cancelled as registered by mistake never counts.
    qs = qs.exclude(status=HazardStatus.CANCELLED).select_related("customer", "station")
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


def photo_uris(hazard: Hazard, stage: str, limit: int = 2) -> list[str]:
    """``file://`` URIs of up to ``limit`` photos of ``hazard`` at ``stage`` whose file exists (for a PDF)."""
    uris = []
    for photo in hazard.photos.filter(stage=stage).order_by("pk")[:limit]:
        try:
            path = Path(photo.image.path)
        except (ValueError, NotImplementedError):
            continue
        if path.exists():
            uris.append(path.as_uri())
    return uris


def customer_notice_figures(*, hazards) -> dict:
    """What a customer's monthly notice shows: each hazard with its first photo before rectification."""
    return {"rows": [{"hazard": h, "before": photo_uris(h, PhotoStage.BEFORE, 1)} for h in hazards]}


def government_summary_figures(
    *, first: datetime.date, last: datetime.date, hazards, contacts, as_of: datetime.date
) -> dict:
    """What the monthly government summary shows: the month's statistics (overdue counted at ``as_of``),
    the departments addressed and how many customers the listed hazards concern."""
    departments = []
    for contact in contacts:
        if contact.department not in departments:
            departments.append(contact.department)
    return {
        "stats": hazard_period_statistics(first=first, last=last, as_of=as_of),
        "departments": departments,
        "n_customers": len({h.customer_id for h in hazards}),
    }


def briefing_figures(*, first: datetime.date, last: datetime.date, as_of: datetime.date) -> dict:
    """What the quarterly briefing shows: the quarter's statistics, its drills, the major and serious
    hazards with their photos before and after (at most 12), and the rectification rate [%]."""
    stats = hazard_period_statistics(first=first, last=last, as_of=as_of)
    featured = [
        {
            "hazard": h,
            "before": photo_uris(h, PhotoStage.BEFORE, 1),
            "after": photo_uris(h, PhotoStage.AFTER, 1),
        }
        for h in stats["hazards"]
        if h.severity in (HazardSeverity.MAJOR, HazardSeverity.SERIOUS)
    ][:12]
    rate = round(100 * stats["rectified"] / stats["found"], 1) if stats["found"] else None
    return {
        "stats": stats,
        "drills": quarter_drills(first, last),
        "featured": featured,
        "rectification_rate": rate,
    }


def monthly_trend(*, user, months: int = 12, today: datetime.date | None = None) -> dict:
    """Hazards found and rectified per month over the last ``months`` months (for the dashboard chart),
    counted in one query."""
    today = today or timezone.localdate()
    firsts = [month_add(today.replace(day=1), -back) for back in range(months - 1, -1, -1)]
    counts = {}
    for i, first in enumerate(firsts):
        bounds = (first, month_end(first))
        counts[f"found_{i}"] = Count("pk", filter=Q(found_on__range=bounds))
        counts[f"rectified_{i}"] = Count("pk", filter=Q(rectified_on__range=bounds))
    counted = hazards_for(user).aggregate(**counts)
    return {
        "labels": [f"{first:%Y-%m}" for first in firsts],
        "found": [counted[f"found_{i}"] for i in range(months)],
        "rectified": [counted[f"rectified_{i}"] for i in range(months)],
    }

"""The reads of the electricians' service desk: what each user may see, the staff queue with its time-limit
status, and the chart's monthly figures.

A staff member sees their scope (``scope_queryset``); a customer's electrician (a portal login) sees only
their own customer's consultations and complaints, and the knowledge base of their customer's station. A
complaint is never shown to the member of staff it is about.
"""

from __future__ import annotations

import datetime

from django.db.models import Avg, Case, Count, F, IntegerField, Q, QuerySet, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from gridcheck.core.periods import month_add
from gridcheck.core.roles import VIEW_SERVICEDESK, has_capability
from gridcheck.core.scoping import scope_queryset
from gridcheck.hazards.selectors import portal_customer_for
from gridcheck.servicedesk.choices import (
    AnnouncementReach,
    Audience,
    ConsultationStatus,
    TimeLimit,
    TypicalCaseStatus,
)
from gridcheck.servicedesk.models import (
    Announcement,
    BusinessLead,
    CampaignPhoto,
    Complaint,
    Consultation,
    ConsultationPhoto,
    ForumAttachment,
    ForumThread,
    GuidanceDocument,
    GuidanceVersion,
    KnowledgeArticle,
    PublicityCampaign,
    TrainingSession,
    TypicalCase,
)

#: A question due within this time shows as "due soon" in the queue.
DUE_SOON = datetime.timedelta(hours=24)


def is_staff_reader(user) -> bool:
    return has_capability(user, VIEW_SERVICEDESK)


def consultations_for(user) -> QuerySet:
    """The consultations ``user`` may see: their customer's (portal), else their scope (staff)."""
    queryset = Consultation.objects.select_related("customer", "station", "asked_by", "answered_by")
    customer = portal_customer_for(user)
    if customer is not None:
        return queryset.filter(customer=customer)
    if not is_staff_reader(user):
        return queryset.none()
    return scope_queryset(queryset, user)


def photos_for(user) -> QuerySet:
    customer = portal_customer_for(user)
    if customer is not None:
        return ConsultationPhoto.objects.filter(consultation__customer=customer)
    if not is_staff_reader(user):
        return ConsultationPhoto.objects.none()
    return scope_queryset(ConsultationPhoto.objects.all(), user)


def articles_for(user) -> QuerySet:
    """The knowledge base: the station's articles (a portal login: its customer's station)."""
    queryset = KnowledgeArticle.objects.select_related("station")
    customer = portal_customer_for(user)
    if customer is not None:
        return queryset.filter(station_id=customer.station_id)
    if not is_staff_reader(user):
        return queryset.none()
    return scope_queryset(queryset, user)


def complaints_for(user) -> QuerySet:
    """Complaints: an electrician's own customer's from the portal; staff their scope, except any about
    themselves (the person complained about never sees it, nor who wrote it)."""
    queryset = Complaint.objects.select_related("station", "customer", "about_staff", "handler")
    customer = portal_customer_for(user)
    if customer is not None:
        return queryset.filter(customer=customer, author=user)
    if not is_staff_reader(user):
        return queryset.none()
    return scope_queryset(queryset, user).exclude(about_staff_id=user.pk)


def leads_for(user) -> QuerySet:
    if not is_staff_reader(user):
        return BusinessLead.objects.none()
    return scope_queryset(BusinessLead.objects.select_related("customer", "station"), user)


def time_limit(consultation: Consultation, now: datetime.datetime | None = None) -> str:
    """Where a consultation stands against its time limit (``TimeLimit``)."""
    now = now or timezone.now()
    if consultation.answered_at is not None:
        return TimeLimit.ANSWERED_IN_TIME if consultation.answered_in_time else TimeLimit.ANSWERED_LATE
    if consultation.due_at < now:
        return TimeLimit.OVERDUE
    if consultation.due_at < now + DUE_SOON:
        return TimeLimit.DUE_SOON
    return TimeLimit.IN_TIME


def queue_filter(queryset: QuerySet, view: str, now: datetime.datetime | None = None) -> QuerySet:
    """One view of the staff queue: ``open`` (waiting), ``overdue``, ``due_soon``, ``answered``, or all."""
    now = now or timezone.now()
    waiting = queryset.filter(status=ConsultationStatus.ASKED)
    if view == "open":
        return waiting.order_by("due_at", "pk")
    if view == TimeLimit.OVERDUE:
        return waiting.filter(due_at__lt=now).order_by("due_at", "pk")
    if view == TimeLimit.DUE_SOON:
        return waiting.filter(due_at__gte=now, due_at__lt=now + DUE_SOON).order_by("due_at", "pk")
    if view == "answered":
        return queryset.exclude(status=ConsultationStatus.ASKED)
    return queryset


def queue_counts(user, now: datetime.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    base = consultations_for(user)
    return {
        view: queue_filter(base, view, now).count() for view in ("open", "overdue", "due_soon", "answered")
    }


def monthly_figures(user, *, months: int = 6, today: datetime.date | None = None) -> list[dict]:
    """Per month of asking, the last ``months`` months: questions asked, answered, answered in time [%],
    average satisfaction [1–5] — in one grouped query over the user's scope."""
    today = today or timezone.localdate()
    first = month_add(today.replace(day=1), -(months - 1))
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    rows = (
        consultations_for(user)
        .filter(asked_at__gte=start)
        .annotate(month=TruncMonth("asked_at"))
        .values("month")
        .annotate(
            asked=Count("pk"),
            answered=Count("pk", filter=Q(answered_at__isnull=False)),
            in_time=Count(
                Case(When(answered_at__lte=F("due_at"), then=1), output_field=IntegerField()),
            ),
            rating=Avg("rating"),
        )
        .order_by("month")
    )
    by_month = {}
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, datetime.datetime) else month
        by_month[month.replace(day=1)] = row
    result = []
    for i in range(months):
        month = month_add(first, i)
        row = by_month.get(month, {})
        answered = row.get("answered", 0)
        result.append(
            {
                "month": f"{month:%Y-%m}",
                "asked": row.get("asked", 0),
                "answered": answered,
                "in_time_percent": round(100 * row.get("in_time", 0) / answered, 1) if answered else None,
                "rating": round(float(row["rating"]), 2) if row.get("rating") is not None else None,
            }
        )
    return result


# --- the guidance library --------------------------------------------------------------------------


def documents_for(user) -> QuerySet:
    """Guidance documents: staff their scope (every audience); a portal login those of its customer's
    station meant for it (all customers, or a class it is in; never staff-only ones)."""
    queryset = GuidanceDocument.objects.select_related("station")
    customer = portal_customer_for(user)
    if customer is not None:
        audiences = [Audience.CUSTOMERS]
        if customer.is_high_risk:
            audiences.append(Audience.HIGH_RISK)
        if customer.is_important:
            audiences.append(Audience.IMPORTANT)
        return queryset.filter(station_id=customer.station_id, audience__in=audiences)
    if not is_staff_reader(user):
        return queryset.none()
    return scope_queryset(queryset, user)


def versions_for(user) -> QuerySet:
    return GuidanceVersion.objects.filter(document__in=documents_for(user).values("pk"))


def current_version(document: GuidanceDocument) -> GuidanceVersion | None:
    return document.versions.order_by("-number").first()


def receipt_status(document: GuidanceDocument) -> dict:
    """For a document that must be acknowledged: its current version, the electricians (portal logins) of
    the customers it is meant for, and who acknowledged that version."""
    from gridcheck.hazards.models import CustomerContact

    version = current_version(document)
    contacts = CustomerContact.objects.filter(
        portal_user__isnull=False, customer__station_id=document.station_id
    ).select_related("customer", "portal_user")
    if document.audience == Audience.HIGH_RISK:
        contacts = contacts.filter(customer__is_high_risk=True)
    elif document.audience == Audience.IMPORTANT:
        contacts = contacts.filter(customer__is_important=True)
    elif document.audience == Audience.STAFF:
        contacts = contacts.none()
    read = {}
    if version is not None:
        read = {r.user_id: r.acknowledged_at for r in version.receipts.all()}
    rows = [
        {"customer": c.customer, "name": c.name, "acknowledged_at": read.get(c.portal_user_id)}
        for c in contacts.order_by("customer__account_number", "pk")
    ]
    return {"version": version, "rows": rows, "read": sum(1 for r in rows if r["acknowledged_at"])}


def announcements_for(user) -> QuerySet:
    """Announcements: a portal login those reaching its customer (its station's or the county's, a class it
    is in); staff their scope."""
    from django.db.models import Q as _Q

    queryset = Announcement.objects.select_related("station")
    customer = portal_customer_for(user)
    if customer is not None:
        reaches = [AnnouncementReach.ALL]
        if customer.is_high_risk:
            reaches.append(AnnouncementReach.HIGH_RISK)
        if customer.is_important:
            reaches.append(AnnouncementReach.IMPORTANT)
        return queryset.filter(
            _Q(station_id=customer.station_id) | _Q(station__isnull=True), reach__in=reaches
        )
    if not is_staff_reader(user):
        return queryset.none()
    return scope_queryset(queryset, user)


# --- trainings and drills --------------------------------------------------------------------------


def trainings_for(user) -> QuerySet:
    """Sessions: a portal login those its customer is invited to; staff their scope."""
    queryset = TrainingSession.objects.select_related("station")
    customer = portal_customer_for(user)
    if customer is not None:
        return queryset.filter(invitations__customer=customer).distinct()
    if not is_staff_reader(user):
        return queryset.none()
    return scope_queryset(queryset, user)


INVITE_REACHES = ("electricians", "high_risk", "important")


def invitees(station_id: int, reach: str) -> QuerySet:
    """The customers of a station a session invites: those with an electrician on the portal, or the
    high-risk or important ones."""
    from gridcheck.archive.models import Customer

    customers = Customer.objects.filter(station_id=station_id)
    if reach == "high_risk":
        return customers.filter(is_high_risk=True)
    if reach == "important":
        return customers.filter(is_important=True)
    return customers.filter(safety_contacts__portal_user__isnull=False).distinct()


def drills_of(customer) -> QuerySet:
    """The drills registered under hazards for a customer (shown to its electricians)."""
    from gridcheck.hazards.models import Drill

    return Drill.objects.filter(customer=customer).order_by("-scheduled_on")


def training_summary(session: TrainingSession) -> dict:
    """Invited customers with who signed in and their quiz scores."""
    attendances = {}
    for a in session.attendances.select_related("user"):
        attendances.setdefault(a.customer_id, []).append(a)
    results = {r.user_id: r for r in session.results.all()}
    rows = []
    for invitation in session.invitations.select_related("customer").order_by("customer__account_number"):
        signed = attendances.get(invitation.customer_id, [])
        rows.append(
            {
                "customer": invitation.customer,
                "signed": [(a, results.get(a.user_id)) for a in signed],
            }
        )
    return {
        "rows": rows,
        "invited": len(rows),
        "present": sum(1 for r in rows if r["signed"]),
        "results": list(results.values()),
    }


# --- the technical forum ---------------------------------------------------------------------------


def threads_for(user) -> QuerySet:
    """Forum threads: a portal login its customer's station's, not hidden; staff their scope (hidden too)."""
    queryset = ForumThread.objects.select_related("author")
    customer = portal_customer_for(user)
    if customer is not None:
        return queryset.filter(station_id=customer.station_id, hidden=False)
    if not is_staff_reader(user):
        return queryset.none()
    return scope_queryset(queryset, user)


def posts_of(thread: ForumThread, user) -> QuerySet:
    posts = thread.posts.select_related("author").prefetch_related("attachments")
    return posts.filter(hidden=False) if portal_customer_for(user) is not None else posts


def attachments_for(user) -> QuerySet:
    """The forum attachments ``user`` may download: those of the posts shown in the threads they may read
    (a portal login: its customer's station's forum), never a hidden post's or a hidden thread's."""
    return ForumAttachment.objects.filter(
        post__thread__in=threads_for(user).values("pk"), post__hidden=False, post__thread__hidden=False
    )


# --- anti-theft publicity ----------------------------------------------------------------------------


def campaigns_for(user) -> QuerySet:
    """Publicity campaigns: staff their scope (a portal login none)."""
    queryset = PublicityCampaign.objects.select_related("station", "organiser")
    if portal_customer_for(user) is not None or not is_staff_reader(user):
        return queryset.none()
    return scope_queryset(queryset, user)


def campaign_photos_for(user) -> QuerySet:
    return CampaignPhoto.objects.filter(campaign__in=campaigns_for(user).values("pk"))


def typical_cases_for(user) -> QuerySet:
    """Typical cases: a portal login the published ones of its customer's station; staff their scope
    (drafts and withdrawn ones too)."""
    queryset = TypicalCase.objects.select_related("station", "prepared_by", "approved_by")
    customer = portal_customer_for(user)
    if customer is not None:
        return queryset.filter(station_id=customer.station_id, status=TypicalCaseStatus.PUBLISHED).order_by(
            "-published_at", "-pk"
        )
    if not is_staff_reader(user):
        return queryset.none()
    return scope_queryset(queryset, user)

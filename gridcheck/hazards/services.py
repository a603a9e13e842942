"""Services of the hazards app: every change of state goes through here.

Functions are named ``<entity>_<action>``, keyword-only, run in one transaction and validate with
``full_clean()`` before saving. A hazard's status changes only through ``hazard_transition`` (directly or
via the runs below), which writes a ``HazardEvent`` and, through ``AuditedModel``, a history record.

Every email, SMS and in-app reminder goes through ``gridcheck.notifications.services.message_enqueue``
with a ``dedup_key``: a second run of the same month or day enqueues nothing again.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.core.images import image_check
from gridcheck.core.periods import month_bounds, month_end, quarter_bounds
from gridcheck.core.roles import Role
from gridcheck.core.rules import rule_int
from gridcheck.hazards.choices import (
    OPEN_STATUSES,
    TRANSITIONS,
    DeliveryChannel,
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
    HazardEvent,
    HazardPhoto,
    Notice,
)

# --- helpers -------------------------------------------------------------------------------------


def portal_customer_for(user):
    """The customer whose portal ``user`` logs in to, or ``None`` for staff and liaison users."""
    if not getattr(user, "is_authenticated", False):
        return None
    contact = CustomerContact.objects.select_related("customer").filter(portal_user_id=user.pk).first()
    return contact.customer if contact is not None else None


def _enqueue(**kwargs):
    """Hand one message to the notifications app (imported late: it is a sibling app)."""
    from gridcheck.notifications.services import message_enqueue

    return message_enqueue(**kwargs)


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


def letterhead() -> str:
    """The issuing company as printed on the documents, e.g. 国网示范县供电公司."""
    if settings.GRIDCHECK_HAZARD_LETTERHEAD:
        return settings.GRIDCHECK_HAZARD_LETTERHEAD
    from gridcheck.archive.models import Company

    company = Company.objects.order_by("pk").first()
    name = company.name if company else _("County supply company")
    return name if name.startswith("国网") else f"国网{name}"


def photo_validate(upload) -> None:
    """Refuse a photo that is too large or not a JPEG/PNG image (checked by decoding it, not its name)."""
    upload.seek(0)
    try:
        image_check(
            content=upload.read(), name=upload.name, max_bytes=settings.GRIDCHECK_HAZARD_PHOTO_MAX_BYTES
        )
    finally:
        upload.seek(0)


# --- hazards -------------------------------------------------------------------------------------


@transaction.atomic
def hazard_create(
    *,
    customer,
    category: str,
    severity: str,
    description: str,
    found_on: datetime.date,
    deadline: datetime.date,
    responsible_person: str,
    responsible_phone: str = "",
    responsible_staff=None,
    consequence: str = "",
    advice: str = "",
    found_by_inspection_ref: str = "",
    found_by=None,
    photos=(),
) -> Hazard:
    """Register a hazard found at ``customer``; its deadline may not lie before the day it was found."""
    hazard = Hazard(
        customer=customer,
        station_id=customer.station_id,
        category=category,
        severity=severity,
        description=description,
        found_on=found_on,
        deadline=deadline,
        responsible_person=responsible_person,
        responsible_phone=responsible_phone,
        responsible_staff=responsible_staff,
        consequence=consequence,
        advice=advice,
        found_by_inspection_ref=found_by_inspection_ref,
        found_by=found_by,
        status=HazardStatus.FOUND,
    )
    if found_on and deadline and deadline < found_on:
        raise ValidationError(
            {"deadline": _("The rectification deadline cannot be before the finding date.")}
        )
    hazard.full_clean()
    hazard.save()
    HazardEvent.objects.create(
        hazard=hazard,
        actor=found_by,
        from_status="",
        to_status=HazardStatus.FOUND,
        note=_("Hazard registered"),
    )
    for upload in photos:
        hazard_photo_add(hazard=hazard, stage=PhotoStage.BEFORE, image=upload, user=found_by)
    return hazard


@transaction.atomic
def hazard_update(*, hazard: Hazard, user, **fields) -> Hazard:
    """Change a hazard's descriptive fields (not its status); the deadline rule still holds."""
    allowed = {
        "category",
        "severity",
        "description",
        "consequence",
        "advice",
        "deadline",
        "responsible_person",
        "responsible_phone",
        "responsible_staff",
        "found_by_inspection_ref",
    }
    for name, value in fields.items():
        if name not in allowed:
            raise ValidationError(_("%(field)s cannot be changed here.") % {"field": name})
        setattr(hazard, name, value)
    if hazard.deadline < hazard.found_on:
        raise ValidationError(
            {"deadline": _("The rectification deadline cannot be before the finding date.")}
        )
    hazard.full_clean()
    hazard._change_reason = _("Hazard edited")
    hazard.save()
    return hazard


@transaction.atomic
def hazard_photo_add(*, hazard: Hazard, stage: str, image, user=None, caption: str = "") -> HazardPhoto:
    """Attach a before/after photo to a hazard after checking its type and size."""
    photo_validate(image)
    photo = HazardPhoto(hazard=hazard, stage=stage, image=image, uploaded_by=user, caption=caption)
    photo.full_clean()
    photo.save()
    return photo


@transaction.atomic
def hazard_transition(
    *, hazard: Hazard, to_status: str, actor=None, note: str = "", on: datetime.date | None = None
) -> Hazard:
    """Move ``hazard`` to ``to_status`` if the lifecycle allows it; record who, when and why.

    found > notified > rectifying > rectified > verified, with overdue reachable from any open status
    and a failed re-inspection sending a rectified hazard back to rectifying.
    """
    hazard = Hazard.objects.select_for_update().get(pk=hazard.pk)
    from_status = hazard.status
    if to_status not in TRANSITIONS.get(from_status, ()):
        raise ValidationError(
            _("A hazard cannot go from %(from)s to %(to)s.")
            % {"from": HazardStatus(from_status).label, "to": HazardStatus(to_status).label}
        )
    on = on or timezone.localdate()
    hazard.status = to_status
    if to_status == HazardStatus.RECTIFIED:
        hazard.rectified_on = on
    elif to_status == HazardStatus.VERIFIED:
        hazard.verified_on = on
    elif to_status == HazardStatus.RECTIFYING and from_status == HazardStatus.RECTIFIED:
        hazard.rectified_on = None
    hazard.full_clean()
    hazard._change_reason = note[:100] if note else ""
    hazard._history_user = actor
    hazard.save()
    HazardEvent.objects.create(
        hazard=hazard, actor=actor, from_status=from_status, to_status=to_status, note=note
    )
    return hazard


@transaction.atomic
def hazard_rectification_confirm(*, hazard: Hazard, user, photos, note: str = "") -> Hazard:
    """A customer portal user confirms that their hazard is rectified, with at least one photo."""
    customer = portal_customer_for(user)
    if customer is None or customer.pk != hazard.customer_id:
        raise PermissionDenied(_("You may only confirm your own hazards."))
    if HazardStatus.RECTIFIED not in TRANSITIONS.get(hazard.status, ()):
        raise ValidationError(_("This hazard cannot be confirmed as rectified now."))
    photos = list(photos)
    if not photos:
        raise ValidationError(_("Add at least one photo of the rectified installation."))
    for upload in photos:
        photo_validate(upload)
    for upload in photos:
        hazard_photo_add(hazard=hazard, stage=PhotoStage.AFTER, image=upload, user=user)
    text = _("Rectification confirmed by the customer")
    if note:
        text = f"{text}: {note}"
    return hazard_transition(hazard=hazard, to_status=HazardStatus.RECTIFIED, actor=user, note=text)


# --- daily reminders and escalation ---------------------------------------------------------------


@dataclass
class DailyResult:
    """What a daily run did."""

    marked_overdue: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    reminded: int = 0
    messages: int = 0


def _station_heads(station_id):
    from gridcheck.users.models import User

    return list(User.objects.filter(role=Role.STATION_HEAD, station_id=station_id, is_active=True))


def _staff_messages(*, user, subject: str, body: str, dedup_key: str, related) -> int:
    """An in-app message to ``user`` and, where they have an email, an email; returns how many."""
    n = 0
    _enqueue(
        channel="in_app",
        recipient=user,
        subject=subject,
        body=body,
        dedup_key=f"{dedup_key}:in_app",
        related=related,
    )
    n += 1
    if user.email:
        _enqueue(
            channel="email",
            recipient=user.email,
            subject=subject,
            body=body,
            dedup_key=f"{dedup_key}:email",
            related=related,
        )
        n += 1
    return n


@transaction.atomic
def hazard_daily_run(*, today: datetime.date | None = None) -> DailyResult:
    """Mark overdue hazards, remind the responsible staff, escalate major overdue hazards to the head.

    Safe to run more than once a day: a hazard already overdue is not marked again and every message
    carries a dedup key.
    """
    today = today or timezone.localdate()
    result = DailyResult()
    late = (
        Hazard.objects.select_related("customer", "station", "responsible_staff", "found_by")
        .filter(deadline__lt=today, status__in=[s for s in OPEN_STATUSES if s != HazardStatus.OVERDUE])
        .order_by("pk")
    )
    for hazard in late:
        hazard = hazard_transition(
            hazard=hazard,
            to_status=HazardStatus.OVERDUE,
            note=_("Deadline %(date)s passed without rectification") % {"date": hazard.deadline.isoformat()},
            on=today,
        )
        result.marked_overdue.append(hazard.pk)
    overdue = Hazard.objects.select_related("customer", "station", "responsible_staff", "found_by").filter(
        status=HazardStatus.OVERDUE
    )
    for hazard in overdue:
        staff = hazard.responsible_staff or hazard.found_by
        subject = _("Overdue hazard: %(customer)s") % {"customer": hazard.customer.name}
        body = _(
            'The hazard "%(category)s" at %(customer)s (severity %(severity)s) passed its rectification '
            "deadline %(deadline)s. Responsible person at the customer: %(person)s %(phone)s."
        ) % {
            "category": hazard.get_category_display(),
            "customer": hazard.customer.name,
            "severity": hazard.get_severity_display(),
            "deadline": hazard.deadline.isoformat(),
            "person": hazard.responsible_person,
            "phone": hazard.responsible_phone,
        }
        if staff is not None:
            result.messages += _staff_messages(
                user=staff,
                subject=subject,
                body=body,
                dedup_key=f"hazard-overdue:{hazard.pk}:{staff.pk}",
                related=hazard,
            )
            result.reminded += 1
        if hazard.severity == HazardSeverity.MAJOR:
            heads = _station_heads(hazard.station_id)
            for head in heads:
                result.messages += _staff_messages(
                    user=head,
                    subject=_("Escalation: major hazard overdue at %(customer)s")
                    % {"customer": hazard.customer.name},
                    body=body,
                    dedup_key=f"hazard-escalation:{hazard.pk}:{head.pk}",
                    related=hazard,
                )
            if heads and hazard.escalated_at is None:
                hazard.escalated_at = timezone.now()
                hazard._change_reason = _("Escalated to the station head")
                hazard.full_clean()
                hazard.save(update_fields=["escalated_at", "updated_at"])
                HazardEvent.objects.create(
                    hazard=hazard,
                    from_status=hazard.status,
                    to_status=hazard.status,
                    note=_("Major hazard overdue: escalated to %(names)s")
                    % {"names": "、".join(str(h) for h in heads)},
                )
                result.escalated.append(hazard.pk)
    soon = today + datetime.timedelta(days=rule_int("hazards.remind_days_before", on=today))
    due_soon = Hazard.objects.select_related("customer", "responsible_staff", "found_by").filter(
        status__in=[HazardStatus.FOUND, HazardStatus.NOTIFIED, HazardStatus.RECTIFYING],
        deadline__gte=today,
        deadline__lte=soon,
    )
    for hazard in due_soon:
        staff = hazard.responsible_staff or hazard.found_by
        if staff is None:
            continue
        _enqueue(
            channel="in_app",
            recipient=staff,
            subject=_("Hazard deadline on %(date)s: %(customer)s")
            % {"date": hazard.deadline.isoformat(), "customer": hazard.customer.name},
            body=_('Please follow up the rectification of "%(category)s".')
            % {"category": hazard.get_category_display()},
            dedup_key=f"hazard-due-soon:{hazard.pk}:{hazard.deadline.isoformat()}",
            related=hazard,
        )
        result.reminded += 1
        result.messages += 1
    return result


# --- the monthly notices --------------------------------------------------------------------------


@dataclass
class MonthlyResult:
    """What a monthly run did."""

    period: str
    notices: list[Notice] = field(default_factory=list)
    produced: list[Notice] = field(default_factory=list)
    created: int = 0
    already_sent: int = 0
    emails: int = 0
    paper: int = 0
    summary: Notice | None = None


def _document_number(kind: str, year: int, seq: str) -> str:
    prefix = settings.GRIDCHECK_HAZARD_DOCUMENT_PREFIX
    word = {
        NoticeKind.CUSTOMER_MONTHLY: "通",
        NoticeKind.GOVERNMENT_MONTHLY: "报",
        NoticeKind.QUARTERLY_BRIEFING: "简",
    }
    return f"{prefix}{word.get(kind, '')}〔{year}〕{seq}号"


def _monthly_hazards(first: datetime.date, last: datetime.date):
    """The hazards a monthly notice reports: found in the month, and every earlier one still open."""
    return (
        Hazard.objects.select_related("customer", "station")
        .filter(found_on__lte=last)
        .filter(Q(found_on__gte=first) | Q(status__in=OPEN_STATUSES))
        .order_by("customer__account_number", "deadline", "pk")
    )


def _emails(contacts) -> list[str]:
    seen = []
    for contact in contacts:
        if contact.email and contact.email not in seen:
            seen.append(contact.email)
    return seen


@transaction.atomic
def hazard_monthly_run(
    *, month: datetime.date, actor=None, today: datetime.date | None = None
) -> MonthlyResult:
    """Produce and send the month's hazard notices (one per customer) and the summary for the government.

    A customer without an email gets a paper notice, recorded as such. A notice already sent is neither
    produced nor sent again, so a second run of the same month sends nothing twice.
    """
    from gridcheck.hazards import pdf

    today = today or timezone.localdate()
    first, last = month_bounds(month)
    period = f"{first:%Y-%m}"
    result = MonthlyResult(period=period)
    issuer = letterhead()
    hazards = list(_monthly_hazards(first, last))
    by_customer: dict[int, list[Hazard]] = {}
    for hazard in hazards:
        by_customer.setdefault(hazard.customer_id, []).append(hazard)
    seq = Notice.objects.filter(kind=NoticeKind.CUSTOMER_MONTHLY, period=period).count()
    for customer_hazards in by_customer.values():
        customer = customer_hazards[0].customer
        notice = Notice.objects.filter(
            kind=NoticeKind.CUSTOMER_MONTHLY, period=period, customer=customer
        ).first()
        if notice is not None and notice.sent_at is not None:
            result.already_sent += 1
            result.notices.append(notice)
            continue
        if notice is None:
            seq += 1
            notice = Notice(
                kind=NoticeKind.CUSTOMER_MONTHLY,
                period=period,
                customer=customer,
                station_id=customer.station_id,
                document_number=_document_number(
                    NoticeKind.CUSTOMER_MONTHLY, first.year, f"{first.month:02d}-{seq:03d}"
                ),
                generated_by=actor,
            )
            result.created += 1
        notice.title = _("Hazard rectification notice %(period)s: %(customer)s") % {
            "period": period,
            "customer": customer.name,
        }
        contacts = list(
            CustomerContact.objects.filter(customer=customer, receives_notices=True).order_by("pk")
        )
        emails = _emails(contacts)
        notice.channel = DeliveryChannel.EMAIL if emails else DeliveryChannel.PAPER
        content = pdf.customer_notice_pdf(
            notice=notice,
            customer=customer,
            hazards=customer_hazards,
            contacts=contacts,
            issuer=issuer,
            issued_on=today,
        )
        notice.pdf.save(
            f"hazard-notice-{period}-{customer.account_number}.pdf", ContentFile(content), save=False
        )
        notice.body = _("%(n)s hazards; rectify each by its deadline.") % {"n": len(customer_hazards)}
        if emails:
            notice.channel = DeliveryChannel.EMAIL
            notice.emailed_to = "\n".join(emails)
            notice.paper_required = False
            notice.note = ""
        else:
            notice.channel = DeliveryChannel.PAPER
            notice.paper_required = True
            notice.note = _("The customer has no email address on file: the notice goes on paper, by hand.")
            result.paper += 1
        notice.sent_at = timezone.now()
        notice.full_clean()
        notice.save()
        for email in emails:
            _enqueue(
                channel="email",
                recipient=email,
                subject=notice.title,
                body=_(
                    "Dear customer,\n\nattached is %(issuer)s's hazard rectification notice %(number)s for "
                    "%(period)s. Please rectify each hazard by its deadline and confirm it in the customer "
                    "portal.\n\n%(issuer)s"
                )
                % {"issuer": issuer, "number": notice.document_number, "period": period},
                attachments=[(f"{notice.document_number}.pdf", content, "application/pdf")],
                dedup_key=f"hazard-notice:{customer.pk}:{period}:{email}",
                related=notice,
                created_by=actor,
            )
            result.emails += 1
        notice.hazards.set(customer_hazards)
        for hazard in customer_hazards:
            if hazard.status == HazardStatus.FOUND:
                hazard_transition(
                    hazard=hazard,
                    to_status=HazardStatus.NOTIFIED,
                    actor=actor,
                    note=_("Notified in %(number)s (%(channel)s)")
                    % {"number": notice.document_number, "channel": notice.get_channel_display()},
                    on=today,
                )
        result.notices.append(notice)
        result.produced.append(notice)
    result.summary = _government_summary(
        first=first,
        last=last,
        period=period,
        hazards=hazards,
        actor=actor,
        today=today,
        issuer=issuer,
        result=result,
    )
    return result


def _government_summary(*, first, last, period, hazards, actor, today, issuer, result) -> Notice:
    from gridcheck.hazards import pdf

    notice = Notice.objects.filter(kind=NoticeKind.GOVERNMENT_MONTHLY, period=period, customer=None).first()
    if notice is not None and notice.sent_at is not None:
        return notice
    if notice is None:
        notice = Notice(
            kind=NoticeKind.GOVERNMENT_MONTHLY,
            period=period,
            document_number=_document_number(NoticeKind.GOVERNMENT_MONTHLY, first.year, f"{first.month:02d}"),
            generated_by=actor,
        )
    notice.title = _("Monthly hazard summary %(period)s") % {"period": period}
    contacts = list(GovernmentContact.objects.filter(is_active=True).order_by("department", "pk"))
    emails = _emails(contacts)
    notice.channel = DeliveryChannel.EMAIL_AND_PAPER if emails else DeliveryChannel.PAPER
    content = pdf.government_summary_pdf(
        notice=notice,
        hazards=hazards,
        contacts=contacts,
        issuer=issuer,
        issued_on=today,
        first=first,
        last=last,
    )
    notice.pdf.save(f"hazard-summary-{period}.pdf", ContentFile(content), save=False)
    notice.body = _("%(n)s hazards at %(c)s customers.") % {
        "n": len(hazards),
        "c": len({h.customer_id for h in hazards}),
    }
    notice.paper_required = True  # the government always gets a paper copy, with a delivery receipt
    if emails:
        notice.channel = DeliveryChannel.EMAIL_AND_PAPER
        notice.emailed_to = "\n".join(emails)
        for email in emails:
            _enqueue(
                channel="email",
                recipient=email,
                subject=notice.title,
                body=_(
                    "Attached is %(issuer)s's summary of the safety hazards at customers for %(period)s "
                    "(%(number)s). A paper copy follows by hand."
                )
                % {"issuer": issuer, "period": period, "number": notice.document_number},
                attachments=[(f"{notice.document_number}.pdf", content, "application/pdf")],
                dedup_key=f"hazard-summary:{period}:{email}",
                created_by=actor,
            )
            result.emails += 1
    else:
        notice.channel = DeliveryChannel.PAPER
        notice.note = _("No government contact has an email address: the summary goes on paper only.")
    notice.sent_at = timezone.now()
    notice.full_clean()
    notice.save()
    notice.hazards.set(hazards)
    return notice


@transaction.atomic
def notice_paper_delivery_record(
    *, notice: Notice, delivered_on: datetime.date, received_by: str, receipt=None, actor=None
) -> Notice:
    """Record that the paper copy of ``notice`` was delivered, with the receipt signed by the addressee."""
    if not notice.paper_required:
        raise ValidationError(_("This notice needs no paper copy."))
    if not received_by.strip():
        raise ValidationError({"paper_received_by": _("Say who received the paper copy.")})
    if delivered_on > timezone.localdate():
        raise ValidationError({"paper_delivered_on": _("The delivery date cannot be in the future.")})
    notice.paper_delivered_on = delivered_on
    notice.paper_received_by = received_by.strip()
    if receipt is not None:
        notice.paper_receipt = receipt
    notice._history_user = actor
    notice._change_reason = _("Paper copy delivered")
    notice.full_clean()
    notice.save()
    return notice


# --- the quarterly briefing -----------------------------------------------------------------------


@dataclass
class BriefingResult:
    period: str
    notice: Notice
    created: bool
    emails: int = 0


def parse_quarter(value: str) -> tuple[int, int]:
    """``2026Q3`` -> ``(2026, 3)``."""
    text = value.strip().upper()
    try:
        year, quarter = text.split("Q")
        year, quarter = int(year), int(quarter)
    except ValueError:
        raise ValidationError(_("Write a quarter as 2026Q3.")) from None
    quarter_bounds(year, quarter)
    return year, quarter


def briefing_statistics(
    *, first: datetime.date, last: datetime.date, as_of: datetime.date | None = None
) -> dict:
    """The figures of a briefing: found, rectified and overdue hazards, drills, by severity and station."""
    from gridcheck.hazards import selectors

    return selectors.hazard_period_statistics(first=first, last=last, as_of=as_of)


@transaction.atomic
def hazard_briefing_run(
    *, year: int, quarter: int, actor=None, today: datetime.date | None = None
) -> BriefingResult:
    """Produce the quarterly briefing report (PDF) and email it to the government and the customers concerned."""
    from gridcheck.hazards import pdf

    today = today or timezone.localdate()
    first, last = quarter_bounds(year, quarter)
    period = f"{year}Q{quarter}"
    issuer = letterhead()
    notice = Notice.objects.filter(kind=NoticeKind.QUARTERLY_BRIEFING, period=period, customer=None).first()
    created = notice is None
    if notice is not None and notice.sent_at is not None:
        return BriefingResult(period=period, notice=notice, created=False)
    if notice is None:
        notice = Notice(
            kind=NoticeKind.QUARTERLY_BRIEFING,
            period=period,
            document_number=_document_number(NoticeKind.QUARTERLY_BRIEFING, year, f"Q{quarter}"),
            generated_by=actor,
        )
    notice.title = _("Quarterly hazard briefing %(period)s") % {"period": period}
    stats = briefing_statistics(first=first, last=last, as_of=today)
    drills = list(
        Drill.objects.select_related("customer")
        .filter(scheduled_on__gte=first, scheduled_on__lte=last)
        .order_by("scheduled_on")
    )
    content = pdf.briefing_pdf(
        notice=notice, stats=stats, drills=drills, issuer=issuer, issued_on=today, first=first, last=last
    )
    notice.pdf.save(f"hazard-briefing-{period}.pdf", ContentFile(content), save=False)
    notice.body = _("%(found)s found, %(rectified)s rectified, %(overdue)s overdue, %(drills)s drills.") % {
        "found": stats["found"],
        "rectified": stats["rectified"],
        "overdue": stats["overdue"],
        "drills": len(drills),
    }
    recipients = _emails(GovernmentContact.objects.filter(is_active=True).order_by("department", "pk"))
    customer_ids = {h.customer_id for h in stats["hazards"]}
    recipients += [
        e
        for e in _emails(
            CustomerContact.objects.filter(customer_id__in=customer_ids, receives_notices=True).order_by(
                "customer", "pk"
            )
        )
        if e not in recipients
    ]
    result = BriefingResult(period=period, notice=notice, created=created)
    for email in recipients:
        _enqueue(
            channel="email",
            recipient=email,
            subject=notice.title,
            body=_("Attached is %(issuer)s's hazard briefing report for %(period)s (%(number)s).")
            % {"issuer": issuer, "period": period, "number": notice.document_number},
            attachments=[(f"{notice.document_number}.pdf", content, "application/pdf")],
            dedup_key=f"hazard-briefing:{period}:{email}",
            created_by=actor,
        )
        result.emails += 1
    notice.channel = DeliveryChannel.EMAIL if recipients else ""
    notice.emailed_to = "\n".join(recipients)
    if not recipients:
        notice.note = _("Nobody has an email address: print the briefing for the meeting.")
    notice.sent_at = timezone.now()
    notice.full_clean()
    notice.save()
    notice.hazards.set(stats["hazards"])
    return result


# --- risk warnings --------------------------------------------------------------------------------


@transaction.atomic
def risk_warning_send(
    *,
    customer,
    subject: str,
    body: str,
    actor=None,
    channels=("sms", "email"),
    today: datetime.date | None = None,
) -> Notice:
    """Send a risk warning (风险预警) to a customer's contacts by SMS and/or email, and record it."""
    if not subject.strip() or not body.strip():
        raise ValidationError(_("A risk warning needs a subject and a text."))
    today = today or timezone.localdate()
    notice = Notice(
        kind=NoticeKind.RISK_WARNING,
        period=f"{today:%Y-%m}",
        customer=customer,
        station_id=customer.station_id,
        title=subject.strip(),
        body=body.strip(),
        generated_by=actor,
    )
    notice.full_clean()
    notice.save()
    contacts = list(CustomerContact.objects.filter(customer=customer, receives_notices=True))
    used, sent_to = set(), []
    for contact in contacts:
        if "sms" in channels and contact.phone:
            _enqueue(
                channel="sms",
                recipient=contact.phone,
                subject=notice.title,
                body=notice.body,
                dedup_key=f"risk-warning:{notice.pk}:sms:{contact.phone}",
                related=notice,
                created_by=actor,
            )
            used.add("sms")
            sent_to.append(contact.phone)
        if "email" in channels and contact.email:
            _enqueue(
                channel="email",
                recipient=contact.email,
                subject=notice.title,
                body=notice.body,
                dedup_key=f"risk-warning:{notice.pk}:email:{contact.email}",
                related=notice,
                created_by=actor,
            )
            used.add("email")
            sent_to.append(contact.email)
    if not used:
        raise ValidationError(_("The customer has no contact with a phone or an email for this warning."))
    notice.channel = (
        DeliveryChannel.SMS_AND_EMAIL
        if len(used) == 2
        else (DeliveryChannel.SMS if "sms" in used else DeliveryChannel.EMAIL)
    )
    notice.emailed_to = "\n".join(sent_to)
    notice.sent_at = timezone.now()
    notice.full_clean()
    notice.save()
    return notice


# --- contacts and drills ---------------------------------------------------------------------------


@transaction.atomic
def customer_contact_create(
    *,
    customer,
    name: str,
    role: str = "",
    phone: str = "",
    email: str = "",
    portal_user=None,
    receives_notices: bool = True,
) -> CustomerContact:
    """Add a contact at a customer; a ``portal_user`` makes that login a customer portal user."""
    contact = CustomerContact(
        customer=customer,
        name=name,
        role=role,
        phone=phone,
        email=email,
        portal_user=portal_user,
        receives_notices=receives_notices,
    )
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def government_contact_create(
    *, department: str, name: str, title: str = "", phone: str = "", email: str = "", address: str = ""
) -> GovernmentContact:
    """Add a contact at a county government department."""
    contact = GovernmentContact(
        department=department, name=name, title=title, phone=phone, email=email, address=address
    )
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def drill_schedule(*, customer, scenario: str, scheduled_on: datetime.date) -> Drill:
    """Plan a yearly anti-accident drill at a customer."""
    drill = Drill(
        customer=customer, station_id=customer.station_id, scenario=scenario, scheduled_on=scheduled_on
    )
    drill.full_clean()
    drill.save()
    return drill


@transaction.atomic
def drill_record(
    *, drill: Drill, held_on: datetime.date, participants: str, findings: str, actor=None
) -> Drill:
    """Record that a drill was held: when, who took part and what it found."""
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("A drill cannot be recorded before it is held.")})
    if not participants.strip():
        raise ValidationError({"participants": _("List who took part.")})
    from gridcheck.hazards.choices import DrillStatus

    drill.held_on = held_on
    drill.participants = participants.strip()
    drill.findings = findings.strip()
    drill.status = DrillStatus.HELD
    drill._history_user = actor
    drill.full_clean()
    drill.save()
    return drill


@transaction.atomic
def drill_cancel(*, drill: Drill, actor=None, reason: str = "") -> Drill:
    """Cancel a planned drill (it stays on record, with the reason in its findings)."""
    from gridcheck.hazards.choices import DrillStatus

    if drill.status != DrillStatus.PLANNED:
        raise ValidationError(_("Only a planned drill can be cancelled."))
    drill.status = DrillStatus.CANCELLED
    if reason:
        drill.findings = reason
    drill._history_user = actor
    drill.full_clean()
    drill.save()
    return drill


def image_bytes_png(width: int = 8, height: int = 8, color=(200, 40, 40)) -> bytes:
    """A small PNG (used by the simulator and the tests)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()

"""The services of the electricians' service desk: everything that changes its state.

Each checks who may (a portal login for its own customer; staff with ``manage_servicedesk`` within their
scope; never the person a complaint is about), runs in one transaction, validates before saving and
records the state change (``ConsultationEvent`` / ``ComplaintEvent``; the rest is in the audited models'
history). Messages go through the notifications outbox with a ``dedup_key``, so a job run twice sends
nothing twice.
"""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import PurePath

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.core.events import record_transition
from gridcheck.core.roles import (
    APPROVE_STATION,
    MANAGE_CONTRACTS,
    MANAGE_SERVICEDESK,
    VIEW_SERVICEDESK,
    has_capability,
)
from gridcheck.core.rules import rule_int
from gridcheck.core.scoping import scope_queryset
from gridcheck.core.uploads import KINDS, clean_name, upload_accept
from gridcheck.hazards.selectors import portal_customer_for
from gridcheck.notifications.services import message_enqueue
from gridcheck.servicedesk.choices import (
    AnnouncementKind,
    AnnouncementReach,
    Audience,
    CampaignStatus,
    ComplaintChannel,
    ComplaintStatus,
    ConsultationStatus,
    LeadStatus,
    Topic,
    TypicalCaseStatus,
)
from gridcheck.servicedesk.models import (
    Announcement,
    Attendance,
    BusinessLead,
    CampaignEvent,
    CampaignPhoto,
    Complaint,
    ComplaintEvent,
    Consultation,
    ConsultationEvent,
    ConsultationPhoto,
    ForumAttachment,
    ForumPost,
    ForumThread,
    GuidanceDocument,
    GuidanceVersion,
    KnowledgeArticle,
    PublicityCampaign,
    QuizQuestion,
    QuizResult,
    ReadReceipt,
    TrainingInvitation,
    TrainingSession,
    TypicalCase,
    TypicalCaseEvent,
)
from gridcheck.users.selectors import people_who_may

MASK = "***"


# --- shared ----------------------------------------------------------------------------------------


def answer_hours(topic: str, on: datetime.date) -> int:
    """The answer time limit of a topic [h] in force on ``on`` (rule ``servicedesk.answer_hours.<topic>``)."""
    return rule_int(f"servicedesk.answer_hours.{topic}", on=on)


def _portal_customer(user):
    customer = portal_customer_for(user)
    if customer is None:
        raise PermissionDenied(_("Only a customer's electrician (a portal login) may do this."))
    return customer


def _staff_in_scope(user, obj, capability: str = MANAGE_SERVICEDESK) -> None:
    """Refuse a user without ``capability`` or an object outside their scope."""
    if not has_capability(user, capability):
        raise PermissionDenied(_("You may not handle the service desk."))
    if not scope_queryset(type(obj).objects.filter(pk=obj.pk), user).exists():
        raise PermissionDenied(_("This is outside your scope."))


def photo_accept(upload):
    """Check a photo through core's one upload path: JPEG or PNG by content, at most
    ``GRIDCHECK_SERVICEDESK_PHOTO_MAX_BYTES``, re-encoded, stored under a generated name."""
    return upload_accept(upload, kind="photo", max_bytes=settings.GRIDCHECK_SERVICEDESK_PHOTO_MAX_BYTES)


def _in_app(user, *, subject: str, body: str, dedup_key: str, related, email: bool = False) -> None:
    if user is None:
        return
    message_enqueue(
        channel="in_app",
        recipient=user,
        subject=subject,
        body=body,
        dedup_key=f"{dedup_key}:in_app",
        related=related,
    )
    if email and user.email:
        message_enqueue(
            channel="email",
            recipient=user.email,
            subject=subject,
            body=body,
            dedup_key=f"{dedup_key}:email",
            related=related,
        )


# --- consultations ---------------------------------------------------------------------------------


@transaction.atomic
def consultation_ask(
    *, user, topic: str, subject: str, question: str, photos=(), now: datetime.datetime | None = None
) -> Consultation:
    """An electrician asks a question for their own customer; the answer is due within the topic's limit."""
    customer = _portal_customer(user)
    if topic not in Topic.values:
        raise ValidationError({"topic": _("Choose a topic.")})
    photos = list(photos or [])
    if len(photos) > settings.GRIDCHECK_SERVICEDESK_MAX_PHOTOS:
        raise ValidationError(
            _("At most %(n)s photos per question.") % {"n": settings.GRIDCHECK_SERVICEDESK_MAX_PHOTOS}
        )
    accepted = [photo_accept(p) for p in photos]  # every photo checked before anything is written
    now = now or timezone.now()
    hours = answer_hours(topic, timezone.localdate(now))
    consultation = Consultation(
        station_id=customer.station_id,
        area_id=customer.area_id,
        customer=customer,
        asked_by=user,
        topic=topic,
        subject=subject.strip(),
        question=question.strip(),
        asked_at=now,
        due_at=now + datetime.timedelta(hours=hours),
    )
    consultation.full_clean()
    consultation.save()
    for item in accepted:
        photo = ConsultationPhoto(
            consultation=consultation,
            content_type=item.content_type,
            original_name=item.original_name,
            uploaded_by=user,
        )
        photo.image.save(item.file.name, item.file, save=False)
        photo.save()
    record_transition(
        ConsultationEvent,
        consultation,
        to_status=ConsultationStatus.ASKED,
        actor=user,
        note=_("Answer due within %(h)s h") % {"h": hours},
    )
    return consultation


@transaction.atomic
def consultation_answer(
    *, consultation: Consultation, user, answer: str, now: datetime.datetime | None = None
) -> Consultation:
    """Staff of the consultation's station answer it; the asker is told in the portal (in-app)."""
    _staff_in_scope(user, consultation)
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.status != ConsultationStatus.ASKED:
        raise ValidationError(_("This question has been answered already."))
    if not answer.strip():
        raise ValidationError({"answer": _("Write the answer.")})
    consultation.answer = answer.strip()
    consultation.answered_by = user
    consultation.answered_at = now or timezone.now()
    consultation.status = ConsultationStatus.ANSWERED
    consultation.full_clean()
    consultation.save()
    late = "" if consultation.answered_in_time else _("answered after the time limit")
    record_transition(
        ConsultationEvent,
        consultation,
        from_status=ConsultationStatus.ASKED,
        to_status=ConsultationStatus.ANSWERED,
        actor=user,
        note=late,
    )
    _in_app(
        consultation.asked_by,
        subject=_("Your question %(n)s is answered") % {"n": consultation.number},
        body=_("The station answered your question “%(s)s”. Please rate the answer in the portal.")
        % {"s": consultation.subject},
        dedup_key=f"servicedesk.answered:{consultation.pk}",
        related=consultation,
    )
    return consultation


@transaction.atomic
def consultation_rate(*, consultation: Consultation, user, rating: int, comment: str = "") -> Consultation:
    """The asker rates the answer (1–5); once."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.asked_by_id != getattr(user, "pk", None) or portal_customer_for(user) is None:
        raise PermissionDenied(_("Only the person who asked may rate the answer."))
    if consultation.status != ConsultationStatus.ANSWERED:
        raise ValidationError(_("Only an answered question that is not rated yet can be rated."))
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Choose a rating from 1 to 5.")})
    consultation.rating = rating
    consultation.rating_comment = (comment or "").strip()[:300]
    consultation.rated_at = timezone.now()
    consultation.status = ConsultationStatus.RATED
    consultation.full_clean()
    consultation.save()
    record_transition(
        ConsultationEvent,
        consultation,
        from_status=ConsultationStatus.ANSWERED,
        to_status=ConsultationStatus.RATED,
        actor=user,
        note=str(rating),
    )
    return consultation


def _station_heads(station_id: int) -> list:
    """Who hears of an overdue question: the station's own heads (who approve at station level), else the
    county-level ones."""
    people = people_who_may(APPROVE_STATION, station_id=station_id)
    own = [p for p in people if p.station_id == station_id]
    return own or people


def consultations_escalate(*, now: datetime.datetime | None = None) -> int:
    """The daily job: tell the station head of every question past its time limit, once each (through the
    outbox: in-app and e-mail); returns how many were escalated."""
    now = now or timezone.now()
    overdue = Consultation.objects.filter(
        status=ConsultationStatus.ASKED, due_at__lt=now, escalated_at__isnull=True
    ).select_related("customer")
    n = 0
    for consultation in overdue.iterator():
        with transaction.atomic():
            claimed = Consultation.objects.filter(pk=consultation.pk, escalated_at__isnull=True).update(
                escalated_at=now
            )
            if not claimed:
                continue
            for head in _station_heads(consultation.station_id):
                _in_app(
                    head,
                    subject=_("Overdue question %(n)s") % {"n": consultation.number},
                    body=_("The question “%(s)s” of %(c)s was due by %(due)s and is not answered yet.")
                    % {
                        "s": consultation.subject,
                        "c": consultation.customer.name,
                        "due": timezone.localtime(consultation.due_at).strftime("%Y-%m-%d %H:%M"),
                    },
                    dedup_key=f"servicedesk.escalate:{consultation.pk}:{head.pk}",
                    related=consultation,
                    email=True,
                )
            record_transition(
                ConsultationEvent,
                consultation,
                from_status=ConsultationStatus.ASKED,
                to_status=ConsultationStatus.ASKED,
                note=_("Escalated to the station head: past the answer time limit"),
            )
            n += 1
    return n


# --- the knowledge base ----------------------------------------------------------------------------

PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)|(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
LONG_NUMBER = re.compile(r"(?<!\d)\d{8,}(?!\d)")


def sensitive_terms(consultation: Consultation) -> list[str]:
    """What must not appear in a published article: the customer's name, account number and phone, its
    contacts' names and phones, the asker's name."""
    customer = consultation.customer
    terms = [customer.name, customer.account_number, customer.phone]
    for contact in customer.safety_contacts.all():
        terms += [contact.name, contact.phone, contact.email]
    if consultation.asked_by is not None:
        terms += [consultation.asked_by.get_full_name(), getattr(consultation.asked_by, "full_name", "")]
        terms.append(consultation.asked_by.username)
    return sorted({t.strip() for t in terms if t and len(t.strip()) >= 2}, key=len, reverse=True)


def anonymise(text: str, terms: list[str]) -> str:
    """``text`` without ``terms`` nor anything that reads as a phone or account number."""
    for term in terms:
        text = text.replace(term, MASK)
    text = PHONE.sub(MASK, text)
    return LONG_NUMBER.sub(MASK, text)


@transaction.atomic
def knowledge_article_publish(
    *, consultation: Consultation, user, title: str = "", question: str = "", answer: str = ""
) -> KnowledgeArticle:
    """Publish an answered question to the station's knowledge base, anonymised (the texts default to the
    consultation's own); once per consultation."""
    _staff_in_scope(user, consultation)
    consultation = (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("customer", "asked_by")
        .get(pk=consultation.pk)
    )
    if consultation.status == ConsultationStatus.ASKED:
        raise ValidationError(_("Only an answered question can be published."))
    if KnowledgeArticle.objects.filter(source=consultation).exists():
        raise ValidationError(_("This answer is published already."))
    terms = sensitive_terms(consultation)
    article = KnowledgeArticle(
        station_id=consultation.station_id,
        topic=consultation.topic,
        title=anonymise((title or consultation.subject).strip(), terms)[:100],
        question=anonymise((question or consultation.question).strip(), terms),
        answer=anonymise((answer or consultation.answer).strip(), terms),
        source=consultation,
        published_by=user,
        published_at=timezone.now(),
    )
    article.full_clean()
    article.save()
    return article


# --- service complaints ----------------------------------------------------------------------------


def complaint_due(received_at: datetime.datetime) -> datetime.datetime:
    hours = rule_int("servicedesk.complaint_answer_hours", on=timezone.localdate(received_at))
    return received_at + datetime.timedelta(hours=hours)


def _complaint_received(complaint: Complaint, actor) -> Complaint:
    complaint.full_clean()
    complaint.save()
    record_transition(ComplaintEvent, complaint, to_status=ComplaintStatus.RECEIVED, actor=actor)
    exclude = [complaint.about_staff] if complaint.about_staff_id else []
    for person in people_who_may(MANAGE_SERVICEDESK, station_id=complaint.station_id, exclude=exclude):
        if person.station_id == complaint.station_id:
            _in_app(
                person,
                subject=_("New service complaint %(n)s") % {"n": complaint.number},
                body=_("A service complaint waits for an answer by %(due)s.")
                % {"due": timezone.localtime(complaint.due_at).strftime("%Y-%m-%d %H:%M")},
                dedup_key=f"servicedesk.complaint:{complaint.pk}:{person.pk}",
                related=complaint,
            )
    return complaint


@transaction.atomic
def complaint_submit(*, user, subject: str, text: str, now: datetime.datetime | None = None) -> Complaint:
    """An electrician complains about a service from the portal."""
    customer = _portal_customer(user)
    now = now or timezone.now()
    complaint = Complaint(
        station_id=customer.station_id,
        area_id=customer.area_id,
        customer=customer,
        channel=ComplaintChannel.PORTAL,
        author=user,
        subject=subject,
        text=text.strip(),
        received_at=now,
        due_at=complaint_due(now),
    )
    return _complaint_received(complaint, user)


@transaction.atomic
def complaint_enter(
    *,
    user,
    channel: str,
    subject: str,
    text: str,
    author_name: str = "",
    author_phone: str = "",
    customer=None,
    about_staff=None,
    now: datetime.datetime | None = None,
) -> Complaint:
    """Staff enter a complaint taken by the hotline, WeChat or Weibo, for their station (or the customer's).

    The person complained about may not enter it."""
    if not has_capability(user, MANAGE_SERVICEDESK):
        raise PermissionDenied(_("You may not handle the service desk."))
    if channel == ComplaintChannel.PORTAL or channel not in ComplaintChannel.values:
        raise ValidationError({"channel": _("Choose the hotline, WeChat or Weibo.")})
    if about_staff is not None and about_staff.pk == user.pk:
        raise PermissionDenied(_("A complaint about you is entered and handled by someone else."))
    if customer is not None:
        from gridcheck.archive.models import Customer

        if not scope_queryset(Customer.objects.filter(pk=customer.pk), user).exists():
            raise PermissionDenied(_("This is outside your scope."))
        station_id, area_id = customer.station_id, customer.area_id
    else:
        station_id, area_id = user.station_id, None
    if station_id is None:
        raise ValidationError({"customer": _("Choose the customer: the complaint belongs to its station.")})
    now = now or timezone.now()
    complaint = Complaint(
        station_id=station_id,
        area_id=area_id,
        customer=customer,
        channel=channel,
        author_name=author_name.strip(),
        author_phone=author_phone.strip(),
        entered_by=user,
        subject=subject,
        about_staff=about_staff,
        text=text.strip(),
        received_at=now,
        due_at=complaint_due(now),
    )
    return _complaint_received(complaint, user)


def _complaint_handler_check(complaint: Complaint, user) -> None:
    if complaint.about_staff_id is not None and complaint.about_staff_id == user.pk:
        raise PermissionDenied(_("A complaint about you is handled by someone else."))
    _staff_in_scope(user, complaint)


@transaction.atomic
def complaint_answer(
    *, complaint: Complaint, user, answer: str, now: datetime.datetime | None = None
) -> Complaint:
    """Answer a complaint (never by the person complained about); the portal author is told in-app."""
    _complaint_handler_check(complaint, user)
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.status != ComplaintStatus.RECEIVED:
        raise ValidationError(_("This complaint has been answered already."))
    if not answer.strip():
        raise ValidationError({"answer": _("Write the answer.")})
    complaint.handler = user
    complaint.answer = answer.strip()
    complaint.answered_at = now or timezone.now()
    complaint.status = ComplaintStatus.ANSWERED
    complaint.full_clean()
    complaint.save()
    record_transition(
        ComplaintEvent,
        complaint,
        from_status=ComplaintStatus.RECEIVED,
        to_status=ComplaintStatus.ANSWERED,
        actor=user,
    )
    _in_app(
        complaint.author,
        subject=_("Your complaint %(n)s is answered") % {"n": complaint.number},
        body=complaint.answer,
        dedup_key=f"servicedesk.complaint_answered:{complaint.pk}",
        related=complaint,
    )
    return complaint


@transaction.atomic
def complaint_close(*, complaint: Complaint, user, note: str = "") -> Complaint:
    """Close an answered complaint (never by the person complained about)."""
    _complaint_handler_check(complaint, user)
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.status != ComplaintStatus.ANSWERED:
        raise ValidationError(_("Only an answered complaint can be closed."))
    complaint.status = ComplaintStatus.CLOSED
    complaint.closed_at = timezone.now()
    complaint.closing_note = (note or "").strip()
    complaint.full_clean()
    complaint.save()
    record_transition(
        ComplaintEvent,
        complaint,
        from_status=ComplaintStatus.ANSWERED,
        to_status=ComplaintStatus.CLOSED,
        actor=user,
        note=complaint.closing_note,
    )
    return complaint


# --- business feedback as leads --------------------------------------------------------------------


@transaction.atomic
def business_feedback_submit(*, user, kind: str, text: str) -> BusinessLead:
    """An electrician tells the station of their customer's plans; the marketing staff (the business desk,
    who manage contracts) of the station get it as a lead."""
    customer = _portal_customer(user)
    lead = BusinessLead(
        station_id=customer.station_id,
        area_id=customer.area_id,
        customer=customer,
        kind=kind,
        text=text.strip(),
        reported_by=user,
        reported_at=timezone.now(),
    )
    lead.full_clean()
    lead.save()
    for person in people_who_may(MANAGE_CONTRACTS, station_id=customer.station_id):
        if person.station_id == customer.station_id:
            _in_app(
                person,
                subject=_("Business lead: %(c)s") % {"c": customer.name},
                body=f"{lead.get_kind_display()}: {lead.text}",
                dedup_key=f"servicedesk.lead:{lead.pk}:{person.pk}",
                related=lead,
            )
    return lead


@transaction.atomic
def business_lead_follow_up(*, lead: BusinessLead, user, status: str, note: str = "") -> BusinessLead:
    """The marketing staff record what they did with a lead."""
    _staff_in_scope(user, lead, MANAGE_CONTRACTS)
    if status not in LeadStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    lead.status = status
    lead.note = (note or "").strip()
    lead.followed_by = user
    lead.full_clean()
    lead.save()
    return lead


# --- the guidance library --------------------------------------------------------------------------


def attachment_accept(upload):
    """Check a guidance attachment: a PDF by its content (core's upload path)."""
    return upload_accept(upload, kind="pdf", max_bytes=settings.GRIDCHECK_SERVICEDESK_ATTACHMENT_MAX_BYTES)


def _version_create(*, document, user, body: str, attachment=None, number: int) -> GuidanceVersion:
    if not (body or "").strip():
        raise ValidationError({"body": _("Write the text of the document.")})
    accepted = attachment_accept(attachment) if attachment else None
    version = GuidanceVersion(
        document=document, number=number, body=body.strip(), published_by=user, published_at=timezone.now()
    )
    if accepted is not None:
        version.attachment.save(accepted.file.name, accepted.file, save=False)
        version.attachment_name = accepted.original_name
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def guidance_document_create(
    *,
    user,
    title: str,
    audience: str,
    body: str,
    must_acknowledge: bool = False,
    attachment=None,
    station=None,
) -> GuidanceDocument:
    """A new document of the user's station (a county user names the station), with its first version."""
    if not has_capability(user, MANAGE_SERVICEDESK):
        raise PermissionDenied(_("You may not handle the service desk."))
    station_id = user.station_id or getattr(station, "pk", station)
    if station_id is None:
        raise ValidationError({"station": _("Choose the station.")})
    if user.station_id and station is not None and getattr(station, "pk", station) != user.station_id:
        raise PermissionDenied(_("This is outside your scope."))
    if audience == Audience.STAFF and must_acknowledge:
        raise ValidationError(_("Only a document for customers is acknowledged by them."))
    document = GuidanceDocument(
        station_id=station_id,
        title=title.strip(),
        audience=audience,
        must_acknowledge=must_acknowledge,
        created_by=user,
    )
    document.full_clean()
    document.save()
    _version_create(document=document, user=user, body=body, attachment=attachment, number=1)
    return document


@transaction.atomic
def guidance_version_publish(
    *, document: GuidanceDocument, user, body: str, attachment=None
) -> GuidanceVersion:
    """A new version of a document (its readers acknowledge it again when it must be acknowledged)."""
    _staff_in_scope(user, document)
    document = GuidanceDocument.objects.select_for_update().get(pk=document.pk)
    last = document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return _version_create(document=document, user=user, body=body, attachment=attachment, number=last + 1)


def document_visible_to_customer(document: GuidanceDocument, customer) -> bool:
    """Whether a customer's electrician may read ``document``: its customer's station, an audience it is in."""
    if document.station_id != customer.station_id:
        return False
    return (
        document.audience == Audience.CUSTOMERS
        or (document.audience == Audience.HIGH_RISK and customer.is_high_risk)
        or (document.audience == Audience.IMPORTANT and customer.is_important)
    )


@transaction.atomic
def guidance_acknowledge(*, version: GuidanceVersion, user) -> ReadReceipt:
    """A customer's electrician acknowledges having read a version of a document meant for them; once."""
    customer = _portal_customer(user)
    document = version.document
    if not document_visible_to_customer(document, customer):
        raise PermissionDenied(_("This document is not meant for you."))
    if not document.must_acknowledge:
        raise ValidationError(_("This document needs no acknowledgement."))
    receipt, _created = ReadReceipt.objects.get_or_create(
        version=version, user=user, defaults={"customer": customer, "acknowledged_at": timezone.now()}
    )
    return receipt


# --- announcements ---------------------------------------------------------------------------------


def announcement_contacts(announcement: Announcement):
    """The customers' contacts an announcement reaches (its station's customers, or the county's)."""
    from gridcheck.hazards.models import CustomerContact

    contacts = CustomerContact.objects.select_related("customer")
    if announcement.station_id is not None:
        contacts = contacts.filter(customer__station_id=announcement.station_id)
    if announcement.reach == AnnouncementReach.HIGH_RISK:
        contacts = contacts.filter(customer__is_high_risk=True)
    elif announcement.reach == AnnouncementReach.IMPORTANT:
        contacts = contacts.filter(customer__is_important=True)
    return contacts


@transaction.atomic
def announcement_publish(
    *,
    user,
    kind: str,
    reach: str,
    title: str,
    body: str,
    by_email: bool = True,
    by_sms: bool = False,
) -> Announcement:
    """Publish an announcement to the user's station's customers (a county-level user: the county's), on
    the portal and, through the outbox, by e-mail and SMS to their contacts (once each)."""
    if not has_capability(user, MANAGE_SERVICEDESK):
        raise PermissionDenied(_("You may not handle the service desk."))
    announcement = Announcement(
        station_id=user.station_id,
        kind=kind,
        reach=reach,
        title=title.strip(),
        body=body.strip(),
        by_email=by_email,
        by_sms=by_sms,
        published_by=user,
        published_at=timezone.now(),
    )
    announcement.full_clean()
    announcement.save()
    n = 0
    for contact in announcement_contacts(announcement).iterator():
        station = contact.customer.station_id
        if by_email and contact.email:
            message_enqueue(
                channel="email",
                recipient=contact.email,
                subject=announcement.title,
                body=announcement.body,
                dedup_key=f"servicedesk.announcement:{announcement.pk}:{contact.pk}:email",
                related=announcement,
                station=station,
                created_by=user,
            )
            n += 1
        if by_sms and contact.phone:
            try:
                message_enqueue(
                    channel="sms",
                    recipient=contact.phone,
                    subject=announcement.title,
                    body=f"【{announcement.title}】{announcement.body}"[:300],
                    dedup_key=f"servicedesk.announcement:{announcement.pk}:{contact.pk}:sms",
                    related=announcement,
                    station=station,
                    created_by=user,
                )
                n += 1
            except ValidationError:
                continue  # not a mobile number: the portal shows it all the same
    announcement.messages_queued = n
    announcement.save(update_fields=["messages_queued"])
    return announcement


# --- trainings and drills --------------------------------------------------------------------------

QR_SALT = "servicedesk.attendance"


def parse_questions(text: str) -> list[tuple[str, list[str], int]]:
    """Quiz questions typed one per line: ``question | option | option … | number of the right option``."""
    questions = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 4 or not parts[-1].isdigit():
            raise ValidationError(
                {
                    "questions": _(
                        "Line %(n)s: write question | option | option … | number of the right option."
                    )
                    % {"n": n}
                }
            )
        options = [p for p in parts[1:-1] if p]
        right = int(parts[-1])
        if len(options) < 2 or not 1 <= right <= len(options):
            raise ValidationError(
                {"questions": _("Line %(n)s: the right option is not one of the options.") % {"n": n}}
            )
        questions.append((parts[0][:300], options, right - 1))
    return questions


@transaction.atomic
def training_create(
    *,
    user,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    place: str,
    customers,
    description: str = "",
    material=None,
    questions: str = "",
) -> TrainingSession:
    """A session of the user's station, its invitations (customers of the station) and its quiz; the
    invited customers' electricians are told in the portal."""
    if not has_capability(user, MANAGE_SERVICEDESK):
        raise PermissionDenied(_("You may not handle the service desk."))
    if user.station_id is None:
        raise ValidationError(_("A training is held by a station: log in as its staff."))
    parsed = parse_questions(questions)
    accepted = attachment_accept(material) if material else None
    session = TrainingSession(
        station_id=user.station_id,
        kind=kind,
        title=title.strip(),
        starts_at=starts_at,
        place=place.strip(),
        description=(description or "").strip(),
        created_by=user,
    )
    if accepted is not None:
        session.material.save(accepted.file.name, accepted.file, save=False)
        session.material_name = accepted.original_name
    session.full_clean()
    session.save()
    now = timezone.now()
    invited = [c for c in customers if c.station_id == user.station_id]
    if not invited:
        raise ValidationError(_("Invite at least one customer of your station."))
    for customer in invited:
        TrainingInvitation.objects.create(session=session, customer=customer, invited_at=now)
    for order, (text, options, right) in enumerate(parsed):
        QuizQuestion.objects.create(session=session, order=order, text=text, options=options, correct=right)
    from gridcheck.hazards.models import CustomerContact

    for contact in CustomerContact.objects.filter(customer__in=invited, portal_user__isnull=False):
        _in_app(
            contact.portal_user,
            subject=_("Invitation: %(t)s") % {"t": session.title},
            body=_("%(when)s at %(place)s.")
            % {
                "when": timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M"),
                "place": session.place,
            },
            dedup_key=f"servicedesk.training:{session.pk}:{contact.portal_user_id}",
            related=session,
        )
    return session


def training_token(session: TrainingSession) -> str:
    """The signed token the session's QR code carries (its link); valid ``servicedesk.attendance_qr_hours``."""
    return signing.dumps({"s": session.pk}, salt=QR_SALT)


def _invited_customer(session: TrainingSession, user):
    customer = _portal_customer(user)
    if not TrainingInvitation.objects.filter(session=session, customer=customer).exists():
        raise PermissionDenied(_("Your customer is not invited to this session."))
    return customer


@transaction.atomic
def attendance_sign(*, session: TrainingSession, user, token: str) -> Attendance:
    """An invited electrician signs in with the session's QR code (a fresh signed link); once."""
    customer = _invited_customer(session, user)
    hours = rule_int("servicedesk.attendance_qr_hours", on=timezone.localdate())
    try:
        data = signing.loads(token or "", salt=QR_SALT, max_age=hours * 3600)
    except signing.SignatureExpired:
        raise ValidationError(_("The QR code has expired: ask the staff to show it again.")) from None
    except signing.BadSignature:
        raise ValidationError(_("This is not the QR code of the session.")) from None
    if data.get("s") != session.pk:
        raise ValidationError(_("This is not the QR code of the session."))
    attendance, _created = Attendance.objects.get_or_create(
        session=session, user=user, defaults={"customer": customer, "signed_at": timezone.now()}
    )
    return attendance


@transaction.atomic
def quiz_submit(*, session: TrainingSession, user, answers: dict) -> QuizResult:
    """An invited electrician answers the quiz once; the score is the number of right answers."""
    customer = _invited_customer(session, user)
    questions = list(session.questions.all())
    if not questions:
        raise ValidationError(_("This session has no quiz."))
    if QuizResult.objects.filter(session=session, user=user).exists():
        raise ValidationError(_("You have answered the quiz already."))
    score = 0
    for q in questions:
        try:
            chosen = int(answers.get(str(q.pk), answers.get(q.pk, -1)))
        except (TypeError, ValueError):
            chosen = -1
        score += int(chosen == q.correct)
    return QuizResult.objects.create(
        session=session,
        user=user,
        customer=customer,
        score=score,
        total=len(questions),
        answered_at=timezone.now(),
    )


# --- the technical forum ---------------------------------------------------------------------------


def _forum_station(user, thread: ForumThread | None = None) -> int:
    """The station a user posts at: a portal login its customer's, staff their own (within scope)."""
    customer = portal_customer_for(user)
    if customer is not None:
        if thread is not None and thread.station_id != customer.station_id:
            raise PermissionDenied(_("This is outside your scope."))
        return customer.station_id
    if not has_capability(user, VIEW_SERVICEDESK):
        raise PermissionDenied(_("You may not post in the forum."))
    if thread is not None:
        if not scope_queryset(ForumThread.objects.filter(pk=thread.pk), user).exists():
            raise PermissionDenied(_("This is outside your scope."))
        return thread.station_id
    if user.station_id is None:
        raise ValidationError(_("A thread belongs to a station: log in as its staff."))
    return user.station_id


def _rate_limit(user, now: datetime.datetime) -> None:
    """At most ``servicedesk.forum_posts_per_hour`` posts an hour per portal login (staff are not limited)."""
    if portal_customer_for(user) is None:
        return
    limit = rule_int("servicedesk.forum_posts_per_hour", on=timezone.localdate(now))
    recent = ForumPost.objects.filter(author=user, posted_at__gte=now - datetime.timedelta(hours=1)).count()
    if recent >= limit:
        raise ValidationError(_("You have posted %(n)s times in the last hour: please wait.") % {"n": recent})


def forum_attachment_accept(upload):
    """Check a forum attachment through core's upload path: a photo (JPEG or PNG, re-encoded) or a PDF,
    by its content; anything else is refused with a message naming the file and what is allowed."""
    name = clean_name(getattr(upload, "name", "") or "file")
    extension = PurePath(name).suffix.lower()
    if extension in KINDS["photo"]:
        return photo_accept(upload)
    if extension in KINDS["pdf"]:
        return attachment_accept(upload)
    raise ValidationError(
        {
            "attachments": _("The file %(name)s cannot be attached: attach a photo (JPEG, PNG) or a PDF.")
            % {"name": name}
        },
        code="upload_refused",
    )


def _attachments_accept(attachments) -> list:
    attachments = [a for a in (attachments or []) if a]
    if len(attachments) > settings.GRIDCHECK_SERVICEDESK_MAX_PHOTOS:
        raise ValidationError(
            {
                "attachments": _("At most %(n)s files per post.")
                % {"n": settings.GRIDCHECK_SERVICEDESK_MAX_PHOTOS}
            }
        )
    return [forum_attachment_accept(a) for a in attachments]  # every file checked before anything is written


def _attachments_save(post: ForumPost, accepted, user) -> None:
    for item in accepted:
        attachment = ForumAttachment(
            post=post,
            content_type=item.content_type,
            original_name=item.original_name,
            size_bytes=item.size_bytes,
            uploaded_by=user,
        )
        attachment.file.save(item.file.name, item.file, save=False)
        attachment.save()


@transaction.atomic
def forum_thread_start(*, user, topic: str, title: str, text: str, attachments=()) -> ForumThread:
    """Start a thread (with its first post and its attachments) at the user's station."""
    now = timezone.now()
    station_id = _forum_station(user)
    _rate_limit(user, now)
    accepted = _attachments_accept(attachments)
    thread = ForumThread(station_id=station_id, topic=topic, title=title.strip(), author=user)
    thread.full_clean()
    thread.save()
    post = ForumPost(thread=thread, author=user, text=text.strip(), posted_at=now)
    post.full_clean()
    post.save()
    _attachments_save(post, accepted, user)
    return thread


@transaction.atomic
def forum_reply(*, thread: ForumThread, user, text: str, official: bool = False, attachments=()) -> ForumPost:
    """Reply in a thread (not locked nor hidden), with attachments; a staff member who handles the desk may
    mark it official."""
    now = timezone.now()
    _forum_station(user, thread)
    thread = ForumThread.objects.select_for_update().get(pk=thread.pk)
    if thread.locked or thread.hidden:
        raise ValidationError(_("This thread is closed to replies."))
    if official and (portal_customer_for(user) is not None or not has_capability(user, MANAGE_SERVICEDESK)):
        raise PermissionDenied(_("Only staff who handle the desk give official answers."))
    _rate_limit(user, now)
    accepted = _attachments_accept(attachments)
    post = ForumPost(thread=thread, author=user, text=text.strip(), posted_at=now, official=official)
    post.full_clean()
    post.save()
    _attachments_save(post, accepted, user)
    return post


@transaction.atomic
def forum_moderate(*, user, thread: ForumThread | None = None, post: ForumPost | None = None, action: str):
    """Hide or show a thread or a post, lock or unlock a thread (staff who handle the desk; recorded in the
    audited history)."""
    target = thread or post
    _staff_in_scope(user, target)
    changes = {
        "hide": ("hidden", True),
        "show": ("hidden", False),
        "lock": ("locked", True),
        "unlock": ("locked", False),
    }
    if action not in changes or (post is not None and action in ("lock", "unlock")):
        raise ValidationError(_("Unknown moderation."))
    field, value = changes[action]
    setattr(target, field, value)
    target.save(update_fields=[field, "updated_at"])
    return target


# --- anti-theft publicity campaigns ----------------------------------------------------------------


def parse_materials(text: str) -> list[dict]:
    """Materials typed one per line: ``name | quantity`` (a whole number), e.g. ``宣传单 | 500``."""
    materials = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        quantity = parts[1] if len(parts) == 2 else ""
        if not parts[0] or not quantity.isdigit():
            raise ValidationError(
                {"materials": _("Line %(n)s: write material | quantity (a whole number).") % {"n": n}}
            )
        materials.append({"name": parts[0][:100], "quantity": int(quantity)})
    return materials


def materials_lines(materials) -> str:
    """The materials as the form shows them, one ``name | quantity`` a line."""
    return "\n".join(f"{m['name']} | {m['quantity']}" for m in materials or [])


def _campaign_manager(user) -> None:
    if not has_capability(user, MANAGE_SERVICEDESK):
        raise PermissionDenied(_("You may not handle the service desk."))


def _campaign_fields(campaign: PublicityCampaign, user, fields: dict) -> list[str]:
    """Set the campaign's fields from ``fields`` (materials typed as lines); the names that changed."""
    changed = []
    if "materials" in fields:
        fields = {**fields, "materials": parse_materials(fields["materials"])}
    organiser = fields.get("organiser")
    if organiser is not None and organiser.station_id != campaign.station_id:
        raise ValidationError(
            {"organiser": _("The organiser is a member of the campaign's station's staff.")}
        )
    for name, value in fields.items():
        if isinstance(value, str) and name != "materials":
            value = value.strip()
        if value is None and name in ("people_reached", "leaflets_handed_out", "customers_visited"):
            value = 0
        if getattr(campaign, name) != value:
            setattr(campaign, name, value)
            changed.append(name)
    return changed


def _campaign_photos(campaign: PublicityCampaign, photos, user) -> int:
    photos = [p for p in (photos or []) if p]
    if campaign.photos.count() + len(photos) > settings.GRIDCHECK_SERVICEDESK_MAX_PHOTOS * 2:
        raise ValidationError(
            {
                "photos": _("At most %(n)s photos per campaign.")
                % {"n": settings.GRIDCHECK_SERVICEDESK_MAX_PHOTOS * 2}
            }
        )
    accepted = [photo_accept(p) for p in photos]
    for item in accepted:
        photo = CampaignPhoto(
            campaign=campaign,
            content_type=item.content_type,
            original_name=item.original_name,
            uploaded_by=user,
        )
        photo.image.save(item.file.name, item.file, save=False)
        photo.save()
    return len(accepted)


CAMPAIGN_FIELDS = (
    "kind",
    "place",
    "held_at",
    "materials",
    "people_reached",
    "leaflets_handed_out",
    "customers_visited",
    "organiser",
    "notes",
)


@transaction.atomic
def campaign_create(*, user, photos=(), **fields) -> PublicityCampaign:
    """Record a campaign of the user's station (planned), with its photos; the organiser defaults to the
    user."""
    _campaign_manager(user)
    if user.station_id is None:
        raise ValidationError(_("A campaign is held by a station: log in as its staff."))
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    campaign = PublicityCampaign(station_id=user.station_id, created_by=user, organiser=user)
    fields = {k: v for k, v in fields.items() if not (k == "organiser" and v is None)}
    _campaign_fields(campaign, user, fields)
    campaign.full_clean()
    campaign.save()
    _campaign_photos(campaign, photos, user)
    record_transition(CampaignEvent, campaign, to_status=CampaignStatus.PLANNED, actor=user)
    return campaign


@transaction.atomic
def campaign_update(*, campaign: PublicityCampaign, user, photos=(), **fields) -> PublicityCampaign:
    """Change a campaign of the user's scope (not a cancelled one) and add photos; the change is noted in
    its log and its history."""
    _staff_in_scope(user, campaign)
    campaign = PublicityCampaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.CANCELLED:
        raise ValidationError(_("A cancelled campaign is not changed."))
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    changed = _campaign_fields(campaign, user, fields)
    campaign.full_clean()
    campaign.save()
    added = _campaign_photos(campaign, photos, user)
    if changed or added:
        labels = [str(PublicityCampaign._meta.get_field(name).verbose_name) for name in changed]
        if added:
            labels.append(_("%(n)s photos added") % {"n": added})
        record_transition(
            CampaignEvent,
            campaign,
            from_status=campaign.status,
            to_status=campaign.status,
            actor=user,
            note=_("Changed: %(f)s") % {"f": "、".join(labels)},
        )
    return campaign


@transaction.atomic
def campaign_hold(
    *, campaign: PublicityCampaign, user, now: datetime.datetime | None = None
) -> PublicityCampaign:
    """A planned campaign took place: it is recorded as held (not before its date and time)."""
    _staff_in_scope(user, campaign)
    campaign = PublicityCampaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.PLANNED:
        raise ValidationError(_("Only a planned campaign can be recorded as held."))
    if campaign.held_at > (now or timezone.now()):
        raise ValidationError(_("The campaign's date and time is still to come."))
    campaign.status = CampaignStatus.HELD
    campaign.save(update_fields=["status", "updated_at"])
    record_transition(
        CampaignEvent,
        campaign,
        from_status=CampaignStatus.PLANNED,
        to_status=CampaignStatus.HELD,
        actor=user,
        note=_("%(p)s people reached, %(l)s leaflets, %(c)s customers visited")
        % {"p": campaign.people_reached, "l": campaign.leaflets_handed_out, "c": campaign.customers_visited},
    )
    return campaign


@transaction.atomic
def campaign_cancel(*, campaign: PublicityCampaign, user, reason: str) -> PublicityCampaign:
    """A planned campaign is called off, with the reason."""
    _staff_in_scope(user, campaign)
    campaign = PublicityCampaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.PLANNED:
        raise ValidationError(_("Only a planned campaign can be cancelled."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the campaign is cancelled.")})
    campaign.status = CampaignStatus.CANCELLED
    campaign.save(update_fields=["status", "updated_at"])
    record_transition(
        CampaignEvent,
        campaign,
        from_status=CampaignStatus.PLANNED,
        to_status=CampaignStatus.CANCELLED,
        actor=user,
        note=reason.strip(),
    )
    return campaign


# --- typical closed cases (典型案例), personal data removed ------------------------------------------

#: What a customer's name becomes in a published case.
SOME_CUSTOMER = "某客户"
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])|(?<!\d)\d{15}(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
YUAN = Decimal("1")
#: The amounts a typical case keeps (rounded to yuan): calculation item -> field.
CASE_AMOUNTS = {"back_bill_yuan": "back_bill_yuan", "penalty_yuan": "penalty_yuan"}


def _person_names(user) -> list[str]:
    if user is None:
        return []
    return [user.get_full_name(), getattr(user, "full_name", ""), user.username]


def case_sensitive_terms(case) -> tuple[list[str], list[str]]:
    """What must not appear in a published case: ``(customer names, other terms)``. The customer's name;
    its account number, address and phone; its contacts' names, phones and e-mails; its meters' and
    metering points' numbers; the case's number and documents' numbers; the names of the staff and of the
    signer."""
    customer = case.customer
    names = [customer.name]
    terms = [customer.account_number, customer.address, customer.phone, case.number]
    for contact in customer.safety_contacts.all():
        terms += [contact.name, contact.phone, contact.email]
    for point in customer.metering_points.all():
        terms.append(point.code)
        terms += [m.asset_number for m in point.meters.all()]
    if case.meter_id:
        terms.append(case.meter.asset_number)
    terms += [case.signer_name, case.police_reference, case.settlement_reference, case.visit_ref]
    people = [case.created_by, case.write_off_requested_by, case.write_off_approved_by]
    people += [a.approver for a in case.approvals.select_related("approver")]
    people += [p.recorded_by for p in case.payments.select_related("recorded_by")]
    people += [e.actor for e in case.events.select_related("actor")]
    terms += [p.receipt_number for p in case.payments.all()]
    for person in {p.pk: p for p in people if p is not None}.values():
        terms += _person_names(person)

    def clean(values):
        return sorted({t.strip() for t in values if t and len(t.strip()) >= 2}, key=len, reverse=True)

    return clean(names), clean(terms)


def anonymise_case(text: str, names: list[str], terms: list[str]) -> str:
    """``text`` with the customer's name as 某客户 and nothing else personal: the ``terms`` masked, and
    anything that reads as an ID number, an e-mail, a phone or an account number."""
    for name in names:
        text = text.replace(name, SOME_CUSTOMER)
    text = EMAIL.sub(MASK, text)
    text = ID_NUMBER.sub(MASK, text)
    return anonymise(text, terms)


def _yuan(value) -> Decimal | None:
    if value in (None, ""):
        return None
    return Decimal(str(value)).quantize(YUAN, rounding=ROUND_HALF_UP)


def _county(case) -> str:
    name = case.station.company.name
    return name.removesuffix("供电公司").removesuffix("供电分公司") or name


def _case_outcome(case) -> str:
    from gridcheck.cases.choices import LegalStep

    parts = []
    if case.settled_amount_yuan is not None:
        parts.append(
            _("settled at %(a)s yuan (%(k)s)")
            % {"a": _yuan(case.settled_amount_yuan), "k": case.get_settlement_kind_display()}
        )
    if case.write_off_approved_at and case.write_off_yuan:
        parts.append(
            _("%(a)s yuan written off with the county's approval") % {"a": _yuan(case.write_off_yuan)}
        )
    else:
        parts.append(_("the amounts were paid in full"))
    if case.legal_step == LegalStep.POLICE_TRANSFER:
        parts.append(_("the case was transferred to the police"))
    elif case.legal_step == LegalStep.NOT_DUE:
        parts.append(_("no criminal responsibility was due"))
    return "；".join(str(p) for p in parts)


def _case_draft(case) -> dict:
    """The fields of a typical case drafted from a closed case, before anonymisation."""
    calculation = case.calculation or {}
    items = {item.get("key"): item for item in calculation.get("items", [])}
    amounts = {
        field: _yuan(items[key]["value"]) if key in items else None for key, field in CASE_AMOUNTS.items()
    }
    total = _yuan(case.amount_due_yuan)
    articles = []
    for item in [*calculation.get("items", []), *calculation.get("flags", [])]:
        article = (item.get("article") or "").strip()
        if article and article not in articles:
            articles.append(article)
    month = f"{case.case_date:%Y-%m}"
    county = _county(case)
    method = str(case.type_display or case.get_kind_display())
    when = _("%(y)s-%(m)s") % {"y": case.case_date.year, "m": case.case_date.month}
    outcome = _case_outcome(case)
    lines = [
        _("In %(when)s, an inspection in %(county)s found a customer's %(kind)s: %(method)s.")
        % {"when": when, "county": county, "kind": case.get_kind_display(), "method": method}
    ]
    if case.facts.strip():
        lines.append(_("Facts found: %(facts)s") % {"facts": case.facts.strip()})
    if amounts["back_bill_yuan"] is not None or amounts["penalty_yuan"] is not None:
        lines.append(
            _("Back-billed %(b)s yuan and a penalty of %(p)s yuan were charged, %(t)s yuan in all.")
            % {
                "b": amounts["back_bill_yuan"] if amounts["back_bill_yuan"] is not None else "—",
                "p": amounts["penalty_yuan"] if amounts["penalty_yuan"] is not None else "—",
                "t": total if total is not None else "—",
            }
        )
    if articles:
        lines.append(_("Legal basis: %(basis)s") % {"basis": "；".join(articles)})
    lines.append(_("Outcome: %(outcome)s.") % {"outcome": outcome})
    if case.measures_taken.strip():
        lines.append(_("Measures taken: %(m)s") % {"m": case.measures_taken.strip()})
    lines.append(_("Stealing electricity is against the law: report it to the station."))
    return {
        "title": _("%(county)s, %(when)s: a typical case of %(method)s")
        % {"county": county, "when": when, "method": method},
        "county": county,
        "month": month,
        "method": method,
        "total_yuan": total,
        "legal_basis": "；".join(articles),
        "outcome": outcome,
        "text": "\n".join(str(line) for line in lines),
        **amounts,
    }


def closed_cases_for(user):
    """The closed cases of the user's scope that no typical case was drafted from yet."""
    from gridcheck.cases.choices import CaseStatus
    from gridcheck.cases.models import Case

    return scope_queryset(
        Case.objects.filter(status=CaseStatus.CLOSED, typical_case__isnull=True).select_related(
            "customer", "station"
        ),
        user,
    ).order_by("-closed_on", "-pk")


#: The texts of a typical case its preparer may edit (anonymised again on every save).
TYPICAL_TEXTS = ("title", "text", "legal_basis", "outcome")


def _load_case(case_id: int):
    from gridcheck.cases.models import Case

    return (
        Case.objects.select_related(
            "customer",
            "station__company",
            "meter",
            "created_by",
            "write_off_requested_by",
            "write_off_approved_by",
        )
        .prefetch_related("customer__safety_contacts", "customer__metering_points__meters")
        .get(pk=case_id)
    )


@transaction.atomic
def typical_case_prepare(*, case, user) -> TypicalCase:
    """Draft a typical case from a closed case of the user's scope, personal data removed; it waits for a
    second person's approval."""
    from gridcheck.cases.choices import CaseStatus
    from gridcheck.cases.models import Case

    _campaign_manager(user)
    if not scope_queryset(Case.objects.filter(pk=case.pk), user).exists():
        raise PermissionDenied(_("This is outside your scope."))
    case = _load_case(case.pk)
    if case.status != CaseStatus.CLOSED:
        raise ValidationError(_("Only a closed case is published as a typical case."))
    if TypicalCase.objects.filter(case=case).exists():
        raise ValidationError(_("A typical case was drafted from this case already."))
    draft = _case_draft(case)
    names, terms = case_sensitive_terms(case)
    for name in TYPICAL_TEXTS + ("method",):
        draft[name] = anonymise_case(str(draft[name]), names, terms)
    typical = TypicalCase(
        station_id=case.station_id,
        case=case,
        prepared_by=user,
        prepared_at=timezone.now(),
        **draft,
    )
    typical.title = typical.title[:150]
    typical.full_clean()
    typical.save()
    record_transition(TypicalCaseEvent, typical, to_status=TypicalCaseStatus.DRAFT, actor=user)
    return typical


@transaction.atomic
def typical_case_edit(*, typical_case: TypicalCase, user, **texts) -> TypicalCase:
    """Correct the texts of a draft; whatever is typed, the personal data is removed again."""
    _staff_in_scope(user, typical_case)
    typical = TypicalCase.objects.select_for_update().get(pk=typical_case.pk)
    if typical.status != TypicalCaseStatus.DRAFT:
        raise ValidationError(_("Only a draft is edited."))
    names, terms = case_sensitive_terms(_load_case(typical.case_id))
    changed = []
    for name, value in texts.items():
        if name not in TYPICAL_TEXTS:
            raise ValidationError(_("Unknown fields: %(f)s") % {"f": name})
        value = anonymise_case((value or "").strip(), names, terms)
        if name == "title":
            value = value[:150]
        if value != getattr(typical, name):
            setattr(typical, name, value)
            changed.append(str(TypicalCase._meta.get_field(name).verbose_name))
    typical.full_clean()
    typical.save()
    if changed:
        record_transition(
            TypicalCaseEvent,
            typical,
            from_status=typical.status,
            to_status=typical.status,
            actor=user,
            note=_("Changed: %(f)s") % {"f": "、".join(changed)},
        )
    return typical


@transaction.atomic
def typical_case_publish(*, typical_case: TypicalCase, user, announce: bool = False) -> TypicalCase:
    """A second person approves the draft: it is published to the station's electricians (and, with
    ``announce``, as an announcement on the portal). The preparer never approves it."""
    _staff_in_scope(user, typical_case)
    typical = TypicalCase.objects.select_for_update().get(pk=typical_case.pk)
    if typical.prepared_by_id == user.pk:
        raise PermissionDenied(_("The person who prepared a typical case never approves its publication."))
    if typical.status != TypicalCaseStatus.DRAFT:
        raise ValidationError(_("Only a draft is published."))
    names, terms = case_sensitive_terms(_load_case(typical.case_id))
    published = " ".join(getattr(typical, name) for name in (*TYPICAL_TEXTS, "method"))
    if any(term in published for term in names + terms):  # edited outside the services
        raise ValidationError(_("The text still holds personal data: edit the draft first."))
    typical.status = TypicalCaseStatus.PUBLISHED
    typical.approved_by = user
    typical.published_at = timezone.now()
    if announce:
        typical.announcement = announcement_publish(
            user=user,
            kind=AnnouncementKind.CAMPAIGN,
            reach=AnnouncementReach.ALL,
            title=typical.title,
            body=typical.text,
            by_email=False,
            by_sms=False,
        )
    typical.full_clean()
    typical.save()
    record_transition(
        TypicalCaseEvent,
        typical,
        from_status=TypicalCaseStatus.DRAFT,
        to_status=TypicalCaseStatus.PUBLISHED,
        actor=user,
        note=_("also announced on the portal") if announce else "",
    )
    return typical


@transaction.atomic
def typical_case_withdraw(*, typical_case: TypicalCase, user, reason: str = "") -> TypicalCase:
    """Take a draft or a published case back: electricians no longer see it."""
    _staff_in_scope(user, typical_case)
    typical = TypicalCase.objects.select_for_update().get(pk=typical_case.pk)
    if typical.status == TypicalCaseStatus.WITHDRAWN:
        raise ValidationError(_("This typical case is withdrawn already."))
    from_status = typical.status
    typical.status = TypicalCaseStatus.WITHDRAWN
    typical.save(update_fields=["status", "updated_at"])
    record_transition(
        TypicalCaseEvent,
        typical,
        from_status=from_status,
        to_status=TypicalCaseStatus.WITHDRAWN,
        actor=user,
        note=(reason or "").strip(),
    )
    return typical

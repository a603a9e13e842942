"""The monthly notices: one rectification notice per customer and the summary for the government, by email
and, where there is no email, on paper; then the paper copies' delivery receipts.

Every email goes through the outbox with a ``dedup_key``: a second run of the same month sends nothing again.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.core.events import record_transition
from gridcheck.core.periods import month_add, month_bounds
from gridcheck.core.rules import rule_value
from gridcheck.hazards import pdf, selectors
from gridcheck.hazards.choices import (
    LATE_NOTICE_NEXT_MONTH,
    LATE_NOTICE_SUPPLEMENTARY,
    DeliveryChannel,
    HazardStatus,
    NoticeKind,
)
from gridcheck.hazards.models import Hazard, HazardEvent, Notice
from gridcheck.hazards.services.common import document_number, enqueue, receipt_accept
from gridcheck.hazards.services.lifecycle import hazard_transition


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


@transaction.atomic
def hazard_monthly_run(
    *, month: datetime.date, actor=None, today: datetime.date | None = None
) -> MonthlyResult:
    """Produce and send the month's hazard notices (one per customer) and the summary for the government.

    A customer without an email gets a paper notice, recorded as such. A notice already sent is neither
    produced nor sent again, so a second run of the same month sends nothing twice.
    """
    today = today or timezone.localdate()
    first, last = month_bounds(month)
    period = f"{first:%Y-%m}"
    result = MonthlyResult(period=period)
    issuer = selectors.letterhead()
    hazards = list(selectors.monthly_hazards(first, last))
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
                document_number=document_number(
                    NoticeKind.CUSTOMER_MONTHLY, first.year, f"{first.month:02d}-{seq:03d}"
                ),
                generated_by=actor,
            )
            result.created += 1
        _customer_notice_send(
            notice=notice,
            customer=customer,
            hazards=customer_hazards,
            period=period,
            issuer=issuer,
            actor=actor,
            today=today,
            result=result,
        )
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


def _customer_notice_send(
    *, notice, customer, hazards, period, issuer, actor, today, result, dedup: str = "hazard-notice"
) -> None:
    """Produce one customer's notice, email it (or mark it for paper) and move its found hazards to notified."""
    if notice.kind == NoticeKind.CUSTOMER_SUPPLEMENTARY:
        notice.title = _("Supplementary hazard rectification notice %(period)s: %(customer)s") % {
            "period": period,
            "customer": customer.name,
        }
    else:
        notice.title = _("Hazard rectification notice %(period)s: %(customer)s") % {
            "period": period,
            "customer": customer.name,
        }
    contacts = selectors.notice_contacts(customer)
    emails = selectors.contact_emails(contacts)
    notice.channel = DeliveryChannel.EMAIL if emails else DeliveryChannel.PAPER
    content = pdf.customer_notice_pdf(
        notice=notice,
        customer=customer,
        figures=selectors.customer_notice_figures(hazards=hazards),
        contacts=contacts,
        issuer=issuer,
        issued_on=today,
    )
    notice.pdf.save(f"hazard-notice-{period}-{customer.account_number}.pdf", ContentFile(content), save=False)
    notice.body = _("%(n)s hazards; rectify each by its deadline.") % {"n": len(hazards)}
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
        enqueue(
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
            dedup_key=f"{dedup}:{customer.pk}:{period}:{email}",
            related=notice,
            created_by=actor,
        )
        result.emails += 1
    notice.hazards.set(hazards)
    for hazard in hazards:
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


def _government_summary(*, first, last, period, hazards, actor, today, issuer, result) -> Notice:
    notice = Notice.objects.filter(kind=NoticeKind.GOVERNMENT_MONTHLY, period=period, customer=None).first()
    if notice is not None and notice.sent_at is not None:
        return notice
    if notice is None:
        notice = Notice(
            kind=NoticeKind.GOVERNMENT_MONTHLY,
            period=period,
            document_number=document_number(NoticeKind.GOVERNMENT_MONTHLY, first.year, f"{first.month:02d}"),
            generated_by=actor,
        )
    notice.title = _("Monthly hazard summary %(period)s") % {"period": period}
    contacts = selectors.government_contacts()
    emails = selectors.contact_emails(contacts)
    notice.channel = DeliveryChannel.EMAIL_AND_PAPER if emails else DeliveryChannel.PAPER
    content = pdf.government_summary_pdf(
        notice=notice,
        hazards=hazards,
        figures=selectors.government_summary_figures(
            first=first, last=last, hazards=hazards, contacts=contacts, as_of=today
        ),
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
            enqueue(
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


def month_notices_sent(period: str) -> bool:
    """Whether the monthly run of ``period`` (``YYYY-MM``) is done: its government summary was sent."""
    return Notice.objects.filter(
        kind=NoticeKind.GOVERNMENT_MONTHLY, period=period, customer=None, sent_at__isnull=False
    ).exists()


@dataclass
class LateNotice:
    """What became of a hazard registered after the month's notices (``hazard_late_notice``)."""

    rule: str
    period: str
    notice: Notice | None = None
    next_period: str = ""


@transaction.atomic
def hazard_late_notice(
    *, hazard: Hazard, actor=None, today: datetime.date | None = None
) -> LateNotice | None:
    """A hazard registered after this month's notices were sent is not left silently for next month.

    Under the rule ``hazards.late_hazard_notice`` in force today: ``supplementary`` sends the customer a
    supplementary rectification notice at once (its own number, email or paper, the hazard notified);
    ``next_month`` records on the hazard that it goes into next month's notice. ``None`` when this
    month's notices are not yet out (the monthly run will carry the hazard) or the hazard is closed.
    """
    today = today or timezone.localdate()
    period = f"{today:%Y-%m}"
    if hazard.status != HazardStatus.FOUND or not month_notices_sent(period):
        return None
    if hazard.notices.filter(period=period, sent_at__isnull=False).exists():
        return None
    rule = str(rule_value("hazards.late_hazard_notice", today))
    if rule == LATE_NOTICE_NEXT_MONTH:
        next_period = f"{month_add(today.replace(day=1), 1):%Y-%m}"
        record_transition(
            HazardEvent,
            hazard,
            to_status=hazard.status,
            actor=actor,
            note=_(
                "Registered after the notices of %(period)s were sent: it goes into the notice of "
                "%(next)s (rule hazards.late_hazard_notice)."
            )
            % {"period": period, "next": next_period},
        )
        return LateNotice(rule=rule, period=period, next_period=next_period)
    if rule != LATE_NOTICE_SUPPLEMENTARY:
        raise ValidationError(
            _("The rule hazards.late_hazard_notice must be %(a)s or %(b)s, not %(v)s.")
            % {"a": LATE_NOTICE_SUPPLEMENTARY, "b": LATE_NOTICE_NEXT_MONTH, "v": rule}
        )
    customer = hazard.customer
    first = today.replace(day=1)
    seq = Notice.objects.filter(kind=NoticeKind.CUSTOMER_SUPPLEMENTARY, period=period).count() + 1
    notice = Notice(
        kind=NoticeKind.CUSTOMER_SUPPLEMENTARY,
        period=period,
        customer=customer,
        station_id=customer.station_id,
        document_number=document_number(
            NoticeKind.CUSTOMER_SUPPLEMENTARY, first.year, f"{first.month:02d}-B{seq:03d}"
        ),
        generated_by=actor,
    )
    result = MonthlyResult(period=period)
    _customer_notice_send(
        notice=notice,
        customer=customer,
        hazards=[hazard],
        period=period,
        issuer=selectors.letterhead(),
        actor=actor,
        today=today,
        result=result,
        dedup=f"hazard-supplement:{hazard.pk}",
    )
    return LateNotice(rule=rule, period=period, notice=notice)


def on_hazard_registered(sender, *, hazard: Hazard, actor=None, **kwargs) -> None:
    """``hazards.signals.hazard_registered``: the supplementary notice or the note (``hazard_late_notice``)."""
    hazard_late_notice(hazard=hazard, actor=actor)


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
        notice.paper_receipt = receipt_accept(receipt).file
    notice._history_user = actor
    notice._change_reason = _("Paper copy delivered")
    notice.full_clean()
    notice.save()
    return notice

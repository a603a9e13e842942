"""The quarterly briefing: the report (PDF) of a quarter's hazards, rectifications and drills, emailed to
the government and the customers concerned for the briefing meeting."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.core.periods import quarter_bounds
from gridcheck.hazards import pdf, selectors
from gridcheck.hazards.choices import DeliveryChannel, NoticeKind
from gridcheck.hazards.models import Notice
from gridcheck.hazards.services.common import document_number, enqueue


@dataclass
class BriefingResult:
    period: str
    notice: Notice
    created: bool
    emails: int = 0


@transaction.atomic
def hazard_briefing_run(
    *, year: int, quarter: int, actor=None, today: datetime.date | None = None
) -> BriefingResult:
    """Produce the quarterly briefing report (PDF) and email it to the government and the customers concerned."""
    today = today or timezone.localdate()
    first, last = quarter_bounds(year, quarter)
    period = f"{year}Q{quarter}"
    issuer = selectors.letterhead()
    notice = Notice.objects.filter(kind=NoticeKind.QUARTERLY_BRIEFING, period=period, customer=None).first()
    created = notice is None
    if notice is not None and notice.sent_at is not None:
        return BriefingResult(period=period, notice=notice, created=False)
    if notice is None:
        notice = Notice(
            kind=NoticeKind.QUARTERLY_BRIEFING,
            period=period,
            document_number=document_number(NoticeKind.QUARTERLY_BRIEFING, year, f"Q{quarter}"),
            generated_by=actor,
        )
    notice.title = _("Quarterly hazard briefing, %(year)s Q%(quarter)s") % {"year": year, "quarter": quarter}
    figures = selectors.briefing_figures(first=first, last=last, as_of=today)
    stats = figures["stats"]
    content = pdf.briefing_pdf(
        notice=notice, figures=figures, issuer=issuer, issued_on=today, first=first, last=last
    )
    notice.pdf.save(f"hazard-briefing-{period}.pdf", ContentFile(content), save=False)
    notice.body = _("%(found)s found, %(rectified)s rectified, %(overdue)s overdue, %(drills)s drills.") % {
        "found": stats["found"],
        "rectified": stats["rectified"],
        "overdue": stats["overdue"],
        "drills": len(figures["drills"]),
    }
    recipients = selectors.briefing_recipients(stats["hazards"])
    result = BriefingResult(period=period, notice=notice, created=created)
    for email in recipients:
        enqueue(
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

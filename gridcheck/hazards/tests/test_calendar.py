"""The 1+1+1 calendar: monthly notices and summary, paper fallback, no double sending, the briefing."""

import datetime
import io
import re
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from pypdf import PdfReader

from gridcheck.core.periods import quarter_parse
from gridcheck.hazards import selectors, services
from gridcheck.hazards.choices import DeliveryChannel, HazardSeverity, HazardStatus, NoticeKind
from gridcheck.hazards.models import Notice
from gridcheck.hazards.tests.conftest import png
from gridcheck.notifications.models import Message

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 18)


def pdf_text(data: bytes) -> str:
    assert data[:5] == b"%PDF-"
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace("\n", "")


@pytest.fixture
def network(county, make_hazard):
    services.customer_contact_create(
        customer=county.customers["east11"], name="王经理", email="east11@example.cn"
    )
    # east12 has a contact with a phone but no email: its notice goes on paper.
    services.customer_contact_create(customer=county.customers["east12"], name="李主任", phone="13800000000")
    services.government_contact_create(
        department="县发展和改革局（能源局）",
        name="赵科长",
        email="energy@gov.example.cn",
        address="县政府大楼3楼",
    )
    hazards = {
        "a": make_hazard("east11", severity=HazardSeverity.MAJOR, description="自备发电机未装闭锁装置"),
        "b": make_hazard("east12", description="电工无证上岗"),
    }
    services.hazard_photo_add(hazard=hazards["a"], stage="before", image=png())
    return hazards


def test_monthly_run_produces_pdfs_and_sends(network, county):
    result = services.hazard_monthly_run(month=datetime.date(2026, 11, 1), today=TODAY)
    assert result.created == 2
    east11 = Notice.objects.get(kind=NoticeKind.CUSTOMER_MONTHLY, customer=county.customers["east11"])
    text = pdf_text(east11.pdf.read())
    assert "客户east11" in text
    assert "自备发电机未装闭锁装置" in text
    assert "2026-12-03" in text  # the deadline
    assert east11.document_number in text
    assert east11.channel == DeliveryChannel.EMAIL
    mail = Message.objects.get(recipient_address="east11@example.cn")
    assert mail.attachments.get().content_type == "application/pdf"
    for hazard in network.values():
        hazard.refresh_from_db()
        assert hazard.status == HazardStatus.NOTIFIED
    summary = result.summary
    assert summary.kind == NoticeKind.GOVERNMENT_MONTHLY and summary.paper_required
    summary_text = pdf_text(summary.pdf.read())
    assert "县发展和改革局" in summary_text and "客户east12" in summary_text
    assert Message.objects.filter(recipient_address="energy@gov.example.cn").count() == 1


def test_customer_without_email_falls_back_to_paper(network, county):
    services.hazard_monthly_run(month=datetime.date(2026, 11, 1), today=TODAY)
    notice = Notice.objects.get(kind=NoticeKind.CUSTOMER_MONTHLY, customer=county.customers["east12"])
    assert notice.channel == DeliveryChannel.PAPER
    assert notice.paper_required and notice.paper_pending
    assert "no email" in notice.note or "电子邮箱" in notice.note
    assert not Message.objects.filter(related_object_id=notice.pk, channel="email").exists()
    assert "客户east12" in pdf_text(notice.pdf.read())
    # The paper copy is delivered later, with who received it.
    services.notice_paper_delivery_record(notice=notice, delivered_on=TODAY, received_by="李主任")
    notice.refresh_from_db()
    assert not notice.paper_pending


def test_second_monthly_run_sends_nothing_twice(network, county):
    services.hazard_monthly_run(month=datetime.date(2026, 11, 1), today=TODAY)
    n_messages, n_notices = Message.objects.count(), Notice.objects.count()
    again = services.hazard_monthly_run(month=datetime.date(2026, 11, 1), today=TODAY)
    assert again.created == 0 and again.emails == 0 and again.already_sent == 2
    assert Message.objects.count() == n_messages
    assert Notice.objects.count() == n_notices
    # Through the command as well.
    call_command("hazards", "monthly", "--month", "2026-11", stdout=io.StringIO())
    assert Message.objects.count() == n_messages


def test_quarterly_briefing_pdf(network, county):
    services.hazard_transition(hazard=network["b"], to_status="rectified", on=datetime.date(2026, 11, 15))
    services.drill_schedule(
        customer=county.customers["east11"],
        scenario="全厂停电应急演练",
        scheduled_on=datetime.date(2026, 11, 5),
    )
    result = services.hazard_briefing_run(year=2026, quarter=4, today=datetime.date(2027, 1, 5))
    text = pdf_text(result.notice.pdf.read())
    assert "第4季度" in text or "第 4 季度" in text
    assert result.notice.title == "2026年第4季度隐患通报"  # as the notice list shows it
    assert "自备发电机未装闭锁装置" in text  # the major hazard is presented
    assert "全厂停电应急演练" in text
    # The counts lead the body, in whichever language: 2 found, 1 rectified, 1 overdue, 1 drill.
    assert [int(n) for n in re.findall(r"\d+", result.notice.body)][:4] == [2, 1, 1, 1]
    stats = selectors.hazard_period_statistics(
        first=datetime.date(2026, 10, 1), last=datetime.date(2026, 12, 31)
    )
    assert (stats["found"], stats["rectified"]) == (2, 1)
    assert result.emails == 2  # government + the customer with an email
    again = services.hazard_briefing_run(year=2026, quarter=4)
    assert not again.created and again.emails == 0


def test_bad_quarter_is_refused():
    with pytest.raises(ValidationError):
        quarter_parse("2026Q5")
    assert quarter_parse("2026q3") == (2026, 3)


def test_calendar_due_items(network, county, rule_values):
    rule_values({"hazards.monthly_notice_due_day": 15})
    items = {i["key"]: i for i in selectors.calendar_due(user=county.users["admin"], today=TODAY)}
    assert items["monthly"]["due"] == datetime.date(2026, 11, 15)
    assert items["monthly"]["late"] and not items["monthly"]["done"]
    assert items["quarterly"]["period"] == "2026Q3" and items["quarterly"]["due"] == datetime.date(
        2026, 10, 10
    )
    services.hazard_monthly_run(month=datetime.date(2026, 11, 1), today=TODAY)
    items = {i["key"]: i for i in selectors.calendar_due(user=county.users["admin"], today=TODAY)}
    assert items["monthly"]["done"]
    # Done on time or late by the day it was sent in Shanghai (due 2026-11-15): 23:30 is still the 15th
    # there (15:30 UTC), 00:30 is the 16th (the 15th, 16:30 UTC).
    summary = Notice.objects.get(kind=NoticeKind.GOVERNMENT_MONTHLY, period="2026-11")
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    for sent, late in (((2026, 11, 15, 23, 30), False), ((2026, 11, 16, 0, 30), True)):
        Notice.objects.filter(pk=summary.pk).update(sent_at=datetime.datetime(*sent, tzinfo=shanghai))
        items = {i["key"]: i for i in selectors.calendar_due(user=county.users["admin"], today=TODAY)}
        assert items["monthly"]["done"] and items["monthly"]["done_late"] is late, sent
        assert not items["monthly"]["late"]
    assert items["paper"]["count"] == 2  # east12's paper notice and the government's paper copy


def test_risk_warning_by_sms_and_email(network, county):
    notice = services.risk_warning_send(
        customer=county.customers["east12"], subject="迎峰度夏用电风险预警", body="请检查自备电源闭锁装置。"
    )
    assert notice.channel == DeliveryChannel.SMS
    assert Message.objects.filter(channel="sms", recipient_address__contains="13800000000").exists()

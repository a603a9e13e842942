"""The service desk's services: asking with photos, answering, rating, escalation once, anonymised
publishing, complaints never handled by the person complained about, business leads."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from gridcheck.core.rules import rule_row
from gridcheck.core.testing import patch_rules
from gridcheck.notifications.models import Message
from gridcheck.servicedesk import selectors, services
from gridcheck.servicedesk.choices import ComplaintStatus, ConsultationStatus, TimeLimit
from gridcheck.servicedesk.models import Complaint, Consultation, ConsultationPhoto
from gridcheck.servicedesk.tests.conftest import electrician, png

pytestmark = pytest.mark.django_db


def ask(user, topic="safety", **kw):
    return services.consultation_ask(
        user=user,
        topic=topic,
        subject=kw.pop("subject", "配电室漏水"),
        question=kw.pop("question", "配电室顶棚渗水，是否需要停电处理？"),
        **kw,
    )


def test_the_answer_limits_are_rule_rows_per_topic():
    on = datetime.date(2026, 11, 10)
    assert rule_row("servicedesk.answer_hours.safety", on).value == 24
    assert rule_row("servicedesk.answer_hours.capacity_change", on).value == 120
    assert rule_row("servicedesk.complaint_answer_hours", on).regulation.key == "STATION"


def test_an_electrician_asks_with_a_photo_due_within_the_topic_limit(county, el_east, monkeypatch):
    patch_rules(monkeypatch, {"servicedesk.answer_hours.metering": 48})
    now = timezone.now()
    c = ask(el_east, topic="metering", photos=[png("现场.png")], now=now)
    assert c.customer == county.customers["east11"] and c.station == county.stations["east"]
    assert c.area == county.areas["east1"]
    assert c.due_at == now + datetime.timedelta(hours=48)
    photo = c.photos.get()
    assert photo.content_type == "image/png" and photo.original_name == "现场.png"
    assert "现场" not in photo.image.name  # a generated name
    assert list(c.events.values_list("to_status", flat=True)) == [ConsultationStatus.ASKED]


def test_staff_may_not_ask_and_a_bad_upload_writes_nothing(county, el_east):
    with pytest.raises(PermissionDenied):
        ask(county.users["inspector_east"])
    fake = SimpleUploadedFile("photo.png", b"<script>alert(1)</script>", content_type="image/png")
    with pytest.raises(ValidationError):
        ask(el_east, photos=[png(), fake])
    script = SimpleUploadedFile("x.html", b"<html></html>", content_type="text/html")
    with pytest.raises(ValidationError):
        ask(el_east, photos=[script])
    assert not Consultation.objects.exists() and not ConsultationPhoto.objects.exists()


def test_too_many_photos_are_refused(el_east, settings):
    settings.GRIDCHECK_SERVICEDESK_MAX_PHOTOS = 1
    with pytest.raises(ValidationError):
        ask(el_east, photos=[png(), png()])


def test_staff_of_the_station_answer_and_the_asker_is_told(county, el_east):
    c = ask(el_east)
    with pytest.raises(PermissionDenied):  # another station
        services.consultation_answer(consultation=c, user=county.users["inspector_west"], answer="x")
    with pytest.raises(PermissionDenied):  # reads the desk, may not answer
        services.consultation_answer(consultation=c, user=county.users["reader_east"], answer="x")
    c = services.consultation_answer(
        consultation=c, user=county.users["inspector_east"], answer="请先断开进线开关。"
    )
    assert c.status == ConsultationStatus.ANSWERED and c.answered_by == county.users["inspector_east"]
    assert selectors.time_limit(c) == TimeLimit.ANSWERED_IN_TIME
    assert Message.objects.filter(recipient_user=el_east, channel="in_app").count() == 1
    with pytest.raises(ValidationError):
        services.consultation_answer(consultation=c, user=county.users["head_east"], answer="again")


def test_only_the_asker_rates_once(county, el_east):
    colleague = electrician(county, "east11", username="el_east11_b", phone="13900000001")
    c = ask(el_east)
    with pytest.raises(ValidationError):  # not answered yet
        services.consultation_rate(consultation=c, user=el_east, rating=5)
    c = services.consultation_answer(consultation=c, user=county.users["head_east"], answer="好的")
    with pytest.raises(PermissionDenied):
        services.consultation_rate(consultation=c, user=colleague, rating=5)
    with pytest.raises(PermissionDenied):
        services.consultation_rate(consultation=c, user=county.users["head_east"], rating=5)
    with pytest.raises(ValidationError):
        services.consultation_rate(consultation=c, user=el_east, rating=9)
    c = services.consultation_rate(consultation=c, user=el_east, rating=4, comment="及时")
    assert (c.status, c.rating, c.rating_comment) == (ConsultationStatus.RATED, 4, "及时")
    with pytest.raises(ValidationError):
        services.consultation_rate(consultation=c, user=el_east, rating=5)
    # the DB refuses a rating outside 1..5 whatever the code does
    with pytest.raises(IntegrityError), transaction.atomic():
        Consultation.objects.filter(pk=c.pk).update(rating=7)


def test_overdue_questions_escalate_to_the_station_head_once(county, el_east):
    county.users["head_east"].email = "head@example.cn"
    county.users["head_east"].save()
    asked = timezone.now() - datetime.timedelta(hours=30)
    overdue = ask(el_east, now=asked)  # safety: 24 h
    in_time = ask(el_east, topic="capacity_change", now=asked)  # 120 h
    answered = ask(el_east, now=asked)
    services.consultation_answer(consultation=answered, user=county.users["inspector_east"], answer="x")
    assert services.consultations_escalate() == 1
    overdue.refresh_from_db()
    assert overdue.escalated_at is not None and overdue.status == ConsultationStatus.ASKED
    assert Message.objects.filter(recipient_user=county.users["head_east"], channel="in_app").exists()
    assert Message.objects.filter(recipient_address="head@example.cn", channel="email").exists()
    # the west head is not told, nor the east inspector
    assert not Message.objects.filter(recipient_user=county.users["inspector_west"]).exists()
    before = Message.objects.count()
    assert services.consultations_escalate() == 0  # once
    assert Message.objects.count() == before
    in_time.refresh_from_db()
    assert in_time.escalated_at is None
    assert selectors.time_limit(overdue) == TimeLimit.OVERDUE
    assert list(selectors.queue_filter(Consultation.objects.all(), "overdue")) == [overdue]


def test_a_published_answer_is_anonymised(county, el_east):
    customer = county.customers["east11"]
    customer.phone = "0571-88886666"
    customer.save()
    c = ask(
        el_east,
        subject=f"{customer.name}的电表",
        question=f"我是{customer.name}的电工{el_east.full_name}，户号{customer.account_number}，"
        "电话13912345678，电表走快了。",
    )
    c = services.consultation_answer(
        consultation=c, user=county.users["inspector_east"], answer="已安排校验，联系 0571-88886666。"
    )
    with pytest.raises(PermissionDenied):
        services.knowledge_article_publish(consultation=c, user=county.users["inspector_west"])
    article = services.knowledge_article_publish(consultation=c, user=county.users["inspector_east"])
    text = article.title + article.question + article.answer
    for secret in (customer.name, customer.account_number, "13912345678", "0571-88886666", el_east.full_name):
        assert secret not in text
    assert "电表走快了" in article.question
    assert article.station == county.stations["east"]
    with pytest.raises(ValidationError):
        services.knowledge_article_publish(consultation=c, user=county.users["inspector_east"])


def test_monthly_figures(county, el_east):
    now = timezone.now()
    a = ask(el_east, now=now - datetime.timedelta(hours=2))
    b = ask(el_east, now=now - datetime.timedelta(hours=30))
    services.consultation_answer(consultation=a, user=county.users["head_east"], answer="x")  # in time
    services.consultation_answer(consultation=b, user=county.users["head_east"], answer="x")  # late
    services.consultation_rate(consultation=a, user=el_east, rating=5)
    services.consultation_rate(consultation=b, user=el_east, rating=2)
    figures = selectors.monthly_figures(county.users["head_east"])
    this = figures[-1]
    assert this["month"] == f"{timezone.localdate():%Y-%m}"
    if (now - datetime.timedelta(hours=30)).astimezone().month == now.astimezone().month:
        assert (this["asked"], this["answered"], this["in_time_percent"], this["rating"]) == (2, 2, 50.0, 3.5)
    assert selectors.monthly_figures(county.users["inspector_west"])[-1]["asked"] == 0


def test_a_complaint_is_never_handled_nor_seen_by_the_person_complained_about(county):
    inspector, head = county.users["inspector_east"], county.users["head_east"]
    with pytest.raises(PermissionDenied):
        services.complaint_enter(
            user=inspector, channel="hotline", subject="inspector", text="x", about_staff=inspector
        )
    complaint = services.complaint_enter(
        user=head,
        channel="hotline",
        subject="inspector",
        text="检查人员态度恶劣",
        author_name="王先生",
        author_phone="13811112222",
        customer=county.customers["east12"],
        about_staff=inspector,
    )
    assert complaint.due_at == complaint.received_at + datetime.timedelta(hours=120)
    assert not selectors.complaints_for(inspector).filter(pk=complaint.pk).exists()
    assert selectors.complaints_for(county.users["inspector2_east"]).filter(pk=complaint.pk).exists()
    assert not Message.objects.filter(recipient_user=inspector).exists()  # not told of it either
    with pytest.raises(PermissionDenied):
        services.complaint_answer(complaint=complaint, user=inspector, answer="x")
    with pytest.raises(PermissionDenied):
        services.complaint_answer(complaint=complaint, user=county.users["inspector_west"], answer="x")
    # the database refuses it too
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(handler=inspector)
    complaint = services.complaint_answer(complaint=complaint, user=head, answer="已约谈，致歉")
    with pytest.raises(PermissionDenied):
        services.complaint_close(complaint=complaint, user=inspector)
    complaint = services.complaint_close(
        complaint=complaint, user=county.users["inspector2_east"], note="回访满意"
    )
    assert complaint.status == ComplaintStatus.CLOSED
    assert list(complaint.events.values_list("to_status", flat=True)) == ["received", "answered", "closed"]


def test_a_portal_complaint_and_business_feedback(county, el_east, el_west):
    complaint = services.complaint_submit(user=el_east, subject="outage", text="停电未通知")
    assert complaint.channel == "portal" and complaint.station == county.stations["east"]
    assert list(selectors.complaints_for(el_east)) == [complaint]
    assert not selectors.complaints_for(el_west).exists()
    lead = services.business_feedback_submit(user=el_east, kind="add_load", text="明年新增一台500kVA变压器")
    # the business desk of the station (who manage contracts) hear of it; the west station does not
    assert Message.objects.filter(
        recipient_user=county.users["auditor_east"], subject__contains="客户east11"
    ).exists()
    assert not Message.objects.filter(recipient_user=county.users["inspector_west"]).exists()
    assert list(selectors.leads_for(county.users["head_east"])) == [lead]
    assert not selectors.leads_for(county.users["inspector_west"]).exists()
    with pytest.raises(PermissionDenied):
        services.business_lead_follow_up(lead=lead, user=county.users["reader_east"], status="contacted")
    lead = services.business_lead_follow_up(lead=lead, user=county.users["auditor_east"], status="contacted")
    assert lead.followed_by == county.users["auditor_east"]

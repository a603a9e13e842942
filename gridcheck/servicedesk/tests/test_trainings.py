"""Trainings and drills: invitations, attendance signed with the session's QR code (a signed link, valid
for the rule's hours, once), the material to the invited only, the quiz scored once, drills under hazards
shown to the customer's electricians."""

import datetime
import re

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from gridcheck.servicedesk import selectors, services
from gridcheck.servicedesk.models import Attendance, QuizResult

pytestmark = pytest.mark.django_db


def session(county, user="head_east", customers=("east11",), **kw):
    return services.training_create(
        user=county.users[user],
        kind=kw.pop("kind", "rehearsal"),
        title=kw.pop("title", "配电室火灾事故演练"),
        starts_at=kw.pop("starts_at", timezone.now() + datetime.timedelta(days=3)),
        place="东城供电所会议室",
        customers=[county.customers[k] for k in customers],
        questions=kw.pop("questions", "停电检修第一步？|验电|挂接地线|断开电源|3\n灭火器类型？|干粉|水基|1"),
        **kw,
    )


def test_invitations_qr_attendance_and_quiz(county, el_east, el_west):
    s = session(county)
    assert s.invitations.count() == 1 and s.questions.count() == 2
    assert list(selectors.trainings_for(el_east)) == [s]
    assert not selectors.trainings_for(el_west).exists()
    token = services.training_token(s)
    with pytest.raises(PermissionDenied):  # not invited
        services.attendance_sign(session=s, user=el_west, token=token)
    with pytest.raises(ValidationError):
        services.attendance_sign(session=s, user=el_east, token="forged")
    other = session(county, title="另一场")
    with pytest.raises(ValidationError):  # another session's code
        services.attendance_sign(session=s, user=el_east, token=services.training_token(other))
    services.attendance_sign(session=s, user=el_east, token=token)
    services.attendance_sign(session=s, user=el_east, token=token)  # once
    assert Attendance.objects.filter(session=s).count() == 1
    q1, q2 = s.questions.all()
    result = services.quiz_submit(session=s, user=el_east, answers={str(q1.pk): "2", str(q2.pk): "1"})
    assert (result.score, result.total) == (1, 2)
    with pytest.raises(ValidationError):
        services.quiz_submit(session=s, user=el_east, answers={})
    summary = selectors.training_summary(s)
    assert (summary["invited"], summary["present"]) == (1, 1)


def test_an_old_qr_code_has_expired(county, el_east, monkeypatch):
    s = session(county)
    token = services.training_token(s)
    later = signing.time.time() + 13 * 3600  # the rule: 12 h
    monkeypatch.setattr(signing.time, "time", lambda: later)
    with pytest.raises(ValidationError):
        services.attendance_sign(session=s, user=el_east, token=token)


def test_bad_quiz_lines_and_scope(county):
    with pytest.raises(ValidationError):
        session(county, questions="没有选项")
    with pytest.raises(ValidationError):
        session(county, questions="问题|甲|乙|5")
    with pytest.raises(PermissionDenied):
        session(county, user="reader_east")
    with pytest.raises(ValidationError):  # only customers of the station are invited
        session(county, customers=("west11",))


def test_the_qr_link_signs_on_the_portal_and_drills_show(client, county, el_east, el_west):
    from gridcheck.hazards.services import drill_schedule

    drill_schedule(
        customer=county.customers["east11"], scenario="全站停电", scheduled_on=datetime.date(2026, 12, 20)
    )
    s = session(county)
    client.force_login(county.users["head_east"])
    page = client.get(reverse("servicedesk:training_detail", args=[s.pk]))
    assert page.status_code == 200
    qr = client.get(reverse("servicedesk:training_qr", args=[s.pk]))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    assert b"<script" not in qr.content and qr["X-Content-Type-Options"] == "nosniff"
    client.force_login(county.users["reader_east"])  # reads, does not run sessions
    assert client.get(reverse("servicedesk:training_qr", args=[s.pk])).status_code == 403
    link = reverse("servicedesk:portal_training_sign", args=[s.pk]) + "?t=" + services.training_token(s)
    client.force_login(el_east)
    page = client.get(link).content.decode()
    token = re.search(r'name="t" value="([^"]+)"', page).group(1)
    assert (
        client.post(reverse("servicedesk:portal_training_sign", args=[s.pk]), {"t": token}).status_code == 302
    )
    assert Attendance.objects.filter(session=s, user=el_east).exists()
    trainings = client.get(reverse("servicedesk:portal_trainings")).content.decode()
    assert s.title in trainings and "全站停电" in trainings
    q1, q2 = s.questions.all()
    client.post(reverse("servicedesk:portal_training", args=[s.pk]), {f"q_{q1.pk}": "2", f"q_{q2.pk}": "0"})
    assert QuizResult.objects.get(session=s, user=el_east).score == 2
    client.force_login(el_west)
    assert client.get(reverse("servicedesk:portal_training", args=[s.pk])).status_code == 404
    assert (
        client.post(reverse("servicedesk:portal_training_sign", args=[s.pk]), {"t": token}).status_code == 404
    )
    assert client.get(reverse("servicedesk:training_material", args=[s.pk])).status_code == 404

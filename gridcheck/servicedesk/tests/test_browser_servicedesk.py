"""The service desk in the browser: an electrician on a phone asks a question with a photo, an inspector
answers it at the desk, the electrician rates the answer; a complaint from the portal goes to closure.
Screenshots go to test-artifacts/screenshots/."""

import io

import pytest
from PIL import Image

from tests.browser.fixtures import click_to_load, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _png(path):
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (40, 120, 200)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_ask_answer_rate_and_a_complaint_to_closure(
    county, phone_page, desk_page, live_server, shot, settings, tmp_path
):
    from gridcheck.servicedesk.models import Complaint, Consultation
    from gridcheck.servicedesk.tests.conftest import electrician

    settings.MEDIA_ROOT = tmp_path / "media"
    electrician(county, "east11", username="el_phone")

    # The electrician, on a phone: asks with a photo.
    phone = phone_page
    log_in(phone, live_server, "el_phone", county.password)
    phone.goto(f"{live_server.url}/servicedesk/portal/")
    phone.get_by_test_id("ask").click()
    phone.select_option("#id_topic", "safety")
    phone.fill("#id_subject", "配电室漏水")
    phone.fill("#id_question", "雨季配电室顶棚渗水，是否需要停电处理？")
    phone.set_input_files("#id_photos", str(_png(tmp_path / "现场.png")))
    shot(phone, "servicedesk-ask-phone")
    click_to_load(phone, "[data-testid=ask-form] button[type=submit]")
    consultation = Consultation.objects.get()
    assert consultation.photos.count() == 1
    assert "配电室顶棚渗水" in phone.get_by_test_id("question").inner_text()
    assert phone.locator("img.gc-thumb").count() == 1

    # The inspector, at the desk: finds it in the queue and answers.
    desk = desk_page
    log_in(desk, live_server, "inspector_east", county.password)
    desk.goto(f"{live_server.url}/servicedesk/")
    click_to_load(desk, desk.get_by_test_id("queue").get_by_text(consultation.number))
    desk.fill("[data-testid=answer-form] textarea", "请先断开进线开关，做好防水封堵后再送电。")
    click_to_load(desk, "[data-testid=answer-form] button[type=submit]")
    assert "防水封堵" in desk.get_by_test_id("answer").inner_text()
    shot(desk, "servicedesk-answered-desk")

    # The electrician rates the answer.
    phone.goto(f"{live_server.url}/servicedesk/portal/consultations/{consultation.pk}/")
    assert "防水封堵" in phone.get_by_test_id("answer").inner_text()
    phone.check("[data-testid=rate-form] input[name=rating][value='5']")
    click_to_load(phone, "[data-testid=rate-form] button[type=submit]")
    phone.get_by_test_id("rating").wait_for()
    shot(phone, "servicedesk-rated-phone")
    consultation.refresh_from_db()
    assert (consultation.status, consultation.rating) == ("rated", 5)

    # The chart page draws (no script error) for the head.
    desk.goto(f"{live_server.url}/servicedesk/dashboard/")
    desk.locator("#gc-chart-servicedesk canvas").wait_for()

    # A complaint from the portal, answered and closed at the desk, answer seen on the phone.
    phone.goto(f"{live_server.url}/servicedesk/portal/complaint/")
    phone.select_option("#id_subject", "counter")
    phone.fill("#id_text", "营业厅排队时间太长")
    click_to_load(phone, "[data-testid=complaint-form] button[type=submit]")
    complaint = Complaint.objects.get()
    desk.goto(f"{live_server.url}/servicedesk/complaints/{complaint.pk}/")
    desk.fill("[data-testid=complaint-answer-form] textarea", "已增设窗口，向您致歉。")
    click_to_load(desk, "[data-testid=complaint-answer-form] button[type=submit]")
    click_to_load(desk, "[data-testid=complaint-close-form] button[type=submit]")
    assert desk.get_by_test_id("status").inner_text().strip() == "已办结"
    complaint.refresh_from_db()
    assert complaint.status == "closed"
    phone.goto(f"{live_server.url}/servicedesk/portal/")
    assert "已增设窗口" in phone.get_by_test_id("my-complaints").inner_text()
    shot(phone, "servicedesk-portal-home")


def test_attendance_signed_on_a_phone_by_the_qr_link(
    county, phone_page, desk_page, live_server, shot, settings, tmp_path
):
    """The head shows the session's QR code; the electrician's phone opens its link and signs."""
    import datetime

    from django.utils import timezone

    from gridcheck.servicedesk import services
    from gridcheck.servicedesk.models import Attendance
    from gridcheck.servicedesk.tests.conftest import electrician

    settings.MEDIA_ROOT = tmp_path / "media"
    el = electrician(county, "east11", username="el_qr")
    session = services.training_create(
        user=county.users["head_east"],
        kind="rehearsal",
        title="配电室火灾事故演练",
        starts_at=timezone.now() + datetime.timedelta(hours=1),
        place="东城供电所",
        customers=[county.customers["east11"]],
        questions="灭火器类型？|干粉|水基|1",
    )
    desk = desk_page
    log_in(desk, live_server, "head_east", county.password)
    desk.goto(f"{live_server.url}/servicedesk/trainings/{session.pk}/")
    qr = desk.get_by_test_id("qr")
    qr.wait_for()
    assert desk.evaluate("el => el.naturalWidth > 0", qr.element_handle())  # the SVG rendered
    shot(desk, "servicedesk-training-qr")
    # The QR code carries this link (a signed token of the session); the phone opens it.
    link = f"/servicedesk/portal/trainings/{session.pk}/sign/?t={services.training_token(session)}"
    phone = phone_page
    log_in(phone, live_server, "el_qr", county.password)
    phone.goto(live_server.url + link)
    click_to_load(phone, "[data-testid=sign-form] button[type=submit]")
    phone.get_by_test_id("signed").wait_for()
    phone.check("[data-testid=quiz-form] input[value='0']")
    click_to_load(phone, "[data-testid=quiz-form] button[type=submit]")
    assert "1 / 1" in phone.get_by_test_id("score").inner_text()
    shot(phone, "servicedesk-training-signed-phone")
    assert Attendance.objects.filter(session=session, user=el).exists()
    desk.reload()
    assert desk.get_by_test_id("attendance-count").inner_text().strip() == "1 / 1"

"""The service desk's pages and API: an electrician sees only their own customer's questions, photos and
complaints and their station's knowledge base; staff see their scope; the person complained about never
sees the complaint nor its author; questions are escaped on every page."""

import pytest
from django.urls import reverse

from gridcheck.servicedesk import services
from gridcheck.servicedesk.tests.conftest import png, png_bytes

pytestmark = pytest.mark.django_db


def ask(user, **kw):
    return services.consultation_ask(
        user=user,
        topic=kw.pop("topic", "technical"),
        subject=kw.pop("subject", "无功补偿"),
        question=kw.pop("question", "电容柜频繁投切怎么办？"),
        photos=kw.pop("photos", [png()]),
    )


def test_an_electrician_asks_on_the_portal_with_a_photo(client, county, el_east):
    client.force_login(el_east)
    page = client.get(reverse("servicedesk:portal"))
    assert page.status_code == 200
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("servicedesk:portal_ask"),
        {
            "topic": "safety",
            "subject": "接地电阻",
            "question": "<script>alert('x')</script>接地电阻多少合格？",
            "photos": [SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")],
        },
    )
    assert response.status_code == 302
    from gridcheck.servicedesk.models import Consultation

    consultation = Consultation.objects.get()
    assert consultation.photos.count() == 1
    page = client.get(reverse("servicedesk:portal_consultation", args=[consultation.pk]))
    body = page.content.decode()
    assert "<script>alert" not in body and "&lt;script&gt;" in body
    photo = client.get(reverse("servicedesk:photo", args=[consultation.photos.get().pk]))
    assert photo.status_code == 200 and photo["X-Content-Type-Options"] == "nosniff"
    # staff see it escaped too
    client.force_login(county.users["inspector_east"])
    body = client.get(reverse("servicedesk:consultation_detail", args=[consultation.pk])).content.decode()
    assert "<script>alert" not in body and "&lt;script&gt;" in body


def test_a_bad_photo_is_refused_on_the_portal(client, el_east):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(el_east)
    response = client.post(
        reverse("servicedesk:portal_ask"),
        {
            "topic": "safety",
            "subject": "x",
            "question": "x",
            "photos": [SimpleUploadedFile("a.png", b"%PDF-1.4 not an image", content_type="image/png")],
        },
    )
    assert response.status_code == 400
    from gridcheck.servicedesk.models import Consultation

    assert not Consultation.objects.exists()


def test_an_electrician_sees_only_their_own_customer(client, county, el_east, el_west):
    mine, theirs = ask(el_east), ask(el_west)
    services.consultation_answer(consultation=theirs, user=county.users["inspector_west"], answer="好")
    article = services.knowledge_article_publish(consultation=theirs, user=county.users["inspector_west"])
    client.force_login(el_east)
    assert client.get(reverse("servicedesk:portal_consultation", args=[mine.pk])).status_code == 200
    assert client.get(reverse("servicedesk:portal_consultation", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("servicedesk:photo", args=[theirs.photos.get().pk])).status_code == 404
    assert (
        client.post(reverse("servicedesk:portal_consultation", args=[theirs.pk]), {"rating": "1"}).status_code
        == 404
    )
    home = client.get(reverse("servicedesk:portal")).content.decode()
    assert mine.subject in home
    knowledge = client.get(reverse("servicedesk:portal_knowledge")).content.decode()
    assert article.title not in knowledge  # the west station's knowledge base
    api = client.get("/api/servicedesk/consultations/").json()
    assert [row["id"] for row in api["results"]] == [mine.pk]
    assert client.get(f"/api/servicedesk/consultations/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/servicedesk/articles/{article.pk}/").status_code == 404
    # an electrician cannot answer, even their own question
    response = client.post(
        f"/api/servicedesk/consultations/{mine.pk}/answer/", {"answer": "x"}, "application/json"
    )
    assert response.status_code == 403
    # nor open the staff side
    assert client.get(reverse("servicedesk:consultation_list")).status_code in (302, 403)
    assert client.get(reverse("servicedesk:consultation_detail", args=[mine.pk])).status_code in (302, 403)


def test_staff_queue_answer_and_rate_through_the_api(client, county, el_east, el_west):
    mine, theirs = ask(el_east), ask(el_west)
    client.force_login(county.users["inspector_east"])
    queue = client.get(reverse("servicedesk:consultation_list")).content.decode()
    assert mine.number in queue and theirs.number not in queue
    assert client.get(reverse("servicedesk:consultation_detail", args=[theirs.pk])).status_code == 404
    response = client.post(
        f"/api/servicedesk/consultations/{theirs.pk}/answer/", {"answer": "x"}, "application/json"
    )
    assert response.status_code == 404
    response = client.post(
        f"/api/servicedesk/consultations/{mine.pk}/answer/", {"answer": "按规程处理"}, "application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "answered"
    client.force_login(el_east)
    response = client.post(
        f"/api/servicedesk/consultations/{mine.pk}/rate/", {"rating": 5}, "application/json"
    )
    assert response.status_code == 200 and response.json()["rating"] == 5
    client.force_login(county.users["head_east"])
    assert client.get(reverse("servicedesk:dashboard")).status_code == 200
    response = client.post(f"/api/servicedesk/consultations/{mine.pk}/publish/", {}, "application/json")
    assert response.status_code == 201
    assert county.customers["east11"].name not in str(response.json())


def test_the_person_complained_about_never_sees_the_complaint(client, county):
    complaint = services.complaint_enter(
        user=county.users["head_east"],
        channel="wechat",
        subject="reader",
        text="抄表员多收费",
        author_name="李女士",
        author_phone="13655556666",
        about_staff=county.users["reader_east"],
    )
    client.force_login(county.users["reader_east"])
    assert complaint.number not in client.get(reverse("servicedesk:complaint_list")).content.decode()
    assert client.get(reverse("servicedesk:complaint_detail", args=[complaint.pk])).status_code == 404
    assert client.get(f"/api/servicedesk/complaints/{complaint.pk}/").status_code == 404
    assert "李女士" not in client.get("/api/servicedesk/complaints/").content.decode()
    client.force_login(county.users["inspector_east"])
    body = client.get(reverse("servicedesk:complaint_detail", args=[complaint.pk])).content.decode()
    assert "李女士" in body


def test_a_complaint_to_closure_on_the_pages(client, county, el_east):
    client.force_login(el_east)
    assert (
        client.post(
            reverse("servicedesk:portal_complaint"), {"subject": "counter", "text": "排队太久"}
        ).status_code
        == 302
    )
    from gridcheck.servicedesk.models import Complaint

    complaint = Complaint.objects.get()
    client.force_login(county.users["auditor_east"])
    response = client.post(
        reverse("servicedesk:complaint_detail", args=[complaint.pk]), {"answer": "已增设窗口"}
    )
    assert response.status_code == 302
    response = client.post(reverse("servicedesk:complaint_close", args=[complaint.pk]), {"note": "回访满意"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "closed"
    client.force_login(el_east)
    assert "已增设窗口" in client.get(reverse("servicedesk:portal")).content.decode()


def test_staff_enter_a_hotline_complaint_on_the_page(client, county):
    client.force_login(county.users["head_east"])
    response = client.post(
        reverse("servicedesk:complaint_enter"),
        {
            "channel": "hotline",
            "customer": county.customers["east12"].account_number,
            "author_name": "赵先生",
            "subject": "inspector",
            "about_staff": "inspector_east",
            "text": "检查不出示证件",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("servicedesk:complaint_enter"),
        {
            "channel": "hotline",
            "author_name": "x",
            "subject": "inspector",
            "about_staff": "inspector_west",
            "text": "x",
        },
    )
    assert response.status_code == 400  # not a member of staff in the head's scope
    client.force_login(county.users["reader_east"])
    assert client.get(reverse("servicedesk:complaint_enter")).status_code == 403

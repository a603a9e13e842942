"""Pages and API: staff register and move hazards, the liaison reads, the portal user sees only their own."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gridcheck.hazards import services
from gridcheck.hazards.choices import HazardStatus
from gridcheck.hazards.models import Hazard, Notice
from gridcheck.hazards.tests.conftest import png

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(make_hazard):
    own = make_hazard("east11", description="本户隐患：配电箱老化")
    other = make_hazard("east12", description="他户隐患：发电机无闭锁")
    services.hazard_transition(hazard=own, to_status="notified")
    return own, other


def _portal_client(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


# --- portal --------------------------------------------------------------------------------------


def test_portal_sees_only_own_hazards(client, portal, two):
    own, other = two
    c = _portal_client(client, portal["east11"])
    page = c.get(reverse("hazards:portal")).content.decode()
    assert "本户隐患" in page and "他户隐患" not in page
    assert c.get(reverse("hazards:portal_hazard", args=[own.pk])).status_code == 200
    assert c.get(reverse("hazards:portal_hazard", args=[other.pk])).status_code == 404


def test_portal_pages_offer_no_staff_search(client, portal, two, login):
    """A customer may not use the staff search: the portal shows neither its box nor its button."""
    search = reverse("search")
    page = _portal_client(client, portal["east11"]).get(reverse("hazards:portal")).content.decode()
    assert f'action="{search}"' not in page and f'href="{search}"' not in page
    staff = login("inspector_east").get(reverse("hazards:dashboard")).content.decode()
    assert f'action="{search}"' in staff and f'href="{search}"' in staff


def test_portal_other_customer_by_api_is_404(client, portal, two):
    own, other = two
    c = _portal_client(client, portal["east11"])
    listing = c.get("/api/hazards/hazards/").json()
    assert [row["id"] for row in listing["results"]] == [own.pk]
    assert c.get(f"/api/hazards/hazards/{other.pk}/").status_code == 404
    assert c.get(f"/api/hazards/hazards/{own.pk}/").status_code == 200
    response = c.post(f"/api/hazards/hazards/{other.pk}/confirm/", {"photos": [png()]})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == HazardStatus.FOUND


def test_portal_user_cannot_do_anything_else(client, portal, two):
    own, other = two
    c = _portal_client(client, portal["east11"])
    # No staff pages: they send the portal user to the portal.
    for name, args in [
        ("hazards:hazard_list", []),
        ("hazards:dashboard", []),
        ("hazards:hazard_detail", [own.pk]),
    ]:
        response = c.get(reverse(name, args=args))
        assert response.status_code == 302 and response.url == reverse("hazards:portal")
    # No transitions, by page or API.
    c.post(reverse("hazards:hazard_transition", args=[own.pk]), {"to_status": "verified"})
    assert (
        c.post(f"/api/hazards/hazards/{own.pk}/transition/", {"to_status": "rectifying"}).status_code == 403
    )
    assert c.patch(
        f"/api/hazards/hazards/{own.pk}/", {"deadline": "2030-01-01"}, content_type="application/json"
    ).status_code in (403, 405)
    assert c.delete(f"/api/hazards/hazards/{own.pk}/").status_code in (403, 405)
    assert c.post(reverse("hazards:calendar_run", args=["monthly"])).status_code == 403
    own.refresh_from_db()
    assert own.status == HazardStatus.NOTIFIED and own.deadline == datetime.date(2026, 12, 3)
    assert Notice.objects.count() == 0


def test_portal_confirms_with_photo(client, portal, two):
    own, _other = two
    c = _portal_client(client, portal["east11"])
    url = reverse("hazards:portal_hazard", args=[own.pk])
    bad = SimpleUploadedFile("fake.png", b"not an image at all", content_type="image/png")
    response = c.post(url, {"photos": [bad], "note": "已整改"})
    assert response.status_code == 400
    own.refresh_from_db()
    assert own.status == HazardStatus.NOTIFIED
    response = c.post(url, {"photos": [png()], "note": "已更换配电箱"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == HazardStatus.RECTIFIED
    assert own.photos.filter(stage="after").count() == 1
    assert "已更换配电箱" in own.events.last().note


def test_portal_photo_size_is_checked_by_api(client, portal, two, settings):
    own, _other = two
    settings.GRIDCHECK_HAZARD_PHOTO_MAX_BYTES = 100
    c = _portal_client(client, portal["east11"])
    response = c.post(f"/api/hazards/hazards/{own.pk}/confirm/", {"photos": [png(size=(300, 300))]})
    assert response.status_code == 400
    own.refresh_from_db()
    assert own.status == HazardStatus.NOTIFIED


def test_portal_notice_pdf_only_own(client, portal, two, county):
    services.customer_contact_create(customer=county.customers["east12"], name="x", email="x@example.cn")
    services.hazard_monthly_run(month=datetime.date(2026, 11, 1), today=datetime.date(2026, 11, 18))
    own_notice = Notice.objects.get(customer=county.customers["east11"])
    other_notice = Notice.objects.get(customer=county.customers["east12"])
    summary = Notice.objects.get(kind="government_monthly")
    c = _portal_client(client, portal["east11"])
    response = c.get(reverse("hazards:notice_pdf", args=[own_notice.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content)[:5] == b"%PDF-"
    assert c.get(reverse("hazards:notice_pdf", args=[other_notice.pk])).status_code == 404
    assert c.get(reverse("hazards:notice_pdf", args=[summary.pk])).status_code == 404
    assert [n["id"] for n in c.get("/api/hazards/notices/").json()["results"]] == [own_notice.pk]


def test_county_documents_are_for_county_level_readers(login, two, county):
    """The government summary names every station's customers: not for a station's staff."""
    services.hazard_monthly_run(month=datetime.date(2026, 11, 1), today=datetime.date(2026, 11, 18))
    summary = Notice.objects.get(kind="government_monthly")
    url = reverse("hazards:notice_pdf", args=[summary.pk])
    for username in ("inspector_east", "head_east", "inspector_west"):
        assert login(username).get(url).status_code == 404, username
        ids = [n["id"] for n in login(username).get("/api/hazards/notices/").json()["results"]]
        assert summary.pk not in ids
    for username in ("admin", "liaison"):
        assert login(username).get(url).status_code == 200, username
    # a hazard's page says it is in the summary, and links it only for who may read it (no dead link)
    own = two[0]
    assert own.notices.filter(pk=summary.pk).exists()
    link = f'href="{summary.get_absolute_url()}"'
    page = login("head_east").get(reverse("hazards:hazard_detail", args=[own.pk])).content.decode()
    assert summary.document_number in page and link not in page
    page = login("admin").get(reverse("hazards:hazard_detail", args=[own.pk])).content.decode()
    assert link in page


# --- liaison -------------------------------------------------------------------------------------


def test_liaison_reads_statistics_but_changes_nothing(login, two, county):
    own, other = two
    c = login("liaison")
    stats = c.get("/api/hazards/statistics/").json()
    assert stats["total"] == 2 and stats["by_status"]["notified"] == 1
    page = c.get(reverse("hazards:dashboard"))
    assert page.status_code == 200
    assert 'data-testid="run-monthly"' not in page.content.decode()
    assert c.get(reverse("hazards:hazard_detail", args=[other.pk])).status_code == 200
    assert (
        c.post(reverse("hazards:hazard_transition", args=[own.pk]), {"to_status": "rectifying"}).status_code
        == 403
    )
    assert (
        c.post(f"/api/hazards/hazards/{own.pk}/transition/", {"to_status": "rectifying"}).status_code == 403
    )
    assert c.post(reverse("hazards:calendar_run", args=["monthly"])).status_code == 403
    assert c.get(reverse("hazards:hazard_create")).status_code == 403
    own.refresh_from_db()
    assert own.status == HazardStatus.NOTIFIED
    assert Notice.objects.count() == 0


# --- staff ---------------------------------------------------------------------------------------


def test_inspector_registers_a_hazard_and_bad_deadline_is_refused(login, county):
    c = login("inspector_east")
    customer = county.customers["east21"]
    data = {
        "customer": customer.account_number,
        "category": "protection_not_set",
        "severity": "serious",
        "description": "过流保护退出",
        "found_on": "2026-11-10",
        "deadline": "2026-11-01",
        "responsible_person": "王工",
    }
    response = c.post(reverse("hazards:hazard_create"), data)
    assert response.status_code == 200
    assert "cannot be before" in response.content.decode() or "不能早于" in response.content.decode()
    assert not Hazard.objects.exists()
    data["deadline"] = "2026-11-30"
    data["photos"] = [png()]
    response = c.post(reverse("hazards:hazard_create"), data)
    hazard = Hazard.objects.get()
    assert response.status_code == 302 and response.url == hazard.get_absolute_url()
    assert hazard.photos.filter(stage="before").count() == 1
    # A west customer is outside the east inspector's scope.
    data["customer"] = county.customers["west11"].account_number
    c.post(reverse("hazards:hazard_create"), data)
    assert Hazard.objects.count() == 1
    # The form offers only the station's own staff as responsible, and refuses another station's.
    staff = c.get(reverse("hazards:hazard_create")).context["form"].fields["responsible_staff"].queryset
    assert "inspector_east" in {u.username for u in staff} and "inspector_west" not in {
        u.username for u in staff
    }
    data["customer"] = customer.account_number
    data["responsible_staff"] = county.users["inspector_west"].pk
    c.post(reverse("hazards:hazard_create"), data)
    assert Hazard.objects.count() == 1


def test_list_filters_and_scope(login, make_hazard, county):
    # east11's deadline lies ahead whatever today is (only east12's has passed).
    make_hazard("east11", severity="major", deadline=timezone.localdate() + datetime.timedelta(days=30))
    make_hazard("east12", found_on=datetime.date(2026, 1, 1), deadline=datetime.date(2026, 1, 31))
    make_hazard("west11")
    c = login("inspector_east")
    page = c.get(reverse("hazards:hazard_list")).content.decode()
    assert "客户east11" in page and "客户west11" not in page
    page = c.get(reverse("hazards:hazard_list"), {"overdue": "true"}).content.decode()
    assert "客户east12" in page and "客户east11" not in page
    page = c.get(reverse("hazards:hazard_list"), {"severity": "major"}).content.decode()
    assert "客户east11" in page and "客户east12" not in page
    admin = login("admin")
    page = admin.get(reverse("hazards:hazard_list"), {"station": county.stations["west"].pk}).content.decode()
    assert "客户west11" in page and "客户east11" not in page


def test_dashboard_button_runs_the_month(login, make_hazard, county):
    make_hazard("east11")
    # The notices cover the county: a station's head or inspector may not send them.
    for username in ("head_east", "inspector_east"):
        station = login(username)
        assert 'data-testid="run-monthly"' not in station.get(reverse("hazards:dashboard")).content.decode()
        assert station.post(reverse("hazards:calendar_run", args=["monthly"])).status_code == 403
    assert not Notice.objects.exists()
    c = login("admin")
    page = c.get(reverse("hazards:dashboard")).content.decode()
    assert 'data-testid="run-monthly"' in page
    response = c.post(reverse("hazards:calendar_run", args=["monthly"]))
    assert response.status_code == 302
    assert Notice.objects.filter(kind="customer_monthly").count() == 1
    assert Notice.objects.filter(kind="government_monthly").count() == 1
    page = c.get(reverse("hazards:dashboard")).content.decode()
    assert 'data-testid="run-monthly"' not in page
    assert "客户用电安全隐患情况报告" in page and "尚未生成" not in page
    # a station's head does not read the county's report, and is told why rather than "none yet"
    page = login("head_east").get(reverse("hazards:dashboard")).content.decode()
    assert "客户用电安全隐患情况报告" not in page and "尚未生成" not in page
    assert "由县公司人员和政府联络人查阅" in page


def test_staff_transition_and_notice_paper_record(login, make_hazard, county):
    hazard = make_hazard("east11")
    c = login("inspector_east")
    c.post(reverse("hazards:hazard_transition", args=[hazard.pk]), {"to_status": "verified"})
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.FOUND  # refused: found -> verified
    c.post(
        reverse("hazards:hazard_transition", args=[hazard.pk]), {"to_status": "notified", "note": "当面送达"}
    )
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.NOTIFIED
    detail = c.get(hazard.get_absolute_url()).content.decode()
    assert "当面送达" in detail


def test_portal_user_is_kept_out_of_the_rest_of_gridcheck(client, portal, two):
    c = _portal_client(client, portal["east11"])
    for url in ("/", "/archive/customers/", "/staff/"):
        response = c.get(url)
        assert response.status_code == 302 and response.url == reverse("hazards:portal"), url
    assert c.get("/api/archive/customers/").status_code == 403
    assert c.get(reverse("hazards:portal")).status_code == 200


def test_portal_confinement_holds_on_every_way_of_logging_in(portal, county, django_user_model):
    """The portal is a role: a token (or any other path than the session) reaches no staff API, and a
    staff login (any other role) cannot be made a customer's portal login."""
    import base64

    from django.core.exceptions import ValidationError
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=portal['east11']).key}")
    for url in (
        "/api/archive/customers/",
        "/api/staff/users/",
        "/api/detection/suspects/",
        "/api/cases/cases/",
    ):
        assert client.get(url).status_code == 403, url
    basic = APIClient()
    basic.credentials(
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"portal_east11:{county.password}".encode()).decode()
    )
    assert basic.get("/api/archive/customers/").status_code in (401, 403)
    staff = django_user_model.objects.create_user(username="new_login", password=county.password)
    with pytest.raises(ValidationError):
        services.customer_contact_create(customer=county.customers["east21"], name="x", portal_user=staff)


def test_staff_are_not_confined(login):
    c = login("inspector_east")
    assert c.get("/archive/customers/").status_code == 200


def test_photos_are_served_only_to_who_may_see_the_hazard(client, portal, two, login):
    own, other = two
    own_photo = services.hazard_photo_add(hazard=own, stage="before", image=png())
    other_photo = services.hazard_photo_add(hazard=other, stage="before", image=png())
    c = _portal_client(client, portal["east11"])
    response = c.get(reverse("hazards:photo", args=[own_photo.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content)[:4] == b"\x89PNG"
    assert c.get(reverse("hazards:photo", args=[other_photo.pk])).status_code == 404
    west = login("inspector_west")
    assert west.get(reverse("hazards:photo", args=[own_photo.pk])).status_code == 404


def test_dashboard_button_produces_last_quarters_briefing(login, make_hazard):
    make_hazard("east11", found_on=datetime.date(2026, 8, 3), deadline=datetime.date(2026, 9, 3))
    c = login("admin")
    page = c.get(reverse("hazards:dashboard")).content.decode()
    assert 'data-testid="run-quarterly"' in page
    assert c.post(reverse("hazards:calendar_run", args=["quarterly"])).status_code == 302
    quarter = (datetime.date.today().month - 1) // 3 or 4
    briefing = Notice.objects.get(kind="quarterly_briefing")
    assert briefing.period.endswith(f"Q{quarter}") and briefing.pdf.read()[:5] == b"%PDF-"
    assert c.get(reverse("hazards:notice_pdf", args=[briefing.pdf and briefing.pk])).status_code == 200


def test_customer_safety_file_contacts_drills_and_warning(login, county):
    from gridcheck.hazards.models import CustomerContact, Drill, GovernmentContact
    from gridcheck.notifications.models import Message

    customer = county.customers["east12"]
    url = reverse("hazards:customer_safety", args=[customer.pk])
    c = login("inspector_east")
    assert c.get(url).status_code == 200
    c.post(
        url,
        {"action": "contact", "customer": customer.pk, "name": "周主任", "phone": "13900000001", "email": ""},
    )
    assert CustomerContact.objects.get(customer=customer).name == "周主任"
    c.post(
        url,
        {
            "action": "drill",
            "customer": customer.pk,
            "scenario": "全厂停电演练",
            "scheduled_on": "2026-03-01",
        },
    )
    drill = Drill.objects.get(customer=customer)
    bad = c.post(
        reverse("hazards:drill_record", args=[drill.pk]), {"held_on": "2099-01-01", "participants": "甲"}
    )
    assert bad.status_code == 400
    c.post(
        reverse("hazards:drill_record", args=[drill.pk]),
        {"held_on": "2026-03-01", "participants": "周主任、检查员2名", "findings": "切换正常"},
    )
    drill.refresh_from_db()
    assert drill.status == "held" and drill.findings == "切换正常"
    response = c.post(
        url,
        {
            "action": "warning",
            "customer": customer.pk,
            "subject": "汛期风险预警",
            "body": "请检查配电室防水。",
            "channels": ["sms", "email"],
        },
    )
    assert response.status_code == 302
    assert Message.objects.filter(channel="sms", body="请检查配电室防水。").count() == 1
    # A west inspector cannot open an east customer's file; the liaison reads it but cannot write.
    assert login("inspector_west").get(url).status_code == 404
    liaison = login("liaison")
    assert liaison.get(url).status_code == 200
    assert liaison.post(url, {"action": "contact", "customer": customer.pk, "name": "x"}).status_code == 403
    assert (
        liaison.post(reverse("hazards:government_contacts"), {"department": "x", "name": "y"}).status_code
        == 403
    )
    # The government contacts receive the county's summary: a station's inspector may not add one.
    assert (
        login("inspector_east")
        .post(reverse("hazards:government_contacts"), {"department": "x", "name": "y", "email": "a@b.cn"})
        .status_code
        == 403
    )
    assert not GovernmentContact.objects.exists()
    admin = login("admin")
    admin.post(
        reverse("hazards:government_contacts"),
        {"department": "县应急管理局", "name": "钱股长", "email": "yj@gov.example.cn"},
    )
    assert GovernmentContact.objects.get().department == "县应急管理局"
    # a contact's title is their post (职务), not a document's title (标题)
    page = admin.get(reverse("hazards:government_contacts")).content.decode()
    assert "职务" in page and "标题" not in page


def _pdf_bytes() -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_notice_pages_and_paper_delivery(login, make_hazard, county):
    make_hazard("east11")
    services.hazard_monthly_run(month=datetime.date(2026, 11, 1), today=datetime.date(2026, 11, 18))
    notice = Notice.objects.get(kind="customer_monthly")
    assert notice.paper_pending  # east11 has no contact with an email
    c = login("head_east")
    assert c.get(reverse("hazards:hazard_create")).status_code == 200
    listing = c.get(reverse("hazards:notice_list"), {"paper_pending": "true"}).content.decode()
    assert notice.document_number in listing
    page = c.get(notice.get_absolute_url()).content.decode()
    assert 'data-testid="note"' in page and 'data-testid="pdf"' in page
    # A receipt that is not what its name says (an HTML page named .pdf) is refused, and nothing is stored.
    fake = SimpleUploadedFile(
        "回执.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    response = c.post(
        notice.get_absolute_url(),
        {"delivered_on": "2026-11-19", "received_by": "客户门卫张三", "receipt": fake},
    )
    notice.refresh_from_db()
    assert notice.paper_pending and not notice.paper_receipt
    receipt = SimpleUploadedFile("回执.pdf", _pdf_bytes(), content_type="application/pdf")
    response = c.post(
        notice.get_absolute_url(),
        {"delivered_on": "2026-11-19", "received_by": "客户门卫张三", "receipt": receipt},
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert not notice.paper_pending and notice.paper_received_by == "客户门卫张三"
    served = c.get(reverse("hazards:notice_receipt", args=[notice.pk]))
    assert served.status_code == 200 and served["Content-Disposition"].startswith("attachment")
    assert served["X-Content-Type-Options"] == "nosniff"
    # The liaison reads the notice but may not record a delivery.
    liaison = login("liaison")
    assert liaison.get(notice.get_absolute_url()).status_code == 200
    assert (
        liaison.post(
            notice.get_absolute_url(), {"delivered_on": "2026-11-19", "received_by": "x"}
        ).status_code
        == 403
    )


def _tile_figure(page: str, testid: str) -> int:
    return int(page.split(f'data-testid="{testid}"', 1)[1].split(">", 1)[1].split("<", 1)[0].replace(",", ""))


def test_the_home_tile_counts_the_users_hazards_and_the_calendar(login, make_hazard, county):
    """The home page's hazards tile: what a government liaison sees first, scoped like the register."""
    from gridcheck.hazards.choices import HazardSeverity

    make_hazard("east11")
    make_hazard("east12", severity=HazardSeverity.MAJOR)
    make_hazard("west11")
    liaison = login("liaison").get("/").content.decode()
    assert 'data-testid="hazards-tile"' in liaison
    assert _tile_figure(liaison, "tile-hazards-open") == 3
    calendar = liaison.split('data-testid="tile-hazards-calendar"', 1)[1].split("</ul>", 1)[0]
    period = timezone.localdate().strftime("%Y-%m")
    assert period in calendar and reverse("hazards:notice_list") in calendar
    west = login("inspector_west").get("/").content.decode()
    assert _tile_figure(west, "tile-hazards-open") == 1

"""Item 7 of issue 23 (anti-theft publicity): campaigns (scoped, logged, exported) and typical closed
cases published with personal data removed by a second person; the forum's attachments (item 5); the
views' shared form helper (``core.generic.form_submit``)."""

import datetime
import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from gridcheck.hazards.services import customer_contact_create
from gridcheck.servicedesk import services
from gridcheck.servicedesk.choices import CampaignStatus, TypicalCaseStatus
from gridcheck.servicedesk.models import CampaignEvent, ForumPost, PublicityCampaign, TypicalCase
from gridcheck.servicedesk.tests.conftest import electrician, png, png_bytes

pytestmark = pytest.mark.django_db

NAME = "张记豆腐坊"
PHONE = "13812345678"
ADDRESS = "示范县青石镇柳树村5号"
ID_NUMBER = "11010119900307123X"
CONTACT = "李四根"
CONTACT_PHONE = "13998765432"
EMAIL = "lisigen@example.com"


@pytest.fixture
def closed_case(county):
    """A theft case of east11 taken to closure through the cases services, as the demo's inspectors do,
    with personal data written into its facts and closing notes."""
    from gridcheck.cases import services as cases
    from gridcheck.cases.tests.conftest import run_to_pending

    customer = county.customers["east11"]
    customer.name, customer.phone, customer.address = NAME, PHONE, ADDRESS
    customer.save()
    customer_contact_create(customer=customer, name=CONTACT, phone=CONTACT_PHONE, email=EMAIL)
    meter = customer.metering_points.get().meters.get()
    inspector = county.users["inspector_east"]
    inspector.full_name = "王检查"
    inspector.save()
    case = cases.case_create(
        customer=customer,
        kind="theft",
        theft_type="bypass_meter",
        case_date=datetime.date(2023, 5, 1),
        facts=(
            f"{NAME}（户号{customer.account_number}，{ADDRESS}，电话{PHONE}，身份证{ID_NUMBER}）"
            f"在电能表{meter.asset_number}前绕越接线，联系人{CONTACT}（{EMAIL}），王检查现场取证。"
        ),
        created_by=inspector,
    )
    case = run_to_pending(case, county)
    while level := cases.next_approval_level(case):
        approver = county.users["head_east" if level == "station" else "admin"]
        case = cases.case_approve(case=case, user=approver, level=level, decision="approve")
    cases.case_payment_record(
        case=case,
        amount_yuan=case.total_due_yuan,
        paid_on=timezone.localdate(),
        receipt_number="R-77",
        user=inspector,
    )
    cases.case_legal_record(case=case, user=inspector, step="not_due", reason="未达追诉标准")
    return cases.case_close(
        case=case, user=inspector, measures_taken=f"更换{meter.asset_number}表箱，{NAME}签字确认"
    )


def _published_text(typical: TypicalCase) -> str:
    return " ".join([typical.title, typical.text, typical.legal_basis, typical.outcome, typical.method])


def test_the_anonymiser_removes_every_personal_field_and_keeps_the_facts(closed_case, county):
    typical = services.typical_case_prepare(case=closed_case, user=county.users["inspector_east"])
    customer = closed_case.customer
    text = _published_text(typical)
    meter = customer.metering_points.get().meters.get()
    for personal in (
        NAME,
        customer.account_number,
        ADDRESS,
        PHONE,
        ID_NUMBER,
        meter.asset_number,
        CONTACT,
        CONTACT_PHONE,
        EMAIL,
        "王检查",
        "张三",  # who signed the notice
        closed_case.number,
        "R-77",
    ):
        assert personal not in text, personal
    assert "某客户" in typical.text
    # What is kept: the method, the amounts rounded to yuan, the legal basis, the outcome, month and county.
    items = {i["key"]: Decimal(i["value"]) for i in closed_case.calculation["items"]}
    assert typical.back_bill_yuan == items["back_bill_yuan"].quantize(Decimal("1"), ROUND_HALF_UP)
    assert typical.penalty_yuan == items["penalty_yuan"].quantize(Decimal("1"), ROUND_HALF_UP)
    assert typical.total_yuan == closed_case.total_due_yuan.quantize(Decimal("1"), ROUND_HALF_UP)
    assert f"{typical.back_bill_yuan}" in typical.text and f"{typical.penalty_yuan}" in typical.text
    assert typical.month == "2023-05" and typical.county == "示范县" and "示范县" in typical.title
    assert typical.method == str(closed_case.get_theft_type_display())
    assert typical.legal_basis and typical.legal_basis in typical.text
    assert typical.outcome and "绕越" in typical.text  # the facts' method survives, its people do not
    assert typical.status == TypicalCaseStatus.DRAFT
    # Whatever the preparer types back in is removed again.
    typical = services.typical_case_edit(
        typical_case=typical, user=county.users["inspector_east"], text=f"{typical.text}\n{NAME} {PHONE}"
    )
    assert NAME not in typical.text and PHONE not in typical.text
    assert [e.to_status for e in typical.events.all()] == ["draft", "draft"]


def test_the_preparer_never_approves_and_a_second_person_publishes(closed_case, county, client, el_east):
    preparer, second = county.users["inspector_east"], county.users["head_east"]
    typical = services.typical_case_prepare(case=closed_case, user=preparer)
    with pytest.raises(PermissionDenied):
        services.typical_case_publish(typical_case=typical, user=preparer)
    with pytest.raises(ValidationError):
        services.typical_case_prepare(case=closed_case, user=second)  # one typical case per closed case
    with pytest.raises(IntegrityError), transaction.atomic():
        TypicalCase.objects.filter(pk=typical.pk).update(approved_by=preparer)
    # The portal shows only published ones: not the draft ...
    client.force_login(el_east)
    assert typical.title not in client.get(reverse("servicedesk:portal_typical_cases")).content.decode()
    assert client.get(reverse("api:servicedesk-typical-case-list")).json()["count"] == 0
    typical = services.typical_case_publish(typical_case=typical, user=second, announce=True)
    assert typical.status == TypicalCaseStatus.PUBLISHED and typical.approved_by == second
    assert typical.announcement is not None and typical.announcement.messages_queued == 0
    page = client.get(reverse("servicedesk:portal_typical_cases")).content.decode()
    assert typical.title in page and NAME not in page and PHONE not in page
    assert client.get(reverse("api:servicedesk-typical-case-list")).json()["count"] == 1
    # ... and not once withdrawn.
    services.typical_case_withdraw(typical_case=typical, user=second, reason="过期")
    assert typical.title not in client.get(reverse("servicedesk:portal_typical_cases")).content.decode()
    assert [e.to_status for e in typical.events.all()] == ["draft", "published", "withdrawn"]


def test_typical_cases_through_the_pages(closed_case, county, login, client):
    login("inspector_east")
    response = client.post(reverse("servicedesk:typical_case_list"), {"case": closed_case.pk})
    typical = TypicalCase.objects.get()
    assert response.status_code == 302 and response["Location"] == typical.get_absolute_url()
    page = client.get(typical.get_absolute_url()).content.decode()
    assert 'data-testid="publish-form"' not in page and NAME not in page
    client.post(reverse("servicedesk:typical_case_step", args=[typical.pk]), {"action": "publish"})
    typical.refresh_from_db()
    assert typical.status == TypicalCaseStatus.DRAFT  # the preparer's publish is refused
    login("head_east")
    client.post(reverse("servicedesk:typical_case_step", args=[typical.pk]), {"action": "publish"})
    typical.refresh_from_db()
    assert typical.status == TypicalCaseStatus.PUBLISHED
    # Another station's staff neither see it nor act on it.
    login("inspector_west")
    assert client.get(typical.get_absolute_url()).status_code == 404
    assert (
        client.post(
            reverse("servicedesk:typical_case_step", args=[typical.pk]), {"action": "withdraw"}
        ).status_code
        == 404
    )
    assert typical.title not in client.get(reverse("servicedesk:typical_case_list")).content.decode()
    with pytest.raises(PermissionDenied):
        services.typical_case_withdraw(typical_case=typical, user=county.users["inspector_west"])
    with pytest.raises(PermissionDenied):
        services.typical_case_prepare(case=closed_case, user=county.users["inspector_west"])


# --- campaigns -------------------------------------------------------------------------------------


def test_a_campaign_is_recorded_changed_held_and_scoped(county, login, client):
    login("head_east")
    held_at = timezone.localtime() - datetime.timedelta(days=1)
    response = client.post(
        reverse("servicedesk:campaign_create"),
        {
            "kind": "stall",
            "place": "青石镇集市",
            "held_at": held_at.strftime("%Y-%m-%dT%H:%M"),
            "materials": "宣传单 | 500\n海报｜10",
            "people_reached": "320",
            "leaflets_handed_out": "450",
            "customers_visited": "12",
            "organiser": county.users["inspector_east"].pk,
            "notes": "<script>x</script>",
            "photos": [png("现场.png")],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign = PublicityCampaign.objects.get()
    assert campaign.materials == [{"name": "宣传单", "quantity": 500}, {"name": "海报", "quantity": 10}]
    assert campaign.organiser == county.users["inspector_east"] and campaign.photos.count() == 1
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "宣传单 500" in page and "<script>x</script>" not in page
    assert (
        client.get(reverse("servicedesk:campaign_photo", args=[campaign.photos.get().pk])).status_code == 200
    )
    # A bad materials line is refused on its field.
    bad = client.post(
        reverse("servicedesk:campaign_edit", args=[campaign.pk]),
        {
            "kind": "stall",
            "place": "青石镇集市",
            "held_at": held_at.strftime("%Y-%m-%dT%H:%M"),
            "materials": "宣传单 | 很多",
        },
    )
    assert bad.status_code == 400 and list(bad.context["form"].errors) == ["materials"]
    campaign.refresh_from_db()
    assert campaign.materials[0] == {"name": "宣传单", "quantity": 500}
    campaign = services.campaign_update(campaign=campaign, user=county.users["head_east"], people_reached=350)
    client.post(reverse("servicedesk:campaign_step", args=[campaign.pk]), {"action": "hold"})
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.HELD and campaign.people_reached == 350
    events = list(CampaignEvent.objects.filter(campaign=campaign).values_list("from_status", "to_status"))
    assert events == [("", "planned"), ("planned", "planned"), ("planned", "held")]
    # The list exports XLSX with the row.
    export = client.get(reverse("servicedesk:campaign_list"), {"export": "xlsx"})
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(export.content)).active.values)
    assert any("青石镇集市" in [str(v) for v in row] for row in rows[1:])
    assert any("宣传单 500；海报 10" in [str(v) for v in row] for row in rows[1:])
    # API: the campaign for its station's staff; nothing for the west's, nor for a portal login.
    assert (
        client.get(reverse("api:servicedesk-campaign-detail", args=[campaign.pk])).json()["people_reached"]
        == 350
    )
    login("inspector_west")
    assert client.get(campaign.get_absolute_url()).status_code == 404
    assert client.get(reverse("servicedesk:campaign_edit", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("api:servicedesk-campaign-detail", args=[campaign.pk])).status_code == 404
    assert "青石镇集市" not in client.get(reverse("servicedesk:campaign_list")).content.decode()
    with pytest.raises(PermissionDenied):
        services.campaign_update(campaign=campaign, user=county.users["inspector_west"], place="x")


def test_campaign_api_creates_and_refuses(county, login, client, el_east):
    login("inspector_east")
    body = {
        "kind": "door_to_door",
        "place": "柳树村",
        "held_at": (timezone.now() + datetime.timedelta(days=3)).isoformat(),
        "materials": [{"name": "告知书", "quantity": 80}],
        "customers_visited": 40,
    }
    response = client.post(reverse("api:servicedesk-campaign-list"), body, content_type="application/json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["materials"] == [{"name": "告知书", "quantity": 80}]
    hold = client.post(reverse("api:servicedesk-campaign-hold", args=[pk]))
    assert hold.status_code == 400  # still to come
    cancel = client.post(reverse("api:servicedesk-campaign-cancel", args=[pk]), {"reason": "下雨"})
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"
    client.force_login(el_east)
    assert client.get(reverse("api:servicedesk-campaign-list")).status_code == 403


# --- forum attachments -----------------------------------------------------------------------------


def _pdf() -> SimpleUploadedFile:
    from pypdf import PdfWriter

    writer, buffer = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=100, height=100)
    writer.write(buffer)
    return SimpleUploadedFile("接线图.pdf", buffer.getvalue(), content_type="application/pdf")


def test_forum_attachments_checked_re_encoded_and_served_where_the_forum_is_visible(
    county, client, el_east, el_west
):
    from PIL import Image

    client.force_login(el_east)
    refused = client.post(
        reverse("servicedesk:portal_forum"),
        {
            "topic": "technical",
            "title": "电容柜",
            "text": "见附件",
            "attachments": [SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="image/png")],
        },
    )
    assert refused.status_code == 400
    assert "run.exe" in refused.content.decode() and "PDF" in refused.content.decode()
    with pytest.raises(ValidationError):  # a PNG name on what is not a picture
        services.forum_reply(
            thread=services.forum_thread_start(user=el_east, topic="technical", title="t", text="x"),
            user=el_east,
            text="y",
            attachments=[SimpleUploadedFile("fake.png", b"not an image", content_type="image/png")],
        )
    original = png_bytes((40, 30))
    response = client.post(
        reverse("servicedesk:portal_forum"),
        {
            "topic": "technical",
            "title": "电容柜频繁投切",
            "text": "见附件",
            "attachments": [SimpleUploadedFile("照片.png", original, content_type="image/png"), _pdf()],
        },
    )
    assert response.status_code == 302
    post = ForumPost.objects.filter(thread__title="电容柜频繁投切").get()
    photo, pdf = post.attachments.order_by("pk")
    stored = photo.file.read()
    assert stored != original and Image.open(io.BytesIO(stored)).size == (40, 30)  # re-encoded
    assert photo.original_name == "照片.png" and pdf.content_type == "application/pdf"
    url = reverse("servicedesk:forum_attachment", args=[photo.pk])
    served = client.get(url)
    assert served.status_code == 200 and served["Content-Disposition"].startswith("attachment")
    assert served["X-Content-Type-Options"] == "nosniff"
    # Another customer's electrician of the same station reads the forum and its files; the west's does not.
    client.force_login(electrician(county, "east12", phone="13600000000"))
    assert client.get(url).status_code == 200
    client.force_login(el_west)
    assert client.get(url).status_code == 404
    # A hidden post's files are served to no one, staff included.
    services.forum_moderate(user=county.users["head_east"], post=post, action="hide")
    client.force_login(county.users["head_east"])
    assert client.get(url).status_code == 404
    services.forum_moderate(user=county.users["head_east"], post=post, action="show")
    services.forum_moderate(user=county.users["head_east"], thread=post.thread, action="hide")
    assert client.get(url).status_code == 404


def test_form_submit_puts_a_refusal_on_the_form():
    from django import forms

    from gridcheck.core.generic import form_submit

    class F(forms.Form):
        text = forms.CharField()

    def refuse(data):
        raise ValidationError({"text": "不行", "other": "另一个"})

    form = F({"text": "x"})
    assert form_submit(form, refuse) is None
    assert form.errors["text"] == ["不行"] and form.non_field_errors() == ["另一个"]
    assert form_submit(F({"text": ""}), lambda data: 1 / 0) is None  # an invalid form never calls

    def deny(data):
        raise PermissionDenied("不许")

    with pytest.raises(PermissionDenied):
        form_submit(F({"text": "x"}), deny)
    form = F({"text": "x"})
    assert form_submit(form, deny, denied_on_form=True) is None and form.non_field_errors() == ["不许"]
    assert form_submit(F({"text": "x"}), lambda data: data["text"]) == "x"


def test_the_demo_adds_a_held_campaign_and_a_published_typical_case(county):
    """The service desk's demo on the small county: a campaign held, and a typical case drafted from a
    closed theft case it takes through the cases services, published by a second person."""
    from gridcheck.servicedesk.demo import demo_servicedesk_build

    counts = demo_servicedesk_build(password=county.password)
    assert counts["campaigns"] == 1 and counts["typical_cases"] == 1
    campaign = PublicityCampaign.objects.get()
    assert campaign.status == CampaignStatus.HELD and campaign.materials and campaign.photos.count() == 1
    typical = TypicalCase.objects.get()
    assert typical.status == TypicalCaseStatus.PUBLISHED and typical.approved_by_id != typical.prepared_by_id
    assert typical.case.customer.name not in _published_text(typical)
    assert typical.case.customer.account_number not in _published_text(typical)

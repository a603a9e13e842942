"""The guidance library: versioned documents with a checked PDF, audiences (all customers, a class,
staff only), read receipts of each version for documents that must be acknowledged."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gridcheck.servicedesk import selectors, services
from gridcheck.servicedesk.models import GuidanceDocument, ReadReceipt
from gridcheck.servicedesk.tests.conftest import electrician

pytestmark = pytest.mark.django_db


def _pdf_bytes() -> bytes:
    import io

    from pypdf import PdfWriter

    writer, buffer = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=100, height=100)
    writer.write(buffer)
    return buffer.getvalue()


def _pdf(name="指南.pdf", content=None):
    return SimpleUploadedFile(name, content or _pdf_bytes(), content_type="application/pdf")


def doc(county, audience="customers", must=True, user="head_east", **kw):
    return services.guidance_document_create(
        user=county.users[user],
        title=kw.pop("title", "客户变电站（配电室）标准化管理指南"),
        audience=audience,
        body=kw.pop("body", "一、配电室应防水、防火、防小动物。"),
        must_acknowledge=must,
        **kw,
    )


def test_versions_and_audiences(county, el_east, el_west):
    high_risk = county.customers["east12"]
    high_risk.is_high_risk = True
    high_risk.save()
    el_risk = electrician(county, "east12", username="el_east12", phone="13600000000")
    everyone = doc(county, attachment=_pdf())
    risk = doc(county, audience="high_risk", title="高危及重要客户保电指南")
    staff = doc(county, audience="staff", must=False, title="用电检查风险防范手册")
    assert everyone.versions.get().attachment_name == "指南.pdf"
    assert set(selectors.documents_for(el_east)) == {everyone}
    assert set(selectors.documents_for(el_risk)) == {everyone, risk}
    assert not selectors.documents_for(el_west).exists()  # another station's library
    assert set(selectors.documents_for(county.users["reader_east"])) == {everyone, risk, staff}
    assert not selectors.documents_for(county.users["inspector_west"]).exists()
    with pytest.raises(ValidationError):
        doc(county, audience="staff", must=True)
    with pytest.raises(PermissionDenied):
        doc(county, user="reader_east")
    with pytest.raises(ValidationError):  # not a PDF
        doc(county, attachment=_pdf("x.pdf", b"<html><script>alert(1)</script></html>"))
    second = services.guidance_version_publish(
        document=everyone, user=county.users["inspector_east"], body="第二版"
    )
    assert second.number == 2
    with pytest.raises(PermissionDenied):
        services.guidance_version_publish(document=everyone, user=county.users["inspector_west"], body="x")


def test_read_receipts_per_version(county, el_east, el_west):
    document = doc(county)
    first = document.versions.get()
    services.guidance_acknowledge(version=first, user=el_east)
    services.guidance_acknowledge(version=first, user=el_east)  # once
    assert ReadReceipt.objects.count() == 1
    status = selectors.receipt_status(document)
    assert status["read"] == 1 and len(status["rows"]) == 1
    with pytest.raises(PermissionDenied):  # not meant for a west customer
        services.guidance_acknowledge(version=first, user=el_west)
    with pytest.raises(PermissionDenied):  # staff do not acknowledge
        services.guidance_acknowledge(version=first, user=county.users["head_east"])
    services.guidance_version_publish(document=document, user=county.users["head_east"], body="修订版")
    assert selectors.receipt_status(document)["read"] == 0  # a new version is acknowledged again


def test_portal_pages_and_the_pdf(client, county, el_east, el_west):
    mine = doc(county, attachment=_pdf())
    staff_only = doc(county, audience="staff", must=False, title="用电检查风险防范手册", attachment=_pdf())
    client.force_login(el_east)
    listing = client.get(reverse("servicedesk:portal_guidance")).content.decode()
    assert mine.title in listing and staff_only.title not in listing
    assert client.get(reverse("servicedesk:portal_guidance_detail", args=[staff_only.pk])).status_code == 404
    pdf = client.get(reverse("servicedesk:guidance_attachment", args=[mine.versions.get().pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "attachment" in pdf["Content-Disposition"] and pdf["X-Content-Type-Options"] == "nosniff"
    staff_pdf = client.get(reverse("servicedesk:guidance_attachment", args=[staff_only.versions.get().pk]))
    assert staff_pdf.status_code == 404
    response = client.post(reverse("servicedesk:portal_guidance_detail", args=[mine.pk]))
    assert response.status_code == 302 and ReadReceipt.objects.filter(user=el_east).count() == 1
    api = client.get("/api/servicedesk/guidance/").json()
    assert [row["id"] for row in api["results"]] == [mine.pk]
    client.force_login(el_west)
    assert client.get(reverse("servicedesk:portal_guidance_detail", args=[mine.pk])).status_code == 404
    assert client.post(f"/api/servicedesk/guidance/{mine.pk}/acknowledge/").status_code == 404
    client.force_login(county.users["head_east"])
    page = client.get(reverse("servicedesk:guidance_detail", args=[mine.pk])).content.decode()
    assert "1 / 1" in page
    response = client.post(
        reverse("servicedesk:guidance_list"),
        {
            "title": "夏季高峰用电指引",
            "audience": "customers",
            "body": "迎峰度夏注意事项",
            "must_acknowledge": "on",
        },
    )
    assert response.status_code == 302
    assert GuidanceDocument.objects.filter(title="夏季高峰用电指引", must_acknowledge=True).exists()

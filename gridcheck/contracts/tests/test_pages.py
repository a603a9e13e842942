import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gridcheck.contracts.models import Contract

pytestmark = pytest.mark.django_db


def _pdf() -> bytes:
    from pypdf import PdfWriter

    writer, buffer = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=100, height=100)
    writer.write(buffer)
    return buffer.getvalue()


def test_pages_render_for_a_head(login, contracts, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login("head_east")
    east = contracts["east12"]
    for name, args in [
        ("contracts:contract_list", []),
        ("contracts:missing_list", []),
        ("contracts:expiring_list", []),
        ("contracts:contract_draft", []),
        ("contracts:contract_detail", [east.pk]),
        ("contracts:contract_renew", [east.pk]),
        ("contracts:contract_supersede", [east.pk]),
        ("contracts:contract_terminate", [east.pk]),
        ("contracts:agreement_add", [east.pk]),
        ("contracts:loan_out", [east.pk]),
        ("contracts:scan_upload", [east.pk]),
        ("contracts:contract_edit", [contracts["draft"].pk]),
        ("contracts:contract_sign", [contracts["draft"].pk]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
    listing = client.get(reverse("contracts:contract_list"), {"expiring_days": "2000"})
    assert east.number in listing.content.decode()
    assert contracts["west12"].number not in listing.content.decode()
    export = client.get(reverse("contracts:contract_list"), {"export": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
    missing = client.get(reverse("contracts:missing_list")).content.decode()
    assert "1100000002" not in missing and "1200000002" in missing  # east12 has a contract, east22 a draft
    assert f"{reverse('contracts:contract_draft')}?customer=" in missing
    # a draft saved through the form, a scan stored and served through core.uploads
    response = client.post(
        reverse("contracts:contract_draft"),
        {
            "account_number": "1100000002",
            "kind": "standard_temporary",
            "valid_from": "2026-01-01",
            "valid_to": "2026-05-01",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Contract.objects.filter(customer__account_number="1100000002", kind="standard_temporary").exists()
    response = client.post(
        reverse("contracts:scan_upload", args=[east.pk]), {"scan": SimpleUploadedFile("合同.pdf", _pdf())}
    )
    assert response.status_code == 302, response.context["form"].errors
    download = client.get(reverse("contracts:scan_download", args=[east.pk]))
    assert download.status_code == 200 and download["Content-Security-Policy"]
    # a refusal shows on the form, nothing changes
    response = client.post(
        reverse("contracts:contract_sign", args=[contracts["draft"].pk]), {"signed_on": "2026-01-01"}
    )
    assert (
        response.status_code == 200
        and b"field-error" in response.content
        or b"form-error" in response.content
    )
    assert Contract.objects.get(pk=contracts["draft"].pk).status == "draft"


def test_forms_closed_to_readers_and_other_stations(login, contracts):
    west = contracts["west12"]
    assert login("head_east").get(reverse("contracts:contract_detail", args=[west.pk])).status_code == 404
    assert (
        login("inspector_east")
        .get(reverse("contracts:contract_renew", args=[contracts["east12"].pk]))
        .status_code
        == 403
    )
    assert (
        login("inspector_east")
        .get(reverse("contracts:contract_detail", args=[contracts["east12"].pk]))
        .status_code
        == 200
    )
    assert login("reader_east").get(reverse("contracts:contract_list")).status_code == 403


def test_the_customers_without_a_contract_link_a_reader_to_the_customer_not_a_refused_draft(login, contracts):
    """An inspector may see the customers without a contract, not draft one: each account opens the
    customer's page instead of a form that would refuse them."""
    from gridcheck.archive.models import Customer
    from gridcheck.core.roles import MANAGE_CONTRACTS, VIEW_CONTRACTS, has_capability

    client = login("inspector_east")
    user = client.get(reverse("contracts:missing_list")).wsgi_request.user
    assert has_capability(user, VIEW_CONTRACTS) and not has_capability(user, MANAGE_CONTRACTS)
    missing = client.get(reverse("contracts:missing_list")).content.decode()
    customer = Customer.objects.get(account_number="1200000002")
    assert reverse("archive:customer_detail", args=[customer.pk]) in missing
    assert reverse("contracts:contract_draft") not in missing

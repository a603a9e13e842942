"""The case pages: scoping, the actions through the pages, the PDFs, the labels CSV and command, the API."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from gridcheck.cases import selectors, services
from gridcheck.cases.choices import CaseStatus
from gridcheck.cases.tests.conftest import bypass_case, run_to_pending

pytestmark = pytest.mark.django_db


def _pdf_text(content: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return text.replace(" ", "").replace("\n", "")


def test_list_filters_and_scoping(theft_case, login):
    client = login("inspector_east")
    response = client.get(reverse("cases:case_list"), {"status": "draft", "kind": "theft"})
    assert response.status_code == 200
    assert theft_case.number in response.content.decode()
    client = login("inspector_west")
    response = client.get(reverse("cases:case_list"))
    assert theft_case.number not in response.content.decode()
    assert client.get(reverse("cases:case_detail", args=[theft_case.pk])).status_code == 404
    assert client.get(reverse("cases:case_notice_pdf", args=[theft_case.pk])).status_code == 404
    # County-level users see every station.
    assert login("admin").get(reverse("cases:case_detail", args=[theft_case.pk])).status_code == 200


def test_create_through_the_page(county, login):
    client = login("inspector_east")
    response = client.post(
        reverse("cases:case_create"),
        {
            "customer_account": county.customers["east11"].account_number,
            "kind": "theft",
            "theft_type": "bypass_meter",
            "case_date": "2023-05-01",
            "facts": "绕越电能表",
        },
    )
    assert response.status_code == 302
    case = county.customers["east11"].cases.get()
    assert case.status == CaseStatus.DRAFT and case.created_by == county.users["inspector_east"]


def test_create_refuses_a_future_date_and_other_station_customer(county, login):
    client = login("inspector_east")
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    data = {
        "customer_account": county.customers["east11"].account_number,
        "kind": "theft",
        "theft_type": "bypass_meter",
        "case_date": future,
    }
    response = client.post(reverse("cases:case_create"), data)
    assert response.status_code == 200 and "晚于今天" in response.content.decode()
    data.update(case_date="2023-05-01", customer_account=county.customers["west11"].account_number)
    response = client.post(reverse("cases:case_create"), data)
    assert response.status_code == 200
    assert not county.customers["west11"].cases.exists()


def test_reader_cannot_open_cases(login):
    assert login("reader_east").get(reverse("cases:case_create")).status_code == 403


def test_detail_shows_every_figure_with_formula_and_article(theft_case, county, login):
    services.case_compute(case=theft_case, user=county.users["inspector_east"])
    html = login("inspector_east").get(reverse("cases:case_detail", args=[theft_case.pk])).content.decode()
    for text in ("1188", "665.28", "1995.84", "2,661.12", "W = S × T", "第一百零三条", "第一百零二条"):
        assert text in html


def test_notice_pdf_contains_customer_and_total(theft_case, county, login):
    services.case_compute(case=theft_case, user=county.users["inspector_east"])
    response = login("inspector_east").get(reverse("cases:case_notice_pdf", args=[theft_case.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    assert "窃电通知书" in text
    assert county.customers["east11"].name in text
    assert "2,661.12" in text
    assert "贰仟陆佰陆拾壹元壹角贰分" in text
    # the tariff by its name, as the customer reads it (not the catalogue's code)
    theft_case.refresh_from_db()
    name = selectors.tariff_name(theft_case)
    assert name and name in text.replace("\n", "") and theft_case.tariff_code not in text


def test_payment_notice_pdf(theft_case, county, login):
    case = run_to_pending(theft_case, county)
    services.case_approve(case=case, user=county.users["head_east"], level="station", decision="approve")
    response = login("inspector_east").get(reverse("cases:case_payment_notice_pdf", args=[case.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "缴费通知单" in text and county.customers["east11"].name in text and "2,661.12" in text


def test_whole_flow_through_the_pages(theft_case, county, login):
    pk = theft_case.pk
    client = login("inspector_east")
    client.post(reverse("cases:case_compute", args=[pk]))
    # A signature missing is refused on the form.
    response = client.post(
        reverse("cases:case_notify", args=[pk]), {"signed": "yes", "notified_on": timezone.localdate()}
    )
    assert response.status_code == 200
    theft_case.refresh_from_db()
    assert theft_case.status == CaseStatus.COMPUTED
    client.post(
        reverse("cases:case_notify", args=[pk]),
        {"signed": "yes", "signer_name": "张三", "notified_on": timezone.localdate()},
    )
    client.post(reverse("cases:case_submit", args=[pk]))
    # The creator cannot approve.
    client.post(reverse("cases:case_approve", args=[pk]), {"decision": "approve"})
    theft_case.refresh_from_db()
    assert theft_case.status == CaseStatus.PENDING_APPROVAL
    login("head_east").post(
        reverse("cases:case_approve", args=[pk]), {"decision": "approve", "comment": "同意"}
    )
    client = login("inspector_east")
    client.post(
        reverse("cases:case_payment", args=[pk]),
        {"amount_yuan": "2661.12", "paid_on": timezone.localdate(), "receipt_number": "SJ-001"},
    )
    # The legal step is not recorded: the case does not close.
    client.post(reverse("cases:case_close", args=[pk]), {"cause_found": "绕表接线"})
    theft_case.refresh_from_db()
    assert theft_case.status == CaseStatus.PAID
    html = client.get(reverse("cases:case_detail", args=[pk])).content.decode()
    assert 'data-check="legal" data-done="0"' in html and 'data-check="penalty" data-done="1"' in html
    client.post(
        reverse("cases:case_legal", args=[pk]), {"legal-step": "not_due", "legal-reason": "初犯，金额较小"}
    )
    client.post(
        reverse("cases:case_close", args=[pk]),
        {
            "cause_found": "绕表接线",
            "responsible_dealt_with": "已追缴",
            "measures_taken": "加封、列入重点稽查",
        },
    )
    theft_case.refresh_from_db()
    assert theft_case.status == CaseStatus.CLOSED
    html = client.get(reverse("cases:case_detail", args=[pk])).content.decode()
    assert 'data-testid="label"' in html
    csv_text = client.get(reverse("cases:labels_csv")).content.decode()
    assert "1100000001,M1100000001,1,2023-05-01" in csv_text
    assert login("inspector_west").get(reverse("cases:labels_csv")).content.decode().count("\n") == 1


def test_labels_command(theft_case, county, tmp_path):
    case = run_to_pending(theft_case, county)
    services.case_approve(case=case, user=county.users["head_east"], level="station", decision="approve")
    services.case_payment_record(
        case=case,
        amount_yuan=Decimal("2661.12"),
        paid_on=timezone.localdate(),
        receipt_number="R",
        user=county.users["inspector_east"],
    )
    services.case_legal_record(
        case=case, user=county.users["inspector_east"], step="not_due", reason="初犯，金额较小"
    )
    services.case_close(case=case, user=county.users["inspector_east"])
    out = tmp_path / "labels.csv"
    call_command("cases", "labels", "--out", str(out), stdout=io.StringIO())
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines == [
        "account_number,meter_asset_numbers,label,case_date",
        "1100000001,M1100000001,1,2023-05-01",
    ]


def test_api_scoped(theft_case, login):
    client = login("inspector_east")
    data = client.get("/api/cases/cases/").json()
    rows = data["results"] if isinstance(data, dict) else data
    assert [row["number"] for row in rows] == [theft_case.number]
    data = login("inspector_west").get("/api/cases/cases/").json()
    rows = data["results"] if isinstance(data, dict) else data
    assert rows == []
    assert login("inspector_east").get("/api/cases/labels/").json() == []


def test_open_a_case_from_a_visit_finding(county, login):
    from gridcheck.cases.tests.test_services import _visit

    visit = _visit(county, county.customers["east11"], [{"kind": "theft", "description": "绕越电能表"}])
    client = login("inspector_east")
    response = client.get(reverse("cases:case_create"), {"visit": visit.pk, "finding": 0})
    html = response.content.decode()
    assert county.customers["east11"].account_number in html and "绕越电能表" in html
    response = client.post(
        reverse("cases:case_create"),
        {
            "visit_id": visit.pk,
            "customer_account": county.customers["east11"].account_number,
            "kind": "theft",
            "theft_type": "bypass_meter",
            "case_date": "2023-05-01",
        },
    )
    assert response.status_code == 302
    assert county.customers["east11"].cases.get().visit == visit


def test_a_case_from_a_visit_finding_goes_through_the_service(county, login):
    from gridcheck.cases.tests.test_services import _visit

    visit = _visit(
        county,
        county.customers["east11"],
        [{"kind": "hazard", "description": "表箱破损"}, {"kind": "theft", "description": "绕越电能表"}],
    )
    client = login("inspector_east")
    html = client.get(reverse("cases:case_create"), {"visit": visit.pk, "finding": 1}).content.decode()
    assert 'name="finding" value="1"' in html and "绕越电能表" in html
    post = {
        "visit_id": visit.pk,
        "finding": 1,
        "customer_account": county.customers["east11"].account_number,
        "kind": "theft",
        "theft_type": "bypass_meter",
        "case_date": "2023-05-01",
        "facts": "绕越电能表，现场拍照",
    }
    # Another customer than the visited one is refused; a finding that is no theft or violation too.
    response = client.post(
        reverse("cases:case_create"), {**post, "customer_account": county.customers["east12"].account_number}
    )
    assert response.status_code == 200 and not county.customers["east12"].cases.exists()
    response = client.post(reverse("cases:case_create"), {**post, "finding": 0})
    assert response.status_code == 200 and not county.customers["east11"].cases.exists()
    response = client.post(reverse("cases:case_create"), post)
    assert response.status_code == 302
    case = county.customers["east11"].cases.get()
    assert case.visit == visit and case.visit_ref == f"{visit.work_order.number}/{visit.pk}"
    assert case.facts == "绕越电能表，现场拍照" and case.case_date.isoformat() == "2023-05-01"


def test_detail_reads_the_history_and_the_rules_used_in_words(county, login):
    """A case computed under the 2024 rows (not yet verified): its history says what each step was, the
    rules used show their unit and status in words, and the review warning leads with what the row is."""
    import re

    case = bypass_case(county, datetime.date(2025, 3, 1))
    case = services.case_compute(case=case, user=county.users["inspector_east"])
    html = login("inspector_east").get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "立案" in html and "计算应交金额" in html
    assert not re.search(r"·\s*(created|computed)\b", html)
    assert "未核实" in html and ">U<" not in html
    assert "需复核：" in html and "需复核：规则" not in html
    assert selectors.tariff_name(case) and selectors.tariff_name(case) in html
    # each row named by what it means; its key only in a tooltip, not in the text or the warning
    unverified = next(r for r in case.calculation["rules"] if r["status"] == "U")
    assert f'<td title="{unverified["key"]}">{unverified["description"]}</td>' in html
    assert f"规则表 {unverified['key']}" not in html and f"<code>{unverified['key']}</code>" not in html

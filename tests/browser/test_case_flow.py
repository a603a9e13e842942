"""A theft case from the finding to the closed case, in a real browser (Debian's Chromium through Playwright)."""

import pytest

from tests.browser.conftest import click_to_load, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _go(page, url):
    page.goto(url)


def _click(page, selector):
    click_to_load(page, selector)


def test_theft_case_from_finding_to_label(county, desk_page, live_server, shot):
    page = desk_page
    log_in(page, live_server, "inspector_east", county.password)
    _go(page, f"{live_server.url}/cases/")
    shot(page, "cases-01-list-empty")
    _click(page, "[data-testid=new-case]")

    # Open the case: Example A of regulations.md (bypassed 5 A single-phase meter, start unknown).
    page.fill("#id_customer_account", county.customers["east11"].account_number)
    page.select_option("#id_kind", "theft")
    page.select_option("#id_theft_type", "bypass_meter")
    page.fill("#id_case_date", "2023-05-01")
    page.fill("#id_facts", "电能表进线端私接导线绕越计量装置，现场拍照取证。")
    shot(page, "cases-02-create-form")
    _click(page, "[data-testid=save-case]")
    assert "S01-2023-0001" in page.inner_text("h1")

    # Compute: every figure with its formula and article.
    _click(page, "[data-testid=compute]")
    assert page.inner_text("[data-testid=total-due]") == "2,661.12"
    calc = page.inner_text("[data-testid=calculation]")
    for text in ("1188", "665.28", "1995.84", "第一百零三条"):
        assert text in calc
    shot(page, "cases-03-computed")

    # The notice opens as a PDF.
    href = page.get_attribute("[data-testid=notice-pdf]", "href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    # The customer signs.
    page.check("#id_signed_0")
    page.fill("#id_signer_name", "张三")
    _click(page, "[data-testid=notify]")
    assert "张三" in page.inner_text("[data-testid=signature]")
    _click(page, "[data-testid=submit]")
    # The creator is not offered the approval.
    assert page.locator("[data-testid=approve]").count() == 0
    case_url = page.url

    # The station head approves.
    page.context.clear_cookies()  # log out
    log_in(page, live_server, "head_east", county.password)
    _go(page, case_url)
    page.select_option("#id_decision", "approve")
    page.fill("#id_comment", "同意按规定处理")
    shot(page, "cases-04-approval")
    _click(page, "[data-testid=approve]")
    assert "head_east" in page.inner_text("[data-testid=approvals]")

    # Payment and closure.
    page.context.clear_cookies()
    log_in(page, live_server, "inspector_east", county.password)
    _go(page, case_url)
    page.fill("#id_amount_yuan", "2661.12")
    page.fill("#id_receipt_number", "SJ-2026-0001")
    _click(page, "[data-testid=pay]")
    assert "SJ-2026-0001" in page.inner_text("[data-testid=payments]")
    # The legal step of the three "not let go": none due, with the reason.
    page.select_option("#id_legal-step", "not_due")
    page.fill("#id_legal-reason", "窃电金额未达刑事立案标准，不移送公安")
    _click(page, "[data-testid=legal]")
    page.fill("#id_cause_found", "客户私自绕越电能表接线")
    page.fill("#id_responsible_dealt_with", "已追补电费及违约使用电费，责任人已接受处理")
    page.fill("#id_measures_taken", "更换表箱并加封，列入重点稽查名单")
    shot(page, "cases-05-close-form")
    _click(page, "[data-testid=close]")
    assert page.locator("[data-testid=label]").count() == 1
    events = page.inner_text("[data-testid=events]")
    assert "head_east" in events and "inspector_east" in events
    shot(page, "cases-06-closed")

    # The label is there for detection.
    labels = page.request.get(f"{live_server.url}/cases/labels.csv").text()
    assert "1100000001,M1100000001,1,2023-05-01" in labels
    _go(page, f"{live_server.url}/cases/?status=closed")
    assert "S01-2023-0001" in page.inner_text("main")
    shot(page, "cases-07-list")

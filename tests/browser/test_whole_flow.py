"""From a tip-off to a closed theft case and a label for detection, in one walk through the browser.

A tip-off opens a work order; two qualified inspectors are assigned; the visit is filled on a phone with a
photo, a theft finding and three signatures; the finding becomes a case that computes its amount; the PDF
notice opens; the station head approves; the payment is recorded; the case closes with the three
"not let go" answers, and the label is there for detection.
"""

import datetime
import io

import pytest
from PIL import Image

from tests.browser.conftest import click_to_load, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jpeg(path):
    image = Image.new("RGB", (80, 60), (160, 60, 40))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def _sign(page, who):
    canvas = page.locator(f".gc-sign[data-who={who}] canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 80)
    page.mouse.down()
    for step in range(1, 10):
        page.mouse.move(box["x"] + 20 + step * 22, box["y"] + 80 - (step % 3) * 20)
    page.mouse.up()


def _click(page, selector):
    click_to_load(page, selector)


def test_tipoff_to_closed_case_and_label(county, browser, live_server, shot, tmp_path, settings):
    from gridcheck.cases.models import Case
    from gridcheck.inspections import services
    from gridcheck.inspections.checklists import checklist_keys
    from gridcheck.inspections.models import Visit

    settings.MEDIA_ROOT = tmp_path / "media"
    customer = county.customers["east11"]
    head = county.users["head_east"]

    # A tip-off about the customer opens a work order; the head assigns two qualified inspectors.
    tipoff = services.tipoff_create(
        station=county.stations["east"],
        channel="hotline",
        description="有人反映该户表箱处私接导线",
        received_by=head,
        reporter_name="匿名群众",
        customer=customer,
    )
    order = tipoff.work_order
    assert order is not None and order.source == "tipoff"
    services.work_order_assign(
        work_order=order,
        inspectors=[county.users["inspector_east"], county.users["inspector2_east"]],
        visit_date=datetime.date.today(),
        assigned_by=head,
    )

    # On a phone: the checklist, a photo, a theft finding and three signatures.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    page = phone.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server, "inspector_east", county.password)
    page.goto(f"{live_server.url}/inspections/{order.pk}/visit/")
    page.wait_for_selector("#gc-visit[data-ready='1']")
    for key in checklist_keys(customer):
        page.click(f"label[for=check-{key}-ok]")
    page.select_option("#gc-finding-kind", "theft")
    page.fill("#gc-finding-text", "电能表进线端私接导线绕越计量装置")
    page.click("#gc-finding-add")
    page.set_input_files("#gc-photo-input", str(_jpeg(tmp_path / "bypass.jpg")))
    page.wait_for_selector("#gc-photos img")
    page.fill("#gc-signer", "客户本人")
    for who in ("customer", "inspector1", "inspector2"):
        _sign(page, who)
    shot(page, "flow-01-visit-phone")
    page.click("[data-testid=submit-visit]")
    page.wait_for_url("**/inspections/visits/*/")
    visit = Visit.objects.get(work_order=order)
    assert visit.photos.count() == 1
    phone.close()

    # At the desk: the theft finding becomes a case, which computes its amount.
    desk = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = desk.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server, "inspector_east", county.password)
    page.goto(f"{live_server.url}/inspections/visits/{visit.pk}/")
    _click(page, "[data-testid=open-case-0]")
    page.select_option("#id_theft_type", "bypass_meter")
    shot(page, "flow-02-case-from-visit")
    _click(page, "[data-testid=save-case]")
    case = Case.objects.get(customer=customer)
    assert case.visit_id == visit.pk
    _click(page, "[data-testid=compute]")
    case.refresh_from_db()
    assert case.total_due_yuan > 0
    assert page.inner_text("[data-testid=total-due]") == f"{case.total_due_yuan:,.2f}"
    assert "第一百零三条" in page.inner_text("[data-testid=calculation]")
    shot(page, "flow-03-case-computed")

    # The notice opens as a PDF; the customer signs it.
    href = page.get_attribute("[data-testid=notice-pdf]", "href")
    pdf = page.request.get(f"{live_server.url}{href}")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    page.check("#id_signed_0")
    page.fill("#id_signer_name", "客户本人")
    _click(page, "[data-testid=notify]")
    _click(page, "[data-testid=submit]")
    case_url = page.url

    # The station head approves (the inspector who opened it may not).
    desk.clear_cookies()
    log_in(page, live_server, "head_east", county.password)
    page.goto(case_url)
    page.select_option("#id_decision", "approve")
    _click(page, "[data-testid=approve]")

    # Payment, then closure with the three answers.
    desk.clear_cookies()
    log_in(page, live_server, "inspector_east", county.password)
    page.goto(case_url)
    page.fill("#id_amount_yuan", f"{case.total_due_yuan}")
    page.fill("#id_receipt_number", "SJ-FLOW-0001")
    _click(page, "[data-testid=pay]")
    page.select_option("#id_legal-step", "not_due")
    page.fill("#id_legal-reason", "窃电金额未达刑事立案标准，不移送公安")
    _click(page, "[data-testid=legal]")
    page.fill("#id_cause_found", "客户私自绕越电能表接线")
    page.fill("#id_responsible_dealt_with", "已追补电费及违约使用电费")
    page.fill("#id_measures_taken", "更换表箱并加封")
    _click(page, "[data-testid=close]")
    case.refresh_from_db()
    assert case.status == "closed"
    shot(page, "flow-04-case-closed")

    # The label for detection.
    labels = page.request.get(f"{live_server.url}/cases/labels.csv").text()
    assert f"{customer.account_number},M{customer.account_number},1," in labels
    desk.close()

"""Reading and billing in a real browser: a reader enters a reading on a phone; the auditor bills the cycle
and sees its review list; the head checks and issues; a refund is prepared by one person and approved by
another; a category change goes apply → check → approve."""

import datetime
from decimal import Decimal

import pytest

# The billing app's fixtures: the east station's book with February read, and the March readings.
from gridcheck.billing.tests.conftest import book, read_march  # noqa: F401
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(page, live_server, county, username):
    page.context.clear_cookies()
    log_in(page, live_server, username, county.password)


def test_billing_flow(county, book, read_march, phone_page, desk_page, live_server, shot):  # noqa: F811
    from gridcheck.billing.models import Bill, BillAdjustment, CategoryChange, MeterReading

    # 1. The reader, on a phone: my books → the cycle → the meter of east11 → the reading.
    page = phone_page
    log_in(page, live_server, "reader_east", county.password)
    page.goto(f"{live_server.url}/billing/reader/")
    page.click("[data-testid=reader-cycle-link]:has-text('2025-03')")
    meter = book.meters["east11"]
    row = page.locator(f"#m{meter.pk}")
    assert "1000.00" in row.inner_text()  # the previous reading
    row.locator("[data-testid=enter-reading]").click()
    page.fill("#id_total", "1150")
    assert page.input_value("#id_source") == "handheld"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "billing-phone-reading")
    page.click("[data-testid=save-reading]")
    page.wait_for_selector(".alert-success")
    assert MeterReading.objects.get(cycle=book.cycle, meter=meter).total == Decimal("1150.00")
    assert "1150.00" in page.locator(f"#m{meter.pk}").inner_text()
    # The others phoned in; east21's register has not moved (a zero bill: on the review list).
    read_march(east21="5000.00")

    # 2. The auditor bills the cycle and sees the review list.
    page = desk_page
    _as(page, live_server, county, "auditor_east")
    page.goto(f"{live_server.url}/billing/cycles/{book.cycle.pk}/")
    assert "100.00 %" in page.locator("[data-testid=rate]").inner_text()
    page.click("[data-testid=bill]")
    page.wait_for_selector(".alert-success")
    assert Bill.objects.filter(cycle=book.cycle).count() == 4
    page.wait_for_selector("[data-testid=review-list]")
    review = page.locator("[data-testid=review-row]")
    assert review.count() == 1 and county.customers["east21"].account_number in review.inner_text()
    shot(page, "billing-cycle")

    # 3. The head checks every bill (the flagged ones one by one, with a note) and issues them.
    _as(page, live_server, county, "head_east")
    page.goto(f"{live_server.url}/billing/cycles/{book.cycle.pk}/")
    page.click("[data-testid=check-unflagged]")
    page.wait_for_selector(".alert-success")
    for bill in Bill.objects.filter(cycle=book.cycle, status="draft"):
        page.goto(f"{live_server.url}/billing/bills/{bill.pk}/")
        page.fill("#id_note", "已核对抄表照片")
        page.click("[data-testid=check]")
        page.wait_for_selector(".alert-success")
    page.goto(f"{live_server.url}/billing/cycles/{book.cycle.pk}/")
    page.click("[data-testid=issue]")
    page.wait_for_selector(".alert-success")
    assert set(Bill.objects.values_list("status", flat=True)) == {"issued"}

    # 4. A refund: the auditor prepares it, the head approves (never its preparer).
    bill = Bill.objects.get(customer=county.customers["east11"])
    _as(page, live_server, county, "auditor_east")
    page.goto(f"{live_server.url}/billing/bills/{bill.pk}/")
    assert "84.00" in page.locator("[data-testid=amount]").inner_text()
    page.click("[data-testid=prepare-adjustment]")
    page.check("input[name=kind][value=correction]")
    page.fill("#id_reason", "抄表错误，实际示数1120")
    page.fill("#id_total_kwh", "120")
    page.click("[data-testid=compute-adjustment]")
    page.wait_for_selector("[data-testid=difference]")
    assert "-16.80" in page.locator("[data-testid=difference]").inner_text()
    adjustment = BillAdjustment.objects.get()
    _as(page, live_server, county, "head_east")
    page.goto(f"{live_server.url}/billing/adjustments/{adjustment.pk}/")
    page.click("[data-testid=approve]")
    page.wait_for_selector(".alert-success")
    bill.refresh_from_db()
    assert bill.status == "adjusted" and bill.adjusted_total_yuan == Decimal("67.20")

    # 5. A category change: the auditor enters it, the head checks it, the administrator approves it.
    customer = county.customers["east12"]
    _as(page, live_server, county, "auditor_east")
    page.goto(f"{live_server.url}/billing/category-changes/new/?customer={customer.pk}")
    page.select_option("#id_new_tariff_code", "RES-1")
    page.fill("#id_effective_on", (datetime.date.today() + datetime.timedelta(days=1)).isoformat())
    page.fill("#id_reason", "改为居民自用")
    page.click("[data-testid=category-change-form] button[type=submit]")
    page.wait_for_selector("[data-testid=tariffs]")
    change = CategoryChange.objects.get()
    _as(page, live_server, county, "head_east")
    page.goto(f"{live_server.url}/billing/category-changes/{change.pk}/")
    page.click("[data-testid=check]")
    page.wait_for_selector(".alert-success")
    _as(page, live_server, county, "admin")
    page.goto(f"{live_server.url}/billing/category-changes/{change.pk}/")
    page.click("[data-testid=approve]")
    page.wait_for_selector(".alert-success")
    customer.refresh_from_db()
    assert customer.tariff_code == "RES-1"
    shot(page, "billing-category-change")

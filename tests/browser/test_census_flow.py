"""An inspector walks a census visit on a phone: the form, a photo, the customer's signature, submit; the
use category seen differs from the archive, so a category discrepancy appears; the inspector proposes a
category-change application and the station head approves it at the desk: billing holds the application."""

import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jpeg(path):
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (30, 140, 90)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def _sign(page):
    canvas = page.locator(".gc-sign[data-who=customer] canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"], box["y"]
    page.mouse.move(x + 20, y + 90)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + 20 + step * 20, y + 90 - (step % 3) * 25)
    page.mouse.up()


def test_census_visit_on_a_phone_to_a_category_change(
    county, phone_page, desk_page, live_server, shot, tmp_path, settings
):
    from gridcheck.billing.models import CategoryChange
    from gridcheck.census import services
    from gridcheck.census.models import Discrepancy

    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    first = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    campaign = services.campaign_create(
        user=county.users["head_east"],
        station=county.stations["east"],
        quarter=f"{today.year}Q{(today.month - 1) // 3 + 1}",
        areas=[county.areas["east1"], county.areas["east2"]],
        starts_on=first,
        ends_on=today,
        teams=[
            {
                "name": "一组",
                "members": [county.users["inspector_east"], county.users["manager_east"]],
                "areas": [county.areas["east1"], county.areas["east2"]],
            }
        ],
    )
    customer = county.customers["east11"]  # residential, RES-1, 8 kVA

    page = phone_page
    log_in(page, live_server, "inspector_east", county.password)
    page.goto(f"{live_server.url}/census/work/")
    page.click(f"a[data-account='{customer.account_number}']")
    page.wait_for_selector("#gc-census-visit[data-ready='1']")
    page.click("label[for=f-certificate]")
    page.click("label[for=f-consent]")
    page.fill("#f-meter", f"M{customer.account_number}")
    page.fill("#f-reading", "")
    page.click("label[for=f-seals-yes]")
    page.select_option("#f-category", "commercial")  # a shop, billed as a household
    page.fill("#f-load", "6")
    page.fill("#f-capacity", "8")
    page.click("label[for=f-safety]")
    page.click("label[for=f-publicity]")
    page.set_input_files("#gc-photo-input", str(_jpeg(tmp_path / "shop.jpg")))
    page.wait_for_selector("#gc-photos img")
    page.fill("textarea[name=notes]", "临街商铺，经营小超市")
    page.fill("#gc-signer", "李四")
    _sign(page)
    page.click("#gc-save")
    shot(page, "census-visit-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.click("[data-testid=submit-census]")
    page.wait_for_selector("[data-testid=discrepancies]")
    category = page.locator("[data-testid=discrepancies] li[data-kind=category] a")
    assert category.count() == 1
    category.click()
    page.wait_for_selector("[data-testid=propose-form]")
    page.select_option("#id_resolution", "category_change")
    page.select_option("#id_new_tariff_code", "GEN-1")
    page.fill("#id_note", "现场为商铺，应执行一般工商业电价")
    page.click("[data-testid=propose]")
    page.wait_for_selector("[data-testid=decide-waiting]")
    discrepancy = Discrepancy.objects.get(customer=customer, kind="category")
    assert discrepancy.status == "proposed" and discrepancy.proposed_by == county.users["inspector_east"]
    assert discrepancy.record.photos.count() == 1 and discrepancy.record.customer_signature

    desk = desk_page
    log_in(desk, live_server, "head_east", county.password)
    desk.goto(f"{live_server.url}{discrepancy.get_absolute_url()}")
    desk.click("[data-testid=approve]")
    desk.wait_for_selector("[data-testid=category-change-link]")
    shot(desk, "census-discrepancy-approved")
    change = CategoryChange.objects.get(customer=customer)
    assert (change.old_tariff_code, change.new_tariff_code, change.status) == ("RES-1", "GEN-1", "pending")
    assert change.applied_by == county.users["head_east"]
    desk.goto(f"{live_server.url}{campaign.get_absolute_url()}")
    desk.wait_for_selector("#gc-census-chart-kind canvas")
    shot(desk, "census-campaign")
    assert desk.locator("[data-testid=coverage]").inner_text().replace(" ", "") == "1/4"

"""Each role's working day (issue 19): open home, see one's own items, act on one, and the next role is
told and sees it. Screenshots in test-artifacts/screenshots/workday-*.png."""

import datetime

import pytest

from tests.browser.conftest import click_to_load, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.0 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def iphone(browser, live_server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, user_agent=IPHONE
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _go(page, url):
    page.goto(url)


def _click(page, selector):
    click_to_load(page, selector)


def _no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _submitted_case(county):
    from gridcheck.cases import services as cases

    inspector = county.users["inspector_east"]
    case = cases.case_create(
        customer=county.customers["east11"],
        kind="theft",
        theft_type="bypass_meter",
        case_date=datetime.date(2023, 5, 1),
        facts="表前绕越接线",
        created_by=inspector,
    )
    case = cases.case_compute(case=case, user=inspector)
    case = cases.case_notify(case=case, signed_by_customer=True, signer_name="张三", user=inspector)
    return cases.case_submit_for_approval(case=case, user=inspector)


def test_the_station_head_approves_a_case_and_the_inspector_is_told(
    county, desk_page, iphone, live_server, shot
):
    case = _submitted_case(county)
    page = desk_page
    log_in(page, live_server, "head_east", county.password)
    # Home: what waits for the head first, the bell in the header, the head's daily sections first.
    todo = page.inner_text("[data-testid=todo]")
    assert "1" in todo
    assert page.locator("[data-testid=bell-count]").count() == 1
    titles = page.locator("nav > .gc-nav-title").all_inner_texts()
    assert titles[:2] == ["消息", "案件"]
    assert page.locator("[data-testid=nav-more] >> text=档案").count() >= 1  # folded, not gone
    _no_horizontal_scroll(page)
    shot(page, "workday-01-station-head-home")

    _click(page, "[data-testid=todo] a[href*='status=pending_approval']")
    assert case.number in page.inner_text("main")
    _go(page, f"{live_server.url}{case.get_absolute_url()}")
    page.select_option("#id_decision", "approve")
    page.fill("#id_comment", "同意")
    _click(page, "[data-testid=approve]")
    assert "head_east" in page.inner_text("[data-testid=approvals]")
    shot(page, "workday-02-station-head-approved")

    # The inspector's phone: opens on their work orders; the bell says the case was decided.
    log_in(iphone, live_server, "inspector_east", county.password)
    assert iphone.url.endswith("/inspections/mine/")
    assert iphone.locator("[data-testid=bell-count]").count() == 1
    _no_horizontal_scroll(iphone)
    shot(iphone, "workday-03-inspector-phone-start")
    _click(iphone, "[data-testid=bell]")
    assert case.number in iphone.inner_text("main")
    shot(iphone, "workday-04-inspector-phone-messages")


def test_the_inspector_registers_a_hazard_on_the_phone_by_account_number(county, iphone, live_server, shot):
    from gridcheck.hazards.models import Hazard

    customer = county.customers["east12"]
    page = iphone
    log_in(page, live_server, "inspector_east", county.password)
    _go(page, f"{live_server.url}/hazards/new/")
    # The picker: a few characters of the name offer the customers of the station.
    page.fill("#id_customer", "客户east")
    page.locator("#hazard-customers option").nth(3).wait_for(state="attached")
    page.fill("#id_customer", customer.account_number)
    page.select_option("#id_category", index=1)
    page.select_option("#id_severity", index=1)
    page.fill("#id_description", "配电箱门锁损坏，带电部位外露")
    today = datetime.date.today()
    page.fill("#id_found_on", today.isoformat())
    page.fill("#id_deadline", (today + datetime.timedelta(days=15)).isoformat())
    page.fill("#id_responsible_person", "刘电工")
    shot(page, "workday-05-inspector-phone-hazard-form")
    _click(page, "main form button[type=submit]")
    hazard = Hazard.objects.get()
    assert hazard.customer == customer
    assert page.url.endswith(hazard.get_absolute_url())
    _no_horizontal_scroll(page)
    shot(page, "workday-06-inspector-phone-hazard-registered")


def test_the_government_liaison_sees_hazards_and_messages_only(county, desk_page, live_server, shot):
    page = desk_page
    log_in(page, live_server, "liaison", county.password)
    nav = page.inner_text("nav")
    assert "安全隐患" in nav or "隐患" in nav
    for other in ("档案", "案件", "用电检查", "抄表"):
        assert other not in nav
    shot(page, "workday-07-liaison-home")


def test_a_clerk_imports_a_head_ends_file_choosing_its_columns(
    county, desk_page, live_server, shot, tmp_path, settings
):
    from gridcheck.readings.models import MeterDataImport, MeterDataMapping

    settings.GRIDCHECK_DATA_DIR = str(tmp_path / "data")
    path = tmp_path / "vendor.csv"
    path.write_text(
        "终端地址,表计,日,示数总\nT01,M1100000001,2026-10-02,105.5\nT01,M1100000002,2026-10-02,21\n"
    )
    page = desk_page
    log_in(page, live_server, "auditor_east", county.password)
    _go(page, f"{live_server.url}/readings/import/")
    shot(page, "workday-08-clerk-meter-data-upload")
    page.fill("#id_source", "某厂家主站")
    page.set_input_files("#id_file", str(path))
    _click(page, "[data-testid=import-form] button[type=submit]")
    assert "/columns/" in page.url
    assert "105.5" in page.inner_text("[data-testid=preview]")
    page.select_option("#id_col_1", "meter_id")
    page.select_option("#id_col_2", "reading_date")
    page.select_option("#id_col_3", "register_total_kwh")
    shot(page, "workday-09-clerk-meter-data-columns")
    _click(page, "[data-testid=mapping-form] button[type=submit]")
    assert MeterDataImport.objects.get().status == "succeeded"
    assert MeterDataMapping.objects.filter(source="某厂家主站").exists()
    shot(page, "workday-10-clerk-meter-data-imported")


def test_the_meter_readers_phone_opens_on_their_books_and_the_area_manager_sees_loss_first(
    county, iphone, desk_page, live_server, shot
):
    from django.urls import reverse

    log_in(iphone, live_server, "reader_east", county.password)
    assert iphone.url.endswith(reverse("billing:reader_home"))
    _no_horizontal_scroll(iphone)
    shot(iphone, "workday-11-meter-reader-phone-start")

    page = desk_page
    log_in(page, live_server, "manager_east", county.password)
    assert page.url.endswith("/")  # the desk opens on the home page
    titles = page.locator("nav > .gc-nav-title").all_inner_texts()
    assert titles[0] == "线损"
    shot(page, "workday-12-area-manager-home")

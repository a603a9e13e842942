"""An inspector's day in the archive, in a real browser (Debian's Chromium through Playwright)."""

import pytest

from tests.browser.conftest import click_to_load, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAD_CUSTOMERS = (
    "台区编号,户号,户名,用电地址,用电类别,电压等级,合同容量(kVA),电价代码,检查类别\n"
    "S01-A1,1100000101,王建国,示范县东城镇一村3组,居民,220V,8,RES-1,C\n"
    "S01-A1,1100000102,李秀英,示范县东城镇一村4组,居民,220V,八,RES-1,C\n"
)


def test_inspector_browses_imports_and_is_scoped(county, desk_page, live_server, shot, tmp_path):
    page = desk_page
    log_in(page, live_server, "inspector_east", county.password)
    assert "inspector_east" in page.inner_text("[data-testid=current-user]")
    shot(page, "01-dashboard")

    # Browse the hierarchy top to bottom: station > area > customer. The archive is not an inspector's
    # daily section, so it is folded under "More".
    assert not page.is_visible("nav >> text=供电所")
    page.click("[data-testid=nav-more] summary")
    click_to_load(page, "nav >> text=供电所")
    assert "东城供电所" in page.content()
    assert "西山供电所" not in page.content()
    shot(page, "02-station-list")
    click_to_load(page, "main >> text=东城供电所")
    shot(page, "03-station-detail")
    click_to_load(page, "main >> text=东城供电所1号台区")
    assert "客户east11" in page.content()
    shot(page, "04-area-detail")
    click_to_load(page, "main >> text=客户east11")
    body = page.inner_text("main")
    assert "1100000001" in body and "M1100000001" in body
    # The place in the hierarchy is shown.
    for crumb in ("东城供电所", "东城供电所10kV一线", "东城供电所1号台区"):
        assert crumb in page.inner_text(".breadcrumb")
    shot(page, "05-customer-detail")

    # Import a file with a bad row: the error names file, row, column and reason; nothing is written.
    bad = tmp_path / "客户档案.csv"
    bad.write_bytes(BAD_CUSTOMERS.encode("gbk"))
    page.goto(f"{live_server.url}/archive/import/")
    page.select_option("select[name=entity]", "customers")
    page.set_input_files("input[type=file]", str(bad))
    click_to_load(page, "main button[type=submit]")
    errors = page.inner_text("main")
    assert "客户档案.csv" in errors and "3" in errors and "合同容量(kVA)" in errors
    shot(page, "06-import-error")
    from gridcheck.archive.models import Customer

    assert not Customer.objects.filter(account_number__in=["1100000101", "1100000102"]).exists()

    # Fix it and import again.
    bad.write_bytes(BAD_CUSTOMERS.replace(",八,", ",8,").encode("gbk"))
    page.select_option("select[name=entity]", "customers")
    page.set_input_files("input[type=file]", str(bad))
    click_to_load(page, "main button[type=submit]")
    shot(page, "07-import-success")
    assert Customer.objects.filter(account_number__in=["1100000101", "1100000102"]).count() == 2

    # Search by account number finds the new customer.
    page.goto(f"{live_server.url}/archive/customers/?q=1100000102")
    assert "李秀英" in page.inner_text("main")
    shot(page, "08-customer-list")

    # Another station's customer is not reachable, by URL either.
    west = county.customers["west11"]
    response = page.goto(f"{live_server.url}/archive/customers/{west.pk}/")
    assert response.status == 404
    page.goto(f"{live_server.url}/archive/customers/?q={west.account_number}")
    assert west.name not in page.inner_text("main")


def test_customer_pages_on_a_phone(county, phone_page, live_server, shot):
    page = phone_page
    log_in(page, live_server, "manager_east", county.password)
    page.goto(f"{live_server.url}/archive/customers/")
    body = page.inner_text("main")
    assert "客户east11" in body and "客户east21" not in body  # an area manager sees only their area
    shot(page, "09-phone-customer-list")
    page.goto(f"{live_server.url}/archive/customers/{county.customers['east11'].pk}/")
    # Nothing overflows the phone's width.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400
    shot(page, "10-phone-customer-detail")

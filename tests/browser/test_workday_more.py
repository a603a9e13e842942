"""More of each role's working day (issue 19): the auditor, the customer on the portal and the government
liaison open home, see their items, act on one, and the next role is told and sees it on their home.
Screenshots in test-artifacts/screenshots/workday-*.png."""

import datetime

import pytest

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _go(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")


def _click(page, selector):
    page.click(selector)
    page.wait_for_load_state("networkidle")


def _no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def _finding_of_the_auditor(county):
    """DF-01 (a residential customer on the general tariff) run over March: east11's finding, assigned by
    its rule's owner role to the east auditor, as the audit app's own tests make it."""
    from gridcheck.audit import services
    from gridcheck.audit.models import Finding

    east11 = county.customers["east11"]
    east11.tariff_code = "GEN-1"
    east11.save()
    today = datetime.date.today()
    month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    run = services.audit_run_start(
        month=month, user=county.users["admin"], rule_codes=["DF-01"], run_on=today, enqueue=False
    )
    services.audit_run_execute(run)
    return Finding.objects.get(customer=east11)


def test_the_auditor_rectifies_a_finding_and_the_station_head_is_told_to_verify_it(
    county, desk_page, live_server, shot
):
    from django.utils import translation
    from django.utils.translation import gettext

    from gridcheck.audit.choices import FindingStatus

    finding = _finding_of_the_auditor(county)
    assert finding.assignee == county.users["auditor_east"]
    page = desk_page
    url = live_server.url

    # The auditor's home: the finding waits for them, a link to their findings.
    log_in(page, live_server, "auditor_east", county.password)
    _go(page, f"{url}/")
    todo = page.locator("[data-testid=todo] a[href*='assignee=mine']").first
    assert "稽查" in todo.inner_text() and todo.locator(".badge").inner_text().strip() == "1"
    _no_horizontal_scroll(page)
    shot(page, "workday-21-auditor-home")
    todo.click()
    page.wait_for_load_state("networkidle")
    rows = page.locator("[data-testid=finding-table] tbody tr")
    assert rows.count() == 1 and county.customers["east11"].account_number in rows.first.inner_text()
    _click(page, "[data-testid=finding-table] tbody tr td a[href*='/audit/findings/']")
    assert page.url.endswith(finding.get_absolute_url())

    # The auditor records what was put right.
    page.fill("#id_resolution", "已核实为居民生活用电，电价改回居民生活用电并退还差额")
    shot(page, "workday-22-auditor-finding")
    _click(page, "[data-testid=rectify]")
    assert page.locator("[data-testid=finding-status] [data-status=rectified]").count() == 1
    assert page.locator("[data-testid=verify-waiting]").count() == 1  # not the assignee's to verify
    shot(page, "workday-23-auditor-rectified")
    finding.refresh_from_db()
    assert finding.status == FindingStatus.RECTIFIED

    # The station head: the bell counts the hand-over, the home lists the finding to verify.
    page.context.clear_cookies()
    log_in(page, live_server, "head_east", county.password)
    _go(page, f"{url}/")
    assert page.locator("[data-testid=bell-count]").inner_text().strip() == "1"
    verify = page.locator(f"[data-testid=todo] a[href*='status={FindingStatus.RECTIFIED}']")
    assert verify.count() == 1 and verify.locator(".badge").inner_text().strip() == "1"
    shot(page, "workday-24-station-head-home-verify")
    _click(page, "[data-testid=bell]")
    with translation.override("zh-hans"):
        subject = gettext("Audit finding %(code)s rectified: waits for your verification") % {"code": "DF-01"}
    assert subject in page.inner_text("main")
    shot(page, "workday-25-station-head-messages")
    _go(page, f"{url}/")
    _click(page, f"[data-testid=todo] a[href*='status={FindingStatus.RECTIFIED}']")
    _click(page, "[data-testid=finding-table] tbody tr td a[href*='/audit/findings/']")
    assert page.locator("[data-testid=verify-accept]").count() == 1
    shot(page, "workday-26-station-head-verifies")

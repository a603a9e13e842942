"""Every page runs under the Content-Security-Policy: no inline script, and the charts still draw.

The pages with charts and scripts are visited in a real browser; any CSP violation (an inline script, a
handler attribute, an eval) fails the test, and each chart must have drawn its canvas. A meter asset
number made of HTML must show as text in the consumption chart's tooltip, never as markup.
"""

import pytest

from gridcheck.lineloss.tests.conftest import data_dir  # noqa: F401 - fixture reused
from tests.browser.conftest import log_in
from tests.browser.test_detection_flow import MONTH, county_with_data  # noqa: F401 - fixture reused

pytestmark = pytest.mark.browser

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " line " + e.lineNumber);
});
"""


def _visit(page, url, charts=()):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    for chart in charts:
        page.wait_for_selector(f"#{chart} canvas", timeout=10_000)
    violations = page.evaluate("() => window.__csp")
    assert violations == [], (url, violations)


def test_pages_run_under_the_csp_and_charts_draw(county_with_data, desk_page, live_server, shot):  # noqa: F811
    from gridcheck.archive.models import Meter
    from gridcheck.lineloss.models import AreaMonthLoss

    county, page = county_with_data, desk_page
    customer = county.customers["east11"]
    # A meter asset number an attacker typed: it must never become markup.
    Meter.objects.filter(metering_point__customer=customer).update(asset_number='<img src=x id="gc-pwned">')
    page.add_init_script(WATCH)
    log_in(page, live_server, "admin", county.password)
    response = page.goto(f"{live_server.url}/")
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
    base = live_server.url
    area = AreaMonthLoss.objects.filter(month__year=2026, month__month=10).first()
    _visit(page, f"{base}/", charts=["gc-chart-category", "gc-chart-class"])
    _visit(page, f"{base}/lineloss/dashboard/?month={MONTH}", charts=["gc-chart-trend", "gc-chart-hist"])
    _visit(
        page,
        f"{base}/lineloss/areas/{area.area_id}/?month={MONTH}",
        charts=["gc-chart-months", "gc-chart-days"],
    )
    _visit(page, f"{base}/readings/rates/?month={MONTH}")
    _visit(page, f"{base}/hazards/")
    _visit(page, f"{base}/cases/new/?customer={customer.pk}")
    _visit(page, f"{base}/api/docs/")
    _visit(page, f"{base}/archive/customers/{customer.pk}/", charts=["gc-consumption-chart"])
    box = page.locator("#gc-consumption-chart")
    box.hover(position={"x": box.bounding_box()["width"] * 0.5, "y": box.bounding_box()["height"] * 0.6})
    page.wait_for_timeout(500)
    assert page.locator("#gc-pwned").count() == 0
    shot(page, "csp-customer-consumption")
    # The month picker of the dashboards submits without an inline handler.
    _visit(page, f"{base}/lineloss/dashboard/?month={MONTH}")
    select = page.locator("select[data-autosubmit]").first
    options = select.locator("option").all_inner_texts()
    if len(options) > 1:
        with page.expect_navigation():
            select.select_option(index=1)

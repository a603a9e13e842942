"""Marketing audit in a real browser: the east auditor starts an audit run (run in the request by the
immediate task backend, as the detection browser test does), finds DF-01's finding of east11 (a
residential customer on the general tariff), gives it to the meter reader; the reader reports the
rectification on a 375 px phone; the auditor verifies and closes it. The rule library and the charts of
the findings list are looked at on the way."""

import pytest

from tests.browser.conftest import click_to_load, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 375


@pytest.fixture
def narrow_phone(browser, live_server):
    context = browser.new_context(
        viewport={"width": PHONE_WIDTH, "height": 812}, locale="zh-CN", is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _go(page, url):
    page.goto(url)


def _click(page, selector):
    click_to_load(page, selector)


def _fits_phone(page) -> None:
    """Nothing wider than the phone: the page does not scroll sideways (a wide table scrolls in its card)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH, page.url
    assert page.evaluate("(m => m.scrollWidth <= m.clientWidth)(document.querySelector('main'))"), page.url


def _shot(page, name):
    page.screenshot(path=f"/tmp/audit_{name}.png", full_page=True)


def test_audit_finding_from_run_to_closure(county, desk_page, narrow_phone, live_server, settings, shot):
    from django.utils import translation
    from django.utils.translation import gettext

    from gridcheck.audit.choices import FindingStatus, Module
    from gridcheck.audit.models import AuditRun, Finding

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    east11 = county.customers["east11"]
    east11.tariff_code = "GEN-1"  # a residential customer on the general tariff: DF-01
    east11.save()
    url = live_server.url

    # 1. The east auditor looks at the rule library and DF-01.
    page = desk_page
    log_in(page, live_server, "auditor_east", county.password)
    _go(page, f"{url}/audit/rules/?module=tariff")
    assert page.locator("[data-testid=rule-table] tbody tr", has_text="DF-01").count() == 1
    _shot(page, "01_rules")
    _click(page, "[data-testid=rule-table] a:has-text('DF-01')")
    assert "供电营业规则" in page.inner_text("[data-testid=rule-source]")
    assert page.locator("[data-testid=rule-change-form]").count() == 0  # a station auditor does not tune
    _shot(page, "02_rule")

    # 2. A run of the price theme of tariff and billing, run at once; its page shows it done.
    _go(page, f"{url}/audit/runs/")
    page.fill("#id_month", "2025-03")
    page.select_option("#id_theme", "price")
    page.select_option("#id_module", "tariff")
    _click(page, "[data-testid=start]")
    page.wait_for_selector("#gc-run-status[data-status=succeeded]")
    assert page.locator("#gc-run-bar").inner_text().strip() == "100 %"
    run = AuditRun.objects.get()
    assert page.url.endswith(run.get_absolute_url())
    row = page.locator("[data-testid=rule-results] tr[data-rule='DF-01']")
    assert row.locator("[data-status=succeeded]").count() == 1
    _shot(page, "03_run")

    # 3. DF-01's findings of the run: east11's, assigned by role to the east auditor.
    _click(page, "[data-testid=rule-results] tr[data-rule='DF-01'] [data-testid=hits-link]")
    rows = page.locator("[data-testid=finding-table] tbody tr")
    assert rows.count() == 1 and east11.account_number in rows.first.inner_text()
    page.wait_for_selector("#gc-audit-chart-theme canvas")
    # The module chart's tooltip (plain text, drawn on the canvas): the module and its count.
    with translation.override("zh-hans"):
        tariff, count_label = str(Module.TARIFF.label), gettext("Number of findings")
    tip = page.evaluate(
        """(tariff) => {
          const chart = echarts.getInstanceByDom(document.getElementById("gc-audit-chart-module"));
          const option = chart.getOption();
          const i = option.xAxis[0].data.indexOf(tariff);
          chart.dispatchAction({type: "showTip", seriesIndex: 0, dataIndex: i});
          return option.tooltip[0].formatter([{name: option.xAxis[0].data[i], value: option.series[0].data[i]}]);
        }""",
        tariff,
    )
    assert tip == f"{tariff}\n{count_label}: 1", tip
    _shot(page, "04_findings")
    _click(page, "[data-testid=finding-table] tbody tr td a[href*='/audit/findings/']")
    finding = Finding.objects.get(rule__code="DF-01", customer=east11)
    assert page.url.endswith(finding.get_absolute_url())
    evidence = page.inner_text("[data-testid=evidence]")
    assert east11.account_number in evidence and "一般工商业" in evidence
    assert page.locator("[data-testid=evidence] a[href*='/archive/customers/']").count() == 1
    _shot(page, "05_finding")

    # 4. The auditor gives it to the east meter reader.
    page.select_option("#id_assignee", str(county.users["reader_east"].pk))
    _click(page, "[data-testid=assign]")
    assert page.locator(".alert-success").count() == 1
    assert "reader_east" in page.inner_text("[data-testid=finding-assignee]")

    # 5. The reader, on a 375 px phone, reports what was put right.
    phone = narrow_phone
    log_in(phone, live_server, "reader_east", county.password)
    _go(phone, f"{url}/audit/findings/?assignee=mine")
    assert phone.locator("[data-testid=finding-table] tbody tr").count() == 1
    _fits_phone(phone)
    _shot(phone, "06_phone_list")
    _go(phone, url + finding.get_absolute_url())
    _fits_phone(phone)
    phone.fill("#id_resolution", "已核实为居民生活用电，电价改回 RES-1 并退补差额")
    _shot(phone, "07_phone_finding")
    _click(phone, "[data-testid=rectify]")
    assert phone.locator(".alert-success").count() == 1
    assert phone.locator("[data-testid=finding-status] [data-status=rectified]").count() == 1
    assert phone.locator("[data-testid=verify-waiting]").count() == 1
    _fits_phone(phone)
    _shot(phone, "08_phone_rectified")

    # 6. The auditor verifies and closes it; the event log tells the story.
    _go(page, url + finding.get_absolute_url())
    _click(page, "[data-testid=verify-accept]")
    assert page.locator("[data-testid=finding-status] [data-status=verified]").count() == 1
    page.fill("#id_close_note", "整改到位，闭环")
    _click(page, "[data-testid=close]")
    assert page.locator("[data-testid=finding-status] [data-status=closed]").count() == 1
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLOSED
    log = page.inner_text("[data-testid=events]")
    assert "reader_east" in log and "整改到位，闭环" in log and "RES-1" in log
    _shot(page, "09_closed")
    shot(page, "audit-finding-closed")

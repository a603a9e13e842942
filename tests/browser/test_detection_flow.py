"""Theft detection in a real browser (Debian's Chromium through Playwright).

Four months of hand-made meter data for the small county, with three thefts: east11 (S01-A1) is bypassed
after its meter cover is opened, east22 (S01-A2, a CT-metered shop) loses current, west11 (S02-A1) loses
voltage; the energy still flows through each area's summary meter, so the areas' loss rises. The station
head runs the line-loss analysis and the detection, reads the ranked list (a Chinese reason and a score on
every row), filters it by area, opens a suspect (the chart draws, every reason shows its evidence) and
creates the inspection work order; the county administrator filters by station; an inspector reads the
list on a phone without sideways scrolling.
"""

import datetime as dt
import re

import pandas as pd
import pytest

from gridcheck.detection.tests.conftest import area_meter_rows
from gridcheck.lineloss.tests.conftest import data_dir  # noqa: F401 - fixture reused
from gridcheck_analytics.schema import AREA_METER_READINGS, DAILY_READINGS, EVENTS, conform
from gridcheck_analytics.store import MeterStore
from tests.browser.conftest import click_to_load, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MONTH = "2026-10"
#: 30 June (the register before 1 July) to the end of the scored month.
DAYS = pd.date_range("2026-06-30", "2026-10-31", freq="D").date
#: Daily register increment per customer meter [kWh of register]: residential x1, commercial x40 (CT).
STEP = {1: 5.0, 2: 1.0}
#: customer -> (first day of the theft, share of the energy the meter still records, meter event that day)
THEFTS = {
    "east11": (dt.date(2026, 10, 3), 0.2, "cover_opened"),
    "east22": (dt.date(2026, 10, 2), 0.3, "loss_of_current"),
    "west11": (dt.date(2026, 10, 5), 0.25, "loss_of_voltage"),
}
CJK = re.compile(r"[\u4e00-\u9fff]")
SCORE = re.compile(r"^[01]\.\d\d$")


def meter_frames(county) -> dict[str, pd.DataFrame]:
    """Daily registers of every customer meter and area summary meter, and the thieves' meter events."""
    daily, events = [], []
    for key, customer in county.customers.items():
        meter = f"M{customer.account_number}"
        start, share, event = THEFTS.get(key, (None, 1.0, None))
        register = 1000.0
        for day in DAYS:
            register += STEP[int(key[-1])] * (share if start and day >= start else 1.0)
            daily.append({"meter_id": meter, "reading_date": day, "register_total_kwh": register})
        if event:
            stamp = pd.Timestamp(f"{start} 02:14", tz="Asia/Shanghai")
            events.append({"meter_id": meter, "timestamp": stamp, "event_code": event})
    area = area_meter_rows(DAYS)
    return {
        "daily": conform(pd.DataFrame(daily), DAILY_READINGS),
        "area_meter": conform(pd.DataFrame(area), AREA_METER_READINGS),
        "events": conform(pd.DataFrame(events), EVENTS),
    }


@pytest.fixture
def county_with_data(county, data_dir, settings):  # noqa: F811
    """The county's meter data in the store and its line loss analysed for July to October."""
    from gridcheck.lineloss.services import analysis_run_create, analysis_run_execute

    store = MeterStore(data_dir)
    for name, frame in meter_frames(county).items():
        store.upsert(name, frame)
    settings.GRIDCHECK_DETECTION_AFTER_ANALYSIS = False  # the detection is started from the page
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    for month in ("2026-07", "2026-08", "2026-09", MONTH):
        run = analysis_run_execute(run=analysis_run_create(month=month))
        assert run.status == "succeeded", run.error
    return county


def _go(page, url):
    page.goto(url)


def _click(page, selector):
    click_to_load(page, selector)


def _rows(page):
    return page.locator("[data-testid=suspect-table] tbody tr")


def _listed_names(page) -> list[str]:
    """The customers of the list's rows, in order."""
    names = page.locator("[data-testid=suspect-table] tbody td:nth-child(4) .fw-semibold")
    return [text.strip() for text in names.all_inner_texts()]


def _no_sideways_scroll(page) -> None:
    overflow = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth,"
        " document.body.scrollWidth]"
    )
    assert overflow[0] <= overflow[1] and overflow[2] <= overflow[1], overflow


def test_suspects_from_run_to_work_order(county_with_data, desk_page, phone_page, live_server, shot):
    from gridcheck.detection.models import Suspect
    from gridcheck.inspections.models import WorkOrder

    county, page = county_with_data, desk_page
    names = {key: county.customers[key].name for key in ("east11", "east22", "west11")}

    # The county administrator starts the detection of October; the run page shows it done.
    log_in(page, live_server, "admin", county.password)
    _go(page, f"{live_server.url}/detection/suspects/")
    assert page.locator("[data-testid=no-suspects]").count() == 1
    page.fill("#id_run_month", MONTH)
    _click(page, "[data-testid=start-detection] button[type=submit]")
    page.wait_for_selector("#gc-run-status[data-status=succeeded]")
    assert page.inner_text("[data-testid=model-version]") == "规则与同类用户比对"
    assert page.locator("#gc-run-bar").inner_text().strip() == "100 %"
    shot(page, "detection-01-run")

    # The east station's head takes it from there.
    page.context.clear_cookies()
    log_in(page, live_server, "head_east", county.password)
    _go(page, f"{live_server.url}/detection/runs/")
    _click(page, "table a[href*='/detection/runs/']")

    # The ranked list of the station: a score and at least one reason in Chinese on every row.
    _click(page, "#gc-results")
    assert "2026-10" in page.inner_text("h1")
    assert sorted(_listed_names(page)) == sorted([names["east11"], names["east22"]])
    assert _rows(page).count() == 2
    for i in range(_rows(page).count()):
        row = _rows(page).nth(i)
        assert SCORE.match(row.locator(".gc-score-value").inner_text().strip())
        reasons = row.locator(".gc-reasons li").all_inner_texts()
        assert reasons and all(CJK.search(text) for text in reasons), reasons
        assert re.match(r"^\d+\.\d\d$", row.locator("td").nth(6).inner_text().strip())  # area loss [%]
        assert row.locator("td").nth(7).inner_text().strip() == "—"  # never inspected
    wrap = page.evaluate(
        "() => { const w = document.querySelector('[data-testid=suspect-table] .table-responsive');"
        " return [w.scrollWidth, w.clientWidth]; }"
    )
    assert wrap[0] <= wrap[1], f"the table scrolls sideways on a desk screen: {wrap}"
    summary = page.locator("[data-testid=suspect-summary] .gc-stat-value").all_inner_texts()
    assert summary == ["2", "2", "2", "0"], summary
    shot(page, "detection-02-list")

    # Filter by station and area: S01-A2 leaves the shop.
    page.select_option("#id_station", str(county.stations["east"].pk))
    page.select_option("#id_area", str(county.areas["east2"].pk))
    _click(page, ".gc-filters button[type=submit].btn-outline-primary")
    assert _listed_names(page) == [names["east22"]]
    # the figures above the list are the filtered list's
    summary = page.locator("[data-testid=suspect-summary] .gc-stat-value").all_inner_texts()
    assert summary == ["1", "1", "1", "0"], summary
    shot(page, "detection-03-filtered")

    # The suspect's page: the chart draws, every reason shows its evidence.
    _go(page, f"{live_server.url}/detection/suspects/?month=2026-10-01&area={county.areas['east1'].pk}")
    assert _listed_names(page) == [names["east11"]]
    _click(page, "[data-testid=suspect-table] tbody td:nth-child(4) a")
    suspect = Suspect.objects.get(customer=county.customers["east11"])
    assert page.url.endswith(suspect.get_absolute_url())
    canvas = page.locator("#gc-suspect-chart canvas").first
    canvas.wait_for()
    box = canvas.bounding_box()
    assert box["width"] > 300 and box["height"] > 200, box
    assert page.locator("[data-testid=chart-key]").is_visible()
    # The tooltip of a day after the theft: the energy, the data check's flag and the area's loss rates.
    page.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.getElementById("gc-suspect-chart"));
          const dates = chart.getOption().xAxis[0].data;
          chart.dispatchAction({type: "showTip", seriesIndex: 0, dataIndex: dates.indexOf("2026-10-05")});
        }"""
    )
    page.wait_for_function("() => document.getElementById('gc-suspect-chart').innerText.includes('kWh')")
    tip = page.inner_text("#gc-suspect-chart")
    assert "2026-10-05" in tip and "1 kWh" in tip and "电量突降" in tip and "台区日线损率" in tip, tip
    reasons = page.locator("[data-testid=suspect-reasons] .gc-reason")
    assert reasons.count() == len(suspect.reasons) >= 2
    for i in range(reasons.count()):
        reason = reasons.nth(i)
        assert CJK.search(reason.locator(".gc-reason-text").inner_text())
        evidence = reason.locator(".gc-evidence tr")
        assert evidence.count() >= 1
        for row in evidence.all_inner_texts():
            label, value = row.split("\t")
            assert CJK.search(label) and value.strip() not in ("", "—"), row
    evidence = page.inner_text("[data-testid=suspect-reasons]")
    assert "开表盖" in evidence and "2026-10-03" in evidence
    assert "开表盖" in page.inner_text("#gc-suspect-events")  # the event under the chart
    assert "%" in page.inner_text("[data-testid=area-loss-card]")
    assert page.inner_text("[data-testid=suspect-status]").strip() == "待核查"
    shot(page, "detection-04-suspect")

    # The work order.
    _click(page, "[data-testid=create-work-order]")
    order = WorkOrder.objects.get()
    suspect.refresh_from_db()
    assert order.source == "suspect" and order.customer == county.customers["east11"]
    assert suspect.status == "work_order_created" and suspect.work_order == order
    assert page.inner_text("[data-testid=suspect-status]").strip() == "工单已创建"
    assert order.number in page.inner_text("[data-testid=work-order-link]")
    assert page.locator("[data-testid=create-work-order]").count() == 0
    shot(page, "detection-05-work-order")
    _click(page, "[data-testid=work-order-link]")
    assert order.number in page.inner_text("main")
    _go(page, f"{live_server.url}/detection/suspects/?status=work_order_created")
    assert _listed_names(page) == [names["east11"]]

    # The county administrator filters the county's list by station.
    page.context.clear_cookies()
    log_in(page, live_server, "admin", county.password)
    _go(page, f"{live_server.url}/detection/suspects/")
    assert len(_listed_names(page)) == 3
    page.select_option("#id_station", str(county.stations["west"].pk))
    _click(page, ".gc-filters button[type=submit].btn-outline-primary")
    assert _listed_names(page) == [names["west11"]]

    # On a phone: one card per suspect, readable without scrolling sideways.
    phone = phone_page
    log_in(phone, live_server, "inspector_east", county.password)
    _go(phone, f"{live_server.url}/detection/suspects/")
    cards = phone.locator("[data-testid=suspect-cards] .gc-suspect-card")
    assert cards.count() == 2
    for i in range(cards.count()):
        card = cards.nth(i)
        assert card.is_visible()
        assert SCORE.match(card.locator(".gc-score-value").inner_text().strip())
        assert CJK.search(card.locator(".gc-reasons li").first.inner_text())
    assert not phone.locator("[data-testid=suspect-table]").is_visible()
    _no_sideways_scroll(phone)
    shot(phone, "detection-06-phone-list")
    _click(phone, "[data-testid=suspect-cards] .gc-suspect-card >> nth=0")
    phone.locator("#gc-suspect-chart canvas").first.wait_for()
    _no_sideways_scroll(phone)
    assert phone.locator("[data-testid=create-work-order]").count() == 0  # inspectors do not create them
    shot(phone, "detection-07-phone-suspect")

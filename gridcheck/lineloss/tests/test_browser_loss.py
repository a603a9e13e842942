"""Loss management in a browser: the station head sets the month's loss indicator (decomposed into the
area targets), the area manager records the analysis of a flagged area on a phone; the four-way view
and the theoretical-loss page render with their charts. Screenshots: test-artifacts/screenshots/."""

import pytest
from django.utils import timezone

from gridcheck.core.periods import last_complete_month, month_add
from tests.browser.fixtures import click_to_load, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _results(county):
    from gridcheck.lineloss.models import AreaMonthLoss, LineMonthLoss

    last = last_complete_month()
    for key, (supply, sales) in {"east": (4000.0, 3770.0), "west": (2000.0, 1900.0)}.items():
        LineMonthLoss.objects.create(
            line=county.lines[key], station=county.stations[key], month=last, supply_kwh=supply,
            sales_kwh=sales, loss_kwh=supply - sales, loss_rate_percent=(supply - sales) * 100 / supply, days=30,
        )  # fmt: skip
    for back in range(0, 6):
        month = month_add(last, -back)
        for key, (supply, sales) in {"east1": (1000.0, 880.0), "east2": (3000.0, 2890.0)}.items():
            area = county.areas[key]
            flagged = key == "east1" and back < 3
            AreaMonthLoss.objects.create(
                area=area, line=area.line, station=area.station, month=month, supply_kwh=supply,
                sales_kwh=sales, loss_kwh=supply - sales, loss_rate_percent=(supply - sales) * 100 / supply,
                days=30, target_percent=7.0, flagged=flagged, above_target=flagged,
                failing_months=3 - back if flagged else 0, failing_three_months=flagged and back == 0,
                causes=[{"code": "unexplained_loss"}] if flagged else [],
            )  # fmt: skip
    return last


def test_set_target_and_record_analysis(county, desk_page, phone_page, live_server, shot):
    from gridcheck.lineloss.models import LossAnalysis, LossTarget, StationLossIndicator

    last = _results(county)
    this_month = timezone.localdate().replace(day=1)

    page = desk_page
    log_in(page, live_server, "head_east", county.password)
    page.goto(f"{live_server.url}/lineloss/targets/month/?station={county.stations['east'].pk}")
    form = page.locator("[data-testid=indicator-form]")
    form.locator("select[name=station]").select_option(str(county.stations["east"].pk))
    form.locator("input[name=month]").fill(f"{this_month:%Y-%m}")
    form.locator("input[name=max_loss_rate_percent]").fill("6.5")
    click_to_load(page, form.locator("button[type=submit]"))
    assert StationLossIndicator.objects.get(station=county.stations["east"], month=this_month)
    cell = page.locator("[data-testid=area-target-S01-A1]")
    assert float(cell.inner_text()) > 6.5  # east1 loses more than east2: a higher share of the indicator
    assert LossTarget.objects.filter(effective_from=this_month).count() == 2
    shot(page, "lineloss-targets")

    page.goto(f"{live_server.url}/lineloss/fourway/?month={last:%Y-%m}")
    page.wait_for_selector("#gc-chart-lines canvas")
    assert "0.4 kV" in page.locator("[data-testid=fourway-voltages]").inner_text()
    shot(page, "lineloss-fourway")
    page.goto(f"{live_server.url}/lineloss/theory/")
    assert county.areas["east1"].name in page.locator("[data-testid=theory-due]").inner_text()
    shot(page, "lineloss-theory")

    phone = phone_page
    log_in(phone, live_server, "manager_east", county.password)
    phone.goto(f"{live_server.url}/lineloss/analyses/?month={last:%Y-%m}")
    shot(phone, "lineloss-analyses-phone")
    phone.click("[data-testid=record-S01-A1]")
    phone.select_option("select[name=cause]", "imbalance")
    phone.fill("textarea[name=cause_detail]", "三相负荷不平衡，A相过载")
    phone.fill("textarea[name=measures]", "调整单相用户接线相别")
    phone.click("[data-testid=analysis-form] button[type=submit]")
    phone.wait_for_selector("[data-testid=analysis-cause]")
    analysis = LossAnalysis.objects.get(area=county.areas["east1"], month=last)
    assert analysis.analysed_by == county.users["manager_east"] and analysis.cause == "imbalance"
    assert phone.locator("[data-testid=plan-form]").count() == 1  # three months above target
    shot(phone, "lineloss-analysis-phone")

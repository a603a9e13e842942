"""A station head approves a deduction in the browser: the county administrator proposed it on the
reader's October scorecard; the head finds it from the home page's to-do line, opens the scorecard,
approves, and the total drops by the deduction. Screenshots of the month, the scorecard (desk and
phone) and the KPI list go to test-artifacts/screenshots/."""

import re
from decimal import Decimal

import pytest

from tests.browser.fixtures import click_to_load, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_head_approves_a_deduction(october, desk_page, phone_page, live_server, shot, settings, tmp_path):
    from gridcheck.assessment import services
    from gridcheck.assessment.defaults import kpi_defaults_ensure
    from gridcheck.assessment.models import Adjustment, Scorecard
    from gridcheck.assessment.tests.conftest import MONTH

    settings.MEDIA_ROOT = tmp_path / "media"
    kpi_defaults_ensure()  # a transactional test's database was flushed of the migration's rows
    u = october.users
    services.scorecards_compute(month=MONTH)
    card = Scorecard.objects.get(month=MONTH, person=u["reader_east"])
    before = card.total_points
    services.adjustment_propose(
        scorecard=card, by=u["admin"], kind="deduction", points=3, reason="抄表数据迟交两天"
    )

    page = desk_page
    log_in(page, live_server, "head_east", october.password)
    page.goto(f"{live_server.url}/assessment/month/?station={october.stations['east'].pk}&month=2026-10")
    page.get_by_test_id("group-meter_reader").wait_for()
    shot(page, "assessment-month")

    page.goto(f"{live_server.url}/assessment/scorecards/?pending=true")
    click_to_load(page, page.get_by_test_id("scorecard-table").locator("tbody a").first)
    assert page.get_by_test_id("card-title").inner_text().strip() == str(u["reader_east"])
    page.locator("#gc-assessment-trend canvas").first.wait_for()
    shot(page, "assessment-scorecard-pending")
    click_to_load(page, page.get_by_test_id("approve"))
    assert page.get_by_test_id("adjustment-status").inner_text().strip() != ""
    total = page.get_by_test_id("total-points").inner_text().strip()
    assert Decimal(re.sub(r"[^\d.\-]", "", total)) == before - 3
    shot(page, "assessment-scorecard-approved")

    adjustment = Adjustment.objects.get(scorecard=card)
    assert adjustment.status == "approved" and adjustment.decided_by == u["head_east"]

    page.goto(f"{live_server.url}/assessment/kpis/")
    page.get_by_test_id("kpi-table").wait_for()
    shot(page, "assessment-kpis")

    log_in(phone_page, live_server, "reader_east", october.password)
    phone_page.goto(f"{live_server.url}{card.get_absolute_url()}")
    phone_page.get_by_test_id("lines").wait_for()
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(phone_page, "assessment-scorecard-phone")

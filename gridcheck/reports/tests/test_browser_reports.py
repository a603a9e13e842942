"""The report centre in a real browser: the east station head generates March 2025's economic-activity
analysis (bills issued, the month analysed), downloads its PDF and the PDF is turned into images
(``pdftoppm -png -r 60``) under ``test-artifacts/screenshots/`` for people to look at. A month not
analysed is refused on the page with its reason."""

import shutil
import subprocess

import pytest

from tests.browser.fixtures import SCREENSHOTS, click_to_load, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _go(page, url):
    page.goto(url)


def test_economic_activity_pdf(county, analysed, desk_page, live_server, shot, tmp_path):
    """Generated from the report centre, downloaded, turned into images."""
    from gridcheck.reports.models import GeneratedReport

    page = desk_page
    log_in(page, live_server, "head_east", county.password)
    _go(page, f"{live_server.url}/reports/")
    row = page.locator("[data-testid=report-table] tr[data-kind=economic_activity]")
    assert row.count() == 1

    # February is not analysed: refused with the reason, nothing written.
    form = page.locator("[data-testid=generate-economic_activity]")
    form.locator("input[name=period]").fill("2025-02")
    click_to_load(page, form.locator("button"))
    assert "2025-02" in page.inner_text("body")
    assert not GeneratedReport.objects.exists()

    # March: generated; the row shows its files.
    form = page.locator("[data-testid=generate-economic_activity]")
    form.locator("input[name=period]").fill("2025-03")
    click_to_load(page, form.locator("button"))
    report = GeneratedReport.objects.get(kind="economic_activity")
    assert report.period_start.isoformat() == "2025-03-01"
    shot(page, "reports-centre")

    # The PDF link of the history table downloads the file as an attachment.
    link = page.locator(f"[data-testid=history-table] a[href$='/{report.pk}/pdf/']")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf") and "经济活动分析" in download.suggested_filename
    pdf = tmp_path / "economic_activity.pdf"
    download.save_as(str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm not found: apt-get install poppler-utils")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    prefix = SCREENSHOTS / "reports-economic-activity"
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(prefix)], check=True)
    pages = sorted(SCREENSHOTS.glob("reports-economic-activity-*.png"))
    assert pages and pages[0].stat().st_size > 10_000
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    compact = text.replace(" ", "")
    for words in (
        "示范县供电公司",
        "东城供电所2025年3月经济活动分析",
        "环比",
        "同比",
        "编制",
        "审核",
        "批准",
    ):
        assert words in compact, words

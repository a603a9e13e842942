"""The station's reports: generation (idempotent, regeneration recorded), refusal of a month not
analysed, scoping, the centre's status and the files handed out only as attachments."""

import datetime
import io
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from gridcheck.reports import selectors, services
from gridcheck.reports.choices import PeriodStatus, ReportStatus
from gridcheck.reports.kinds import KINDS
from gridcheck.reports.models import GeneratedReport, ReportEvent
from gridcheck.reports.tests.conftest import MARCH, TODAY

pytestmark = pytest.mark.django_db


def _pdf_text(content: bytes) -> str:
    """The PDF's text (poppler's ``pdftotext``; scripts/setup.sh --dev installs poppler-utils)."""
    result = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
    return result.stdout.decode()


def _read(field_file) -> bytes:
    with field_file.open("rb") as handle:
        return handle.read()


def test_kinds_due_days_come_from_the_rule_table():
    economic = KINDS["economic_activity"]
    assert economic.due_on(MARCH) == datetime.date(2025, 4, 25)
    assert KINDS["lineloss_monthly"].due_on(MARCH) == datetime.date(2025, 4, 13)
    weekly = KINDS["inspection_weekly"]
    monday = datetime.date(2025, 4, 21)
    assert weekly.period_start(datetime.date(2025, 4, 24)) == monday
    assert weekly.due_on(monday) == datetime.date(2025, 4, 28)  # the next Monday
    assert KINDS["dispatch_list"].due_on(monday) == monday
    assert weekly.current_period(datetime.date(2025, 4, 28)) == monday


def test_economic_activity_generated_with_pdf_and_xlsx(county, analysed):
    from openpyxl import load_workbook

    head = county.users["head_east"]
    east = county.stations["east"]
    report = services.report_generate(
        kind="economic_activity", station=east, period=MARCH, user=head, today=TODAY
    )
    assert report.status == ReportStatus.GENERATED and report.generated_by == head
    pdf = _read(report.pdf)
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000  # charts embedded
    text = _pdf_text(pdf).replace(" ", "")
    for words in (
        "东城供电所2025年3月经济活动分析",
        "售电量",
        "线损率",
        "电费回收率",
        "环比",
        "同比",
        "编制",
        "审核",
        "批准",
    ):
        assert words in text, words
    workbook = load_workbook(io.BytesIO(_read(report.xlsx)))
    assert "概况" in workbook.sheetnames
    values = [c.value for sheet in workbook for row in sheet.iter_rows() for c in row]
    assert "售电量（千瓦时）" in values and "电费回收率" in values
    assert report.summary["sold_kwh"] is not None
    assert ReportEvent.objects.filter(report=report, to_status=ReportStatus.GENERATED).count() == 1


def test_a_month_billed_but_not_yet_receivable_has_no_recovery_figures(county, analysed):
    """The economic activity's recovery figures where the month's bills have no receivable yet: none
    (shown "—"), not 0.00 yuan due and a 100 % fall against the month before."""
    from gridcheck.collection.models import Receivable
    from gridcheck.reports.contents import month_figures

    east = county.stations["east"]
    formed = month_figures(east, MARCH)
    assert formed["has_bills"] and formed["due_yuan"] and formed["due_yuan"] > 0
    Receivable.objects.filter(period=MARCH).delete()
    pending = month_figures(east, MARCH)
    assert pending["has_bills"] and pending["revenue_yuan"] == formed["revenue_yuan"]
    assert pending["due_yuan"] is None and pending["paid_yuan"] is None and pending["recovery_rate"] is None


def test_regenerating_replaces_the_files_and_records_it(county, analysed, django_capture_on_commit_callbacks):
    east = county.stations["east"]
    first = services.report_generate(kind="lineloss_monthly", station=east, period=MARCH, today=TODAY)
    old_pdf = first.pdf.name
    with django_capture_on_commit_callbacks(execute=True):
        again = services.report_generate(
            kind="lineloss_monthly", station=east, period=datetime.date(2025, 3, 17),
            user=county.users["auditor_east"], today=TODAY,
        )  # fmt: skip
    assert again.pk == first.pk and GeneratedReport.objects.count() == 1
    assert again.status == ReportStatus.REGENERATED and again.generations == 2
    assert again.pdf.name != old_pdf and not again.pdf.storage.exists(old_pdf)
    events = list(ReportEvent.objects.filter(report=again).values_list("from_status", "to_status", "actor"))
    assert events == [
        ("", ReportStatus.GENERATED, None),
        (ReportStatus.GENERATED, ReportStatus.REGENERATED, county.users["auditor_east"].pk),
    ]


def test_a_month_not_analysed_is_refused_with_no_file(county, issued):
    east = county.stations["east"]
    with pytest.raises(ValidationError) as error:
        services.report_generate(kind="economic_activity", station=east, period=MARCH, today=TODAY)
    assert "线损分析" in " ".join(error.value.messages) or "analys" in " ".join(error.value.messages)
    assert not GeneratedReport.objects.exists()


def test_a_month_without_bills_is_refused(county):
    from gridcheck.reports.tests.conftest import analyse

    analyse(county)
    with pytest.raises(ValidationError):
        services.report_generate(
            kind="economic_activity", station=county.stations["east"], period=MARCH, today=TODAY
        )
    assert not GeneratedReport.objects.exists()


def test_a_month_not_ended_is_refused(county, analysed):
    with pytest.raises(ValidationError):
        services.report_generate(
            kind="economic_activity", station=county.stations["east"], period=MARCH,
            today=datetime.date(2025, 3, 31),
        )  # fmt: skip


def test_another_stations_user_may_not_generate(county, analysed):
    with pytest.raises(PermissionDenied):
        services.report_generate(
            kind="lineloss_monthly", station=county.stations["east"], period=MARCH,
            user=county.users["inspector_west"], today=TODAY,
        )  # fmt: skip
    with pytest.raises(PermissionDenied):  # no view_reports
        services.report_generate(
            kind="lineloss_monthly", station=county.stations["east"], period=MARCH,
            user=county.users["reader_east"], today=TODAY,
        )  # fmt: skip


def test_weekly_and_dispatch_list_and_assessment(county, analysed):
    east = county.stations["east"]
    weekly = services.report_generate(
        kind="inspection_weekly", station=east, period=datetime.date(2025, 4, 16), today=TODAY
    )
    assert weekly.period_start == datetime.date(2025, 4, 14) and weekly.period_end == datetime.date(
        2025, 4, 20
    )
    dispatch = services.report_generate(kind="dispatch_list", station=east, period=TODAY, today=TODAY)
    assert _read(dispatch.pdf).startswith(b"%PDF")
    with pytest.raises(ValidationError):  # the month's scorecards are not computed yet
        services.report_generate(kind="assessment", station=east, period=MARCH, today=TODAY)
    from gridcheck.assessment import services as assessment

    assessment.scorecards_compute(month=MARCH)
    sheet = services.report_generate(kind="assessment", station=east, period=MARCH, today=TODAY)
    assert sheet.summary["scorecards"] >= 1 and sheet.summary["all_signed"] is False
    compact = _pdf_text(_read(sheet.pdf)).replace(" ", "")
    assert "绩效考核表（草稿）" in compact and "本人签字" in compact and "所长" in compact


def test_scheduler_generates_what_is_due_and_skips_refusals(county, analysed):
    counts = services.reports_generate_due(today=datetime.date(2025, 4, 25))
    generated = set(GeneratedReport.objects.values_list("kind", "station__code"))
    # East: March is analysed and billed; west has no bills (economic activity refused) and no loss rows.
    assert ("economic_activity", "S01") in generated and ("lineloss_monthly", "S01") in generated
    assert ("dispatch_list", "S01") in generated and ("dispatch_list", "S02") in generated
    assert ("economic_activity", "S02") not in generated
    assert counts["refused"] >= 2 and counts["generated"] == len(generated)
    again = services.reports_generate_due(today=datetime.date(2025, 4, 25))
    assert again["generated"] == 0  # idempotent per period


def test_centre_status_generated_due_late(county, analysed):
    east = county.stations["east"]
    head = county.users["head_east"]
    services.report_generate(kind="lineloss_monthly", station=east, period=MARCH, today=TODAY)
    rows = {r.kind.code: r for r in selectors.report_centre(user=head, station=east, today=TODAY)}
    assert rows["lineloss_monthly"].status == PeriodStatus.GENERATED
    assert rows["economic_activity"].status == PeriodStatus.LATE  # due 04-25
    assert rows["dispatch_list"].status == PeriodStatus.DUE
    assert selectors.late_count(head, today=TODAY) >= 1
    before = selectors.not_generated_count(head, today=TODAY)
    services.report_generate(kind="economic_activity", station=east, period=MARCH, today=TODAY)
    assert selectors.not_generated_count(head, today=TODAY) == before - 1


def test_page_generate_and_download_as_attachment(client, county, analysed):
    client.force_login(county.users["head_east"])
    page = client.get(reverse("reports:centre"))
    assert page.status_code == 200
    assert "经济活动分析" in page.content.decode() or "economic" in page.content.decode().lower()
    response = client.post(
        reverse("reports:generate"),
        {"kind": "economic_activity", "station": county.stations["east"].pk, "period": "2025-03"},
    )
    assert response.status_code == 302
    report = GeneratedReport.objects.get(kind="economic_activity")
    download = client.get(reverse("reports:download", args=[report.pk, "pdf"]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # Outside the scope: 404; without view_reports: 403.
    client.force_login(county.users["inspector_west"])
    assert client.get(reverse("reports:download", args=[report.pk, "pdf"])).status_code == 404
    client.force_login(county.users["reader_east"])
    assert client.get(reverse("reports:download", args=[report.pk, "pdf"])).status_code == 403


def test_page_refusal_message(client, county, issued):
    client.force_login(county.users["head_east"])
    response = client.post(
        reverse("reports:generate"),
        {"kind": "economic_activity", "station": county.stations["east"].pk, "period": "2025-03"},
        follow=True,
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert messages and not GeneratedReport.objects.exists()


def test_county_user_chooses_the_station(client, county, analysed):
    client.force_login(county.users["admin"])
    west = county.stations["west"]
    page = client.get(reverse("reports:centre"), {"station": west.pk})
    assert page.status_code == 200 and page.context["station"] == west
    client.force_login(county.users["head_east"])
    assert client.get(reverse("reports:centre"), {"station": west.pk}).status_code == 404


def test_api_generate_list_download(client, county, analysed):
    client.force_login(county.users["head_east"])
    url = reverse("api:reports-report-generate")
    bad = client.post(
        url, {"kind": "economic_activity", "station": county.stations["east"].pk, "period": "2024-03"}
    )
    assert bad.status_code == 400
    ok = client.post(
        url, {"kind": "lineloss_monthly", "station": county.stations["east"].pk, "period": "2025-03"}
    )
    assert ok.status_code == 201, ok.content
    listed = client.get(reverse("api:reports-report-list")).json()
    items = listed["results"] if isinstance(listed, dict) else listed
    assert [i["kind"] for i in items] == ["lineloss_monthly"]
    download = client.get(items[0]["pdf_url"])
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    centre = client.get(reverse("api:reports-report-centre")).json()
    assert {r["kind"] for r in centre} == set(KINDS)
    client.force_login(county.users["inspector_west"])
    assert client.get(items[0]["pdf_url"]).status_code == 404


def test_demo_reports_generates_each_report_once(county, analysed):
    from gridcheck.reports.demo import demo_periods, demo_reports

    periods = demo_periods(MARCH)
    assert periods["inspection_weekly"] == datetime.date(2025, 3, 24)  # Mon 24 - Sun 30 March
    assert periods["dispatch_list"] == datetime.date(2025, 3, 31)
    from gridcheck.assessment import services as assessment

    assessment.scorecards_compute(month=MARCH)
    counts = demo_reports(month=MARCH, today=TODAY)
    assert counts["generated"] == len(KINDS) and not counts["refused"]
    assert set(GeneratedReport.objects.values_list("station__code", flat=True)) == {"S01"}
    again = demo_reports(month=MARCH, today=TODAY)
    assert again["generated"] == 0 and again["kept"] == len(KINDS)

"""Billing reports: the area report, the business report (prepared and signed), the posting sheet."""

import datetime
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from openpyxl import load_workbook

from gridcheck.billing import reports, services
from gridcheck.billing.models import Bill, BillingEvent

pytestmark = pytest.mark.django_db
MARCH = datetime.date(2025, 3, 1)


@pytest.fixture
def issued(county, book, read_march):
    read_march(east21="5100.00")
    auditor, head = county.users["auditor_east"], county.users["head_east"]
    services.cycle_bill(user=auditor, cycle=book.cycle)
    for bill in Bill.objects.all():
        services.bill_check(user=head, bill=bill, note="核对无误")
    services.cycle_issue(user=head, cycle=book.cycle)
    bill = Bill.objects.get(customer=county.customers["east12"])
    adjustment = services.adjustment_prepare(
        user=auditor,
        bill=bill,
        kind="correction",
        reason="抄表错误",
        inputs={"energies": {"total": "400"}},
    )
    services.adjustment_decide(user=head, adjustment=adjustment, approve=True)
    # Approved in the billing month (the report lists what was approved in its month).
    approved_on = datetime.datetime(2025, 3, 20, 10, tzinfo=datetime.UTC)
    type(adjustment).objects.filter(pk=adjustment.pk).update(decided_at=approved_on)
    return book


def _pdf_text(content: bytes) -> str | None:
    if shutil.which("pdftotext") is None:
        return None
    result = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
    return result.stdout.decode()


def test_area_report_sums_the_bills_and_shows_the_loss(county, issued):
    from gridcheck.lineloss.models import AreaMonthLoss

    area = county.areas["east1"]
    AreaMonthLoss.objects.create(
        area=area, line=area.line, station=area.station, month=MARCH, target_percent=8.0,
        supply_kwh=800.0, sales_kwh=650.0, loss_kwh=150.0, loss_rate_percent=18.75,
    )  # fmt: skip
    report = reports.area_report(user=county.users["head_east"], period=MARCH)
    assert report.due_on == datetime.date(2025, 4, 13)
    bills = Bill.objects.filter(period=MARCH)
    sums = bills.aggregate(e=Sum("energy_kwh"), t=Sum("total_yuan"))
    assert report.totals["energy_kwh"] == sums["e"]
    assert report.totals["total_yuan"] == sums["t"]
    assert sum(r["total_yuan"] for r in report.rows) == sums["t"]
    row = next(r for r in report.rows if r["area_id"] == area.pk)
    assert row["loss_kwh"] == Decimal(150) and row["loss_rate_percent"] == Decimal("18.75")
    assert row["energy_kwh"] == bills.filter(area=area).aggregate(e=Sum("energy_kwh"))["e"]
    # Every bill is issued: all four customers owe, the adjusted bill by its adjusted amount.
    assert report.totals["owing_customers"] == 4
    assert report.totals["owing_yuan"] == sum(b.amount_due_yuan for b in bills)
    assert report.totals["owing_yuan"] != sums["t"]
    # Another station's staff see no row.
    assert reports.area_report(user=county.users["inspector_west"], period=MARCH).rows == []
    workbook = load_workbook(io.BytesIO(reports.area_report_xlsx(report)))
    values = [c.value for row in workbook.active.iter_rows() for c in row]
    assert "台区编号" in values and county.customers["east11"].account_number in values


def test_business_report_by_category_prepared_and_signed(county, issued):
    auditor, head = county.users["auditor_east"], county.users["head_east"]
    station = county.stations["east"]
    report = reports.business_report(user=head, station=station, period=MARCH)
    assert report.due_on == datetime.date(2025, 4, 25)
    assert {r["category"] for r in report.rows} == {"residential", "general"}
    assert sum(r["total_yuan"] for r in report.rows) == report.totals["total_yuan"]
    assert report.totals["total_yuan"] == Bill.objects.aggregate(t=Sum("total_yuan"))["t"]
    residential = next(r for r in report.rows if r["category"] == "residential")
    assert residential["customers"] == 2
    assert len(report.adjustments) == 1 and report.refunds_yuan < 0
    with pytest.raises(ValidationError):
        reports.business_report_sign(user=head, station=station, period=MARCH)
    reports.business_report_prepare(user=auditor, station=station, period=MARCH)
    with pytest.raises(ValidationError):
        reports.business_report_prepare(user=auditor, station=station, period=MARCH)
    with pytest.raises(PermissionDenied):
        reports.business_report_sign(user=auditor, station=station, period=MARCH)
    reports.business_report_sign(user=head, station=station, period=MARCH)
    report = reports.business_report(user=head, station=station, period=MARCH)
    assert report.prepared.actor == auditor and report.signed.actor == head
    event = BillingEvent.objects.get(subject_type="BusinessReport", to_status="signed")
    assert event.subject_id == 202503 * 1000 + station.pk
    with pytest.raises(PermissionDenied):
        reports.business_report(user=county.users["inspector_west"], station=station, period=MARCH)
    content = reports.business_report_pdf(report)
    assert content.startswith(b"%PDF")
    text = _pdf_text(content)
    if text is not None:
        assert "营业报表" in text and "居民" in text and str(report.totals["total_yuan"]) in text
    workbook = load_workbook(io.BytesIO(reports.business_report_xlsx(report)))
    values = [c.value for row in workbook.active.iter_rows() for c in row]
    assert "电价类别" in values and "所长签字" in values and str(head) in values


def test_posting_sheet_lists_every_customer_of_the_cycle(county, issued):
    sheet = reports.posting_sheet(user=county.users["head_east"], cycle=issued.cycle)
    assert len(sheet["rows"]) == 4
    row = next(r for r in sheet["rows"] if r["account_number"] == county.customers["east11"].account_number)
    assert row["energy_kwh"] == Decimal(150) and row["price_yuan_per_kwh"] == Decimal("0.5600")
    assert row["amount_yuan"] == Decimal("84.00") and row["payment_state"] == "未缴费"
    content = reports.posting_sheet_pdf(sheet)
    assert content.startswith(b"%PDF")
    text = _pdf_text(content)
    if text is not None:
        compact = "".join(text.split())  # a narrow column wraps a name across lines
        assert "电费公示表" in compact and county.customers["east11"].name in compact
    with pytest.raises(PermissionDenied):
        reports.posting_sheet(user=county.users["inspector_west"], cycle=issued.cycle)


def test_report_pages_and_downloads(county, issued, login):
    client = login("head_east")
    for url in ("/billing/reports/areas/?month=2025-03", "/billing/reports/business/?month=2025-03",
                "/billing/reports/posting/?month=2025-03", f"/billing/reports/posting/{issued.cycle.pk}/"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
    assert 'data-testid="totals"' in client.get("/billing/reports/areas/?month=2025-03").content.decode()
    response = client.get("/billing/reports/areas/xlsx/?month=2025-03")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    response = client.get(
        f"/billing/reports/business/pdf/?month=2025-03&station={county.stations['east'].pk}"
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    response = client.get(f"/billing/reports/posting/{issued.cycle.pk}/pdf/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    response = client.post("/billing/reports/business/sign/", {"month": "2025-03", "action": "prepare"})
    assert response.status_code == 302
    assert BillingEvent.objects.filter(subject_type="BusinessReport", to_status="prepared").exists()
    # Another station: no cycle, no station of the east.
    west = login("inspector_west")
    assert west.get(f"/billing/reports/posting/{issued.cycle.pk}/").status_code == 404
    assert west.get(f"/billing/reports/posting/{issued.cycle.pk}/pdf/").status_code == 404
    station = county.stations["east"].pk
    assert west.get(f"/billing/reports/business/xlsx/?station={station}").status_code == 404
    assert login("liaison").get("/billing/reports/areas/").status_code == 403

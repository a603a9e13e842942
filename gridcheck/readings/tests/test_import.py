import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from gridcheck.readings.models import MeterDataImport
from gridcheck_analytics.store import MeterStore

pytestmark = pytest.mark.django_db

GOOD = "meter_id,reading_date,register_total_kwh\nM1100000001,2026-10-01,100.5\nM1100000001,2026-10-02,105.5\nM1100000002,2026-10-01,20\n"
BAD = "meter_id,reading_date,register_total_kwh\nM1100000001,2026-10-01,abc\nNOPE,2026-10-02,1\nM1100000002,2026-13-45,20\n"


def test_command_imports_daily_readings(county, data_dir, tmp_path):
    path = tmp_path / "daily.csv"
    path.write_text(GOOD)
    call_command("readings", "import", "daily", str(path))
    batch = MeterDataImport.objects.get()
    assert batch.status == "succeeded" and batch.rows == 3 and batch.rows_created == 3
    assert batch.months == ["2026-10"]
    assert len(MeterStore(data_dir).read("daily")) == 3
    call_command("readings", "import", "daily", str(path))  # idempotent
    assert len(MeterStore(data_dir).read("daily")) == 3
    assert MeterDataImport.objects.first().rows_unchanged == 3


def test_command_with_mapping(county, data_dir, tmp_path):
    path = tmp_path / "daily.csv"
    path.write_text("表号,日期,正向有功总\nM1100000001,2026-10-01,100.5\n")
    call_command(
        "readings", "import", "daily", str(path),
        "--mapping", '{"表号": "meter_id", "日期": "reading_date", "正向有功总": "register_total_kwh"}',
    )  # fmt: skip
    assert len(MeterStore(data_dir).read("daily")) == 1


def test_command_refuses_bad_file_and_writes_nothing(county, data_dir, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD)
    with translation.override("en"), pytest.raises(CommandError, match="nothing was written"):
        call_command("readings", "import", "daily", str(path))
    batch = MeterDataImport.objects.get()
    assert batch.status == "failed"
    found = {(e["row"], e["column"], e["reason"]) for e in batch.errors}
    assert (2, "register_total_kwh", "not a number") in found
    assert (3, "meter_id", "unknown meter") in found
    assert (4, "reading_date", "not a valid date/time") in found
    assert all(e["file"] == "bad.csv" for e in batch.errors)
    assert MeterStore(data_dir).months("daily") == []


def test_command_missing_column(county, data_dir, tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("meter,day\nM1,2026-10-01\n")
    with pytest.raises(CommandError):
        call_command("readings", "import", "daily", str(path))
    assert "required column" in MeterDataImport.objects.get().errors[0]["reason"]


def test_upload_page_shows_errors_and_writes_nothing(login, data_dir, tmp_path):
    client = login("inspector_east")
    path = tmp_path / "bad.csv"
    path.write_text(BAD)
    with path.open("rb") as fh:
        response = client.post(reverse("readings:import"), {"kind": "daily", "file": fh}, follow=True)
    assert response.status_code == 200
    batch = MeterDataImport.objects.get()
    assert response.redirect_chain[-1][0] == batch.get_absolute_url()
    html = response.content.decode()
    assert 'data-testid="errors"' in html and "register_total_kwh" in html
    assert MeterStore(data_dir).months("daily") == []


def test_upload_page_imports_good_file(login, data_dir, tmp_path):
    client = login("inspector_east")
    path = tmp_path / "good.csv"
    path.write_text(GOOD)
    with path.open("rb") as fh:
        client.post(reverse("readings:import"), {"kind": "daily", "file": fh})
    assert MeterDataImport.objects.get().status == "succeeded"
    assert len(MeterStore(data_dir).read("daily")) == 3


def test_upload_page_needs_import_capability(login):
    assert login("reader_east").get(reverse("readings:import")).status_code == 403
    assert login("auditor_east").get(reverse("readings:import")).status_code == 200


def test_a_file_of_total_registers_keeps_the_stored_peak_and_valley_registers(county, data_dir, tmp_path):
    full = tmp_path / "full.csv"
    full.write_text(
        "meter_id,reading_date,register_total_kwh,register_peak_kwh,register_valley_kwh\n"
        "M1100000001,2026-10-01,100.5,40.5,60\n"
    )
    call_command("readings", "import", "daily", str(full))
    totals = tmp_path / "totals.csv"
    totals.write_text("meter_id,reading_date,register_total_kwh\nM1100000001,2026-10-01,101\n")
    call_command("readings", "import", "daily", str(totals))
    assert MeterDataImport.objects.first().rows_updated == 1
    row = MeterStore(data_dir).read("daily").iloc[0]
    assert (row["register_total_kwh"], row["register_peak_kwh"], row["register_valley_kwh"]) == (
        101,
        40.5,
        60,
    )

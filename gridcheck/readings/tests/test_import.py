import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from gridcheck.readings.headers import column_label
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
    # The field by its name for people (never the canonical column's key), the row, the file.
    assert 'data-testid="errors"' in html and str(column_label("register_total_kwh")) in html
    assert "<code>register_total_kwh</code>" not in html and "bad.csv" in html
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


# -- a station imports only its own meters -------------------------------------------------------------

#: One east meter and, on line 3, one of the west station's meters.
MIXED = "meter_id,reading_date,register_total_kwh\nM1100000001,2026-10-01,100.5\nM2100000001,2026-10-01,7\n"


def test_service_refuses_a_file_with_another_stations_meter(county, data_dir, tmp_path):
    from gridcheck.readings.services import meter_data_import

    path = tmp_path / "mixed.csv"
    path.write_text(MIXED)
    batch = meter_data_import(kind="daily", path=path, user=county.users["inspector_east"])
    assert batch.status == "failed"
    assert batch.errors == [
        {
            "file": "mixed.csv",
            "row": 3,
            "column": "meter_id",
            "value": "M2100000001",
            "reason": "meter outside your scope",
        }
    ]
    assert MeterStore(data_dir).months("daily") == []  # nothing written, not even the east row
    # The west station's inspector is refused the east meter; county-level staff import both.
    batch = meter_data_import(kind="daily", path=path, user=county.users["inspector_west"])
    assert [(e["row"], e["value"]) for e in batch.errors] == [(2, "M1100000001")]
    assert MeterStore(data_dir).months("daily") == []
    assert meter_data_import(kind="daily", path=path, user=county.users["admin"]).status == "succeeded"
    assert len(MeterStore(data_dir).read("daily")) == 2


def test_service_refuses_an_area_managers_meter_outside_their_areas(county, data_dir, tmp_path):
    from gridcheck.readings.services import meter_data_import

    path = tmp_path / "areas.csv"  # manager_east owns area east1 (S01-A1), not east2
    path.write_text(
        "meter_id,reading_date,register_total_kwh\nM1100000001,2026-10-01,1\nM1200000001,2026-10-01,1\n"
    )
    batch = meter_data_import(kind="daily", path=path, user=county.users["manager_east"])
    assert [(e["row"], e["column"], e["value"], e["reason"]) for e in batch.errors] == [
        (3, "meter_id", "M1200000001", "meter outside your scope")
    ]


def test_service_refuses_another_stations_area_meter(county, data_dir, tmp_path):
    from gridcheck.readings.services import meter_data_import

    path = tmp_path / "area.csv"
    path.write_text(
        "area_code,meter_id,reading_date,register_total_kwh,multiplier\n"
        "S01-A1,AM-S01-A1,2026-10-01,500,10\nS02-A1,AM-S02-A1,2026-10-01,500,10\nX9,AM-X9,2026-10-01,1,1\n"
    )
    batch = meter_data_import(kind="area_meter", path=path, user=county.users["inspector_east"])
    assert [(e["row"], e["column"], e["value"], e["reason"]) for e in batch.errors] == [
        (3, "area_code", "S02-A1", "area outside your scope"),
        (4, "area_code", "X9", "unknown area"),
    ]
    assert MeterStore(data_dir).months("area_meter") == []
    call_command("readings", "import", "area_meter", str(path))  # the CLI: the whole county, as before
    assert len(MeterStore(data_dir).read("area_meter")) == 3


def test_upload_page_refuses_another_stations_meter(login, data_dir, tmp_path):
    client = login("inspector_east")
    path = tmp_path / "mixed.csv"
    path.write_text(MIXED)
    with path.open("rb") as fh:
        response = client.post(reverse("readings:import"), {"kind": "daily", "file": fh}, follow=True)
    batch = MeterDataImport.objects.get()
    assert batch.status == "failed" and response.redirect_chain[-1][0] == batch.get_absolute_url()
    html = response.content.decode()  # the pages are in Chinese
    assert "mixed.csv 被拒绝：未写入任何数据。" in html
    assert 'data-testid="errors"' in html and "M2100000001" in html and "电能表不在您的管辖范围内" in html
    assert MeterStore(data_dir).months("daily") == []


def test_an_unreadable_file_is_refused_naming_the_uploaded_file(login, data_dir, tmp_path):
    client = login("inspector_east")
    path = tmp_path / "gbk.csv"
    path.write_bytes("表号,日期,正向有功总\nM1100000001,2026-10-01,1\n".encode("gbk"))
    with path.open("rb") as fh:
        client.post(reverse("readings:import"), {"kind": "daily", "file": fh})
    batch = MeterDataImport.objects.get()
    assert batch.status == "failed"
    (error,) = batch.errors
    assert (
        error["file"] == "gbk.csv" and error["row"] is None and error["reason"].startswith("not UTF-8 text")
    )

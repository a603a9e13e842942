"""Meter-data import like the archive import (issue 19): the collection system's Chinese headers are
recognised, other headers are mapped on the page with a preview of the first rows, the mapping is saved
per source for next time, and the errors name the file, the row and the field, in Chinese."""

import pytest
from django.urls import reverse
from django.utils import translation

from gridcheck.readings.headers import column_label, missing_columns, reason_text, recognise
from gridcheck.readings.models import MeterDataImport, MeterDataMapping
from gridcheck_analytics.store import MeterStore

pytestmark = pytest.mark.django_db

# As the collection system exports a day's freeze (电能表资产号, units in brackets, a BOM from Excel).
COLLECTION = (
    "\ufeff电能表资产号,数据日期,正向有功总(kWh),正向有功峰(kWh),正向有功谷(kWh),综合倍率\n"
    "M1100000001,2026-10-01,100.5,40.1,30.2,1\n"
    "M1100000002,2026-10-01,20,8,6,1\n"
)
# A vendor's head-end with its own headers.
VENDOR = "终端地址,表计,日,示数总\nT01,M1100000001,2026-10-02,105.5\nT01,M1100000002,2026-10-02,21\n"


def _upload(client, tmp_path, name, text, source="用电信息采集系统", kind="daily", **extra):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with path.open("rb") as fh:
        return client.post(reverse("readings:import"), {"kind": kind, "source": source, "file": fh}, **extra)


def test_the_collection_systems_chinese_headers_are_recognised():
    headers = ["电能表资产号", "数据日期", "正向有功总(kWh)", "正向有功峰 （kWh）", "综合倍率", "备注"]
    mapping = recognise("daily", headers)
    assert mapping == {
        "电能表资产号": "meter_id",
        "数据日期": "reading_date",
        "正向有功总(kWh)": "register_total_kwh",
        "正向有功峰 （kWh）": "register_peak_kwh",
        "综合倍率": "multiplier",
    }
    assert missing_columns("daily", mapping) == []
    assert recognise("events", ["表号", "发生时间", "事件类型", "恢复时间"]) == {
        "表号": "meter_id",
        "发生时间": "timestamp",
        "事件类型": "event_code",
        "恢复时间": "end_timestamp",
    }
    assert missing_columns("area_meter", recognise("area_meter", ["台区编号", "考核表资产号", "日期"])) == [
        "register_total_kwh",
        "multiplier",
    ]


def test_a_collection_system_export_imports_at_once(login, data_dir, tmp_path):
    response = _upload(login("inspector_east"), tmp_path, "日冻结.csv", COLLECTION)
    batch = MeterDataImport.objects.get()
    assert response.status_code == 302 and response.url == batch.get_absolute_url()
    assert batch.status == "succeeded" and batch.rows == 2
    frame = MeterStore(data_dir).read("daily")
    assert sorted(frame["register_peak_kwh"].tolist()) == [8.0, 40.1]


def test_other_headers_are_chosen_on_the_page_with_a_preview_and_remembered_for_the_source(
    login, data_dir, tmp_path
):
    client = login("inspector_east")
    response = _upload(client, tmp_path, "vendor.csv", VENDOR, source="某厂家主站")
    assert response.status_code == 302 and "/columns/" in response.url
    assert not MeterDataImport.objects.exists()  # nothing imported before the columns are chosen
    page = client.get(response.url)
    html = page.content.decode()
    assert 'data-testid="preview"' in html and "M1100000002" in html and "105.5" in html
    form = page.context["form"]
    assert [f.label for f in form.column_fields()] == ["终端地址", "表计", "日", "示数总"]
    # Choosing only the meter: the page says which fields are still missing, names them, imports nothing.
    refused = client.post(response.url, {"col_1": "meter_id", "save": "on"})
    assert refused.status_code == 200 and not MeterDataImport.objects.exists()
    (error,) = refused.context["form"].non_field_errors()
    assert str(column_label("reading_date")) in error and "reading_date" not in error
    done = client.post(
        response.url,
        {"col_1": "meter_id", "col_2": "reading_date", "col_3": "register_total_kwh", "save": "on"},
    )
    batch = MeterDataImport.objects.get()
    assert done.status_code == 302 and done.url == batch.get_absolute_url() and batch.status == "succeeded"
    saved = MeterDataMapping.objects.get(source="某厂家主站", kind="daily")
    assert saved.mapping == {"表计": "meter_id", "日": "reading_date", "示数总": "register_total_kwh"}
    # The pending file is gone; the next file of the source is read with the saved columns at once.
    assert client.get(response.url).status_code == 404
    again = _upload(
        client, tmp_path, "vendor2.csv", VENDOR.replace("2026-10-02", "2026-10-03"), source="某厂家主站"
    )
    assert again.status_code == 302 and "/columns/" not in again.url
    assert MeterDataImport.objects.filter(status="succeeded").count() == 2


def test_two_columns_for_one_field_are_refused(login, data_dir, tmp_path):
    client = login("inspector_east")
    response = _upload(client, tmp_path, "vendor.csv", VENDOR, source="")
    refused = client.post(
        response.url,
        {"col_0": "meter_id", "col_1": "meter_id", "col_2": "reading_date", "col_3": "register_total_kwh"},
    )
    (error,) = refused.context["form"].non_field_errors()
    assert "终端地址" in error and "表计" in error
    assert not MeterDataImport.objects.exists() and not MeterDataMapping.objects.exists()


def test_another_users_pending_file_is_not_reachable(login, data_dir, tmp_path):
    response = _upload(login("inspector_east"), tmp_path, "vendor.csv", VENDOR)
    assert login("auditor_east").get(response.url).status_code == 404


def test_row_errors_name_the_file_the_row_and_the_field_in_chinese(login, data_dir, tmp_path):
    bad = COLLECTION.replace("100.5", "abc")
    response = _upload(login("inspector_east"), tmp_path, "坏文件.csv", bad, follow=True)
    batch = MeterDataImport.objects.get()
    assert batch.status == "failed"
    (error,) = batch.errors
    assert error["file"] == "坏文件.csv" and error["row"] == 2 and error["column"] == "register_total_kwh"
    html = response.content.decode()
    assert "坏文件.csv" in html and str(column_label("register_total_kwh")) in html
    with translation.override("zh-hans"):
        assert reason_text("not a number") in html and reason_text("not a number") != "not a number"
    assert "JSON" not in html and "mapping" not in html.lower()


def test_the_upload_page_asks_for_no_json(login):
    html = login("inspector_east").get(reverse("readings:import")).content.decode()
    assert "JSON" not in html and 'data-testid="known-headers"' in html and "电能表资产号" in html

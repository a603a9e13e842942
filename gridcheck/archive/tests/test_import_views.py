"""Import pages: upload with errors shown, success summary, templates, batch list and detail scoping."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from gridcheck.archive.models import Customer, ImportBatch
from gridcheck.core.registries import imports

HEADER = "台区编号,户号,户名,用电类别,电压等级,合同容量(kVA),电价代码,检查类别\r\n"
EN = {"QUERY_STRING": "lang=en"}


def upload(client, content: bytes, name="customers.csv", entity="customers"):
    return client.post(
        reverse("archive:import"), {"entity": entity, "file": SimpleUploadedFile(name, content)}, **EN
    )


def test_anonymous_is_sent_to_login(client, county):
    response = client.get(reverse("archive:import"))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("username", ["reader_east", "liaison", "manager_east"])
def test_roles_without_import_get_403(login, username):
    assert login(username).get(reverse("archive:import"), **EN).status_code == 403


def test_form_shows_help_and_template_links(login):
    response = login("admin").get(reverse("archive:import"), **EN)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="import-help"' in body
    assert "合同容量(kVA)" in body and "contracted_capacity_kva" in body
    assert reverse("archive:import_template", args=["customers"]) in body


def test_station_user_is_not_offered_tariffs(login):
    response = login("inspector_east").get(reverse("archive:import"), **EN)
    choices = [key for key, _label in response.context["form"].fields["entity"].choices]
    assert "tariffs" not in choices and "staff" not in choices
    assert "customers" in choices


def test_upload_with_errors_shows_table_and_writes_nothing(login, county):
    client = login("inspector_east")
    before = Customer.objects.count()
    content = (
        HEADER + "S01-A1,9000000001,甲,居民,220V,abc,RES-1,C\r\nS02-A1,9000000002,乙,居民,220V,8,RES-1,C\r\n"
    )
    response = upload(client, content.encode("gbk"))
    assert response.status_code == 422
    body = response.content.decode()
    assert "Nothing was written." in body
    assert "2 problems found" in body
    assert "not a number: &quot;abc&quot;" in body
    assert "not in your station" in body
    assert "合同容量(kVA)" in body and "customers.csv" in body
    assert Customer.objects.count() == before
    batch = ImportBatch.objects.get()
    assert batch.status == "failed" and len(batch.errors) == 2
    assert batch.encoding == "GBK"


def test_upload_success_redirects_to_summary(login, county):
    client = login("head_east")
    content = HEADER + "S01-A1,9000000001,甲,居民,220V,8,RES-1,C\r\n"
    response = upload(client, ("\ufeff" + content).encode("utf-8"))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("archive:importbatch_detail", args=[batch.pk])
    page = client.get(response["Location"], **EN)
    assert page.status_code == 200
    assert "customers.csv imported: 1 created, 0 updated, 0 unchanged." in page.content.decode()
    assert Customer.objects.get(account_number="9000000001").station == county.stations["east"]


def _workbook(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_small_workbook_uploaded_on_the_page_imports(login, county):
    """A workbook under Django's in-memory limit (2.5 MB) used to be refused."""
    content = _workbook(
        [HEADER.strip().split(","), ["S01-A1", "9000000002", "乙", "居民", "220V", "8", "RES-1", "C"]]
    )
    assert len(content) < 2.5 * 1024 * 1024
    response = upload(login("head_east"), content, name="客户.xlsx")
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Customer.objects.filter(account_number="9000000002").exists()


def test_an_xlsx_zip_bomb_is_refused_before_it_is_unpacked(login, county):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (600 * 1024 * 1024 // 8))
    response = upload(login("head_east"), buffer.getvalue(), name="bomb.xlsx")
    assert response.status_code == 422  # refused whole, with the reason on the page
    assert "unpacks to far more than its size" in response.content.decode()
    assert not Customer.objects.exclude(pk__in=[c.pk for c in county.customers.values()]).exists()
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.FAILED


def test_wrong_extension_is_a_form_error(login, county):
    response = upload(login("admin"), b"x", name="customers.pdf")
    assert response.status_code == 400
    assert "Only .csv and .xlsx files can be imported." in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_template_download_has_headers_and_example(login):
    response = login("inspector_east").get(reverse("archive:import_template", args=["customers"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == [c.header for c in imports["customers"].export_columns]
    assert len(rows) == 2 and rows[1][1] == "1100000001"


def test_template_of_unknown_entity_is_404(login):
    assert login("admin").get(reverse("archive:import_template", args=["nope"])).status_code == 404


def _batch(station, name):
    return ImportBatch.objects.create(entity="customers", file_name=name, status="succeeded", station=station)


def test_batch_list_and_detail_are_scoped(login, county):
    east = _batch(county.stations["east"], "east.csv")
    west = _batch(county.stations["west"], "west.csv")
    client = login("inspector_east")
    body = client.get(reverse("archive:importbatch_list"), **EN).content.decode()
    assert "east.csv" in body and "west.csv" not in body
    assert client.get(reverse("archive:importbatch_detail", args=[east.pk]), **EN).status_code == 200
    assert client.get(reverse("archive:importbatch_detail", args=[west.pk]), **EN).status_code == 404
    county_body = login("admin").get(reverse("archive:importbatch_list"), **EN).content.decode()
    assert "east.csv" in county_body and "west.csv" in county_body


def test_the_import_links_only_for_who_may_import(login, county):
    """The home page's archive tile, the import history and an import's page link to the import page
    only for a role that may import (a meter reader who followed the link got a 403)."""
    batch = _batch(county.stations["east"], "east.csv")
    link = f'href="{reverse("archive:import")}'
    for who, shown in [("reader_east", False), ("inspector_east", True)]:
        client = login(who)
        pages = ["home", "archive:importbatch_list", ("archive:importbatch_detail", batch.pk)]
        for url in [reverse(p) if isinstance(p, str) else reverse(p[0], args=[p[1]]) for p in pages]:
            response = client.get(url, **EN)
            assert response.status_code == 200, (who, url)
            assert (link in response.content.decode()) is shown, (who, url)
        assert client.get(reverse("archive:import"), **EN).status_code == (200 if shown else 403)


def test_failed_batch_detail_lists_errors(login, county):
    batch = ImportBatch.objects.create(
        entity="customers",
        file_name="bad.csv",
        status="failed",
        station=county.stations["east"],
        errors=[{"file": "bad.csv", "row": 7, "column": "户号", "reason": "a value is required"}],
    )
    body = (
        login("head_east").get(reverse("archive:importbatch_detail", args=[batch.pk]), **EN).content.decode()
    )
    assert "Nothing was written." in body
    assert "row 7" in body and "a value is required" in body


def test_batch_list_filters_by_status_and_pages(login, county):
    east = county.stations["east"]
    ImportBatch.objects.bulk_create(
        [
            ImportBatch(entity="customers", file_name=f"ok-{i}.csv", status="succeeded", station=east)
            for i in range(52)
        ]
        + [ImportBatch(entity="customers", file_name="refused.csv", status="failed", station=east)]
    )
    client = login("head_east")
    url = reverse("archive:importbatch_list")
    response = client.get(url, QUERY_STRING="lang=en&status=succeeded")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="batch-table"' in body and "refused.csv" not in body
    assert 'data-testid="row-count"' in body and "52 records" in body
    assert len(response.context["table"].page.object_list) == 50
    assert "page=2" in body and "status=succeeded" in body  # the next page keeps the filter
    assert "Import a file" in body  # a station head may import
    assert body.count('<option value=""') == 2  # one "All" per dropdown (what, status)
    response = client.get(url, QUERY_STRING="lang=en&status=succeeded&page=2")
    files = {row.record.file_name for row in response.context["table"].page.object_list}
    assert len(files) == 2 and all(f.startswith("ok-") for f in files)
    response = client.get(url, QUERY_STRING="lang=en&status=failed&q=refused")
    assert [row.record.file_name for row in response.context["table"].page.object_list] == ["refused.csv"]

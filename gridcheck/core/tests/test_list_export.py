"""Every list page exports what it shows to XLSX (one mechanism, ``ScopedListView.export``): filtered,
sorted and scoped as shown, with the import headers for an import entity and the table's own columns
otherwise, values as a person reads them (no HTML, local times)."""

import io

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook

from gridcheck.core.generic import ScopedListView

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _list_urls(patterns=None, prefix="/"):
    """The list pages of the project that take no URL argument."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            route = str(pattern.pattern)
            if route.startswith(("api/", "admin/")) or "<" in route:
                continue
            yield from _list_urls(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, "view_class", None)
            route = str(pattern.pattern)
            if view_class and issubclass(view_class, ScopedListView) and "<" not in route:
                yield prefix + route


def test_every_list_page_exports_xlsx(login, county):
    client = login("admin")
    urls = sorted(set(_list_urls()))
    assert len(urls) > 40
    exported = 0
    for url in urls:
        response = client.get(url, {"export": "xlsx"})
        if response.status_code in (302, 403):
            continue  # a list another role opens (e.g. one's own work); its own tests cover it
        rows = _rows(response)
        exported += 1
        assert rows and any(isinstance(h, str) and h for h in rows[0]), url
        for row in rows:
            for value in row:
                assert not (isinstance(value, str) and "<" in value and ">" in value), (url, value)
    assert exported > 40
    page = client.get("/hazards/list/")
    assert 'data-testid="export-xlsx"' in page.content.decode()


def test_a_list_without_an_import_entity_exports_its_table_filtered(login, county):
    from gridcheck.hazards.models import Hazard

    client = login("admin")
    station = county.stations["east"]
    page = client.get("/hazards/list/", {"station": station.pk})
    shown = page.context["count"]
    rows = _rows(client.get("/hazards/list/", {"station": station.pk, "export": "xlsx"}))
    headers = rows[0]
    assert "#" in headers and len(headers) == len(set(headers))
    assert len(rows) - 1 == shown == Hazard.objects.filter(customer__area__station=station).count()
    everything = _rows(client.get("/hazards/list/", {"export": "xlsx"}))
    assert len(everything) - 1 == Hazard.objects.count()


def test_an_export_is_scoped_like_the_page(login, county):
    from gridcheck.archive.models import Customer

    west = login("inspector_west")
    rows = _rows(west.get("/archive/customers/", {"export": "xlsx"}))
    column = rows[0].index("户号")
    exported = {row[column] for row in rows[1:]}
    mine = set(
        Customer.objects.filter(area__station=county.stations["west"]).values_list(
            "account_number", flat=True
        )
    )
    assert exported == mine and mine


def test_a_list_too_long_to_export_asks_for_a_filter(login, county, monkeypatch):
    import gridcheck.core.exports as exports

    monkeypatch.setattr(exports, "EXPORT_MAX_ROWS", 1)
    response = login("admin").get("/archive/customers/", {"export": "xlsx", "area": ""}, follow=True)
    assert response["Content-Type"].startswith("text/html")
    assert "export" not in response.request["QUERY_STRING"]
    assert "筛选" in response.content.decode()


@pytest.mark.parametrize("aware", [True, False])
def test_cells_are_local_times_and_text_stays_text(aware):
    import datetime
    from zoneinfo import ZoneInfo

    from gridcheck.core.exports import rows_xlsx

    when = datetime.datetime(2026, 1, 1, 0, 30, tzinfo=ZoneInfo("UTC"))
    value = when if aware else when.replace(tzinfo=None)
    content = rows_xlsx("a/b:c", ["时间", "名称"], [[value, "=HYPERLINK(1)"]])
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "a b c"
    cell, text = sheet["A2"], sheet["B2"]
    assert cell.value == datetime.datetime(2026, 1, 1, 8 if aware else 0, 30)
    assert text.value == "=HYPERLINK(1)" and text.data_type == "s"

"""XLSX exports: import headers, scoping, export → re-import gives no changes; templates; the CLI."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import load_workbook

from gridcheck.archive.importers import import_file
from gridcheck.archive.models import Customer, MeteringPoint
from gridcheck.core.exports import export_xlsx, template_xlsx, xlsx_response
from gridcheck.core.registries import imports
from gridcheck.core.scoping import scope_queryset
from gridcheck.users.models import Qualification, User

# The archive's own entities (the apps above test their own exports' round trip).
ENTITIES = imports.names()[: imports.names().index("meters") + 1]


def rows_of(content: bytes) -> list[list]:
    return [list(r) for r in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


def queryset_for(entity):
    model = imports[entity].model
    return model._default_manager.all()


def test_export_headers_are_the_chinese_import_headers(county):
    rows = rows_of(export_xlsx("customers", Customer.objects.all()))
    assert rows[0][:3] == ["台区编号", "户号", "户名"]
    assert len(rows) == 1 + Customer.objects.count()
    by_account = {r[1]: r for r in rows[1:]}
    row = by_account["1100000001"]
    assert row[0] == "S01-A1"
    assert row[5] == "居民"  # category as the Chinese label
    assert row[7] == 8  # capacity as a number


def test_export_is_scoped_to_the_users_station(county):
    user = county.users["inspector_east"]
    rows = rows_of(export_xlsx("customers", scope_queryset(Customer.objects.all(), user)))
    accounts = {r[1] for r in rows[1:]}
    assert accounts == set(
        Customer.objects.filter(station=county.stations["east"]).values_list("account_number", flat=True)
    )
    assert not accounts & set(
        Customer.objects.filter(station=county.stations["west"]).values_list("account_number", flat=True)
    )


@pytest.mark.parametrize("entity", ENTITIES)
def test_export_then_reimport_changes_nothing(county, tmp_path, entity):
    if entity == "qualifications":
        assert Qualification.objects.exists()
    path = tmp_path / f"{entity}.xlsx"
    path.write_bytes(export_xlsx(entity, queryset_for(entity)))
    history = imports[entity].model.history.count()
    batch = import_file(entity=entity, path=path)
    assert (batch.rows_created, batch.rows_updated) == (0, 0)
    assert batch.rows_unchanged == queryset_for(entity).count() > 0
    assert imports[entity].model.history.count() == history


def test_ct_ratio_exports_as_primary_over_secondary(county, tmp_path):
    point = MeteringPoint.objects.get(code="MP1100000002")
    point.ct_primary_a = 200
    point.save()
    rows = rows_of(export_xlsx("metering_points", MeteringPoint.objects.filter(pk=point.pk)))
    assert rows[1][3] == "200/5"
    path = tmp_path / "mp.xlsx"
    path.write_bytes(export_xlsx("metering_points", MeteringPoint.objects.all()))
    batch = import_file(entity="metering_points", path=path)
    assert (batch.rows_updated, batch.rows_unchanged) == (0, MeteringPoint.objects.count())
    meter_rows = rows_of(export_xlsx("meters", point.meters.all()))
    assert meter_rows[1][4] == "1.5(6)A"


@pytest.mark.parametrize("entity", ENTITIES)
def test_templates_hold_header_and_example(entity):
    rows = rows_of(template_xlsx(entity))
    assert rows[0] == [c.header for c in imports[entity].export_columns]
    assert len(rows) == 2
    required = [i for i, c in enumerate(imports[entity].export_columns) if c.required]
    assert all(rows[1][i] not in (None, "") for i in required)


def test_xlsx_response_is_a_download(county):
    response = xlsx_response("lines", imports["lines"].model.objects.all(), "lines.xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="lines.xlsx"'
    assert rows_of(response.content)[0][1] == "线路编号"


# -- the CLI ---------------------------------------------------------------------------------------------


def test_export_command_scoped_by_station(county, tmp_path):
    out = tmp_path / "c.xlsx"
    call_command("export_archive", "customers", str(out), "--station", "S02", stdout=io.StringIO())
    stations = {Customer.objects.get(account_number=r[1]).station.code for r in rows_of(out.read_bytes())[1:]}
    assert stations == {"S02"}


def test_import_command_prints_errors_and_exits_1(county, tmp_path, capsys):
    path = tmp_path / "customers.csv"
    path.write_text("户号,户名\n1,甲\n", encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        call_command("import_archive", "customers", str(path))
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert (
        len([line for line in err.splitlines() if line.startswith("customers.csv")]) >= 5
    )  # one per missing column
    assert "台区编号" in err


def test_import_command_success_as_user(county, tmp_path):
    path = tmp_path / "customers.xlsx"
    path.write_bytes(export_xlsx("customers", Customer.objects.filter(station=county.stations["east"])))
    out = io.StringIO()
    with translation.override("en"):
        call_command("import_archive", "customers", str(path), "--user", "head_east", stdout=out)
    assert "0 created, 0 updated, 4 unchanged" in out.getvalue()


def test_import_command_unknown_user(county, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_archive", "customers", str(path), "--user", "nobody")
    assert User.objects.filter(username="nobody").count() == 0


def test_import_command_max_bytes(county, tmp_path, capsys):
    path = tmp_path / "customers.xlsx"
    path.write_bytes(export_xlsx("customers", Customer.objects.all()))
    with pytest.raises(SystemExit) as info, translation.override("en"):
        call_command("import_archive", "customers", str(path), "--max-bytes", "100")
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert "larger than the limit of 100 bytes" in err
    assert err.strip().endswith("customers.xlsx refused: nothing was written.")

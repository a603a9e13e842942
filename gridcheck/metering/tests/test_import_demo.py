"""The asset import (archive machinery: row errors naming row and column, idempotent), the management
command and the demo builder on the small county."""

import datetime

import pytest
from django.core.management import call_command

from gridcheck.archive.importers.batches import import_file
from gridcheck.archive.importers.errors import ImportRejected
from gridcheck.metering.demo import demo_metering_build
from gridcheck.metering.models import Asset, AssetFault, DeviceType, MeterChange, RectificationNotice

pytestmark = pytest.mark.django_db

HEADER = "资产类别,资产编号,供电所编号,资产状态,计量点编号,准确度等级,相线,电流规格,变比,首次检定日期\n"


def _csv(tmp_path, body: str, name="assets.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_import_creates_then_changes_nothing(county, tmp_path):
    code = county.stations["east"].code
    body = (
        f"电能表,KC0001,{code},库存,,2.0,单相,5(60)A,,2026-01-10\n"
        f"电流互感器,CT0001,{code},运行,MP1200000002,0.5S,,,200/5,2022-03-01\n"
        f"电能表,M1100000001,{code},运行,MP1100000001,2.0,单相,5(60)A,,2022-03-01\n"
    )
    path = _csv(tmp_path, body)
    batch = import_file(entity="metering_assets", path=path, user=county.users["inspector_east"])
    assert batch.rows_created == 3
    ct = Asset.objects.get(asset_number="CT0001")
    assert ct.ratio == 40 and ct.due_on == datetime.date(2042, 3, 1)
    assert Asset.objects.get(asset_number="M1100000001").meter.asset_number == "M1100000001"
    again = import_file(entity="metering_assets", path=path, user=county.users["inspector_east"])
    assert again.rows_created == 0 and again.rows_updated == 0 and again.rows_unchanged == 3


def test_import_bad_rows_name_row_and_column(county, tmp_path):
    east, west = county.stations["east"].code, county.stations["west"].code
    body = (
        f"电能表,KC0002,{east},库存,,2.0,,5(60)A,,2026-01-10\n"  # row 2: no phase
        f"电能表,KC0003,{west},库存,,2.0,单相,5(60)A,,2026-01-10\n"  # row 3: other station
        f"电能表,KC0004,{east},运行,MPNONE,2.0,单相,5(60)A,,2026-01-10\n"  # row 4: unknown point
        f"电能表,NEW0009,{east},运行,MP1100000001,2.0,单相,5(60)A,,2026-01-10\n"  # row 5: not in the archive
        f"水表,KC0005,{east},库存,,2.0,单相,5(60)A,,2026-01-10\n"  # row 6: unknown kind
    )
    with pytest.raises(ImportRejected) as refused:
        import_file(entity="metering_assets", path=_csv(tmp_path, body), user=county.users["inspector_east"])
    errors = {(e.row, e.column) for e in refused.value.errors}
    assert (2, "相线") in errors
    assert (3, "供电所编号") in errors
    assert (4, "计量点编号") in errors
    assert (5, "资产状态") in errors
    assert (6, "资产类别") in errors
    assert not Asset.objects.exists()


def test_sync_command(county):
    call_command("metering", "sync")
    assert Asset.objects.filter(kind="meter").count() == 8


def test_demo_builder_is_idempotent(county):
    on = datetime.date(2026, 11, 20)
    first = demo_metering_build(on=on)
    assert first["created"] == 8 and first["cts"] == 3 * 4  # four commercial points with CT 40
    assert DeviceType.objects.filter(obsolete=True).count() == 1
    assert MeterChange.objects.count() == 1
    assert AssetFault.objects.count() == 2
    assert RectificationNotice.objects.filter(status="open").count() == 1
    assert Asset.objects.filter(status="installed", due_on__lt=on).exists()
    total = Asset.objects.count()
    second = demo_metering_build(on=on)
    assert second["created"] == 0 and second["cts"] == 0 and second["stock"] == 0 and second["changes"] == 0
    assert Asset.objects.count() == total

"""Import of lines (线路): each belongs to a station, named by its code."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridcheck.archive.importers.parsers import cell_text, parse_code, parse_positive_decimal
from gridcheck.archive.importers.spec import (
    Column,
    Spec,
    check_existing_station_scope,
    copy_plain,
    lookup,
)
from gridcheck.archive.importers.stations import prefetch_station_codes
from gridcheck.archive.models import Line


def _resolve_line(ctx, values, row_no):
    fields: dict[str, Any] = {}
    copy_plain(ctx.spec, values, fields)
    station_id = lookup(
        ctx, "stations", values["station_code"], "station_code", _('station "%(code)s" not found')
    )
    ctx.require_scope(station_id, "station_code")
    fields["station_id"] = station_id
    return (values["code"],), fields


def _export_line(obj):
    return [obj.station.code, obj.code, obj.name, obj.voltage_kv, obj.substation]


def _parse_voltage_kv(value) -> Decimal:
    return parse_positive_decimal(cell_text(value).upper().removesuffix("KV"))


C = Column
SPEC = Spec(
    entity="lines",
    model=Line,
    label=gettext_lazy("Lines"),
    columns=[
        C(
            "station_code",
            ("供电所编码", "供电所编号", "所属供电所编码"),
            True,
            parse=parse_code,
            example="S01",
        ),
        C("code", ("线路编号", "线路编码"), True, parse=parse_code, field="code", example="S01-L1"),
        C("name", ("线路名称",), True, field="name", example="10kV东城一线"),
        C(
            "voltage_kv",
            ("电压等级(kV)", "电压(kV)", "电压等级"),
            parse=_parse_voltage_kv,
            field="voltage_kv",
            example=Decimal("10"),
        ),
        C(
            "substation",
            ("所属变电站", "变电站", "电源变电站"),
            field="substation",
            example="110kV东城变",
        ),
    ],
    key_fields=("code",),
    resolve=_resolve_line,
    prefetch=prefetch_station_codes,
    check_existing=check_existing_station_scope,
    export_row=_export_line,
    export_related=("station",),
    station_lookup="station__code",
)
del C

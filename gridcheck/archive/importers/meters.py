"""Import of meters (电能表), keyed by asset number: each on a metering point; the current rating is one
column (``5(60)A``) or two (rated and maximum current)."""

import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridcheck.archive.importers.choices import parse_meter_phase, parse_meter_status
from gridcheck.archive.importers.errors import CellProblem
from gridcheck.archive.importers.parsers import (
    choice_export,
    fit_decimal,
    parse_code,
    parse_current_rating,
    parse_date,
    parse_int,
    parse_positive_decimal,
    parse_voltage_v,
)
from gridcheck.archive.importers.spec import Column, Spec, copy_plain, key_in, lookup
from gridcheck.archive.models import Meter, MeteringPoint

#: Looked up for every row, translated only when a row needs it.
POINT_NOT_FOUND = gettext_lazy('metering point "%(code)s" not found')


def _prefetch_meters(ctx, rows):
    codes = {v["metering_point_code"] for v in rows}
    ctx.cache["points"] = {
        c: (pk, sid)
        for c, pk, sid in MeteringPoint.objects.filter(key_in("code", codes)).values_list(
            "code", "pk", "customer__station_id"
        )
    }


def _resolve_meter(ctx, values, row_no):
    fields: dict[str, Any] = {}
    copy_plain(ctx.spec, values, fields)
    point_id, station_id = lookup(
        ctx,
        "points",
        values["metering_point_code"],
        "metering_point_code",
        POINT_NOT_FOUND,
    )
    ctx.require_scope(station_id, "metering_point_code")
    fields["metering_point_id"] = point_id
    if values.get("rated_current"):
        rated, maximum = values["rated_current"]
        fields["rated_current_a"] = fit_decimal(Meter, "rated_current_a", rated)
        fields["max_current_a"] = (
            fit_decimal(Meter, "max_current_a", maximum) if maximum is not None else None
        )
    elif fields.get("rated_current_a") is None:
        column = "rated_current" if "rated_current" in values else "rated_current_a"
        raise CellProblem(_("a value is required"), column)
    return (values["asset_number"],), fields


def _check_existing_meter(ctx, obj):
    if ctx.station_id is not None and obj.metering_point.customer.station_id != ctx.station_id:
        raise CellProblem(_("not in your station"), "asset_number")


def _export_meter(obj):
    return [
        obj.metering_point.code,
        obj.asset_number,
        choice_export(parse_meter_phase, obj.phase),
        obj.accuracy_class,
        obj.current_rating,
        obj.rated_voltage_v,
        obj.register_digits,
        obj.manufacturer,
        obj.install_date,
        choice_export(parse_meter_status, obj.status),
    ]


C = Column
SPEC = Spec(
    entity="meters",
    model=Meter,
    label=gettext_lazy("Meters"),
    columns=[
        C(
            "metering_point_code",
            ("计量点编号", "计量点编码"),
            True,
            parse=parse_code,
            example="MP1100000001",
        ),
        C(
            "asset_number",
            ("资产编号", "电能表资产编号", "表号"),
            True,
            parse=parse_code,
            field="asset_number",
            example="M1100000001",
        ),
        C(
            "phase",
            ("相线", "接线方式", "相数"),
            True,
            parse=parse_meter_phase,
            field="phase",
            example="单相",
        ),
        C(
            "accuracy_class",
            ("准确度等级", "有功准确度等级", "精度等级"),
            True,
            field="accuracy_class",
            example="2.0",
        ),
        C(
            "rated_current",
            ("电流规格", "额定电流", "标定电流规格"),
            parse=parse_current_rating,
            example="5(60)A",
        ),
        C(
            "rated_current_a",
            ("标定电流(A)", "基本电流(A)"),
            parse=parse_positive_decimal,
            field="rated_current_a",
            export=False,
        ),
        C(
            "max_current_a",
            ("最大电流(A)",),
            parse=parse_positive_decimal,
            field="max_current_a",
            export=False,
        ),
        C(
            "rated_voltage_v",
            ("额定电压(V)", "电压规格", "额定电压"),
            parse=parse_voltage_v,
            field="rated_voltage_v",
            example=Decimal("220"),
        ),
        C(
            "register_digits",
            ("整数位数", "示数整数位"),
            parse=parse_int,
            field="register_digits",
            example=6,
        ),
        C(
            "manufacturer",
            ("生产厂家", "制造单位", "厂家"),
            field="manufacturer",
            example="某电气股份有限公司",
        ),
        C(
            "install_date",
            ("装表日期", "安装日期"),
            parse=parse_date,
            field="install_date",
            example=datetime.date(2022, 3, 1),
        ),
        C(
            "status",
            ("运行状态", "电能表状态", "状态"),
            parse=parse_meter_status,
            field="status",
            example="运行",
        ),
    ],
    key_fields=("asset_number",),
    resolve=_resolve_meter,
    prefetch=_prefetch_meters,
    check_existing=_check_existing_meter,
    existing_related=("metering_point__customer",),
    export_row=_export_meter,
    export_related=("metering_point",),
    required_any=(("rated_current", "rated_current_a"),),
    station_lookup="metering_point__customer__station__code",
    bulk_copy=True,
)
del C

"""Import and export of the asset ledger (entity ``metering_assets``) through the archive's import
machinery: one CSV or XLSX file, checked whole and written in one transaction, row errors naming the row
and the column; keyed by asset number and kind, so that a second import of the same file changes nothing.

A row describes an asset as the station holds it. ``运行`` (installed) is accepted only where the archive
already has it in service (a meter in service at that point, or a CT/PT at a point with a meter in
service): new metering is installed through the ledger, after acceptance. An existing asset's status
and station are not changed by an import (the ledger's actions do that, with their checks and log).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridcheck.archive.choices import MeterStatus
from gridcheck.archive.importers.choices import parse_meter_phase
from gridcheck.archive.importers.errors import CellProblem
from gridcheck.archive.importers.parsers import (
    choice_export,
    choice_parser,
    fit_decimal,
    parse_code,
    parse_current_rating,
    parse_date,
    parse_ratio,
)
from gridcheck.archive.importers.spec import Column, Spec, check_existing_station_scope, copy_plain
from gridcheck.archive.models import Meter, MeteringPoint, Station
from gridcheck.core.roles import MANAGE_METERING
from gridcheck.metering.choices import AssetKind, AssetStatus
from gridcheck.metering.models import Asset, DeviceType
from gridcheck.metering.services import due_date

KIND_ALIASES = {
    AssetKind.METER: ("电能表", "电表", "表计"),
    AssetKind.CT: ("电流互感器", "CT", "TA"),
    AssetKind.PT: ("电压互感器", "PT", "TV"),
}
STATUS_ALIASES = {
    AssetStatus.IN_STOCK: ("库存", "在库", "待装"),
    AssetStatus.INSTALLED: ("运行", "在运", "已安装"),
    AssetStatus.REMOVED: ("拆除", "已拆除", "拆回"),
    AssetStatus.FAULTY: ("故障",),
    AssetStatus.SCRAPPED: ("报废", "已报废"),
}
parse_kind = choice_parser(AssetKind, KIND_ALIASES)
parse_status = choice_parser(AssetStatus, STATUS_ALIASES)


def _prefetch(ctx, rows):
    stations = {v["station_code"] for v in rows if v.get("station_code")}
    ctx.cache["stations"] = dict(Station.objects.filter(code__in=stations).values_list("code", "pk"))
    points = {v["metering_point_code"] for v in rows if v.get("metering_point_code")}
    ctx.cache["points"] = {
        code: (pk, station_id)
        for code, pk, station_id in MeteringPoint.objects.filter(code__in=points).values_list(
            "code", "pk", "customer__station_id"
        )
    }
    numbers = {v["asset_number"] for v in rows}
    ctx.cache["meters"] = {
        number: (pk, point_id, status)
        for number, pk, point_id, status in Meter.objects.filter(asset_number__in=numbers).values_list(
            "asset_number", "pk", "metering_point_id", "status"
        )
    }
    ctx.cache["live_points"] = set(
        Meter.objects.filter(
            metering_point_id__in=[p for p, _s in ctx.cache["points"].values()], status=MeterStatus.IN_SERVICE
        ).values_list("metering_point_id", flat=True)
    )
    if "types" not in ctx.cache:
        ctx.cache["types"] = {
            (kind, manufacturer, model): pk
            for pk, kind, manufacturer, model in DeviceType.objects.values_list(
                "pk", "kind", "manufacturer", "model_number"
            )
        }
    ctx.cache.setdefault("rules", {})


def _resolve(ctx, values, row_no):
    fields: dict[str, Any] = {}
    copy_plain(ctx.spec, values, fields)
    kind = values["kind"]
    station_id = ctx.cache["stations"].get(values["station_code"])
    if station_id is None:
        raise CellProblem(
            _('station "%(code)s" not found') % {"code": values["station_code"]}, "station_code"
        )
    ctx.require_scope(station_id, "station_code")
    fields["station_id"] = station_id
    status = values.get("status") or AssetStatus.IN_STOCK
    fields["status"] = status
    point_code = values.get("metering_point_code")
    point_id = None
    if point_code:
        found = ctx.cache["points"].get(point_code)
        if found is None:
            raise CellProblem(
                _('metering point "%(code)s" not found') % {"code": point_code}, "metering_point_code"
            )
        point_id, point_station = found
        if point_station != station_id:
            raise CellProblem(_("the metering point belongs to another station"), "metering_point_code")
    fields["metering_point_id"] = point_id
    meter = ctx.cache["meters"].get(values["asset_number"]) if kind == AssetKind.METER else None
    fields["meter_id"] = meter[0] if meter else None
    if status == AssetStatus.INSTALLED:
        if point_id is None:
            raise CellProblem(_("an installed asset needs its metering point"), "metering_point_code")
        if kind == AssetKind.METER:
            if meter is None or meter[1] != point_id or meter[2] != MeterStatus.IN_SERVICE:
                raise CellProblem(
                    _(
                        "the archive has no such meter in service at this point: install it through the ledger"
                    ),
                    "status",
                )
        elif point_id not in ctx.cache["live_points"]:
            raise CellProblem(
                _("the metering point has no meter in service: install it through the ledger"), "status"
            )
    if kind == AssetKind.METER:
        if not values.get("phase"):
            raise CellProblem(_("a meter needs its phase"), "phase")
        if not values.get("rated_current"):
            raise CellProblem(_("a meter needs its current rating"), "rated_current")
        rated, maximum = values["rated_current"]
        fields["rated_current_a"] = fit_decimal(Asset, "rated_current_a", rated)
        fields["max_current_a"] = fit_decimal(Asset, "max_current_a", maximum) if maximum else None
        fields["ratio"], fields["rated_primary"] = None, ""
    else:
        if not values.get("ratio"):
            raise CellProblem(_("a CT or PT needs its ratio"), "ratio")
        ratio, primary = values["ratio"]
        fields["ratio"] = fit_decimal(Asset, "ratio", ratio)
        fields["rated_primary"] = f"{primary.normalize():f}" if primary else ""
        fields["phase"], fields["rated_current_a"], fields["max_current_a"] = "", None, None
    model_number = values.get("model_number") or ""
    if model_number:
        key = (kind, values.get("manufacturer") or "", model_number)
        type_id = ctx.cache["types"].get(key)
        if type_id is None:
            raise CellProblem(
                _('device type "%(m)s %(t)s" not in the catalogue') % {"m": key[1], "t": key[2]},
                "model_number",
            )
        fields["device_type_id"] = type_id
    else:
        fields["device_type_id"] = None
    first, last = values.get("first_verified_on"), values.get("last_verified_on")
    if first and last and last < first:
        raise CellProblem(_("earlier than the first verification"), "last_verified_on")
    today = datetime.date.today()
    for name in ("first_verified_on", "last_verified_on", "installed_on", "manufactured_on"):
        if values.get(name) and values[name] > today:
            raise CellProblem(_("a date in the future"), name)
    fields["last_verified_on"] = last or first
    fields["due_on"] = due_date(
        kind=kind,
        accuracy_class=values["accuracy_class"],
        verified_on=last or first,
        cache=ctx.cache["rules"],
    )
    return (values["asset_number"], kind), fields


def _check_change(obj, fields):
    if fields.get("status") != obj.status:
        raise CellProblem(
            _("the status of an existing asset changes through the ledger, not an import"), "status"
        )
    if fields.get("station_id") != obj.station_id:
        raise CellProblem(_("the station of an existing asset changes through the ledger"), "station_code")
    if obj.meter_id and fields.get("meter_id") is None:
        fields["meter_id"] = obj.meter_id
    if fields.get("metering_point_id") != obj.metering_point_id:
        raise CellProblem(
            _("where an existing asset is installed changes through the ledger"), "metering_point_code"
        )


def _export(obj):
    ratio = ""
    if obj.kind != AssetKind.METER and obj.ratio:
        ratio = (
            obj.rated_primary
            and f"{obj.rated_primary}/{(Decimal(obj.rated_primary) / obj.ratio).normalize():f}"
        )
        ratio = ratio or f"{obj.ratio.normalize():f}"
    current = ""
    if obj.kind == AssetKind.METER and obj.rated_current_a:
        current = f"{obj.rated_current_a.normalize():f}"
        if obj.max_current_a:
            current += f"({obj.max_current_a.normalize():f})"
        current += "A"
    return [
        choice_export(parse_kind, obj.kind),
        obj.asset_number,
        obj.station.code,
        choice_export(parse_status, obj.status),
        obj.metering_point.code if obj.metering_point_id else "",
        obj.device_type.manufacturer if obj.device_type_id else obj.manufacturer,
        obj.device_type.model_number if obj.device_type_id else "",
        obj.serial_number,
        obj.manufactured_on,
        obj.accuracy_class,
        choice_export(parse_meter_phase, obj.phase) if obj.phase else "",
        current,
        ratio,
        obj.first_verified_on,
        obj.last_verified_on,
        obj.installed_on,
        obj.due_on,
    ]


C = Column
SPEC = Spec(
    entity="metering_assets",
    model=Asset,
    label=gettext_lazy("Metering assets"),
    columns=[
        C("kind", ("资产类别", "设备类别", "类别"), True, parse=parse_kind, field="kind", example="电能表"),
        C(
            "asset_number",
            ("资产编号", "资产号"),
            True,
            parse=parse_code,
            field="asset_number",
            example="M1100000001",
        ),
        C("station_code", ("供电所编号", "供电所代码"), True, parse=parse_code, example="ST01"),
        C("status", ("资产状态", "状态"), parse=parse_status, example="库存"),
        C("metering_point_code", ("计量点编号", "安装计量点"), parse=parse_code, example=""),
        C(
            "manufacturer",
            ("生产厂家", "制造单位", "厂家"),
            field="manufacturer",
            example="某电气股份有限公司",
        ),
        C("model_number", ("型号", "规格型号"), example="DDZY666"),
        C("serial_number", ("出厂编号",), field="serial_number", example="20240001"),
        C(
            "manufactured_on",
            ("出厂日期",),
            parse=parse_date,
            field="manufactured_on",
            example=datetime.date(2024, 1, 5),
        ),
        C("accuracy_class", ("准确度等级", "精度等级"), True, field="accuracy_class", example="2.0"),
        C("phase", ("相线", "相数"), parse=parse_meter_phase, field="phase", example="单相"),
        C("rated_current", ("电流规格", "额定电流"), parse=parse_current_rating, example="5(60)A"),
        C("ratio", ("变比", "互感器变比"), parse=parse_ratio, example=""),
        C(
            "first_verified_on",
            ("首次检定日期", "检定日期"),
            parse=parse_date,
            field="first_verified_on",
            example=datetime.date(2024, 2, 1),
        ),
        C("last_verified_on", ("最近检定日期", "末次检定日期"), parse=parse_date, example=""),
        C("installed_on", ("安装日期", "装表日期"), parse=parse_date, field="installed_on", example=""),
        C("due_on", ("下次检定日期", "轮换到期日期"), parse=parse_date, export=True, example=""),
    ],
    key_fields=("asset_number", "kind"),
    resolve=_resolve,
    prefetch=_prefetch,
    check_existing=check_existing_station_scope,
    check_change=_check_change,
    export_row=_export,
    export_related=("station", "metering_point", "device_type"),
    needs_capability=MANAGE_METERING,
    station_lookup="station__code",
)
del C

"""Import of transformer areas (台区): each on a line (its station follows the line), with an optional
area manager named by login (so staff load before areas)."""

from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridcheck.archive.importers.parsers import parse_code, parse_positive_decimal, parse_username
from gridcheck.archive.importers.spec import (
    Column,
    Spec,
    check_existing_station_scope,
    copy_plain,
    lookup,
)
from gridcheck.archive.models import Area, Line


def _prefetch_areas(ctx, rows):
    if "lines" not in ctx.cache:
        ctx.cache["lines"] = {
            code: (pk, sid) for code, pk, sid in Line.objects.values_list("code", "pk", "station_id")
        }
    if "users" not in ctx.cache and any(v.get("owner_username") for v in rows):
        ctx.cache["users"] = dict(get_user_model().objects.values_list("username", "pk"))


def _resolve_area(ctx, values, row_no):
    fields: dict[str, Any] = {}
    copy_plain(ctx.spec, values, fields)
    line_id, station_id = lookup(
        ctx, "lines", values["line_code"], "line_code", _('line "%(code)s" not found')
    )
    ctx.require_scope(station_id, "line_code")
    fields["line_id"], fields["station_id"] = line_id, station_id
    if "owner_username" in values:
        username = values["owner_username"]
        fields["owner_id"] = (
            lookup(ctx, "users", username, "owner_username", _('staff member "%(code)s" not found'))
            if username
            else None
        )
    return (values["code"],), fields


def _export_area(obj):
    return [
        obj.line.code,
        obj.code,
        obj.name,
        obj.capacity_kva,
        obj.owner.username if obj.owner_id else "",
        obj.address,
    ]


C = Column
SPEC = Spec(
    entity="areas",
    model=Area,
    label=gettext_lazy("Transformer areas"),
    columns=[
        C("line_code", ("线路编号", "所属线路编号", "线路编码"), True, parse=parse_code, example="S01-L1"),
        C("code", ("台区编号", "台区编码"), True, parse=parse_code, field="code", example="S01-A1"),
        C("name", ("台区名称",), True, field="name", example="东城1号台区"),
        C(
            "capacity_kva",
            ("配变容量(kVA)", "变压器容量(kVA)", "容量(kVA)", "配变容量"),
            True,
            parse=parse_positive_decimal,
            field="capacity_kva",
            example=Decimal("400"),
        ),
        C("owner_username", ("台区经理账号", "台区经理", "台区经理工号"), parse=parse_username, example=""),
        C("address", ("台区地址", "地址", "安装地址"), field="address", example="东城镇人民路"),
    ],
    key_fields=("code",),
    resolve=_resolve_area,
    prefetch=_prefetch_areas,
    check_existing=check_existing_station_scope,
    export_row=_export_area,
    export_related=("line", "owner"),
    station_lookup="station__code",
)
del C

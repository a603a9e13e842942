"""Import of customers (用电客户), keyed by account number (户号): each in a transformer area (its station
follows the area), with a tariff code that must be in the tariff table."""

import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridcheck.archive.importers.choices import (
    parse_customer_category,
    parse_customer_status,
    parse_inspection_class,
    parse_voltage_level,
)
from gridcheck.archive.importers.errors import CellProblem
from gridcheck.archive.importers.parsers import (
    choice_export,
    parse_bool,
    parse_code,
    parse_date,
    parse_positive_decimal,
)
from gridcheck.archive.importers.spec import (
    Column,
    Spec,
    check_existing_station_scope,
    copy_plain,
    lookup,
)
from gridcheck.archive.models import Area, Customer, Tariff

#: Looked up for every row, translated only when a row needs it.
AREA_NOT_FOUND = gettext_lazy('transformer area "%(code)s" not found')


def _prefetch_customers(ctx, rows):
    if "areas" not in ctx.cache:
        ctx.cache["areas"] = {
            code: (pk, sid) for code, pk, sid in Area.objects.values_list("code", "pk", "station_id")
        }
        ctx.cache["tariff_codes"] = set(Tariff.objects.values_list("code", flat=True))


def _resolve_customer(ctx, values, row_no):
    fields: dict[str, Any] = {}
    copy_plain(ctx.spec, values, fields)
    area_id, station_id = lookup(ctx, "areas", values["area_code"], "area_code", AREA_NOT_FOUND)
    ctx.require_scope(station_id, "area_code")
    fields["area_id"], fields["station_id"] = area_id, station_id
    if "tariff_code" in values and values["tariff_code"] not in ctx.cache["tariff_codes"]:
        raise CellProblem(_('tariff "%(code)s" not found') % {"code": values["tariff_code"]}, "tariff_code")
    return (values["account_number"],), fields


def _check_tariff_change(obj, fields):
    """An existing customer's tariff changes only through a category change application (billing)."""
    new = fields.get("tariff_code")
    if new is not None and new != obj.tariff_code:
        raise CellProblem(
            _(
                'tariff "%(old)s" cannot become "%(new)s" by an import: file a category change application (更改用电申请)'
            )
            % {"old": obj.tariff_code, "new": new},
            "tariff_code",
        )


def _export_customer(obj):
    return [
        obj.area.code,
        obj.account_number,
        obj.name,
        obj.address,
        obj.phone,
        choice_export(parse_customer_category, obj.category),
        obj.voltage_level,
        obj.contracted_capacity_kva,
        obj.tariff_code,
        obj.inspection_class,
        "是" if obj.is_high_risk else "否",
        "是" if obj.is_important else "否",
        choice_export(parse_customer_status, obj.status),
        obj.connected_on,
    ]


C = Column
SPEC = Spec(
    entity="customers",
    model=Customer,
    label=gettext_lazy("Customers"),
    columns=[
        C("area_code", ("台区编号", "台区编码", "所属台区编号"), True, parse=parse_code, example="S01-A1"),
        C(
            "account_number",
            ("户号", "用户编号", "客户编号"),
            True,
            parse=parse_code,
            field="account_number",
            example="1100000001",
        ),
        C("name", ("户名", "用户名称", "客户名称"), True, field="name", example="张三"),
        C("address", ("用电地址", "地址", "客户地址"), field="address", example="东城镇人民路8号"),
        C("phone", ("联系电话", "手机号码", "电话"), field="phone", example="13800000000"),
        C(
            "category",
            ("用电类别", "用户类别", "客户分类"),
            True,
            parse=parse_customer_category,
            field="category",
            example="居民",
        ),
        C(
            "voltage_level",
            ("电压等级", "供电电压"),
            True,
            parse=parse_voltage_level,
            field="voltage_level",
            example="220V",
        ),
        C(
            "contracted_capacity_kva",
            ("合同容量(kVA)", "合同容量", "合同容量(千伏安)"),
            True,
            parse=parse_positive_decimal,
            field="contracted_capacity_kva",
            example=Decimal("8"),
        ),
        C(
            "tariff_code",
            ("电价代码", "电价编码", "执行电价代码"),
            True,
            parse=parse_code,
            field="tariff_code",
            example="RES-1",
        ),
        C(
            "inspection_class",
            ("检查类别", "检查周期类别", "用电检查类别"),
            True,
            parse=parse_inspection_class,
            field="inspection_class",
            example="C",
        ),
        C("is_high_risk", ("是否高危", "高危用户"), parse=parse_bool, field="is_high_risk", example="否"),
        C(
            "is_important",
            ("是否重要客户", "重要客户"),
            parse=parse_bool,
            field="is_important",
            example="否",
        ),
        C(
            "status",
            ("用户状态", "客户状态"),
            parse=parse_customer_status,
            field="status",
            example="正常",
        ),
        C(
            "connected_on",
            ("立户日期", "送电日期", "立户时间"),
            parse=parse_date,
            field="connected_on",
            example=datetime.date(2015, 6, 1),
        ),
    ],
    key_fields=("account_number",),
    resolve=_resolve_customer,
    prefetch=_prefetch_customers,
    check_existing=check_existing_station_scope,
    check_change=_check_tariff_change,
    export_row=_export_customer,
    export_related=("area",),
    station_lookup="station__code",
    bulk_copy=True,
)
del C

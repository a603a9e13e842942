"""Import of tariffs (电价): county-wide reference data, keyed by code and effective date."""

import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy

from gridcheck.archive.importers.choices import parse_tariff_category, parse_voltage_level
from gridcheck.archive.importers.parsers import (
    choice_export,
    parse_bool,
    parse_code,
    parse_date,
    parse_positive_decimal,
)
from gridcheck.archive.importers.spec import Column, Spec, copy_plain
from gridcheck.archive.models import Tariff


def _resolve_tariff(ctx, values, row_no):
    fields: dict[str, Any] = {}
    copy_plain(ctx.spec, values, fields)
    return (values["code"], values["effective_from"]), fields


def _export_tariff(obj):
    return [
        obj.code,
        obj.name,
        choice_export(parse_tariff_category, obj.category),
        obj.voltage_level,
        obj.price_yuan_per_kwh,
        "是" if obj.is_time_of_use else "否",
        obj.effective_from,
        obj.source,
        obj.peak_price_yuan_per_kwh,
        obj.valley_price_yuan_per_kwh,
        obj.sharp_price_yuan_per_kwh,
        obj.basic_price_yuan_per_kva_month,
        obj.basic_price_yuan_per_kw_month,
        "是" if obj.is_tiered else "否",
    ]


C = Column
SPEC = Spec(
    entity="tariffs",
    model=Tariff,
    label=gettext_lazy("Tariffs"),
    columns=[
        C("code", ("电价代码", "电价编码", "电价码"), True, parse=parse_code, field="code", example="RES-1"),
        C("name", ("电价名称",), True, field="name", example="居民生活用电(一户一表)"),
        C(
            "category",
            ("电价类别", "电价分类"),
            True,
            parse=parse_tariff_category,
            field="category",
            example="居民生活",
        ),
        C(
            "voltage_level",
            ("电压等级",),
            parse=parse_voltage_level,
            field="voltage_level",
            example="220V",
        ),
        C(
            "price_yuan_per_kwh",
            ("电度电价(元/kWh)", "电度电价", "电价(元/千瓦时)", "单价"),
            True,
            parse=parse_positive_decimal,
            field="price_yuan_per_kwh",
            example=Decimal("0.5600"),
        ),
        C(
            "is_time_of_use",
            ("是否分时", "分时电价"),
            parse=parse_bool,
            field="is_time_of_use",
            example="否",
        ),
        C(
            "effective_from",
            ("执行日期", "生效日期", "执行开始日期"),
            True,
            parse=parse_date,
            field="effective_from",
            example=datetime.date(2024, 1, 1),
        ),
        C("source", ("文件依据", "依据文件", "文号"), field="source", example="桂发改价格〔2023〕1号"),
        C(
            "peak_price_yuan_per_kwh",
            ("峰时电价(元/kWh)", "峰时电价", "高峰电价"),
            parse=parse_positive_decimal,
            field="peak_price_yuan_per_kwh",
            example=Decimal("0.8500"),
        ),
        C(
            "valley_price_yuan_per_kwh",
            ("谷时电价(元/kWh)", "谷时电价", "低谷电价"),
            parse=parse_positive_decimal,
            field="valley_price_yuan_per_kwh",
            example=Decimal("0.3000"),
        ),
        C(
            "sharp_price_yuan_per_kwh",
            ("尖峰电价(元/kWh)", "尖峰电价"),
            parse=parse_positive_decimal,
            field="sharp_price_yuan_per_kwh",
            example=Decimal("1.0200"),
        ),
        C(
            "basic_price_yuan_per_kva_month",
            ("容量电价(元/kVA·月)", "容量电价", "基本电价(按容量)"),
            parse=parse_positive_decimal,
            field="basic_price_yuan_per_kva_month",
            example=Decimal("30.00"),
        ),
        C(
            "basic_price_yuan_per_kw_month",
            ("需量电价(元/kW·月)", "需量电价", "基本电价(按需量)"),
            parse=parse_positive_decimal,
            field="basic_price_yuan_per_kw_month",
            example=Decimal("40.00"),
        ),
        C("is_tiered", ("是否阶梯", "阶梯电价"), parse=parse_bool, field="is_tiered", example="否"),
    ],
    key_fields=("code", "effective_from"),
    resolve=_resolve_tariff,
    export_row=_export_tariff,
    county_only=True,
)
del C

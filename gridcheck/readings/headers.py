"""The collection system's exports as a clerk gets them: Chinese column headers recognised, each canonical
column's Chinese name, and the reader's reasons in Chinese (docs/meter-data.md, "Chinese headers").

``recognise(kind, headers)`` maps the headers of a file onto the canonical columns of its kind: a header
that is a canonical name or one of its known Chinese names (用电信息采集系统 exports, 营销系统 exports) is
mapped; the rest is left for the clerk to choose on the page. Pure functions: no database.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from gridcheck.readings.choices import STORE_FRAME, ImportKind
from gridcheck_analytics.schema import FRAMES

#: The Chinese name of each canonical column, as the mapping page and the error table show it.
COLUMN_LABELS = {
    "meter_id": _("meter asset number"),
    "reading_date": _("reading date"),
    "register_total_kwh": _("total active register [kWh]"),
    "register_peak_kwh": _("peak register [kWh]"),
    "register_flat_kwh": _("flat register [kWh]"),
    "register_valley_kwh": _("valley register [kWh]"),
    "energy_kwh": _("energy [kWh]"),
    "multiplier": _("multiplier"),
    "timestamp": _("time"),
    "end_timestamp": _("end time"),
    "event_code": _("event"),
    "area_code": _("transformer area code"),
    "voltage_a_v": _("phase A voltage [V]"),
    "voltage_b_v": _("phase B voltage [V]"),
    "voltage_c_v": _("phase C voltage [V]"),
    "current_a_a": _("phase A current [A]"),
    "current_b_a": _("phase B current [A]"),
    "current_c_a": _("phase C current [A]"),
}

#: Known headers of the collection system's usual exports, by canonical column (compared without spaces,
#: brackets and units, so "正向有功总(kWh)" and "正向有功总 （kWh）" are the same header).
KNOWN_HEADERS: dict[str, tuple[str, ...]] = {
    "meter_id": ("表号", "电能表资产号", "电表资产号", "资产编号", "电能表资产编号", "表计资产号", "考核表资产号", "总表资产号", "电能表编号"),
    "reading_date": ("日期", "数据日期", "抄表日期", "冻结日期", "日冻结日期", "数据时间日期"),
    "register_total_kwh": ("正向有功总", "正向有功总电能示值", "正向有功电能示值总", "正向有功总示值", "有功总示值", "总示值", "正向有功电能总"),
    "register_peak_kwh": ("正向有功峰", "正向有功峰示值", "峰示值", "正向有功电能示值峰"),
    "register_flat_kwh": ("正向有功平", "正向有功平示值", "平示值", "正向有功电能示值平"),
    "register_valley_kwh": ("正向有功谷", "正向有功谷示值", "谷示值", "正向有功电能示值谷"),
    "energy_kwh": ("日用电量", "日电量", "用电量", "电量", "有功电量", "正向有功电量"),
    "multiplier": ("倍率", "综合倍率"),
    "timestamp": ("数据时间", "采集时间", "时间", "冻结时间", "发生时间", "事件发生时间", "开始时间"),
    "end_timestamp": ("结束时间", "恢复时间", "事件结束时间"),
    "event_code": ("事件类型", "事件名称", "事件", "事件代码"),
    "area_code": ("台区编号", "台区编码", "台区代码"),
    "voltage_a_v": ("A相电压", "a相电压", "电压A相", "Ua"),
    "voltage_b_v": ("B相电压", "b相电压", "电压B相", "Ub"),
    "voltage_c_v": ("C相电压", "c相电压", "电压C相", "Uc"),
    "current_a_a": ("A相电流", "a相电流", "电流A相", "Ia"),
    "current_b_a": ("B相电流", "b相电流", "电流B相", "Ib"),
    "current_c_a": ("C相电流", "c相电流", "电流C相", "Ic"),
}  # fmt: skip

_UNITS = re.compile(r"[\s　]+|[（(\[【].*?[)）\]】]|kwh$|kw·h$|千瓦时$", re.IGNORECASE)


def _key(header: str) -> str:
    return _UNITS.sub("", str(header)).strip().lower()


_BY_KEY: dict[str, str] = {}
for _column, _names in KNOWN_HEADERS.items():
    for _name in (_column, *_names):
        _BY_KEY.setdefault(_key(_name), _column)


def columns_of(kind: str) -> list[str]:
    """The canonical columns a file of ``kind`` may have, in the schema's order."""
    return list(FRAMES[STORE_FRAME[ImportKind(kind)]].columns)


def required_of(kind: str) -> list[str]:
    """The canonical columns a file of ``kind`` must have."""
    return list(FRAMES[STORE_FRAME[ImportKind(kind)]].required)


def recognise(kind: str, headers: list[str]) -> dict[str, str]:
    """``{header: canonical column}`` for every header of the file recognised for ``kind`` (each canonical
    column taken once, by its first header)."""
    allowed = set(columns_of(kind))
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        column = _BY_KEY.get(_key(header))
        if column in allowed and column not in taken:
            mapping[header] = column
            taken.add(column)
    return mapping


def missing_columns(kind: str, mapping: dict[str, str]) -> list[str]:
    """The required canonical columns ``mapping`` does not reach (daily readings need a register or the
    consumption besides the meter and the date)."""
    reached = set(mapping.values())
    missing = [c for c in required_of(kind) if c not in reached]
    if ImportKind(kind) == ImportKind.DAILY and not reached & {"register_total_kwh", "energy_kwh"}:
        missing.append("register_total_kwh")
    return missing


def column_label(column: str) -> str:
    """The Chinese name of a canonical column (the column itself when it has none)."""
    label = COLUMN_LABELS.get(column)
    return str(label) if label is not None else column


#: The reader's row-error reasons in Chinese.
REASONS = {
    "empty": _("empty"),
    "not a number": _("not a number"),
    "negative value": _("negative value"),
    "not a valid date/time": _("not a valid date/time"),
    "unknown event code": _("unknown event code"),
    "unknown meter": _("meter not in the archive"),
    "meter outside your scope": _("meter outside your scope (another station's or area's)"),
    "unknown area": _("area not in the archive"),
    "area outside your scope": _("area outside your scope (another station's)"),
    "duplicate key (meter, time) with different values": _(
        "the same meter and time appear twice with different values"
    ),
    "register at or above the meter's digit capacity": _("register beyond the meter's digits"),
    "no rows": _("the file has no rows"),
    "a time with a UTC offset among local times": _("a time with a UTC offset among local times"),
    "date/time out of range (1900 to 2199)": _("date/time out of range (1900 to 2199)"),
    "the file is empty (no header row)": _("the file is empty (no header row)"),
}

#: Reasons that start with these words (the reader adds details after them), in Chinese.
REASON_PREFIXES = (
    ("not UTF-8 text", _("not UTF-8 text: save the file as UTF-8 (in Excel: CSV UTF-8)")),
    ("local time does not exist", _("the local time does not exist (clocks went forward)")),
    ("local time", _("the local time is ambiguous (clocks went back)")),
    ("not CSV", _("not a CSV or Parquet file")),
    ("required column", _("a required column is missing")),
    ("mapped source column", _("a column chosen in the mapping is not in the file")),
    ("column(s)", _("two columns of the file were chosen for the same field")),
)


def reason_text(reason: str) -> str:
    """A reader's reason as the clerk reads it: in Chinese where known, else as the reader wrote it."""
    reason = str(reason or "")
    if reason in REASONS:
        return str(REASONS[reason])
    for prefix, text in REASON_PREFIXES:
        if reason.startswith(prefix):
            return str(text)
    return reason

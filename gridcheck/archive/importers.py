"""Archive import engine: CSV and XLSX files with Chinese (or English) headers, one spec per entity.

A file is read, checked and written in **one transaction**: every row is parsed and resolved against
its parents (prefetched into dicts, chunk by chunk, never a query per row), rows are upserted by their
business key with ``bulk_create_with_history`` / ``bulk_update_with_history`` so that the audit trail
records the importing user and a change reason ``导入 <file>``. Any error (file-level or row-level)
rolls everything back; the errors are kept on a failed :class:`ImportBatch` and raised as
:class:`ImportRejected`.

Public interface: ``ENTITIES``, ``SPECS``, ``import_file``, ``RowError``, ``ImportRejected``.
The expected headers and value formats are documented in ``docs/import-formats.md``.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import functools
import hashlib
import pathlib
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import DatabaseError, models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from gridcheck.archive.choices import (
    CustomerCategory,
    CustomerStatus,
    InspectionClass,
    MeterPhase,
    MeterStatus,
    TariffCategory,
    VoltageLevel,
)
from gridcheck.archive.models import (
    Area,
    Company,
    Customer,
    ImportBatch,
    Line,
    Meter,
    MeteringPoint,
    Station,
    Tariff,
)
from gridcheck.core.permissions import IMPORT, MANAGE_STAFF, has_capability
from gridcheck.users.choices import QualificationLevel, Role
from gridcheck.users.models import Qualification, User

ENTITIES = [
    "stations",
    "staff",  # before areas: an area names its manager (owner_username)
    "qualifications",
    "lines",
    "areas",
    "tariffs",
    "customers",
    "metering_points",
    "meters",
]

#: Rows parsed, resolved and written together (one lookup query and one bulk write per chunk).
CHUNK_ROWS = 5000
#: Rows per INSERT/UPDATE statement inside a chunk.
BATCH_SIZE = 2000
#: The header row is looked for among this many first rows (a merged title row may come first).
HEADER_SEARCH_ROWS = 10
CHANGE_REASON = "导入 {file_name}"


# == errors ==============================================================================================


@dataclass
class RowError:
    """One problem in an import file: where (file, row, column) and why (a translated reason).

    ``row`` is the 1-based row number as the user sees it in the file (header row counted), None for a
    problem with the whole file; ``column`` is the header as written in the file, or None.
    """

    file: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        values = {"file": self.file, "row": self.row, "column": self.column, "reason": self.reason}
        if self.row is not None and self.column:
            return _("%(file)s row %(row)s 「%(column)s」: %(reason)s") % values
        if self.row is not None:
            return _("%(file)s row %(row)s: %(reason)s") % values
        if self.column:
            return _("%(file)s 「%(column)s」: %(reason)s") % values
        return _("%(file)s: %(reason)s") % values

    def as_dict(self) -> dict:
        return {"file": self.file, "row": self.row, "column": self.column, "reason": str(self.reason)}


class ImportRejected(Exception):
    """The file was refused; nothing was written. ``errors`` lists why, ``batch`` is the failed batch."""

    def __init__(self, errors: list[RowError], batch: ImportBatch | None = None, truncated: bool = False):
        self.errors = errors
        self.batch = batch
        self.truncated = truncated
        super().__init__("\n".join(str(e) for e in errors))


class _FileProblem(Exception):
    """Internal: a file-level problem that stops reading at once."""

    def __init__(self, reason: str, row: int | None = None, column: str | None = None):
        self.reason, self.row, self.column = reason, row, column
        super().__init__(reason)


class _CellProblem(Exception):
    """Internal: a value that cannot be used; ``column`` names the canonical column when known."""

    def __init__(self, reason: str, column: str | None = None):
        self.reason, self.column = reason, column
        super().__init__(reason)


class _TooManyErrors(Exception):
    pass


# == value parsers =======================================================================================
# Each parser takes a non-empty cell value (str from CSV; str, int, float, datetime or bool from XLSX)
# and returns the Python value, or raises _CellProblem with a translated reason.


def cell_text(value: Any) -> str:
    """A cell as text: integral floats lose their ``.0`` (XLSX stores 1100000001 as a number)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def parse_text(value: Any) -> str:
    return cell_text(value)


_FULLWIDTH = str.maketrans("０１２３４５６７８９．，／（）－＋", "0123456789.,/()-+")


def parse_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _CellProblem(_('not a number: "%(value)s"') % {"value": cell_text(value)})
    if isinstance(value, int | Decimal | float):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():  # an XLSX cell can hold inf or nan
            raise _CellProblem(_('not a number: "%(value)s"') % {"value": cell_text(value)})
        return number
    text = str(value).strip().translate(_FULLWIDTH).replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _CellProblem(_('not a number: "%(value)s"') % {"value": value}) from None
    if not number.is_finite():
        raise _CellProblem(_('not a number: "%(value)s"') % {"value": value})
    return number


def parse_positive_decimal(value: Any) -> Decimal:
    number = parse_decimal(value)
    if number <= 0:
        raise _CellProblem(_('must be greater than zero: "%(value)s"') % {"value": cell_text(value)})
    return number


def parse_int(value: Any) -> int:
    number = parse_decimal(value)
    if number.adjusted() >= 18:  # int() of 1E+999999999 would build a billion-digit integer
        raise _CellProblem(_('number too large: "%(value)s"') % {"value": cell_text(value)})
    if number != number.to_integral_value() or number < 0:
        raise _CellProblem(_('not a whole number: "%(value)s"') % {"value": cell_text(value)})
    return int(number)


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")


def parse_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value).translate(_FULLWIDTH)
    match = _DATE_RE.match(text)
    if match:
        parts = match.groups()
    elif re.fullmatch(r"\d{8}", text):
        parts = (text[:4], text[4:6], text[6:])
    else:
        parts = None
    if parts:
        try:
            return datetime.date(int(parts[0]), int(parts[1]), int(parts[2]))
        except ValueError:
            pass
    raise _CellProblem(_('not a date (use YYYY-MM-DD): "%(value)s"') % {"value": text})


_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "t", "有"}
_FALSE = {"否", "n", "no", "false", "0", "×", "f", "无", "-"}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _CellProblem(_('not yes/no (use 是 or 否): "%(value)s"') % {"value": cell_text(value)})


def _norm_choice(text: str) -> str:
    return re.sub(r"\s+", "", text).translate(_FULLWIDTH).lower()


def choice_parser(choices: type[models.TextChoices], aliases: dict[str, tuple[str, ...]]):
    """A parser accepting the English key, the English label, the current-language label and the
    Chinese ``aliases`` (the first alias of each value is what exports write)."""
    table: dict[str, str] = {}
    for value, label in choices.choices:
        table[_norm_choice(value)] = value
        table[_norm_choice(str(label))] = value
        for alias in aliases.get(value, ()):
            table[_norm_choice(alias)] = value

    def parse(cell: Any) -> str:
        text = cell_text(cell)
        key = _norm_choice(text)
        if key in table:
            return table[key]
        try:  # labels in the active language (e.g. Chinese once translations are compiled)
            for value, label in choices.choices:
                if _norm_choice(str(label)) == key:
                    return value
        except Exception:  # pragma: no cover - defensive
            pass
        allowed = "、".join(aliases.get(v, (v,))[0] for v in choices.values)
        raise _CellProblem(
            _('unknown value "%(value)s" (allowed: %(allowed)s)') % {"value": text, "allowed": allowed}
        )

    parse.choices = choices
    parse.aliases = aliases
    return parse


def choice_export(parser, value: str) -> str:
    """The Chinese label that exports write for a choice value."""
    aliases = getattr(parser, "aliases", {})
    return aliases.get(value, (value,))[0] if value else ""


CUSTOMER_CATEGORY_ALIASES = {
    CustomerCategory.RESIDENTIAL: ("居民", "居民生活", "城乡居民生活用电", "乡村居民", "城镇居民"),
    CustomerCategory.COMMERCIAL: ("商业", "一般工商业", "非居民照明", "非工业"),
    CustomerCategory.INDUSTRIAL: ("工业", "大工业", "普通工业"),
    CustomerCategory.AGRICULTURAL: ("农业", "农业生产", "农业排灌"),
    CustomerCategory.OTHER: ("其他",),
}
VOLTAGE_ALIASES = {
    VoltageLevel.V220: ("220V", "交流220V", "0.22kV", "AC220V"),
    VoltageLevel.V380: ("380V", "交流380V", "0.38kV", "0.4kV", "AC380V", "400V"),
    VoltageLevel.KV10: ("10kV", "交流10kV", "10000V", "AC10kV"),
    VoltageLevel.KV35: ("35kV", "交流35kV", "AC35kV"),
}
INSPECTION_CLASS_ALIASES = {
    InspectionClass.A: ("A", "A类", "A级", "每周"),
    InspectionClass.B: ("B", "B类", "B级", "每月"),
    InspectionClass.C: ("C", "C类", "C级", "每季"),
}
CUSTOMER_STATUS_ALIASES = {
    CustomerStatus.ACTIVE: ("正常", "正常用电", "在用"),
    CustomerStatus.SUSPENDED: ("暂停", "暂停用电", "暂拆", "中止"),
    CustomerStatus.CLOSED: ("销户", "已销户", "注销"),
}
METER_PHASE_ALIASES = {
    MeterPhase.SINGLE: ("单相", "单相两线", "1"),
    MeterPhase.THREE: ("三相", "三相四线", "三相三线", "3"),
}
METER_STATUS_ALIASES = {
    MeterStatus.IN_SERVICE: ("运行", "在运", "在用", "正常"),
    MeterStatus.REMOVED: ("拆除", "已拆除", "拆回"),
}
TARIFF_CATEGORY_ALIASES = {
    TariffCategory.RESIDENTIAL: ("居民生活", "居民", "居民生活用电"),
    TariffCategory.GENERAL_COMMERCIAL_INDUSTRIAL: ("一般工商业", "工商业", "一般工商业及其他"),
    TariffCategory.LARGE_INDUSTRY: ("大工业", "大工业用电"),
    TariffCategory.AGRICULTURAL: ("农业生产", "农业", "农业生产用电"),
}
ROLE_ALIASES = {
    Role.STATION_HEAD: ("所长", "供电所所长", "站长"),
    Role.INSPECTOR: ("用电检查员", "检查员", "用电检查"),
    Role.METER_READER: ("抄表员", "抄表催费员", "抄表"),
    Role.AUDITOR: ("稽查员", "营销稽查员", "稽查"),
    Role.AREA_MANAGER: ("台区经理", "台区客户经理"),
    Role.GOVERNMENT_LIAISON: ("政府联络员", "政府联络"),
    Role.ADMINISTRATOR: ("管理员", "系统管理员"),
}
QUALIFICATION_LEVEL_ALIASES = {
    QualificationLevel.LEVEL_1: ("一级", "1级"),
    QualificationLevel.LEVEL_2: ("二级", "2级"),
    QualificationLevel.LEVEL_3: ("三级", "3级"),
}

parse_customer_category = choice_parser(CustomerCategory, CUSTOMER_CATEGORY_ALIASES)
parse_voltage_level = choice_parser(VoltageLevel, VOLTAGE_ALIASES)
parse_inspection_class = choice_parser(InspectionClass, INSPECTION_CLASS_ALIASES)
parse_customer_status = choice_parser(CustomerStatus, CUSTOMER_STATUS_ALIASES)
parse_meter_phase = choice_parser(MeterPhase, METER_PHASE_ALIASES)
parse_meter_status = choice_parser(MeterStatus, METER_STATUS_ALIASES)
parse_tariff_category = choice_parser(TariffCategory, TARIFF_CATEGORY_ALIASES)
parse_role = choice_parser(Role, ROLE_ALIASES)
parse_qualification_level = choice_parser(QualificationLevel, QUALIFICATION_LEVEL_ALIASES)


def parse_ratio(value: Any) -> tuple[Decimal, Decimal | None]:
    """A transformer ratio: ``200/5`` gives (40, 200); a plain ``40`` gives (40, None). Must be > 0."""
    text = cell_text(value).translate(_FULLWIDTH).replace(" ", "").upper().replace("A", "").replace("V", "")
    text = text.replace(":", "/")
    if "/" in text:
        primary_text, _sep, secondary_text = text.partition("/")
        try:
            primary, secondary = Decimal(primary_text), Decimal(secondary_text)
        except InvalidOperation:
            raise _CellProblem(
                _('not a ratio (use e.g. 200/5 or 40): "%(value)s"') % {"value": value}
            ) from None
        if not (primary.is_finite() and secondary.is_finite()) or primary <= 0 or secondary <= 0:
            raise _CellProblem(_('ratio must be greater than zero: "%(value)s"') % {"value": value})
        try:
            return primary / secondary, primary
        except ArithmeticError:  # decimal.Overflow / Underflow: 1e999999/1e-999999
            raise _CellProblem(_('number too large: "%(value)s"') % {"value": value}) from None
    try:
        ratio = Decimal(text)
    except InvalidOperation:
        raise _CellProblem(_('not a ratio (use e.g. 200/5 or 40): "%(value)s"') % {"value": value}) from None
    if not ratio.is_finite() or ratio <= 0:
        raise _CellProblem(_('ratio must be greater than zero: "%(value)s"') % {"value": value})
    return ratio, None


_CURRENT_RE = re.compile(r"^(\d+(?:\.\d+)?)(?:\((\d+(?:\.\d+)?)\))?A?$")


def parse_current_rating(value: Any) -> tuple[Decimal, Decimal | None]:
    """A nameplate current: ``5(60)A`` gives (5, 60); ``1.5(6)`` (1.5, 6); ``10A`` (10, None)."""
    text = cell_text(value).translate(_FULLWIDTH).replace(" ", "").upper()
    match = _CURRENT_RE.match(text)
    if not match:
        raise _CellProblem(_('not a current rating (use e.g. 5(60)A): "%(value)s"') % {"value": value})
    rated = Decimal(match.group(1))
    maximum = Decimal(match.group(2)) if match.group(2) else None
    if rated <= 0 or (maximum is not None and maximum < rated):
        raise _CellProblem(_('not a current rating (use e.g. 5(60)A): "%(value)s"') % {"value": value})
    return rated, maximum


def parse_voltage_v(value: Any) -> Decimal:
    """A meter voltage: ``220``, ``220V``, ``3×220/380V`` (the phase voltage, 220)."""
    text = cell_text(value).translate(_FULLWIDTH).replace(" ", "").upper().rstrip("V")
    text = re.sub(r"^\d+[X×*]", "", text).split("/")[0]
    return parse_positive_decimal(text)


# == specs ===============================================================================================


@dataclass(frozen=True)
class Column:
    """One column of an entity: canonical English ``name``, Chinese ``aliases`` (the first is written
    by exports and templates), whether it is ``required`` and how a cell is parsed."""

    name: str
    aliases: tuple[str, ...]
    required: bool = False
    parse: Callable[[Any], Any] = parse_text
    field: str | None = None  # model attname filled directly; None: the spec's resolver handles it
    export: bool = True
    example: Any = ""
    help: str = ""

    @property
    def header(self) -> str:
        return self.aliases[0]


@dataclass
class Spec:
    """How one entity is imported: its columns, business key, resolver and exporter."""

    entity: str
    model: type[models.Model]
    label: Any
    columns: list[Column]
    key_fields: tuple[str, ...]  # model attnames of the business key
    resolve: Callable  # (ctx, values, row_no) -> (key, fields); raises _CellProblem
    export_row: Callable  # obj -> list of values in export-column order
    prefetch: Callable | None = None  # (ctx, [values]) -> None: load the parents a chunk needs
    check_existing: Callable | None = None  # (ctx, obj) -> None or raise _CellProblem
    after_apply: Callable | None = None  # (obj) -> list of extra changed fields
    export_related: tuple[str, ...] = ()
    required_any: tuple[tuple[str, ...], ...] = ()
    county_only: bool = False
    needs_capability: str = IMPORT

    @property
    def export_columns(self) -> list[Column]:
        return [c for c in self.columns if c.export]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _norm_header(text: Any) -> str:
    text = cell_text(text).replace("\ufeff", "").translate(_FULLWIDTH)
    return re.sub(r"\s+", "", text).rstrip("*").lower()


@dataclass
class _Context:
    """Everything one import run needs: the user's scope, parent caches and the errors so far."""

    spec: Spec
    file_name: str
    user: Any
    station_id: int | None  # None: no station restriction
    max_errors: int
    errors: list[RowError] = field(default_factory=list)
    truncated: bool = False
    header_names: dict[str, str] = field(default_factory=dict)  # canonical name -> header in the file
    cache: dict[str, Any] = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def error(self, row: int | None, column: str | None, reason: str) -> None:
        header = self.header_names.get(column, column) if column else None
        self.errors.append(RowError(self.file_name, row, header, str(reason)))
        if len(self.errors) >= self.max_errors:
            self.truncated = True
            raise _TooManyErrors

    def in_scope(self, station_id: int | None) -> bool:
        return self.station_id is None or station_id == self.station_id

    def require_scope(self, station_id: int | None, column: str | None = None) -> None:
        if not self.in_scope(station_id):
            raise _CellProblem(_("not in your station"), column)


def _copy_plain(spec: Spec, values: dict[str, Any], fields: dict[str, Any]) -> None:
    for column in spec.columns:
        if column.field and column.name in values:
            fields[column.field] = values[column.name]


def _lookup(ctx: _Context, cache_name: str, code: str, column: str, reason: str):
    found = ctx.cache[cache_name].get(code)
    if found is None:
        raise _CellProblem(reason % {"code": code}, column)
    return found


# -- stations ---------------------------------------------------------------------------------------------


def _prefetch_stations(ctx, rows):
    """Companies are few: create or rename them here (the file's transaction undoes it on errors)."""
    if "companies" not in ctx.cache:
        ctx.cache["companies"] = {c.code: c for c in Company.objects.all()}
    companies = ctx.cache["companies"]
    new, changed = {}, {}
    for values in rows:
        code, name = values["company_code"], values.get("company_name") or ""
        company = companies.get(code)
        if company is None:
            if name and code not in new:
                new[code] = Company(code=code, name=name)
        elif name and company.name != name:
            company.name = name
            changed[code] = company
    reason = CHANGE_REASON.format(file_name=ctx.file_name)
    if new:
        bulk_create_with_history(
            list(new.values()), Company, default_user=ctx.user, default_change_reason=reason
        )
        for company in Company.objects.filter(code__in=new):
            companies[company.code] = company
    if changed:
        now = timezone.now()
        for company in changed.values():
            company.updated_at = now
        bulk_update_with_history(
            list(changed.values()),
            Company,
            ["name", "updated_at"],
            default_user=ctx.user,
            default_change_reason=reason,
        )


def _resolve_station(ctx, values, row_no):
    fields: dict[str, Any] = {}
    _copy_plain(ctx.spec, values, fields)
    if ctx.station_id is not None:
        if "own_station_code" not in ctx.cache:
            ctx.cache["own_station_code"] = Station.objects.get(pk=ctx.station_id).code
        if values["code"] != ctx.cache["own_station_code"]:
            raise _CellProblem(_("not in your station"), "code")
    company = ctx.cache["companies"].get(values["company_code"])
    if company is None:
        raise _CellProblem(
            _('company "%(code)s" not found; give its name to create it') % {"code": values["company_code"]},
            "company_name",
        )
    fields["company_id"] = company.pk
    return (values["code"],), fields


def _export_station(obj):
    return [obj.company.code, obj.company.name, obj.code, obj.name, obj.address, obj.phone]


# -- lines ------------------------------------------------------------------------------------------------


def _prefetch_station_codes(ctx, rows=None):
    if "stations" not in ctx.cache:
        ctx.cache["stations"] = dict(Station.objects.values_list("code", "pk"))


def _resolve_line(ctx, values, row_no):
    fields: dict[str, Any] = {}
    _copy_plain(ctx.spec, values, fields)
    station_id = _lookup(
        ctx, "stations", values["station_code"], "station_code", _('station "%(code)s" not found')
    )
    ctx.require_scope(station_id, "station_code")
    fields["station_id"] = station_id
    return (values["code"],), fields


def _check_existing_station_scope(ctx, obj):
    if not ctx.in_scope(obj.station_id):
        raise _CellProblem(_("not in your station"))


def _export_line(obj):
    return [obj.station.code, obj.code, obj.name, obj.voltage_kv, obj.substation]


# -- areas ------------------------------------------------------------------------------------------------


def _prefetch_areas(ctx, rows):
    if "lines" not in ctx.cache:
        ctx.cache["lines"] = {
            code: (pk, sid) for code, pk, sid in Line.objects.values_list("code", "pk", "station_id")
        }
    if "users" not in ctx.cache and any(v.get("owner_username") for v in rows):
        ctx.cache["users"] = dict(User.objects.values_list("username", "pk"))


def _resolve_area(ctx, values, row_no):
    fields: dict[str, Any] = {}
    _copy_plain(ctx.spec, values, fields)
    line_id, station_id = _lookup(
        ctx, "lines", values["line_code"], "line_code", _('line "%(code)s" not found')
    )
    ctx.require_scope(station_id, "line_code")
    fields["line_id"], fields["station_id"] = line_id, station_id
    if "owner_username" in values:
        username = values["owner_username"]
        fields["owner_id"] = (
            _lookup(ctx, "users", username, "owner_username", _('staff member "%(code)s" not found'))
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


# -- tariffs ----------------------------------------------------------------------------------------------


def _resolve_tariff(ctx, values, row_no):
    fields: dict[str, Any] = {}
    _copy_plain(ctx.spec, values, fields)
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
    ]


# -- staff ------------------------------------------------------------------------------------------------


def _resolve_staff(ctx, values, row_no):
    fields: dict[str, Any] = {}
    _copy_plain(ctx.spec, values, fields)
    if "station_code" in values:
        code = values["station_code"]
        station_id = (
            _lookup(ctx, "stations", code, "station_code", _('station "%(code)s" not found'))
            if code
            else None
        )
        ctx.require_scope(station_id, "station_code")
        fields["station_id"] = station_id
    elif ctx.station_id is not None:
        fields["station_id"] = ctx.station_id
    return (values["username"],), fields


def _check_existing_staff(ctx, obj):
    if not ctx.in_scope(obj.station_id):
        raise _CellProblem(_("not in your station"), "username")
    if obj.is_superuser and not (ctx.user is None or ctx.user.is_superuser):
        raise _CellProblem(_("a superuser can only be changed by a superuser"), "username")


def _staff_new(fields):
    return User(password=make_password(None), **fields)


def _export_staff(obj):
    return [
        obj.username,
        obj.full_name,
        obj.employee_number,
        obj.phone,
        choice_export(parse_role, obj.role),
        obj.station.code if obj.station_id else "",
    ]


# -- qualifications ---------------------------------------------------------------------------------------


def _prefetch_qualifications(ctx, rows):
    if "staff" not in ctx.cache:
        ctx.cache["staff"] = {
            u: (pk, sid) for u, pk, sid in User.objects.values_list("username", "pk", "station_id")
        }


def _resolve_qualification(ctx, values, row_no):
    fields: dict[str, Any] = {}
    _copy_plain(ctx.spec, values, fields)
    user_id, station_id = _lookup(
        ctx, "staff", values["username"], "username", _('staff member "%(code)s" not found')
    )
    ctx.require_scope(station_id, "username")
    fields["user_id"] = user_id
    if values["expires_on"] <= values["issued_on"]:
        raise _CellProblem(_("expiry date must be after the issue date"), "expires_on")
    return (values["certificate_number"],), fields


def _check_existing_qualification(ctx, obj):
    if "staff_by_pk" not in ctx.cache:
        ctx.cache["staff_by_pk"] = {pk: sid for pk, sid in ctx.cache["staff"].values()}
    if not ctx.in_scope(ctx.cache["staff_by_pk"].get(obj.user_id)):
        raise _CellProblem(_("not in your station"), "certificate_number")


def _export_qualification(obj):
    return [
        obj.user.username,
        choice_export(parse_qualification_level, obj.level),
        obj.certificate_number,
        obj.issued_on,
        obj.expires_on,
    ]


# -- customers --------------------------------------------------------------------------------------------


def _prefetch_customers(ctx, rows):
    if "areas" not in ctx.cache:
        ctx.cache["areas"] = {
            code: (pk, sid) for code, pk, sid in Area.objects.values_list("code", "pk", "station_id")
        }
        ctx.cache["tariff_codes"] = set(Tariff.objects.values_list("code", flat=True))


def _resolve_customer(ctx, values, row_no):
    fields: dict[str, Any] = {}
    _copy_plain(ctx.spec, values, fields)
    area_id, station_id = _lookup(
        ctx, "areas", values["area_code"], "area_code", _('transformer area "%(code)s" not found')
    )
    ctx.require_scope(station_id, "area_code")
    fields["area_id"], fields["station_id"] = area_id, station_id
    if "tariff_code" in values and values["tariff_code"] not in ctx.cache["tariff_codes"]:
        raise _CellProblem(_('tariff "%(code)s" not found') % {"code": values["tariff_code"]}, "tariff_code")
    return (values["account_number"],), fields


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


# -- metering points --------------------------------------------------------------------------------------


def _prefetch_metering_points(ctx, rows):
    accounts = {v["account_number"] for v in rows}
    ctx.cache["customers"] = {
        a: (pk, sid)
        for a, pk, sid in Customer.objects.filter(account_number__in=accounts).values_list(
            "account_number", "pk", "station_id"
        )
    }


def _resolve_metering_point(ctx, values, row_no):
    fields: dict[str, Any] = {}
    _copy_plain(ctx.spec, values, fields)
    customer_id, station_id = _lookup(
        ctx, "customers", values["account_number"], "account_number", _('customer "%(code)s" not found')
    )
    ctx.require_scope(station_id, "account_number")
    fields["customer_id"] = customer_id
    primary = values.get("ct_primary_a")
    if "ct_ratio" in values:
        ratio, ratio_primary = values["ct_ratio"] or (Decimal(1), None)
        fields["ct_ratio"] = _fit_decimal(MeteringPoint, "ct_ratio", ratio)
        if ratio_primary is not None:
            if primary is not None and primary != ratio_primary:
                raise _CellProblem(
                    _("CT primary current %(a)s A does not match the ratio's %(b)s A")
                    % {"a": primary, "b": ratio_primary},
                    "ct_primary_a",
                )
            fields["ct_primary_a"] = _fit_decimal(MeteringPoint, "ct_primary_a", ratio_primary)
    if "pt_ratio" in values:
        fields["pt_ratio"] = _fit_decimal(MeteringPoint, "pt_ratio", (values["pt_ratio"] or (Decimal(1),))[0])
    if fields.get("ct_ratio", 1) <= 0 or fields.get("pt_ratio", 1) <= 0:
        raise _CellProblem(_("ratio must be greater than zero"), "ct_ratio")
    return (values["code"],), fields


def _metering_point_new(fields):
    obj = MeteringPoint(**fields)
    obj.multiplier = MeteringPoint.derive_multiplier(obj.ct_ratio, obj.pt_ratio)
    return obj


def _metering_point_after_apply(obj):
    multiplier = MeteringPoint.derive_multiplier(obj.ct_ratio, obj.pt_ratio)
    if multiplier != obj.multiplier:
        obj.multiplier = multiplier
        return ["multiplier"]
    return []


def _check_existing_mp(ctx, obj):
    if ctx.station_id is not None and obj.customer.station_id != ctx.station_id:
        raise _CellProblem(_("not in your station"), "code")


def _fmt_number(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{Decimal(value).normalize():f}"
    return text


def _export_metering_point(obj):
    if obj.ct_primary_a:
        secondary = (obj.ct_primary_a / obj.ct_ratio).quantize(Decimal("0.01"))
        ct = f"{_fmt_number(obj.ct_primary_a)}/{_fmt_number(secondary)}"
    else:
        ct = _fmt_number(obj.ct_ratio)
    return [obj.customer.account_number, obj.code, obj.name, ct, obj.ct_primary_a, _fmt_number(obj.pt_ratio)]


# -- meters -----------------------------------------------------------------------------------------------


def _prefetch_meters(ctx, rows):
    codes = {v["metering_point_code"] for v in rows}
    ctx.cache["points"] = {
        c: (pk, sid)
        for c, pk, sid in MeteringPoint.objects.filter(code__in=codes).values_list(
            "code", "pk", "customer__station_id"
        )
    }


def _resolve_meter(ctx, values, row_no):
    fields: dict[str, Any] = {}
    _copy_plain(ctx.spec, values, fields)
    point_id, station_id = _lookup(
        ctx,
        "points",
        values["metering_point_code"],
        "metering_point_code",
        _('metering point "%(code)s" not found'),
    )
    ctx.require_scope(station_id, "metering_point_code")
    fields["metering_point_id"] = point_id
    if values.get("rated_current"):
        rated, maximum = values["rated_current"]
        fields["rated_current_a"] = _fit_decimal(Meter, "rated_current_a", rated)
        fields["max_current_a"] = (
            _fit_decimal(Meter, "max_current_a", maximum) if maximum is not None else None
        )
    elif fields.get("rated_current_a") is None:
        column = "rated_current" if "rated_current" in values else "rated_current_a"
        raise _CellProblem(_("a value is required"), column)
    return (values["asset_number"],), fields


def _check_existing_meter(ctx, obj):
    if ctx.station_id is not None and obj.metering_point.customer.station_id != ctx.station_id:
        raise _CellProblem(_("not in your station"), "asset_number")


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


# -- the specs --------------------------------------------------------------------------------------------

C = Column
SPECS: dict[str, Spec] = {
    "stations": Spec(
        entity="stations",
        model=Station,
        label=gettext_lazy("Stations"),
        columns=[
            C("company_code", ("公司编码", "单位编码", "供电单位编码"), True, example="C01"),
            C("company_name", ("公司名称", "单位名称", "供电单位"), example="示范县供电公司"),
            C("code", ("供电所编码", "供电所编号", "所编码"), True, field="code", example="S01"),
            C("name", ("供电所名称", "供电所", "所名称"), True, field="name", example="东城供电所"),
            C(
                "address",
                ("地址", "供电所地址", "办公地址"),
                field="address",
                example="示范县东城镇人民路1号",
            ),
            C("phone", ("联系电话", "电话"), field="phone", example="0771-1234567"),
        ],
        key_fields=("code",),
        resolve=_resolve_station,
        prefetch=_prefetch_stations,
        export_row=_export_station,
        export_related=("company",),
    ),
    "lines": Spec(
        entity="lines",
        model=Line,
        label=gettext_lazy("Lines"),
        columns=[
            C("station_code", ("供电所编码", "供电所编号", "所属供电所编码"), True, example="S01"),
            C("code", ("线路编号", "线路编码"), True, field="code", example="S01-L1"),
            C("name", ("线路名称",), True, field="name", example="10kV东城一线"),
            C(
                "voltage_kv",
                ("电压等级(kV)", "电压(kV)", "电压等级"),
                parse=lambda v: parse_positive_decimal(cell_text(v).upper().removesuffix("KV")),
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
        prefetch=_prefetch_station_codes,
        check_existing=_check_existing_station_scope,
        export_row=_export_line,
        export_related=("station",),
    ),
    "areas": Spec(
        entity="areas",
        model=Area,
        label=gettext_lazy("Transformer areas"),
        columns=[
            C("line_code", ("线路编号", "所属线路编号", "线路编码"), True, example="S01-L1"),
            C("code", ("台区编号", "台区编码"), True, field="code", example="S01-A1"),
            C("name", ("台区名称",), True, field="name", example="东城1号台区"),
            C(
                "capacity_kva",
                ("配变容量(kVA)", "变压器容量(kVA)", "容量(kVA)", "配变容量"),
                True,
                parse=parse_positive_decimal,
                field="capacity_kva",
                example=Decimal("400"),
            ),
            C("owner_username", ("台区经理账号", "台区经理", "台区经理工号"), example=""),
            C("address", ("台区地址", "地址", "安装地址"), field="address", example="东城镇人民路"),
        ],
        key_fields=("code",),
        resolve=_resolve_area,
        prefetch=_prefetch_areas,
        check_existing=_check_existing_station_scope,
        export_row=_export_area,
        export_related=("line", "owner"),
    ),
    "tariffs": Spec(
        entity="tariffs",
        model=Tariff,
        label=gettext_lazy("Tariffs"),
        columns=[
            C("code", ("电价代码", "电价编码", "电价码"), True, field="code", example="RES-1"),
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
        ],
        key_fields=("code", "effective_from"),
        resolve=_resolve_tariff,
        export_row=_export_tariff,
        county_only=True,
    ),
    "staff": Spec(
        entity="staff",
        model=User,
        label=gettext_lazy("Staff"),
        columns=[
            C("username", ("登录账号", "账号", "用户名"), True, field="username", example="zhangsan"),
            C("full_name", ("姓名",), True, field="full_name", example="张三"),
            C("employee_number", ("工号", "员工编号", "人员编号"), field="employee_number", example="10086"),
            C("phone", ("联系电话", "手机号码", "电话"), field="phone", example="13800000000"),
            C("role", ("岗位", "角色"), True, parse=parse_role, field="role", example="用电检查员"),
            C("station_code", ("供电所编码", "所属供电所编码", "供电所编号"), example="S01"),
        ],
        key_fields=("username",),
        resolve=_resolve_staff,
        prefetch=_prefetch_station_codes,
        check_existing=_check_existing_staff,
        export_row=_export_staff,
        export_related=("station",),
        needs_capability=MANAGE_STAFF,
    ),
    "qualifications": Spec(
        entity="qualifications",
        model=Qualification,
        label=gettext_lazy("Qualifications"),
        columns=[
            C("username", ("登录账号", "账号", "用户名"), True, example="zhangsan"),
            C(
                "level",
                ("资格等级", "等级", "检查资格等级"),
                True,
                parse=parse_qualification_level,
                field="level",
                example="二级",
            ),
            C(
                "certificate_number",
                ("证书编号", "证号", "检查证编号"),
                True,
                field="certificate_number",
                example="JC-2024-0001",
            ),
            C(
                "issued_on",
                ("发证日期", "取证日期"),
                True,
                parse=parse_date,
                field="issued_on",
                example=datetime.date(2024, 1, 1),
            ),
            C(
                "expires_on",
                ("有效期至", "到期日期", "有效截止日期"),
                True,
                parse=parse_date,
                field="expires_on",
                example=datetime.date(2029, 12, 31),
            ),
        ],
        key_fields=("certificate_number",),
        resolve=_resolve_qualification,
        prefetch=_prefetch_qualifications,
        check_existing=_check_existing_qualification,
        export_row=_export_qualification,
        export_related=("user",),
        needs_capability=MANAGE_STAFF,
    ),
    "customers": Spec(
        entity="customers",
        model=Customer,
        label=gettext_lazy("Customers"),
        columns=[
            C("area_code", ("台区编号", "台区编码", "所属台区编号"), True, example="S01-A1"),
            C(
                "account_number",
                ("户号", "用户编号", "客户编号"),
                True,
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
        check_existing=_check_existing_station_scope,
        export_row=_export_customer,
        export_related=("area",),
    ),
    "metering_points": Spec(
        entity="metering_points",
        model=MeteringPoint,
        label=gettext_lazy("Metering points"),
        columns=[
            C("account_number", ("户号", "用户编号", "客户编号"), True, example="1100000001"),
            C("code", ("计量点编号", "计量点编码"), True, field="code", example="MP1100000001"),
            C("name", ("计量点名称",), field="name", example="总表"),
            C("ct_ratio", ("电流互感器变比", "CT变比", "电流变比"), parse=parse_ratio, example="200/5"),
            C(
                "ct_primary_a",
                ("CT一次电流(A)", "一次额定电流(A)", "CT一次电流"),
                parse=parse_positive_decimal,
                field="ct_primary_a",
                example=Decimal("200"),
            ),
            C("pt_ratio", ("电压互感器变比", "PT变比", "电压变比"), parse=parse_ratio, example="1"),
        ],
        key_fields=("code",),
        resolve=_resolve_metering_point,
        prefetch=_prefetch_metering_points,
        check_existing=_check_existing_mp,
        after_apply=_metering_point_after_apply,
        export_row=_export_metering_point,
        export_related=("customer",),
    ),
    "meters": Spec(
        entity="meters",
        model=Meter,
        label=gettext_lazy("Meters"),
        columns=[
            C("metering_point_code", ("计量点编号", "计量点编码"), True, example="MP1100000001"),
            C(
                "asset_number",
                ("资产编号", "电能表资产编号", "表号"),
                True,
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
        export_row=_export_meter,
        export_related=("metering_point",),
        required_any=(("rated_current", "rated_current_a"),),
    ),
}
del C

_NEW_OBJECT = {"staff": _staff_new, "metering_points": _metering_point_new}
_EXISTING_RELATED = {"metering_points": ("customer",), "meters": ("metering_point__customer",)}


@functools.cache
def _field_limits(model, attname: str) -> tuple[int | None, Decimal | None, int | None]:
    """(max_length, decimal quantum, max integer digits) of a model field, looked up once."""
    model_field = model._meta.get_field(attname)
    if isinstance(model_field, models.DecimalField):
        quantum = Decimal(1).scaleb(-model_field.decimal_places)
        return None, quantum, model_field.max_digits - model_field.decimal_places
    return getattr(model_field, "max_length", None), None, None


def _fit_decimal(model, attname: str, value: Decimal | None) -> Decimal | None:
    """Round to the field's decimal places and check it fits its digits (PostgreSQL would refuse)."""
    if value is None:
        return None
    _max_length, quantum, max_int_digits = _field_limits(model, attname)
    if value.adjusted() + 1 > max_int_digits:
        raise _CellProblem(_('number too large: "%(value)s"') % {"value": value})
    rounded = value.quantize(quantum)
    if rounded.adjusted() + 1 > max_int_digits:
        raise _CellProblem(_('number too large: "%(value)s"') % {"value": value})
    return rounded


# == reading files =======================================================================================


def detect_encoding(path: pathlib.Path) -> tuple[str, str]:
    """Find the text encoding of a CSV file: UTF-8 (with or without BOM), GBK or GB18030.

    Returns (Python codec, name to show); raises _FileProblem for anything else (UTF-16, binary).
    """
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", "UTF-8-BOM")]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _FileProblem(_("the file is UTF-16 encoded; save it as UTF-8, GBK or GB18030"))
    else:
        candidates = [("utf-8", "UTF-8"), ("gbk", "GBK"), ("gb18030", "GB18030")]
    for codec, name in candidates:
        decoder = codecs.getincrementaldecoder(codec)("strict")
        try:
            with path.open("rb") as handle:
                while block := handle.read(1 << 20):
                    if b"\x00" in block:
                        raise _FileProblem(
                            _(
                                "the file is not a text file (CSV) or is UTF-16 encoded; use UTF-8, GBK or GB18030"
                            )
                        )
                    decoder.decode(block)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return codec, name
    raise _FileProblem(_("the file's encoding is not UTF-8, GBK or GB18030"))


def _csv_rows(path: pathlib.Path, codec: str) -> Iterator[tuple[int, list]]:
    with path.open("r", encoding=codec, newline="") as handle:
        sample = handle.readline()
        handle.seek(0)
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
        reader = csv.reader(handle, delimiter=delimiter)
        number = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # e.g. a field longer than the csv module's limit (131,072 characters)
                raise _FileProblem(
                    _("the CSV file cannot be read at row %(row)s: %(error)s")
                    % {"row": number + 1, "error": exc},
                    number + 1,
                ) from None
            number += 1
            yield number, row


#: Excel's last row.
XLSX_MAX_ROWS = 1_048_576


def _xlsx_rows(path: pathlib.Path) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise _FileProblem(_("the XLSX file cannot be opened: %(error)s") % {"error": exc}) from None
    try:
        if not workbook.worksheets:
            raise _FileProblem(_("the XLSX file has no worksheet"))
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers store a wrong dimension; read every row there is
        # Read-only sheets yield every row from the first, empty ones included, so numbers match Excel's.
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        number = 0
        while True:
            try:
                number, row = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # noqa: BLE001 - cells are parsed as the rows are read: a broken one
                if not number:
                    raise _FileProblem(
                        _("the XLSX file cannot be opened: %(error)s") % {"error": exc}
                    ) from None
                raise _FileProblem(
                    _("the XLSX file cannot be read after row %(row)s: %(error)s")
                    % {"row": number, "error": exc}
                ) from None
            if number > XLSX_MAX_ROWS:  # a broken file: it would be read one empty row at a time
                raise _FileProblem(
                    _("the sheet has rows past Excel's last row (%(n)s)") % {"n": XLSX_MAX_ROWS}
                )
            yield number, list(row)
    finally:
        workbook.close()


def _file_kind(path: pathlib.Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _FileProblem(_("old Excel .xls files are not supported; save the file as .xlsx or CSV"))
    return "csv"


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# == the engine ==========================================================================================


def _find_header(ctx: _Context, rows: Iterator[tuple[int, list]]) -> tuple[int, list, dict[int, Column]]:
    """Find the header row among the first rows: the one matching most known headers."""
    spec = ctx.spec
    known: dict[str, Column] = {}
    for column in spec.columns:
        for alias in (column.name, *column.aliases):
            known.setdefault(_norm_header(alias), column)
    best = None
    seen_any = False
    buffered: list[tuple[int, list]] = []
    for number, row in rows:
        buffered.append((number, row))
        if any(not _is_blank(v) for v in row):
            seen_any = True
        matches = sum(1 for v in row if _norm_header(v) in known)
        if matches and (best is None or matches > best[2]):
            best = (number, row, matches)
        if len(buffered) >= HEADER_SEARCH_ROWS:
            break
    if not seen_any:
        raise _FileProblem(_("the file is empty"))
    if best is None:
        expected = "、".join(c.header for c in spec.columns if c.required)
        raise _FileProblem(
            _(
                "no known column headers found in the first %(n)s rows (expected e.g. %(expected)s); "
                "check the entity chosen and the file's encoding"
            )
            % {"n": HEADER_SEARCH_ROWS, "expected": expected}
        )
    number, row, _matches = best
    mapping: dict[int, Column] = {}
    where: dict[str, int] = {}
    problems = []
    for index, value in enumerate(row):
        column = known.get(_norm_header(value))
        if column is None:
            continue
        if column.name in where:
            problems.append(
                _FileProblem(
                    _("column appears twice (columns %(a)s and %(b)s)")
                    % {"a": _column_letter(where[column.name]), "b": _column_letter(index)},
                    number,
                    cell_text(value),
                )
            )
            continue
        where[column.name] = index
        mapping[index] = column
        ctx.header_names[column.name] = cell_text(value)
    for column in spec.columns:
        if column.required and column.name not in where:
            problems.append(
                _FileProblem(
                    _("required column 「%(header)s」 (%(name)s) is missing")
                    % {"header": column.header, "name": column.name}
                )
            )
    for group in spec.required_any:
        if not any(name in where for name in group):
            names = " / ".join(f"「{spec.column(n).header}」" for n in group)
            problems.append(_FileProblem(_("one of the columns %(names)s is required") % {"names": names}))
    for problem in problems:
        ctx.error(problem.row, problem.column, problem.reason)
    # Rows read past the header while searching are data rows: hand them back.
    ctx.cache["_buffered"] = [(n, r) for n, r in buffered if n > number]
    return number, row, mapping


def _parse_row(ctx: _Context, number: int, row: list, mapping: dict[int, Column], header_row: list):
    values: dict[str, Any] = {}
    ok = True
    for index, column in mapping.items():
        raw = row[index] if index < len(row) else None
        if _is_blank(raw):
            if column.required:
                ctx.error(number, column.name, _("a value is required"))
                ok = False
            else:
                values[column.name] = _empty_value(ctx.spec, column)
            continue
        try:
            value = column.parse(raw)
            if column.field:
                value = _check_field(ctx.spec.model, column.field, value)
            values[column.name] = value
        except _CellProblem as problem:
            ctx.error(number, problem.column or column.name, problem.reason)
            ok = False
    # A header cell merged across several columns leaves data under an empty header.
    for index in range(len(header_row), len(row)) if len(row) > len(header_row) else ():
        if not _is_blank(row[index]) and index not in ctx.cache.setdefault("_reported_cols", set()):
            ctx.cache["_reported_cols"].add(index)
            ctx.error(number, None, _unnamed_column_reason(index))
            ok = False
    return values if ok else None


def _unnamed_column_reason(index: int) -> str:
    return _(
        "column %(letter)s holds data but has no header (a merged header cell?); give every data column its own header"
    ) % {"letter": _column_letter(index)}


def _column_letter(index: int) -> str:
    """The spreadsheet letters of the 0-based column ``index`` (A, ..., Z, AA, ...), past XFD too."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _empty_value(spec: Spec, column: Column) -> Any:
    if column.field is None:
        return None
    model_field = spec.model._meta.get_field(column.field)
    if model_field.null:
        return None
    if model_field.has_default():
        return model_field.get_default()
    return "" if isinstance(model_field, models.CharField) else None


def _check_field(model, attname: str, value: Any) -> Any:
    max_length, quantum, _digits = _field_limits(model, attname)
    if quantum is not None and isinstance(value, Decimal):
        return _fit_decimal(model, attname, value)
    if max_length and isinstance(value, str) and len(value) > max_length:
        raise _CellProblem(_("too long (at most %(n)s characters)") % {"n": max_length})
    return value


def _key_filter(spec: Spec, keys: list[tuple]) -> models.Q:
    if len(spec.key_fields) == 1:
        return models.Q(**{f"{spec.key_fields[0]}__in": [k[0] for k in keys]})
    first = spec.key_fields[0]
    return models.Q(**{f"{first}__in": {k[0] for k in keys}})


def _flush(ctx: _Context, chunk: list[tuple[int, dict]], seen: dict[tuple, int]) -> None:
    """Resolve, check and (when the file has no errors so far) write one chunk of parsed rows."""
    spec = ctx.spec
    if not chunk:
        return
    if spec.prefetch:
        spec.prefetch(ctx, [values for _n, values in chunk])
    items: list[tuple[int, tuple, dict]] = []
    for number, values in chunk:
        try:
            key, fields = spec.resolve(ctx, values, number)
        except _CellProblem as problem:
            ctx.error(number, problem.column, problem.reason)
            continue
        first = seen.get(key)
        if first is not None:
            key_header = "、".join(ctx.header_names.get(n, n) for n in _key_columns(spec))
            ctx.error(
                number,
                _key_columns(spec)[0],
                _('duplicate %(key)s "%(value)s": also in row %(other)s')
                % {"key": key_header, "value": " / ".join(cell_text(k) for k in key), "other": first},
            )
            continue
        seen[key] = number
        items.append((number, key, fields))
    if not items:
        return
    queryset = spec.model._default_manager.filter(_key_filter(spec, [k for _n, k, _f in items]))
    if spec.entity in _EXISTING_RELATED:
        queryset = queryset.select_related(*_EXISTING_RELATED[spec.entity])
    existing = {tuple(getattr(obj, f) for f in spec.key_fields): obj for obj in queryset}
    creates, updates, changed_fields = [], [], set()
    for number, key, fields in items:
        obj = existing.get(key)
        if obj is None:
            creates.append((number, fields))
            continue
        try:
            if spec.check_existing:
                spec.check_existing(ctx, obj)
        except _CellProblem as problem:
            ctx.error(number, problem.column, problem.reason)
            continue
        changed = [
            name for name, value in fields.items() if not name.startswith("_") and getattr(obj, name) != value
        ]
        for name in changed:
            setattr(obj, name, fields[name])
        if spec.after_apply:
            changed += spec.after_apply(obj)
        if changed:
            updates.append(obj)
            changed_fields.update(changed)
        else:
            ctx.unchanged += 1
    if ctx.errors:
        return  # the file will be refused: keep checking, write nothing more
    reason = CHANGE_REASON.format(file_name=ctx.file_name)
    if creates:
        factory = _NEW_OBJECT.get(spec.entity) or (lambda fields: spec.model(**fields))
        objs = [factory({k: v for k, v in fields.items() if not k.startswith("_")}) for _n, fields in creates]
        bulk_create_with_history(
            objs, spec.model, batch_size=BATCH_SIZE, default_user=ctx.user, default_change_reason=reason
        )
        ctx.created += len(objs)
    if updates:
        now = timezone.now()
        names = sorted(changed_fields)
        if any(f.name == "updated_at" for f in spec.model._meta.fields):
            for obj in updates:
                obj.updated_at = now
            names.append("updated_at")
        bulk_update_with_history(
            updates,
            spec.model,
            names,
            batch_size=BATCH_SIZE,
            default_user=ctx.user,
            default_change_reason=reason,
        )
        ctx.updated += len(updates)


def _key_columns(spec: Spec) -> list[str]:
    by_field = {c.field: c.name for c in spec.columns if c.field}
    return [by_field.get(f, f) for f in spec.key_fields]


def _run(ctx: _Context, rows: Iterator[tuple[int, list]]) -> int:
    header_number, header_row, mapping = _find_header(ctx, rows)
    if ctx.errors:
        return 0
    while header_row and _is_blank(header_row[-1]):
        header_row = header_row[:-1]
    # Empty header cells between named ones: data under them is reported (merged header cells).
    unnamed = {i for i, v in enumerate(header_row) if _is_blank(v)}
    seen: dict[tuple, int] = {}
    chunk: list[tuple[int, dict]] = []
    total = 0

    def all_rows() -> Iterable[tuple[int, list]]:
        yield from ctx.cache.pop("_buffered")
        yield from rows

    for number, row in all_rows():
        if all(_is_blank(v) for v in row):
            continue
        total += 1
        bad_unnamed = [i for i in unnamed if i < len(row) and not _is_blank(row[i])]
        if bad_unnamed:
            reported = ctx.cache.setdefault("_reported_cols", set())
            for index in bad_unnamed:
                if index not in reported:
                    reported.add(index)
                    ctx.error(number, None, _unnamed_column_reason(index))
            continue
        values = _parse_row(ctx, number, row, mapping, header_row)
        if values is not None:
            chunk.append((number, values))
        if len(chunk) >= CHUNK_ROWS:
            _flush(ctx, chunk, seen)
            chunk = []
    _flush(ctx, chunk, seen)
    if total == 0:
        ctx.error(None, None, _("the file has a header row but no data rows"))
    return total


def _user_station_id(user) -> int | None:
    if user is None or user.is_superuser:
        return None
    return user.station_id


def import_file(
    *,
    entity: str,
    path: pathlib.Path,
    user=None,
    max_bytes: int | None = None,
    file_name: str | None = None,
) -> ImportBatch:
    """Import one CSV or XLSX file of ``entity`` in one transaction; see the module docstring.

    Returns the saved, succeeded :class:`ImportBatch`; raises :class:`ImportRejected` (with the saved,
    failed batch) on any error, having written nothing else. ``user=None`` is a system import.
    """
    if entity not in SPECS:
        raise ValueError(f"unknown entity {entity!r}; expected one of {', '.join(ENTITIES)}")
    path = pathlib.Path(path)
    spec = SPECS[entity]
    file_name = file_name or path.name
    max_bytes = settings.GRIDCHECK_IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    started = time.monotonic()
    ctx = _Context(
        spec=spec,
        file_name=file_name,
        user=user,
        station_id=_user_station_id(user),
        max_errors=max(int(settings.GRIDCHECK_IMPORT_MAX_ERRORS), 1),
    )
    batch = ImportBatch(
        entity=entity,
        file_name=file_name[:255],
        started_by=user if user is not None and user.pk else None,
        station_id=getattr(user, "station_id", None) if user is not None else None,
    )
    total = 0
    try:
        total = _import_checked(ctx, spec, path, max_bytes, batch)
    except _TooManyErrors:
        pass
    except _FileProblem as problem:
        ctx.errors.append(RowError(file_name, problem.row, problem.column, str(problem.reason)))
    batch.duration_s = round(time.monotonic() - started, 3)
    if not ctx.errors:
        batch.save(update_fields=["duration_s"])
        return batch
    batch.rows_total = total
    if ctx.errors:
        batch.status = ImportBatch.Status.FAILED
        batch.errors = [e.as_dict() for e in ctx.errors]
        batch.rows_created = batch.rows_updated = batch.rows_unchanged = 0
        batch.save()
    raise ImportRejected(ctx.errors, batch, truncated=ctx.truncated)


class _Rollback(Exception):
    pass


def _import_checked(ctx: _Context, spec: Spec, path: pathlib.Path, max_bytes: int, batch: ImportBatch) -> int:
    if not path.is_file():
        raise _FileProblem(_("file not found"))
    size = path.stat().st_size
    batch.size_bytes = size
    if size > max_bytes:
        raise _FileProblem(
            _(
                "the file is %(size)s bytes (%(size_h)s), larger than the limit of %(limit)s bytes (%(limit_h)s)"
            )
            % {
                "size": size,
                "size_h": filesizeformat(size),
                "limit": max_bytes,
                "limit_h": filesizeformat(max_bytes),
            }
        )
    if ctx.user is not None:
        if not has_capability(ctx.user, spec.needs_capability):
            raise _FileProblem(_("you are not allowed to import %(entity)s") % {"entity": spec.label})
        if spec.county_only and ctx.station_id is not None:
            raise _FileProblem(_("only county-level staff may import %(entity)s") % {"entity": spec.label})
    if size == 0:
        raise _FileProblem(_("the file is empty"))
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    batch.sha256 = digest.hexdigest()
    kind = _file_kind(path)
    if kind == "xlsx":
        batch.encoding = "XLSX"
        rows = _xlsx_rows(path)
    else:
        codec, batch.encoding = detect_encoding(path)
        rows = _csv_rows(path, codec)
    total = 0
    try:
        with transaction.atomic():
            try:
                total = _run(ctx, rows)
            except DatabaseError as exc:
                ctx.errors.append(
                    RowError(
                        ctx.file_name,
                        None,
                        None,
                        _("the database refused the data: %(error)s") % {"error": exc},
                    )
                )
            if ctx.errors:
                raise _Rollback
            batch.status = ImportBatch.Status.SUCCEEDED
            batch.rows_created, batch.rows_updated, batch.rows_unchanged = (
                ctx.created,
                ctx.updated,
                ctx.unchanged,
            )
            batch.rows_total = total
            batch.duration_s = 0
            batch.save()
    except _Rollback:
        pass
    except _TooManyErrors:
        raise
    return total

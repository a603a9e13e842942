"""Value parsers of the import: a cell (str from CSV; str, int, float, datetime or bool from XLSX) in, the
Python value out, or :class:`~gridcheck.archive.importers.errors.CellProblem` with a translated reason.

Identifiers (account numbers, codes, meter and asset numbers, usernames) go through
:func:`identifier_parser`: look-alikes (full-width digits, zero-width characters, a byte-order mark,
non-breaking spaces) become the plain identifier, and what still holds other characters is refused
(``gridcheck.core.identifiers``).
"""

from __future__ import annotations

import datetime
import functools
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from gridcheck.archive.importers.errors import CellProblem
from gridcheck.core.identifiers import (
    CODE_ALLOWED,
    CODE_RE,
    USERNAME_ALLOWED,
    USERNAME_RE,
    IdentifierError,
    clean_identifier,
)


def cell_text(value: Any) -> str:
    """A cell as text: integral floats lose their ``.0`` (XLSX stores 1100000001 as a number)."""
    if type(value) is str:  # every CSV cell
        return value.strip()
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


FULLWIDTH = str.maketrans("０１２３４５６７８９．，／（）－＋", "0123456789.,/()-+")


def parse_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise CellProblem(_('not a number: "%(value)s"') % {"value": cell_text(value)})
    if isinstance(value, int | Decimal | float):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():  # an XLSX cell can hold inf or nan
            raise CellProblem(_('not a number: "%(value)s"') % {"value": cell_text(value)})
        return number
    text = str(value).strip().translate(FULLWIDTH).replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellProblem(_('not a number: "%(value)s"') % {"value": value}) from None
    if not number.is_finite():
        raise CellProblem(_('not a number: "%(value)s"') % {"value": value})
    return number


def parse_positive_decimal(value: Any) -> Decimal:
    number = parse_decimal(value)
    if number <= 0:
        raise CellProblem(_('must be greater than zero: "%(value)s"') % {"value": cell_text(value)})
    return number


def parse_int(value: Any) -> int:
    number = parse_decimal(value)
    if number.adjusted() >= 18:  # int() of 1E+999999999 would build a billion-digit integer
        raise CellProblem(_('number too large: "%(value)s"') % {"value": cell_text(value)})
    if number != number.to_integral_value() or number < 0:
        raise CellProblem(_('not a whole number: "%(value)s"') % {"value": cell_text(value)})
    return int(number)


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")


def parse_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value).translate(FULLWIDTH)
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
    raise CellProblem(_('not a date (use YYYY-MM-DD): "%(value)s"') % {"value": text})


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
    raise CellProblem(_('not yes/no (use 是 or 否): "%(value)s"') % {"value": cell_text(value)})


def _norm_choice(text: str) -> str:
    return re.sub(r"\s+", "", text).translate(FULLWIDTH).lower()


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
        raise CellProblem(
            _('unknown value "%(value)s" (allowed: %(allowed)s)') % {"value": text, "allowed": allowed}
        )

    parse.choices = choices
    parse.aliases = aliases
    return parse


def choice_export(parser, value: str) -> str:
    """The Chinese label that exports write for a choice value."""
    aliases = getattr(parser, "aliases", {})
    return aliases.get(value, (value,))[0] if value else ""


def parse_ratio(value: Any) -> tuple[Decimal, Decimal | None]:
    """A transformer ratio: ``200/5`` gives (40, 200); a plain ``40`` gives (40, None). Must be > 0."""
    text = cell_text(value).translate(FULLWIDTH).replace(" ", "").upper().replace("A", "").replace("V", "")
    text = text.replace(":", "/")
    if "/" in text:
        primary_text, _sep, secondary_text = text.partition("/")
        try:
            primary, secondary = Decimal(primary_text), Decimal(secondary_text)
        except InvalidOperation:
            raise CellProblem(
                _('not a ratio (use e.g. 200/5 or 40): "%(value)s"') % {"value": value}
            ) from None
        if not (primary.is_finite() and secondary.is_finite()) or primary <= 0 or secondary <= 0:
            raise CellProblem(_('ratio must be greater than zero: "%(value)s"') % {"value": value})
        try:
            return primary / secondary, primary
        except ArithmeticError:  # decimal.Overflow / Underflow: 1e999999/1e-999999
            raise CellProblem(_('number too large: "%(value)s"') % {"value": value}) from None
    try:
        ratio = Decimal(text)
    except InvalidOperation:
        raise CellProblem(_('not a ratio (use e.g. 200/5 or 40): "%(value)s"') % {"value": value}) from None
    if not ratio.is_finite() or ratio <= 0:
        raise CellProblem(_('ratio must be greater than zero: "%(value)s"') % {"value": value})
    return ratio, None


_CURRENT_RE = re.compile(r"^(\d+(?:\.\d+)?)(?:\((\d+(?:\.\d+)?)\))?A?$")


def parse_current_rating(value: Any) -> tuple[Decimal, Decimal | None]:
    """A nameplate current: ``5(60)A`` gives (5, 60); ``1.5(6)`` (1.5, 6); ``10A`` (10, None)."""
    text = cell_text(value).translate(FULLWIDTH).replace(" ", "").upper()
    match = _CURRENT_RE.match(text)
    if not match:
        raise CellProblem(_('not a current rating (use e.g. 5(60)A): "%(value)s"') % {"value": value})
    rated = Decimal(match.group(1))
    maximum = Decimal(match.group(2)) if match.group(2) else None
    if rated <= 0 or (maximum is not None and maximum < rated):
        raise CellProblem(_('not a current rating (use e.g. 5(60)A): "%(value)s"') % {"value": value})
    return rated, maximum


def parse_voltage_v(value: Any) -> Decimal:
    """A meter voltage: ``220``, ``220V``, ``3×220/380V`` (the phase voltage, 220)."""
    text = cell_text(value).translate(FULLWIDTH).replace(" ", "").upper().rstrip("V")
    text = re.sub(r"^\d+[X×*]", "", text).split("/")[0]
    return parse_positive_decimal(text)


@functools.cache
def field_limits(model, attname: str) -> tuple[int | None, Decimal | None, int | None]:
    """(max_length, decimal quantum, max integer digits) of a model field, looked up once."""
    model_field = model._meta.get_field(attname)
    if isinstance(model_field, models.DecimalField):
        quantum = Decimal(1).scaleb(-model_field.decimal_places)
        return None, quantum, model_field.max_digits - model_field.decimal_places
    return getattr(model_field, "max_length", None), None, None


def fit_decimal(model, attname: str, value: Decimal | None) -> Decimal | None:
    """Round to the field's decimal places and check it fits its digits (PostgreSQL would refuse)."""
    if value is None:
        return None
    _max_length, quantum, max_int_digits = field_limits(model, attname)
    if value.adjusted() + 1 > max_int_digits:
        raise CellProblem(_('number too large: "%(value)s"') % {"value": value})
    rounded = value.quantize(quantum)
    if rounded.adjusted() + 1 > max_int_digits:
        raise CellProblem(_('number too large: "%(value)s"') % {"value": value})
    return rounded


@functools.cache
def integer_range(model, attname: str) -> tuple[int | None, int | None]:
    """(least, greatest) value of an integer model field on the database; (None, None) otherwise."""
    from django.db import connection

    model_field = model._meta.get_field(attname)
    if isinstance(model_field, models.IntegerField | models.BigIntegerField | models.SmallIntegerField):
        return connection.ops.integer_field_range(model_field.get_internal_type())
    return None, None


def check_field(model, attname: str, value: Any) -> Any:
    """``value`` as the model field ``attname`` stores it: a decimal rounded to its places; a text no
    longer than its length, an integer within its range, or :class:`CellProblem`."""
    max_length, quantum, _digits = field_limits(model, attname)
    if quantum is not None and isinstance(value, Decimal):
        return fit_decimal(model, attname, value)
    if max_length and isinstance(value, str) and len(value) > max_length:
        raise CellProblem(_("too long (at most %(n)s characters)") % {"n": max_length})
    if type(value) is int:
        least, greatest = integer_range(model, attname)
        if (least is not None and value < least) or (greatest is not None and value > greatest):
            raise CellProblem(_('number too large: "%(value)s"') % {"value": value})
    return value


def identifier_parser(pattern: re.Pattern = CODE_RE, allowed=CODE_ALLOWED):
    """A parser of identifiers: NFKC, format characters removed, whitespace stripped; then only the
    characters ``pattern`` allows, or a :class:`CellProblem` naming the others."""

    # Both patterns allow every ASCII letter and digit: such a text needs no regular expression.
    alnum_allowed = pattern in (CODE_RE, USERNAME_RE)

    def parse(value: Any) -> str:
        # Plain ASCII of the allowed characters is what normalisation would give back: skip it.
        if (
            type(value) is str
            and value.isascii()
            and ((alnum_allowed and value.isalnum()) or pattern.fullmatch(value))
        ):
            return value
        try:
            return clean_identifier(cell_text(value), pattern, allowed)
        except IdentifierError as error:
            raise CellProblem(str(error)) from None

    return parse


#: Account numbers, codes, meter and asset numbers, certificate and employee numbers.
parse_code = identifier_parser(CODE_RE, CODE_ALLOWED)
#: Login names, as Django's username validator allows them.
parse_username = identifier_parser(USERNAME_RE, USERNAME_ALLOWED)

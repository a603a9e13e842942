"""The base of every list table (django-tables2): compact, sortable by column header, one template."""

import functools
import weakref

import django_tables2 as tables
from django.template import Template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_tables2 import utils as tables_utils
from django_tables2.columns import templatecolumn

ATTRS = {"class": "table table-sm table-hover align-middle gc-table"}
#: A column of free text (a name, an address, a tariff's name, a reason): its cells wrap on a desk screen
#: rather than push a list of many columns wider than its card (on a phone the list scrolls sideways).
TEXT = {"td": {"class": "gc-text-cell"}}
#: A column of long text that wraps on every screen, a phone's included, within a bounded width (a rule's
#: title, a finding's thresholds): read where a list of a few columns should not scroll sideways.
WRAP = {"td": {"class": "gc-wrap-cell"}}
#: A column of figures: right-aligned, never wrapped.
NUM = {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}}


def class_badge(value: str, label: str):
    """A coloured badge of a customer's inspection class (A/B/C), escaped."""
    return format_html('<span class="badge gc-badge-class-{}">{}</span>', value, label)


class BaseTable(tables.Table):
    class Meta:
        attrs = ATTRS
        empty_text = _("No records.")
        template_name = "includes/table.html"


_SIGNATURES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_UNCACHED_SIGNATURE = tables_utils.signature


def _cached_signature(fn):
    """``django_tables2.utils.signature`` computed once per function instead of once per cell.

    django-tables2 inspects the signature of a column's ``render`` before every cell it renders (fifty rows
    of ten columns: five hundred ``inspect.signature`` calls, a fifth of a list page's time). A function's
    signature does not change, so it is kept per function (per underlying function and whether it is
    bound, since binding removes ``self``); callables that cannot be weakly referenced are not cached.
    """
    func = getattr(fn, "__func__", fn)
    try:
        by_binding = _SIGNATURES.get(func)
    except TypeError:
        return _UNCACHED_SIGNATURE(fn)
    bound = func is not fn
    if by_binding is None:
        by_binding = _SIGNATURES[func] = {}
    if bound not in by_binding:
        by_binding[bound] = _UNCACHED_SIGNATURE(fn)
    return by_binding[bound]


tables_utils.signature = _cached_signature


@functools.lru_cache(maxsize=256)
def _compiled_template(template_code: str) -> Template:
    """A ``TemplateColumn``'s template code compiled once instead of once per cell.

    django-tables2's ``TemplateColumn.render`` calls ``Template(template_code)`` for every cell, and
    ``DateColumn`` and ``DateTimeColumn`` are template columns (``{{ value|date:"Y-m-d"|default:default }}``):
    a list of fifty rows with two date columns compiled a hundred templates per page. A compiled template
    is rendered with each cell's own context, as Django renders every cached template; the code strings
    are the columns' own (a handful per table class), so the cache stays small.
    """
    return Template(template_code)


templatecolumn.Template = _compiled_template


_VERBOSE_NAMES: dict = {}
_UNCACHED_VERBOSE_NAME = tables.columns.BoundColumn.verbose_name


def _kept_verbose_name(self):
    """``BoundColumn.verbose_name`` worked out once per table class, column and model.

    Without a ``verbose_name`` of its own a column's header is its model field's ``verbose_name``, found
    by walking its accessor through the model and capitalised by ``capfirst`` (which makes a lazy string
    of a lazy one): a millisecond per header, some ten per table, on every page. The text is the same
    object each time (a lazy one is translated when the header is rendered, in the reader's language).
    """
    if self.column.verbose_name is not None:
        return self.column.verbose_name
    model = getattr(self._table.data, "model", None)
    key = (type(self._table), self.name, str(self.accessor), model)
    try:
        return _VERBOSE_NAMES[key]
    except KeyError:
        value = _VERBOSE_NAMES[key] = _UNCACHED_VERBOSE_NAME.fget(self)
        return value
    except TypeError:  # a key that cannot be hashed
        return _UNCACHED_VERBOSE_NAME.fget(self)


tables.columns.BoundColumn.verbose_name = property(_kept_verbose_name)


_FIELDS: dict = {}
_UNCACHED_GET_FIELD = tables_utils.Accessor.get_field


def _kept_get_field(self, model):
    """``Accessor.get_field`` (the model field an accessor ends on, following relations) kept per accessor
    and model: django-tables2 asks it for every cell of a page (whether the field has choices to show by
    their labels), and a model's fields do not change while the process runs."""
    key = (str(self), model if isinstance(model, type) else type(model))
    try:
        return _FIELDS[key]
    except KeyError:
        field = _FIELDS[key] = _UNCACHED_GET_FIELD(self, model)
        return field
    except TypeError:  # a key that cannot be hashed
        return _UNCACHED_GET_FIELD(self, model)


tables_utils.Accessor.get_field = _kept_get_field

"""The rows of a list table written in Python: the markup of django-tables2's ``table.tbody`` block.

django-tables2 renders every cell through its template (``{% for column, cell in row.items %}`` with
``column.attrs.td.as_html`` and the localize switch): fifty rows of ten columns were five hundred passes
through the template engine, most of a list page's time. ``{% table_rows table %}`` writes the same
markup from Python: each cell's value rendered as ``{{ cell }}`` renders it (local time, localized,
escaped unless already safe) and the column's ``td`` attributes, computed once per column unless they
depend on the record (a callable), then per cell as django-tables2 does.

A list page's rows (``ScopedListView``) are kept ``GRIDCHECK_LIST_ROWS_CACHE_S`` seconds in the cache under
the page's query (its SQL with the scope's filters, the page number and the rows' keys), the table and
its columns, the reader's scope and role (``scope_key``), the language and time zone, and the write
generation (``core.pagecache``): the next reader of the same page of the same scope gets the same markup
without computing five hundred cells again; any write through a page forgets it.
"""

import hashlib

from django import template
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db import models
from django.utils import formats
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import get_current_timezone_name, template_localtime
from django.utils.translation import get_language
from django_tables2 import Column, DateColumn, DateTimeColumn, Table, TemplateColumn, TimeColumn
from django_tables2.utils import Accessor

from gridcheck.core.pagecache import lifetime

register = template.Library()

#: Plain columns' cells worked out here rather than through django-tables2's per-cell steps
#: (``_plain_cell``); off, every cell goes through ``BoundRow.get_cell`` (the tests compare both).
FAST_CELLS = True


def _has_callable(attrs) -> bool:
    return any(callable(v) or (isinstance(v, dict) and _has_callable(v)) for v in dict(attrs).values())


def _cell_html(value, localize) -> str:
    """``{{ cell }}`` (``localize`` None), ``{{ cell|localize }}`` or ``{{ cell|unlocalize }}``."""
    value = template_localtime(value)
    if localize is None:
        value = formats.localize(value)
    else:
        value = str(formats.localize(value, use_l10n=bool(localize)))
    if not isinstance(value, str):
        value = str(value)
    return conditional_escape(value)


#: Template columns whose template is django-tables2's own (the value formatted, nothing of the page).
_PLAIN_TEMPLATE_COLUMNS = (DateColumn, DateTimeColumn, TimeColumn)


def rows_keepable(table) -> bool:
    """Whether ``table``'s rows may be kept and shown to another reader of the same scope: not when a
    column renders a template of its own, which sees the whole page (its forms, a ``{% csrf_token %}``
    that is the reader's own)."""
    return not any(
        isinstance(column.column, TemplateColumn) and not isinstance(column.column, _PLAIN_TEMPLATE_COLUMNS)
        for column in table.columns
    )


def _rows_key(context, table, part: str = "") -> str | None:
    """The cache key of ``table``'s rows on a list page, or None where they are not kept: not a list
    page's own table, a table with its own constructor (what it was given may change its cells), no page,
    not a query, or the cache switched off (``GRIDCHECK_LIST_ROWS_CACHE_S`` 0)."""
    from gridcheck.core.generic import ScopedListView
    from gridcheck.core.pagecache import generation
    from gridcheck.core.scoping import scope_key

    # {% render_table %} renders the table's template in a context of its own; the page's is table.context
    view = (getattr(table, "context", None) or context).get("view")
    request = context.get("request")
    if (
        not getattr(settings, "GRIDCHECK_LIST_ROWS_CACHE_S", 0)
        or not isinstance(view, ScopedListView)
        or getattr(view, "table", None) is not table
        or type(table).__init__ is not Table.__init__
        or not rows_keepable(table)
        or request is None
        or not request.user.is_authenticated
    ):
        return None
    page = getattr(table, "page", None)
    queryset = getattr(getattr(table, "data", None), "data", None)
    if page is None or not hasattr(queryset, "query"):
        return None
    found = getattr(page.object_list, "query", None)  # generic.PageRows: the query that found the keys
    if found:
        # Its SQL (the filters, the scope, the order) with the view and the whole query string stand for
        # the rows' query, whose columns (joins, computed ones) the view's code sets: not compiled again.
        # (A list's computed columns depend on nothing of the reader's beyond the scope, ``scope_key``.)
        sql, params = found
        sql = f"{type(view).__module__}.{type(view).__qualname__}|{request.GET.urlencode()}|{sql}"
        keys = page.object_list.keys  # the records not read for the key
    else:
        compiled = getattr(table, "_gc_rows_sql", None)  # the rows' and the cards' key: compiled once
        if compiled is None:
            try:
                compiled = queryset.query.sql_with_params()
            except EmptyResultSet:
                compiled = ()
            table._gc_rows_sql = compiled
        if not compiled:
            return None
        sql, params = compiled
        keys = [getattr(row.record, "pk", None) for row in page.object_list]
    what = (
        f"{type(table).__module__}.{type(table).__qualname__}|{','.join(table.columns.names())}|{queryset.db}|"
        f"{sql}|{params!r}|{page.number}|{keys!r}|{get_language()}|{get_current_timezone_name()}|"
        f"{scope_key(request.user)}|{generation(request.user)}|{part}"
    )
    return "gridcheck:rows:" + hashlib.sha256(what.encode()).hexdigest()


@register.simple_tag(takes_context=True, name="table_rows")
def table_rows_tag(context, table):
    """The ``<tr>`` rows of ``table``'s page (or all its rows when not paginated), or its empty text;
    a list page's rows kept a minute per page and scope (``_rows_key``)."""
    key = _rows_key(context, table)
    if key is not None:
        html = cache.get(key)
        if html is not None:
            return mark_safe(html)  # noqa: S308 - the markup written below, every piece escaped
    html = table_rows(table)
    if key is not None:
        cache.set(key, str(html), lifetime(settings.GRIDCHECK_LIST_ROWS_CACHE_S))
    return html


def _kept_render(key: str | None, nodelist, context):
    """``nodelist`` rendered, or its markup kept under ``key`` (None: not kept) for the list rows' time."""
    if key is not None:
        html = cache.get(key)
        if html is not None:
            return html
    html = nodelist.render(context)
    if key is not None:
        cache.set(key, str(html), lifetime(settings.GRIDCHECK_LIST_ROWS_CACHE_S))
    return html


class KeptWithRowsNode(template.Node):
    """``{% kept_with_rows table "part" %}...{% endkept_with_rows %}``: markup of a page drawn from the
    table's page of rows (the suspect list's phone cards) kept under the rows' key and ``part``."""

    def __init__(self, table, part: str, nodelist):
        self.table, self.part, self.nodelist = table, part, nodelist

    def render(self, context):
        request = context.get("request")
        # The part may show the query string itself (the table's sort links and pager).
        query = request.GET.urlencode() if request is not None else ""
        key = _rows_key(context, self.table.resolve(context), f"part:{self.part}|{query}")
        return _kept_render(key, self.nodelist, context)


@register.tag("kept_with_rows")
def kept_with_rows(parser, token):
    """Keep what the block renders like the table's rows (``_rows_key``): for markup drawn only from the
    page's records, the scope and the language, nothing of the reader's own (no form with its token)."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[2][0] not in "\"'" or bits[2][0] != bits[2][-1]:
        raise template.TemplateSyntaxError(
            'usage: {% kept_with_rows table "part" %}...{% endkept_with_rows %}'
        )
    nodelist = parser.parse(("endkept_with_rows",))
    parser.delete_first_token()
    return KeptWithRowsNode(parser.compile_filter(bits[1]), bits[2][1:-1], nodelist)


def _is_plain(bound_column) -> bool:
    """Whether a column's cell is its value with nothing of its own: django-tables2's ``Column`` itself,
    without a ``render_<name>`` of its table (a link is allowed)."""
    return (
        type(bound_column.column) is Column
        and getattr(bound_column.render, "__func__", None) is Column.render
        and getattr(bound_column.render, "__self__", None) is bound_column.column
    )


def _plain_cell(row, bound_column, accessor: Accessor, single: bool):
    """``row.get_cell(name)`` of a plain column (``_is_plain``): django-tables2's own steps
    (``BoundRow._get_and_render_with`` and ``_call_render``) without what a plain column does not need
    per cell (the accessor built again, the column looked up by name, the render method's arguments
    worked out from its signature): a choice shown by its label, else the accessor's value; the column's
    default for an empty value; the column's link around it."""
    record = row.record
    if single:  # no relation to follow: the record itself holds the value
        penultimate, remainder = record, str(accessor)
    else:
        penultimate, remainder = accessor.penultimate(record)
    value = None
    if isinstance(penultimate, models.Model):
        try:
            field = accessor.get_field(record)
            display_fn = getattr(penultimate, f"get_{remainder}_display", None)
            if getattr(field, "choices", ()) and display_fn:
                value = display_fn()
                remainder = None
        except FieldDoesNotExist:
            pass
    if remainder:
        try:
            value = accessor.resolve(record)
        except Exception:  # noqa: BLE001, S110 - django-tables2 shows the default for a path it cannot follow
            pass
    column = bound_column.column
    if value in column.empty_values:
        return bound_column.default
    if bound_column.link:
        return bound_column.link(
            value,
            value=value,
            record=record,
            column=column,
            bound_column=bound_column,
            bound_row=row,
            table=row.table,
        )
    return value


def _row_cells(row, plans):
    """``row.items()``: each visible column with its cell, the plain ones through ``_plain_cell``."""
    for bound_column, plan in plans:
        if plan is None:
            value = row.get_cell(bound_column.name)
        else:
            value = _plain_cell(row, bound_column, *plan)
        bound_column.current_value = value
        bound_column.current_record = row.record
        yield bound_column, value


def table_rows(table):
    """The ``<tr>`` rows of ``table``'s page (or all its rows when not paginated), or its empty text."""
    rows = table.paginated_rows
    parts = []
    static_td: dict[str, str] = {}
    per_cell = _has_callable(table.attrs)
    plans = []
    for bound_column in table.columns:
        plan = None
        if FAST_CELLS and _is_plain(bound_column):
            accessor = Accessor(bound_column.accessor)
            plan = (accessor, Accessor.SEPARATOR not in accessor and "." not in accessor)
        plans.append((bound_column, plan))
    for row in rows:
        cells = []
        for column, cell in _row_cells(row, plans):
            if per_cell or _has_callable(column.column.attrs):
                td = column.attrs["td"].as_html()
            else:
                td = static_td.get(column.name)
                if td is None:
                    td = static_td[column.name] = column.attrs["td"].as_html()
            cells.append(f"<td {td}>{_cell_html(cell, column.localize)}</td>")
        parts.append(f"<tr {row.attrs.as_html()}>{''.join(cells)}</tr>")
    if not parts and table.empty_text:
        parts.append(format_html('<tr><td colspan="{}">{}</td></tr>', len(table.columns), table.empty_text))
    return mark_safe("\n".join(parts))  # noqa: S308 - every piece above is escaped or built by format_html


def _list_part_key(context, part: str) -> str | None:
    """The cache key of a part of a list page drawn from its query string and the reader's scope alone
    (its filter form: the fields, their options from the scope, the values chosen), or None where it is
    not kept: not a list page, no logged-in reader, or the cache switched off."""
    from gridcheck.core.generic import ScopedListView
    from gridcheck.core.pagecache import generation
    from gridcheck.core.scoping import scope_key

    view, request = context.get("view"), context.get("request")
    if (
        not getattr(settings, "GRIDCHECK_LIST_ROWS_CACHE_S", 0)
        or not isinstance(view, ScopedListView)
        or request is None
        or not request.user.is_authenticated
    ):
        return None
    query = sorted((k, v) for k, values in request.GET.lists() if k != "page" for v in values)
    what = (
        f"{type(view).__module__}.{type(view).__qualname__}|{request.path}|{query!r}|{get_language()}|"
        f"{get_current_timezone_name()}|{scope_key(request.user)}|{generation(request.user)}|{part}"
    )
    return "gridcheck:list-part:" + hashlib.sha256(what.encode()).hexdigest()


class KeptForScopeNode(template.Node):
    """``{% kept_for_scope "part" %}...{% endkept_for_scope %}`` on a list page (``_list_part_key``)."""

    def __init__(self, part: str, nodelist):
        self.part, self.nodelist = part, nodelist

    def render(self, context):
        return _kept_render(_list_part_key(context, self.part), self.nodelist, context)


@register.tag("kept_for_scope")
def kept_for_scope(parser, token):
    """Keep what the block renders a minute per list page, query string (less the page number), scope,
    role and language: markup of the scope's options and the chosen filters, nothing of the reader's own
    (no form with its token). The filter form: some four hundred options of a county's areas, rendered
    on every page before."""
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('usage: {% kept_for_scope "part" %}...{% endkept_for_scope %}')
    nodelist = parser.parse(("endkept_for_scope",))
    parser.delete_first_token()
    return KeptForScopeNode(bits[1][1:-1], nodelist)

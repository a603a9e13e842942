"""The rows of a list table written in Python: the markup of django-tables2's ``table.tbody`` block.

django-tables2 renders every cell through its template (``{% for column, cell in row.items %}`` with
``column.attrs.td.as_html`` and the localize switch): fifty rows of ten columns were five hundred passes
through the template engine, most of a list page's time. ``{% table_rows table %}`` writes the same
markup from Python: each cell's value rendered as ``{{ cell }}`` renders it (local time, localized,
escaped unless already safe) and the column's ``td`` attributes, computed once per column unless they
depend on the record (a callable), then per cell as django-tables2 does.
"""

from django import template
from django.utils import formats
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

register = template.Library()


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


@register.simple_tag
def table_rows(table):
    """The ``<tr>`` rows of ``table``'s page (or all its rows when not paginated), or its empty text."""
    rows = table.paginated_rows
    parts = []
    static_td: dict[str, str] = {}
    per_cell = _has_callable(table.attrs)
    for row in rows:
        cells = []
        for column, cell in row.items():
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

"""The two renderers that write HTML in Python (table rows, filter selects) escape every value that comes
from data: a name typed as markup reads as text."""

from unittest import mock

import django_tables2 as tables
from django import forms

from gridcheck.core import generic
from gridcheck.core.generic import SELECT_TEMPLATE, fast_select
from gridcheck.core.templatetags.gc_tables import table_rows

MARKUP = '<script>alert("x")</script>'


class _Table(tables.Table):
    name = tables.Column()


def test_table_rows_escape_cell_values():
    html = table_rows(_Table([{"name": MARKUP}]))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_fast_select_escapes_labels_values_and_attributes():
    widget = forms.Select(choices=[('"><b>', MARKUP)], attrs={"title": '"onmouseover="x'})
    widget.template_name = SELECT_TEMPLATE
    fast_select(widget)
    with mock.patch.object(generic, "_select_html", wraps=generic._select_html) as python_path:
        html = widget.render("area", '"><b>')
    assert python_path.called
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html
    assert 'title="&quot;onmouseover=&quot;x"' in html
    assert "selected" in html

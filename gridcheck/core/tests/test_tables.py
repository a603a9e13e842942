"""The list tables' signature cache gives django-tables2 the same answers, computed once per function."""

from unittest import mock

import django_tables2 as tables
from django_tables2 import utils as tables_utils

from gridcheck.core import tables as core_tables


class _Table(core_tables.BaseTable):
    name = tables.Column()
    code = tables.Column()

    def render_code(self, value, record):
        return f"<{value}>"


def _plain(value, *args, record=None, **kwargs):
    return value


def test_same_answers_as_django_tables2_for_bound_and_plain_functions():
    uncached = core_tables._UNCACHED_SIGNATURE
    table = _Table([])
    for fn in (table.render_code, _Table.render_code, _plain, lambda value: value):
        assert core_tables._cached_signature(fn) == uncached(fn)
    # binding removes ``self``: the bound and the plain function are cached apart
    assert core_tables._cached_signature(table.render_code)[0] == ("value", "record")
    assert core_tables._cached_signature(_Table.render_code)[0] == ("self", "value", "record")
    assert tables_utils.signature is core_tables._cached_signature


def test_a_table_inspects_each_render_function_once_not_once_per_cell():
    rows = [{"name": f"客户{n}", "code": f"C{n}"} for n in range(40)]
    with mock.patch.object(tables_utils.inspect, "signature", wraps=tables_utils.inspect.signature) as spy:
        first = [[cell for _, cell in row.items()] for row in _Table(rows).rows]
        calls_first = spy.call_count
        second = [[cell for _, cell in row.items()] for row in _Table(rows).rows]
    assert first == second and first[3] == ["客户3", "<C3>"]
    assert calls_first <= 2 * 2  # at most one per column function, bound and unbound
    assert spy.call_count - calls_first <= 2  # a second table of the same class: new bound columns only


class _Dated(core_tables.BaseTable):
    day = tables.DateColumn(format="Y-m-d")
    at = tables.DateTimeColumn(format="Y-m-d H:i")


def test_a_template_column_is_compiled_once_not_once_per_cell():
    """``DateColumn`` and ``DateTimeColumn`` are template columns: their code is compiled once, and each
    cell still renders its own value (the ``date`` filter in the local time, the default when empty)."""
    import datetime

    from django.utils import timezone

    core_tables._compiled_template.cache_clear()
    at = datetime.datetime(2025, 3, 31, 17, 5, tzinfo=datetime.UTC)  # 2025-04-01 01:05 in Asia/Shanghai
    rows = [{"day": datetime.date(2025, 1, n + 1), "at": at} for n in range(20)] + [{"day": None, "at": None}]
    with mock.patch.object(core_tables, "Template", wraps=core_tables.Template) as spy:
        cells = [[cell for _, cell in row.items()] for row in _Dated(rows).rows]
        again = [[cell for _, cell in row.items()] for row in _Dated(rows).rows]
    assert spy.call_count == 2  # one per column's template code, across both tables
    assert cells == again
    assert timezone.get_current_timezone_name() == "Asia/Shanghai"
    assert cells[3] == ["2025-01-04", "2025-04-01 01:05"]
    assert cells[-1] == ["—", "—"]

"""Several counts in one query: ``count_together([qs1, qs2, ...]) == [qs1.count(), qs2.count(), ...]``.

The home page's to-do list counts some thirty querysets over a dozen tables; each ``.count()`` is a round
trip to the database and a query's worth of Django's work around it. Here every queryset is compiled as it
is (its scope, filters, joins, ``distinct()``) and counted as a scalar subquery of one ``SELECT``::

    SELECT (SELECT COUNT(*) FROM (<qs1>) AS c0), (SELECT COUNT(*) FROM (<qs2>) AS c1), ...

``COUNT(*)`` of a queryset's rows is what ``QuerySet.count()`` returns (for a ``distinct()`` or a
``values()`` queryset too: the rows are the distinct rows it selects).
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connections
from django.db.models import QuerySet

#: At most this many counts in one statement (SQLite allows 999 parameters in old builds).
MAX_COUNTS_PER_QUERY = 40


def _subquery(queryset: QuerySet) -> tuple[str, tuple]:
    if queryset.query.is_sliced:
        return queryset.query.get_compiler(using=queryset.db).as_sql()
    query = queryset.order_by()
    if query._fields is None and not query.query.annotations:
        # Rows of a model: their keys are enough to count them (a distinct row is a distinct key).
        query = query.values("pk")
    return query.query.get_compiler(using=queryset.db).as_sql()


def count_together(querysets: list[QuerySet]) -> list[int]:
    """``[qs.count() for qs in querysets]`` in one query per database (and per ``MAX_COUNTS_PER_QUERY``)."""
    counts: list[int | None] = [None] * len(querysets)
    by_db: dict[str, list[int]] = defaultdict(list)
    for index, queryset in enumerate(querysets):
        if queryset.query.is_empty():
            counts[index] = 0  # .none(): nothing to ask
        else:
            by_db[queryset.db].append(index)
    for db, indexes in by_db.items():
        for start in range(0, len(indexes), MAX_COUNTS_PER_QUERY):
            chunk = indexes[start : start + MAX_COUNTS_PER_QUERY]
            parts, params = [], []
            for n, index in enumerate(chunk):
                sql, sql_params = _subquery(querysets[index])
                parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS gridcheck_count{n})")
                params.extend(sql_params)
            with connections[db].cursor() as cursor:
                cursor.execute("SELECT " + ", ".join(parts), params)
                row = cursor.fetchone()
            for index, value in zip(chunk, row, strict=True):
                counts[index] = int(value)
    return counts

"""What pages keep a minute in Django's cache, and the one mark that forgets it all after a write.

Every request that may have written something (any method but GET, HEAD, OPTIONS, TRACE) changes the
generation (``note_write``, from ``core.middleware.WriteGenerationMiddleware``); what is kept under a key
that names the generation (``generation()``) is not found again after it: the home page's to-do counts
(``core.views.home_todos``) and the rendered rows of a list page (``templatetags.gc_tables``). What changes
without a request through a page (imports, nightly jobs, the worker) shows once the kept copy is older than
its time (60 s).
"""

import random
import time

from django.core.cache import cache

GENERATION_KEY = "gridcheck:writes:generation"


def generation() -> int:
    """The current generation: a number that changes after every request that may have written."""
    return cache.get(GENERATION_KEY, 0)


def note_write() -> None:
    """Start a new generation: everything kept under the previous one is forgotten."""
    cache.set(GENERATION_KEY, time.time_ns(), None)


def lifetime(seconds: float) -> float:
    """How long to keep a copy meant to be kept ``seconds`` [s]: a random share of the last quarter less,
    so that copies made at the same moment (every page of every scope after a write, or a worker's
    start) are not all computed again at the same second, a burst of cold pages that made the tail
    of the response times. Never longer than ``seconds``: what changes without a request still shows
    within that time."""
    return seconds * (1.0 - 0.25 * random.random())  # noqa: S311 - spreading expiries, not a secret


def kept(name: str, what: tuple, compute):
    """``compute()`` (figures over a list: its charts, its options) kept ``GRIDCHECK_LIST_ROWS_CACHE_S``
    seconds, as a list page's rows are, under ``name``, ``what`` it is computed from (the scope, the
    filters), the language (of any label) and the generation: computed once a minute, not per request."""
    import hashlib

    from django.conf import settings
    from django.utils.translation import get_language

    seconds = getattr(settings, "GRIDCHECK_LIST_ROWS_CACHE_S", 0)
    if not seconds:
        return compute()
    key = (
        "gridcheck:kept:"
        + hashlib.sha256(f"{name}|{what!r}|{get_language()}|{generation()}".encode()).hexdigest()
    )
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, lifetime(seconds))
    return value


def kept_for_query(name: str, queryset, compute):
    """``kept`` under the query of ``queryset`` (its SQL with the scope's filters and the reader's own,
    "assigned to me"): ``compute()`` is a function of that queryset's rows."""
    from django.core.exceptions import EmptyResultSet

    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return compute()
    return kept(name, (queryset.db, sql, params), compute)

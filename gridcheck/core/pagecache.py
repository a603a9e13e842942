"""What pages keep a minute in Django's cache, and the marks that forget it after a write.

Every request that may have written something (any method but GET, HEAD, OPTIONS, TRACE) changes the
generation (``note_write``, from ``core.middleware.WriteGenerationMiddleware``); what is kept under a key
that names the reader's generation (``generation(user)``) is not found again after it: the home page's
to-do counts (``core.views.home_todos``), the rendered rows, table and filters of a list page
(``templatetags.gc_tables``) and the figures over a list (``kept``). What changes without a request through
a page (imports, nightly jobs, the worker) shows once the kept copy is older than its time (60 s).

A station's staff may read and write only their station's records (``core.scoping``), so a write by one
station's user changes nothing another station's staff can see: their generation is their own station's
writes and the county's (the county-level users', the portal's, any write whose writer is not one
station's staff). A county-level reader's generation changes with every write. Before, every write forgot
every kept copy of every station: with a county's counters taking payments all day, the pages of the other
stations were computed afresh on nearly every visit.
"""

import random
import time

from django.core.cache import cache

#: Changes with every write: the generation of county-level readers.
GENERATION_KEY = "gridcheck:writes:generation"
#: Changes with every write not made by one station's staff (the county's users, the portal, the API
#: without a known writer).
COUNTY_WRITES_KEY = "gridcheck:writes:generation:county"


def _station_key(station_id) -> str:
    return f"gridcheck:writes:generation:station:{station_id}"


def _station_of(user):
    """The station whose records are all ``user`` may read or write, or None: county-level users,
    superusers, the portal's customers (who see across areas only their own), anonymous requests."""
    if user is None or not getattr(user, "is_authenticated", False) or getattr(user, "is_superuser", False):
        return None
    if getattr(user, "role", None) in (None, "customer"):
        return None
    return getattr(user, "station_id", None)


def generation(user=None):
    """The generation a reader's kept copies are named by: for one station's staff their station's writes
    and the county's; for anyone else (and without ``user``) every write."""
    station = _station_of(user)
    if station is None:
        return cache.get(GENERATION_KEY, 0)
    found = cache.get_many([COUNTY_WRITES_KEY, _station_key(station)])
    return f"{found.get(COUNTY_WRITES_KEY, 0)}:{station}:{found.get(_station_key(station), 0)}"


def note_write(user=None) -> None:
    """Start a new generation after a write by ``user`` (None: unknown): what every county-level reader
    keeps is forgotten, and what the writer's station (or, for a writer who is not one station's staff,
    every station) keeps."""
    now = time.time_ns()
    station = _station_of(user)
    marks = {GENERATION_KEY: now}
    marks[COUNTY_WRITES_KEY if station is None else _station_key(station)] = now
    cache.set_many(marks, None)


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

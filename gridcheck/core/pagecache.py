"""What pages keep a minute in Django's cache, and the one mark that forgets it all after a write.

Every request that may have written something (any method but GET, HEAD, OPTIONS, TRACE) changes the
generation (``note_write``, from ``core.middleware.WriteGenerationMiddleware``); what is kept under a key
that names the generation (``generation()``) is not found again after it: the home page's to-do counts
(``core.views.home_todos``) and the rendered rows of a list page (``templatetags.gc_tables``). What changes
without a request through a page (imports, nightly jobs, the worker) shows once the kept copy is older than
its time (60 s).
"""

import time

from django.core.cache import cache

GENERATION_KEY = "gridcheck:writes:generation"


def generation() -> int:
    """The current generation: a number that changes after every request that may have written."""
    return cache.get(GENERATION_KEY, 0)


def note_write() -> None:
    """Start a new generation: everything kept under the previous one is forgotten."""
    cache.set(GENERATION_KEY, time.time_ns(), None)

"""Python's cyclic garbage collector, paused while a run makes millions of small objects."""

from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def gc_paused():
    """The cyclic garbage collector off inside the block, then as it was (usable as a decorator).

    A run that makes rows by the million (a bill run's rows, the scores' reason lists, an import's
    parsed cells) forms almost no reference cycles, but the collector, triggered every few hundred
    allocations, walks every object still alive each time: 20-40 % of such a run's CPU. Cycles made
    inside are collected once the collector runs again. The switch is process-wide: other threads run
    without it for as long.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()

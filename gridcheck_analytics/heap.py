"""The C heap kept between the months of a run (glibc's ``malloc``), so that each month reuses memory.

Each month of the monthly run allocates about as much memory as the month before freed: the readings as
matrices, the kernel's series, the Arrow tables.  By default glibc gives each large block pages of its
own from the kernel (``mmap``) and hands them back when freed, so every month touches fresh pages: a page
fault and a page zeroed by the kernel for every 4 KiB, about a quarter of a year's CPU on 2 cores
(1,000,000 meters: 5.7 million faults, 19 s of system time in a 47 s year).  Within :func:`heap_kept`
large blocks come from the heap and freed memory stays in it: 4.4 million faults, 15 s.  On leaving,
glibc's defaults are back and the free memory of the heap is returned to the system (``malloc_trim``).
Elsewhere than glibc (musl, macOS, Windows) it does nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import threading
from collections.abc import Iterator

#: ``mallopt`` parameters (glibc's ``malloc.h``) and their defaults.
M_TRIM_THRESHOLD = -1
M_MMAP_MAX = -4
DEFAULT_TRIM_THRESHOLD = 128 * 1024
DEFAULT_MMAP_MAX = 65536

_lock = threading.Lock()
_depth = 0


def _glibc():
    """The process's C library where it is glibc (it has ``mallopt`` and ``malloc_trim``), else None."""
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        libc.gnu_get_libc_version  # noqa: B018 - glibc only
    except (OSError, AttributeError):
        return None
    return libc


_LIBC = _glibc()


@contextlib.contextmanager
def heap_kept() -> Iterator[bool]:
    """Within: large blocks from the heap, freed memory kept (see the module); yields whether it applies.
    Nested or in several threads at once, the outermost exit restores the defaults."""
    global _depth
    if _LIBC is None:
        yield False
        return
    with _lock:
        _depth += 1
        if _depth == 1:
            _LIBC.mallopt(M_MMAP_MAX, 0)
            _LIBC.mallopt(M_TRIM_THRESHOLD, 2**31 - 1)
    try:
        yield True
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                _LIBC.mallopt(M_MMAP_MAX, DEFAULT_MMAP_MAX)
                _LIBC.mallopt(M_TRIM_THRESHOLD, DEFAULT_TRIM_THRESHOLD)
                _LIBC.malloc_trim(0)

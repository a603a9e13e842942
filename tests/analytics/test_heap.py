"""``heap.heap_kept``: within it, memory freed by one step is reused by the next without fresh pages."""

import platform
import resource

from gridcheck_analytics import heap

MB = 1 << 20


def _faults_of_two_allocations(size: int) -> tuple[int, int]:
    """Page faults of filling ``size`` bytes, freeing them, and filling as many again."""
    faults = []
    for _ in range(2):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        block = bytearray(size)  # malloc, then every page written (not NumPy: it asks for huge pages)
        faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
        del block
    return faults[0], faults[1]


def test_memory_freed_within_is_reused_without_fresh_pages():
    size = 256 * MB
    pages = size // resource.getpagesize()
    with heap.heap_kept() as applies:
        assert applies == (platform.libc_ver()[0] == "glibc")
        if applies:
            with heap.heap_kept():  # nested: the outer one still holds after the inner one ends
                pass
            first, second = _faults_of_two_allocations(size)
            assert first > pages // 2  # fresh pages the first time
            assert second < pages // 10  # the same pages again
    if applies:
        # outside, glibc's defaults are back: a large block has pages of its own, fresh each time
        first, second = _faults_of_two_allocations(size)
        assert first > pages // 2 and second > pages // 2

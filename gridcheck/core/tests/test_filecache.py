"""The file cache counts its files (to cull them) at most once every ``CULL_EVERY_S`` seconds per process,
not on every write, and still culls past ``MAX_ENTRIES``."""

from unittest import mock

from gridcheck.core import filecache


def test_the_cache_counts_its_files_once_in_a_while_and_still_culls(tmp_path, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(filecache.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(filecache, "_culled_at", {})
    cache = filecache.FileBasedCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 30, "CULL_FREQUENCY": 3}})
    with mock.patch.object(cache, "_list_cache_files", wraps=cache._list_cache_files) as listed:
        for n in range(60):
            cache.set(f"key{n}", n, 300)
        assert listed.call_count == 1  # the first write only; Django's lists the folder on each of the 60
        assert len(cache._list_cache_files()) == 60  # beyond MAX_ENTRIES until the next cull
        clock[0] += filecache.CULL_EVERY_S + 1
        cache.set("one-more", 1, 300)
        assert listed.call_count == 3  # the count above, then the cull of this write
    assert len(cache._list_cache_files()) <= 60 - 60 // 3 + 1
    assert cache.get("one-more") == 1

"""Frame cache bound and prefetch ordering, as navigation would exercise them."""

from __future__ import annotations

import threading
import tracemalloc

import numpy as np
import pytest

from imgmarker.kernel.display.prefetch import FrameCache, Prefetcher, Priority, iter_neighbours


def frame(h=64, w=64, value=0):
    return np.full((h, w, 3), value, dtype=np.uint8)


def test_cache_evicts_least_recently_used_within_byte_bound():
    one = frame().nbytes
    cache = FrameCache(3 * one)
    for i in range(3):
        assert cache.put(("img", i, "k"), frame(value=i))
    cache.get(("img", 0, "k"))  # touch: 1 is now the oldest
    cache.put(("img", 3, "k"), frame(value=3))
    assert ("img", 1, "k") not in cache
    assert ("img", 0, "k") in cache and ("img", 3, "k") in cache
    assert cache.nbytes == 3 * one
    assert cache.get(("img", 3, "k"))[0, 0, 0] == 3


def test_cache_refuses_a_frame_larger_than_the_bound():
    cache = FrameCache(1000)
    assert not cache.put("big", np.zeros(2000, np.uint8))
    assert "big" not in cache and cache.nbytes == 0


def test_shrinking_the_bound_evicts_at_once():
    cache = FrameCache(10_000)
    for i in range(10):
        cache.put(i, np.zeros(1000, np.uint8))
    cache.max_bytes = 2500
    assert cache.nbytes <= 2500 and cache.keys() == [8, 9]


def test_replacing_a_key_does_not_double_count():
    cache = FrameCache(10_000)
    cache.put("a", np.zeros(1000, np.uint8))
    cache.put("a", np.zeros(3000, np.uint8))
    assert cache.nbytes == 3000 and len(cache) == 1


def test_holding_tab_through_1000_images_stays_within_the_bound():
    """Navigate 1,000 images, prefetching neighbours each step: memory stays bounded."""
    h, w = 128, 128
    one = h * w * 3
    bound = 5 * one
    cache = FrameCache(bound)
    peak_cache = 0

    def render(i):
        return lambda: frame(h, w, value=i % 256)

    tracemalloc.start()
    try:
        with Prefetcher(cache) as pf:
            for index in range(1000):
                pf.schedule(((f"img{i}.fits", 0, "zscale"), render(i), prio) for i, prio in iter_neighbours(index, 1000))
                peak_cache = max(peak_cache, cache.nbytes)
                if index % 50 == 0:
                    pf.wait_idle(5)
            pf.wait_idle(5)
            peak_cache = max(peak_cache, cache.nbytes)
            _, peak_traced = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak_cache <= bound
    assert len(cache) <= 5
    # Python-level allocations never grow with the number of images visited:
    # the bound plus a few frames in flight, nowhere near 1,000 frames (~49 MB).
    assert peak_traced < bound + 10 * one


def test_jobs_run_by_priority():
    cache = FrameCache(10**7)
    order = []
    gate = threading.Event()
    with Prefetcher(cache) as pf:
        pf.request(("block", 0, None), lambda: (gate.wait(5), frame())[1], Priority.CURRENT)
        while pf.running is None:
            pass

        def job(name):
            return lambda: (order.append(name), frame())[1]

        pf.request(("unseen", 0, None), job("unseen"), Priority.NEXT_UNSEEN)
        pf.request(("prev", 0, None), job("prev"), Priority.PREVIOUS)
        pf.request(("next", 0, None), job("next"), Priority.NEXT)
        pf.request(("cur", 0, None), job("cur"), Priority.CURRENT)
        assert [k[0] for k in pf.pending()] == ["cur", "next", "prev", "unseen"]
        gate.set()
        assert pf.wait_idle(5)
    assert order == ["cur", "next", "prev", "unseen"]


def test_schedule_supersedes_jobs_the_user_moved_past():
    cache = FrameCache(10**7)
    ran = []
    gate = threading.Event()
    with Prefetcher(cache) as pf:
        pf.request(("block", 0, None), lambda: (gate.wait(5), frame())[1])
        while pf.running is None:
            pass

        def job(name):
            return lambda: (ran.append(name), frame())[1]

        pf.schedule([(("a", 0, None), job("a"), Priority.CURRENT), (("b", 0, None), job("b"), Priority.NEXT)])
        pf.schedule([(("c", 0, None), job("c"), Priority.CURRENT), (("b", 0, None), job("b"), Priority.PREVIOUS)])
        assert pf.cancel(("b", 0, None))
        assert not pf.cancel(("a", 0, None))
        gate.set()
        assert pf.wait_idle(5)
    assert ran == ["c"]
    assert ("a", 0, None) not in cache and ("c", 0, None) in cache


def test_cached_frames_are_not_rendered_again():
    cache = FrameCache(10**7)
    calls = []
    with Prefetcher(cache) as pf:
        key = ("x.png", 0, "linear")
        pf.request(key, lambda: (calls.append(1), frame())[1])
        pf.wait_idle(5)
        assert not pf.request(key, lambda: (calls.append(1), frame())[1])
        pf.wait_idle(5)
    assert calls == [1]


def test_errors_are_stored_reported_and_retried_only_on_request():
    cache = FrameCache(10**7)
    seen = []
    attempts = []

    def broken():
        attempts.append(1)
        raise OSError("truncated file")

    with Prefetcher(cache, on_done=seen.append) as pf:
        key = ("broken.fits", 0, "zscale")
        pf.request(key, broken)
        pf.wait_idle(5)
        out = pf.result(key)
        assert out is not None and not out.ok and out.array is None
        assert "truncated file" in str(out.error)
        assert "broken" in out.traceback  # the failing function is named for the log
        assert pf.error(key) is out.error
        assert [o.key for o in seen] == [key] and seen[0].error is out.error
        assert not pf.request(key, broken)  # a known failure is not re-run
        assert pf.request(key, lambda: frame(), retry=True)
        pf.wait_idle(5)
        assert pf.result(key).ok and pf.error(key) is None
    assert attempts == [1]


def test_a_job_returning_something_else_is_an_error():
    with Prefetcher(FrameCache(10**6)) as pf:
        pf.request("k", lambda: "not an array")
        pf.wait_idle(5)
        assert isinstance(pf.error("k"), TypeError)


def test_worker_survives_a_failing_listener():
    def bad_listener(outcome):
        raise RuntimeError("listener bug")

    with Prefetcher(FrameCache(10**6), on_done=bad_listener) as pf:
        pf.request("a", frame)
        pf.wait_idle(5)
        pf.request("b", frame)
        assert pf.wait_idle(5)
        assert pf.result("b").ok


def test_neighbours_at_the_ends_of_the_campaign():
    assert list(iter_neighbours(0, 3)) == [(0, Priority.CURRENT), (1, Priority.NEXT)]
    assert list(iter_neighbours(2, 3)) == [(2, Priority.CURRENT), (1, Priority.PREVIOUS)]


def test_negative_bound_is_refused():
    with pytest.raises(ValueError, match="cache size"):
        FrameCache(-1)


def test_objects_with_nbytes_are_cached_and_counted_exactly():
    class Sized:
        def __init__(self, n):
            self.nbytes = n

    cache = FrameCache(1000)
    assert cache.put("a", Sized(600)) and cache.put("b", Sized(400))
    assert cache.nbytes == 1000 and cache.keys() == ["a", "b"]
    cache.put("c", Sized(1))
    assert cache.keys() == ["b", "c"] and cache.nbytes == 401
    assert not cache.put("huge", Sized(1001)) and "huge" not in cache
    with Prefetcher(cache) as pf:
        pf.request("d", lambda: Sized(99))
        pf.wait_idle(5)
        assert cache.get("d").nbytes == 99 and cache.nbytes == 500

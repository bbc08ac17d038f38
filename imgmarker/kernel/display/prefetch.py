"""A byte-bounded cache of rendered frames and a one-thread prefetcher that fills it.

Navigation must feel instant: while the user looks at one image, a background worker
renders the ones they are likely to want next. Memory must not grow with the campaign,
so the cache is bounded in bytes (not entries: a 4096x4096 RGB frame weighs as much as
a thousand thumbnails) and evicts the least recently used frames.

Keys are ``(image name, frame index, display-settings key)``; the settings key is any
hashable value that changes whenever the rendering would (stretch, interval, blur...).

Cached values are numpy arrays or any object with an ``nbytes`` attribute (e.g. a
rendered frame together with its reduced previews); the bound counts ``nbytes``. One
cache can hold several kinds of entries under one bound (a GUI keeps rendered frames,
raw pixels and quantised levels in one), and work in progress can reserve room in it
(:meth:`FrameCache.reserve`) so a render's temporaries count against the same bound.

The worker calls ``on_done(outcome)`` from its own thread; a GUI forwards it to its
event loop (e.g. through a queued signal) and decides there whether it still cares.
"""

from __future__ import annotations

import contextlib
import threading
import traceback
from collections import OrderedDict
from dataclasses import dataclass
from enum import IntEnum
from itertools import count
from typing import Any, Callable, Hashable, Iterable, Iterator

FrameKey = tuple  # (image name: str, frame: int, display key: Hashable)
Job = Callable[[], Any]  # returns an array or another object with ``nbytes``


class FrameCache:
    """Thread-safe LRU cache of arrays (or objects with ``nbytes``) whose total
    ``nbytes`` never exceeds ``max_bytes``."""

    def __init__(self, max_bytes: int):
        if max_bytes < 0:
            raise ValueError(f"cache size must be >= 0 bytes, got {max_bytes}")
        self._max = int(max_bytes)
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._nbytes = 0
        self._reserved = 0
        self._protected: frozenset = frozenset()
        self._lock = threading.Lock()

    @property
    def max_bytes(self) -> int:
        return self._max

    @max_bytes.setter
    def max_bytes(self, value: int) -> None:
        if value < 0:
            raise ValueError(f"cache size must be >= 0 bytes, got {value}")
        with self._lock:
            self._max = int(value)
            self._evict_locked(0, protected_too=True)

    @property
    def nbytes(self) -> int:
        with self._lock:
            return self._nbytes

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

    def keys(self) -> list[Hashable]:
        """Keys from least to most recently used."""
        with self._lock:
            return list(self._items)

    def protect(self, keys: Iterable[Hashable]) -> None:
        """Entries other work must not push out (e.g. the image shown and the next one):
        they go only to make room for one another, and what cannot fit beside them is
        not kept."""
        with self._lock:
            self._protected = frozenset(keys)

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: Hashable, value: Any) -> bool:
        """Store ``value`` (anything with ``nbytes``); returns False (and stores nothing)
        if it alone exceeds the bound. The size is taken once, at insertion."""
        size = int(value.nbytes)
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._nbytes -= old[1]
            if size > self._max:
                return False
            self._evict_locked(size)
            if self._nbytes + self._reserved + size > self._max:
                if key not in self._protected:
                    return False  # it would push out what must stay
                self._evict_locked(size, protected_too=True)
            self._items[key] = (value, size)
            self._nbytes += size
            return True

    @contextlib.contextmanager
    def reserve(self, nbytes: int) -> Iterator[None]:
        """Keep room for ``nbytes`` of work in progress: least recently used entries are
        evicted now so that what is held plus what is being built stays in the bound."""
        size = max(0, min(int(nbytes), self._max))
        with self._lock:
            self._evict_locked(size)
            self._reserved += size
        try:
            yield
        finally:
            with self._lock:
                self._reserved -= size

    def discard(self, key: Hashable) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._nbytes -= old[1]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._nbytes = 0

    def _evict_locked(self, incoming: int, protected_too: bool = False) -> None:
        if self._nbytes + self._reserved + incoming <= self._max:
            return
        for key in list(self._items):  # least recently used first
            if self._nbytes + self._reserved + incoming <= self._max:
                return
            if protected_too or key not in self._protected:
                self._nbytes -= self._items.pop(key)[1]


class Priority(IntEnum):
    """Lower runs first."""

    CURRENT = 0
    NEXT = 1
    PREVIOUS = 2
    NEXT_UNSEEN = 3


@dataclass(frozen=True)
class Outcome:
    """What a job produced: an array (or other sized result), or the error that stopped it (never both)."""

    key: FrameKey
    array: Any | None = None
    error: BaseException | None = None
    traceback: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class _Pending:
    key: FrameKey
    job: Job
    priority: int
    seq: int


class Prefetcher:
    """One worker thread running render jobs by priority into a :class:`FrameCache`.

    ``schedule`` replaces the set of wanted jobs: anything pending that is not in the
    new set is dropped (the user moved on). A job already running is not interrupted;
    its result still lands in the cache, where it may serve a step back.

    Errors are kept (up to ``max_errors``, oldest forgotten first) so the GUI can show
    the reason in place of the image, and are not retried unless asked.
    """

    def __init__(
        self,
        cache: FrameCache,
        *,
        on_done: Callable[[Outcome], None] | None = None,
        max_errors: int = 256,
        name: str = "imgmarker-prefetch",
    ):
        self.cache = cache
        self._on_done = on_done
        self._max_errors = max_errors
        self._errors: OrderedDict[FrameKey, Outcome] = OrderedDict()
        self._pending: dict[FrameKey, _Pending] = {}
        self._running: FrameKey | None = None
        self._seq = count()
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    # -- requests -------------------------------------------------------------------
    def request(self, key: FrameKey, job: Job, priority: int = Priority.CURRENT, *, retry: bool = False) -> bool:
        """Queue ``job`` for ``key`` unless it is cached, running or a known failure.

        Returns True if the job was queued (or re-prioritised)."""
        with self._cond:
            return self._add_locked(key, job, int(priority), retry)

    def schedule(self, jobs: Iterable[tuple[FrameKey, Job, int]]) -> None:
        """Make ``jobs`` the whole wanted set; pending jobs not listed are dropped."""
        jobs = list(jobs)
        with self._cond:
            wanted = {key for key, _, _ in jobs}
            for key in [k for k in self._pending if k not in wanted]:
                del self._pending[key]
            for key, job, priority in jobs:
                self._add_locked(key, job, int(priority), False)

    def cancel(self, key: FrameKey) -> bool:
        with self._cond:
            return self._pending.pop(key, None) is not None

    def cancel_all(self) -> None:
        with self._cond:
            self._pending.clear()

    def forget_error(self, key: FrameKey) -> None:
        with self._cond:
            self._errors.pop(key, None)

    # -- queries --------------------------------------------------------------------
    def pending(self) -> list[FrameKey]:
        """Keys waiting to run, in the order they would run."""
        with self._cond:
            return [p.key for p in sorted(self._pending.values(), key=lambda p: (p.priority, p.seq))]

    @property
    def running(self) -> FrameKey | None:
        with self._cond:
            return self._running

    def error(self, key: FrameKey) -> BaseException | None:
        with self._cond:
            failed = self._errors.get(key)
            return failed.error if failed is not None else None

    def result(self, key: FrameKey) -> Outcome | None:
        """The finished outcome for ``key`` if known now (cached array or stored error)."""
        arr = self.cache.get(key)
        if arr is not None:
            return Outcome(key, array=arr)
        with self._cond:
            return self._errors.get(key)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until nothing is pending or running (for tests and scripts)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and self._running is None, timeout)

    # -- lifecycle ------------------------------------------------------------------
    def close(self, timeout: float | None = 5.0) -> None:
        with self._cond:
            self._closed = True
            self._pending.clear()
            self._cond.notify_all()
        self._thread.join(timeout)

    def __enter__(self) -> "Prefetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- internals ------------------------------------------------------------------
    def _add_locked(self, key: FrameKey, job: Job, priority: int, retry: bool) -> bool:
        if self._closed:
            return False
        if retry:
            self._errors.pop(key, None)
        if key == self._running or key in self._errors or key in self.cache:
            return False
        current = self._pending.get(key)
        if current is not None:
            current.job = job
            if priority < current.priority:
                current.priority = priority
            return True
        self._pending[key] = _Pending(key, job, priority, next(self._seq))
        self._cond.notify_all()
        return True

    def _take_locked(self) -> _Pending:
        best = min(self._pending.values(), key=lambda p: (p.priority, p.seq))
        del self._pending[best.key]
        return best

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._closed or self._pending)
                if self._closed:
                    return
                item = self._take_locked()
                self._running = item.key
            outcome = self._execute(item)
            with self._cond:
                if outcome.error is not None:
                    self._errors[item.key] = outcome
                    while len(self._errors) > self._max_errors:
                        self._errors.popitem(last=False)
                self._running = None
                self._cond.notify_all()
            if self._on_done is not None:
                try:
                    self._on_done(outcome)
                except Exception:  # a broken listener must not kill the worker
                    pass

    def _execute(self, item: _Pending) -> Outcome:
        try:
            arr = item.job()
            if not hasattr(arr, "nbytes"):
                raise TypeError(f"render job for {item.key[0]!r} returned {type(arr).__name__}, "
                                "not an array or an object with nbytes")
        except Exception as exc:  # stored and shown to the user, never raised in the worker
            # Keep the text, drop the frames: they may pin large half-built arrays.
            text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            return Outcome(item.key, error=exc.with_traceback(None), traceback=text)
        self.cache.put(item.key, arr)
        return Outcome(item.key, array=arr)


def iter_neighbours(index: int, total: int) -> Iterator[tuple[int, Priority]]:
    """Positions worth rendering around ``index``: itself, the next and the previous."""
    if 0 <= index < total:
        yield index, Priority.CURRENT
    if index + 1 < total:
        yield index + 1, Priority.NEXT
    if index - 1 >= 0:
        yield index - 1, Priority.PREVIOUS

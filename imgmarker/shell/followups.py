"""Work that follows a picture onto the screen, on a worker thread: the preview level the
view wants now, the WCS a first render left for later, and the imports a campaign will
need soon (warmed after the first paint, so the first mark or readout does not wait for
them and start-up does not either). Results come back in the GUI thread."""

from __future__ import annotations

import importlib
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Hashable, Iterable

from PyQt6.QtCore import QObject, pyqtSignal

log = logging.getLogger("imgmarker.shell")


class FollowUps(QObject):
    _delivered = pyqtSignal(object, object)  # (token, future), from the worker thread

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="imgmarker-followup")
        self._waiting: dict[Hashable, Callable[[Any], None]] = {}
        self._delivered.connect(self._arrived)
        self.warmed = False  # True once :meth:`warm` has imported its modules
        self._warming = False

    def submit(self, token: Hashable, job: Callable[[], Any], on_result: Callable[[Any], None]) -> None:
        """Run ``job()`` unless a job for ``token`` is waiting; ``on_result`` gets its result."""
        if token in self._waiting:
            return
        self._waiting[token] = on_result
        try:
            future = self._executor.submit(job)
        except RuntimeError:  # closed
            self._waiting.pop(token, None)
            return
        future.add_done_callback(lambda done, token=token: self._deliver(token, done))

    def _deliver(self, token: Hashable, done: Future) -> None:
        try:
            self._delivered.emit(token, done)
        except RuntimeError:  # the window went away while the job ran
            pass

    def warm(self, modules: Iterable[str]) -> None:
        """Import ``modules`` in the background (once)."""
        if self._warming:
            return
        self._warming = True
        names = list(modules)

        def run() -> bool:
            for name in names:
                try:
                    importlib.import_module(name)
                except Exception as exc:  # an optional module missing is not our concern here
                    log.info("warming %s failed: %s", name, exc)
            return True

        self.submit(("warm",), run, lambda _: setattr(self, "warmed", True))

    def _arrived(self, token: Hashable, done: Future) -> None:
        on_result = self._waiting.pop(token, None)
        if on_result is None or done.cancelled():
            return
        error = done.exception()
        if error is not None:
            log.info("background step %r failed: %s", token, error)
            return
        on_result(done.result())

    def close(self) -> None:
        self._waiting.clear()
        self._executor.shutdown(wait=False, cancel_futures=True)

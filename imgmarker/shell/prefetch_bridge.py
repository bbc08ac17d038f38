"""Delivers prefetch results to the GUI thread as a Qt signal.

The Qt-free :class:`~imgmarker.kernel.display.prefetch.Prefetcher` reports from its worker
thread; emitting a signal of a QObject that lives in the GUI thread queues the call,
so slots run in the event loop and may touch widgets.
"""

from __future__ import annotations

from PyQt6.QtCore import QObject, pyqtSignal

from imgmarker.kernel.display.prefetch import FrameCache, Prefetcher


class PrefetchBridge(QObject):
    finished = pyqtSignal(object)  # kernel.prefetch.Outcome, in the GUI thread

    def __init__(self, cache: int | FrameCache, parent: QObject | None = None):
        super().__init__(parent)
        self.cache = cache if isinstance(cache, FrameCache) else FrameCache(cache)
        self.prefetcher = Prefetcher(self.cache, on_done=self.finished.emit)

    def close(self) -> None:
        self.prefetcher.close()

"""Full-resolution regions of a large frame, rendered off the UI thread as the user zooms and pans.

The view shows a large frame through an overview; when the user zooms in beyond what
the overview holds, this asks a worker for the visible region at the screen's
resolution and hands the result to :meth:`ImageView.set_detail`. Requests are
debounced (a drag produces dozens of view changes) and answers for a frame or a
region the user has left are dropped.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Hashable

from PyQt6.QtCore import QObject, QTimer, pyqtSignal

RegionJob = Callable[[tuple[float, float, float, float], int], Callable[[], Any]]

DEBOUNCE_MS = 60


class DetailLoader(QObject):
    """Keeps ``view``'s detail in step with its zoom for the frame set by :meth:`set_source`."""

    _delivered = pyqtSignal(object, object)  # (token, picture or exception), from the worker thread
    failed = pyqtSignal(str)

    def __init__(self, view: Any, parent: QObject | None = None, *, debounce_ms: int = DEBOUNCE_MS):
        super().__init__(parent)
        self.view = view
        self._token: tuple | None = None
        self._make_job: RegionJob | None = None
        self._busy = False
        self._asked: tuple | None = None  # (token, region, factor) last requested
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="imgmarker-detail")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self.update_now)
        self._delivered.connect(self._arrived)
        view.view_changed.connect(self._timer.start)

    def set_source(self, key: Hashable, make_job: RegionJob) -> None:
        """Render regions of the frame ``key`` with ``make_job(region, factor)()``."""
        self._token = (key, object())
        self._make_job = make_job
        self._timer.start()

    def clear(self) -> None:
        self._token, self._make_job = None, None
        self._timer.stop()

    def close(self) -> None:
        self.clear()
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _covered(self, region: tuple[float, float, float, float], factor: int) -> bool:
        shown = self.view.detail()
        if shown is None or shown[0] != factor:
            return False
        f, x0, y0, image = shown
        return (x0 - 0.5 <= region[0] and y0 - 0.5 <= region[1]
                and region[2] <= x0 + image.width() * f - 0.5 and region[3] <= y0 + image.height() * f - 0.5)

    def update_now(self) -> None:
        """Request the detail the view wants now (if it lacks it and nothing is running)."""
        if self._make_job is None:
            return
        wanted = self.view.wanted_detail()
        if wanted is None or self._covered(*wanted):
            return
        if self._busy:  # one at a time; the answer re-checks what is wanted
            return
        if self._asked == (self._token,) + wanted:  # asked already: never loop on one region
            return
        self._asked = (self._token,) + wanted
        self._busy = True
        token, job = self._token, self._make_job(*wanted)
        future = self._executor.submit(job)
        future.add_done_callback(lambda done, token=token: self._deliver(token, done))

    def _deliver(self, token: tuple | None, done: Future) -> None:
        try:
            result = done.result()
        except BaseException as exc:  # shown as a message; the overview stays on screen
            result = exc
        self._delivered.emit(token, result)

    def _arrived(self, token: tuple | None, result: Any) -> None:
        self._busy = False
        if token != self._token:
            self.update_now()
            return
        if isinstance(result, BaseException):
            self.failed.emit(str(result))
            return
        if result is not None:
            self.view.set_detail(result.rgba, result.x0, result.y0, result.factor)
        self.update_now()  # the user may have moved on while it rendered

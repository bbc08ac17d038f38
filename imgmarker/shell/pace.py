"""How fast the user moves through images, and how long a render takes.

Holding Tab sends a navigation every 30-40 ms, faster than a 4096 x 4096 frame renders.
Rendering the image the user is on would always finish too late (they have moved on);
rendering the one they will be on when the render is done shows one image per render.
"""

from __future__ import annotations

import math
import time
from typing import Any, Callable

FLIP_S = 0.2  # navigations closer than this are a held key


class Pace:
    def __init__(self) -> None:
        self._last = (-math.inf, 0, math.inf)  # (time, direction, interval) of the last navigation
        self.render_s = 0.05  # running estimate of one render

    def note_navigation(self, direction: int) -> None:
        now = time.perf_counter()
        at, last, _ = self._last
        self._last = (now, direction, now - at if direction == last else math.inf)

    def flipping(self) -> int:
        """The direction of a held navigation key (0 when the user is not flipping)."""
        at, direction, interval = self._last
        return direction if interval < FLIP_S and time.perf_counter() - at < FLIP_S else 0

    @property
    def interval(self) -> float:
        return max(self._last[2], 1e-3)

    def steps(self) -> int:
        """How many images ahead the user will be when a render started now is done, with
        a margin: a picture ready early waits in the cache, one that is late is wasted."""
        return max(1, min(8, math.ceil(1.25 * self.render_s / self.interval)))

    def timed(self, job: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            start = time.perf_counter()
            result = job()
            self.render_s = 0.7 * self.render_s + 0.3 * (time.perf_counter() - start)
            return result

        return run

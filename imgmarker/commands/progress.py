"""A plain progress bar on stderr (only when stderr is a terminal)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    def __init__(self, stream: TextIO | None = None, width: int = 30):
        self.stream = stream or sys.stderr
        self.width = width
        self.live = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.start = time.perf_counter()
        self.stage = ""

    def step(self, stage: str) -> None:
        """A new stage of unknown length."""
        self.stage = stage
        self._show(f"{stage}...")

    def update(self, done: int, total: int, stage: str | None = None) -> None:
        if stage:
            self.stage = stage
        frac = done / total if total else 1.0
        filled = int(round(frac * self.width))
        self._show(f"{self.stage:<12} [{'#' * filled}{'-' * (self.width - filled)}] {done}/{total}")

    def _show(self, text: str) -> None:
        if self.live:
            self.stream.write(f"\r{text:<70} {time.perf_counter() - self.start:6.1f} s")
            self.stream.flush()

    def done(self, message: str = "") -> None:
        if self.live:
            self.stream.write("\r" + " " * 80 + "\r")
        if message:
            self.stream.write(f"{message} ({time.perf_counter() - self.start:.1f} s)\n")
        self.stream.flush()

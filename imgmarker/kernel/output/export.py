"""Running writer plugins against the store, now or in the background.

Writers read a consistent snapshot through their own read-only connection, so an
export of 100,000 marks never holds up the annotator; each file is written to a
temporary name and renamed into place.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, Mapping, Sequence

from imgmarker.kernel.output.atomic import atomic_output
from imgmarker.kernel.annotations.marks import FrameGeometry
from imgmarker.kernel.annotations.rows import ImageRow, MarkRow
from imgmarker.kernel.store.base import Store

log = logging.getLogger("imgmarker.export")

DEFAULT_DELAY = 2.0
STALE_AFTER = 600.0  # seconds; an export never takes this long, a killed one leaves its file


def remove_stale_temporaries(output_dir: Path, user: str, *, older_than: float = STALE_AFTER) -> list[Path]:
    """Delete half-written temporary files that a killed export left behind."""
    removed = []
    now = time.time()
    for path in list(output_dir.glob(f".{user}_*.tmp")) + list(output_dir.glob(f"{user}_*/**/.*.tmp")):
        try:
            if now - path.stat().st_mtime > older_than:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed


YIELD_EVERY = 100


def _courteous(rows: Iterable[Any]) -> Iterator[Any]:
    """Hand the interpreter lock to the annotator's thread every few rows, so a
    background export of 100,000 rows never makes an action wait for the GIL."""
    for i, row in enumerate(rows):
        if i % YIELD_EVERY == 0:
            time.sleep(0)
        yield row


@dataclass
class StoreWriterContext:
    """The :class:`imgmarker.kernel.annotations.rows.WriterContext` backed by a store.

    Text files are opened with ``newline=""`` so writers (the csv module) decide line
    endings themselves.
    """

    experiment: Any
    user: str
    output_dir: Path
    config: Mapping[str, Any]
    store: Store
    courteous: bool = False
    written: list[Path] = field(default_factory=list)
    _geometries: dict[tuple[str, int], FrameGeometry] | None = None

    def marks(self) -> Iterable[MarkRow]:
        rows = self.store.mark_rows()
        return _courteous(rows) if self.courteous else rows

    def images(self) -> Iterable[ImageRow]:
        rows = self.store.image_rows()
        return _courteous(rows) if self.courteous else rows

    def geometry(self, image: str, frame: int) -> FrameGeometry | None:
        """Height, width and centre of a frame when the session has seen it."""
        if self._geometries is None:
            self._geometries = self.store.geometries()
        return self._geometries.get((image, frame))

    @contextlib.contextmanager
    def atomic_write(self, name: str, mode: str = "w") -> Iterator[IO]:
        with atomic_output(self.output_dir, name, mode) as handle:
            yield handle
        self.written.append(self.output_dir / name)


@dataclass
class ExportResult:
    paths: list[Path]
    problems: list[str]


def run_writers(experiment: Any, user: str, output_dir: Path, store: Store, registry: Any,
                names: Sequence[str], *, courteous: bool = False) -> ExportResult:
    """Run the named writers on one snapshot of ``store``; a failing writer is reported
    and the others still run."""
    paths: list[Path] = []
    problems: list[str] = []
    sections = experiment.plugins.sections if experiment is not None else {}
    with store.snapshot():
        for name in names:
            spec = registry.writers.get(name)
            if spec is None:
                available = ", ".join(registry.writers.names()) or "none"
                problems.append(f"unknown writer {name!r} (installed: {available})")
                continue
            context = StoreWriterContext(experiment, user, output_dir, sections.get(name, {}), store, courteous)
            try:
                spec.write(context)
            except Exception as exc:  # one broken writer must not cost the others
                by = registry.writers.described(name) if hasattr(registry.writers, "described") else "unknown plugin"
                reason = " ".join(f"{type(exc).__name__}: {exc}".split())
                message = f"writer {name!r} of {by} failed: {reason}"
                # the caller reports the problems; a debug log keeps the traceback
                log.debug(message, exc_info=True)
                problems.append(message)
            paths.extend(context.written)
    return ExportResult(paths, problems)


class BackgroundExporter:
    """Runs ``export`` on its own thread once changes have stopped for ``delay`` seconds."""

    def __init__(self, export: Callable[[], Any], delay: float = DEFAULT_DELAY):
        self._export = export
        self._delay = delay
        self._wake = threading.Condition()
        self._last_change: float | None = None
        self._stopping = False
        self._busy = False
        self._thread = threading.Thread(target=self._run, name="imgmarker-export", daemon=True)
        self._thread.start()

    def touch(self) -> None:
        with self._wake:
            self._last_change = time.monotonic()
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._stopping and self._last_change is None:
                    self._wake.wait()
                if self._stopping:
                    return
                quiet = time.monotonic() - self._last_change
                if quiet < self._delay:
                    self._wake.wait(self._delay - quiet)
                    continue
                self._last_change = None
                self._busy = True
            try:
                self._export()
            except Exception:
                log.exception("background export failed")
            finally:
                with self._wake:
                    self._busy = False
                    self._wake.notify_all()

    def idle(self, timeout: float | None = None) -> bool:
        """Wait until no export is pending or running (for tests and close)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._wake:
            while self._busy or self._last_change is not None:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._wake.wait(remaining if remaining is not None else 0.1)
        return True

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        self._thread.join()

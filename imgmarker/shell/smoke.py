"""``imgmarker run EXPERIMENT --smoke``: prove the window works on this machine.

Opens the campaign in the real window, waits for the first image, moves the pointer
to its centre and presses the left-click group's key (the same QAction a user
triggers), then closes the window, which writes the outputs, and checks that the mark
is in them. Meant for checking an installation or a frozen app, with any Qt platform
(``QT_QPA_PLATFORM=offscreen`` needs no screen). Prints one line; exit code 0 when
the mark reached the output files.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path
from typing import Iterable

from PyQt6.QtCore import QEvent, QPointF, Qt
from PyQt6.QtGui import QMouseEvent
from PyQt6.QtWidgets import QApplication

TIMEOUT_S = 60.0


def _wait(app: QApplication, ready, timeout: float = TIMEOUT_S) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        app.processEvents()
        if ready():
            return True
        time.sleep(0.01)
    return False


def _hover(view, x: float, y: float) -> None:
    point = view.image_to_widget(x, y)
    event = QMouseEvent(QEvent.Type.MouseMove, QPointF(point), QPointF(view.mapToGlobal(point)),
                        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view, event)


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def smoke_run(experiment_path: Path, *, user: str | None = None, output: Path | None = None,
              blocked: Iterable[str] = (), trust_modules: bool = False) -> int:
    from imgmarker.shell.app import open_window

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = open_window(experiment_path, user=user, output=output, blocked=blocked, trust_modules=trust_modules)
    session = window.session
    try:
        window.show()
        window.start()
        box = getattr(window, "instructions_box", None)
        if box is not None:
            box.close()
        if not _wait(app, lambda: window.view.state in ("image", "error")) or window.view.state != "image":
            print(f"smoke: FAILED: the first image did not show ({window.view.state}: "
                  f"{window.view.status_text() if hasattr(window.view, 'status_text') else ''})", file=sys.stderr)
            return 1
        entry = session.current
        width, height = window.view.image_size()
        _hover(window.view, (width - 1) / 2, (height - 1) / 2)
        group = session.experiment.left_click_group.name
        actions = window.actions_by_name.get(f"group:{group}", [])
        if not actions:
            print(f"smoke: FAILED: no key for group {group!r}", file=sys.stderr)
            return 1
        actions[0].trigger()
        placed = session.marks(entry)
        if len(placed) != 1:
            print(f"smoke: FAILED: {len(placed)} marks on {entry.name} after one key press", file=sys.stderr)
            return 1
        mark = placed[0]
    finally:
        window.close()
        session.close()
    marks_file = session.output_dir / f"{session.user}_marks.csv"
    found = [r for r in _rows(marks_file) if r.get("image") == entry.name] if marks_file.is_file() else []
    if not found:
        print(f"smoke: FAILED: {marks_file} holds no mark on {entry.name}", file=sys.stderr)
        return 1
    sky = f", RA {mark.ra:.6f} Dec {mark.dec:.6f}" if mark.ra is not None else ""
    print(f"smoke: placed a {group} mark at x {mark.x:.2f}, y {mark.y:.2f} on {entry.name}{sky}; "
          f"written to {marks_file}")
    return 0

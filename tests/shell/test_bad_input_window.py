"""The marking window over the corpus of bad files: every image is reached with Tab,
good ones show and take marks, bad ones show their reason, names that are not UTF-8
read as ``\\xNN``, and the results hold every mark."""

from __future__ import annotations

import csv
import os

from PyQt6.QtCore import QPoint
from PyQt6.QtGui import QKeySequence
from PyQt6.QtTest import QTest

from badfiles import experiment_over, make_corpus, written_name
from imgmarker.kernel.annotations.names import readable_name
from imgmarker.shell.app import open_window


def press(win, sequence: str) -> None:
    combo = QKeySequence(sequence)[0]
    QTest.keyClick(win.view, combo.key(), combo.keyboardModifiers())


def test_the_window_goes_through_every_bad_file_and_keeps_marking(qtbot, tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    experiment = experiment_over(corpus, "window", output=str(tmp_path / "results"))
    win = open_window(experiment, user="ann")
    session = win.session
    marked, failed, titles = set(), set(), {}
    try:
        qtbot.addWidget(win)
        win.resize(900, 650)
        win.show()
        win.start()
        win.activateWindow()
        qtbot.waitUntil(win.isActiveWindow)
        for position in range(len(session)):
            entry = session.current
            assert entry.position == position
            qtbot.waitUntil(lambda: win.view.state in ("image", "error"), timeout=20000)
            titles[entry.name] = win.windowTitle()
            assert titles[entry.name].startswith(readable_name(entry.name))
            if entry.name in corpus.good:
                assert win.view.state == "image", (entry.name, win.view.message)
                point = win.view.image_to_widget(5.0, 5.0)
                target = QPoint(int(round(point.x())), int(round(point.y())))
                QTest.mouseMove(win.view, target + QPoint(3, 3))
                QTest.mouseMove(win.view, target)
                press(win, "1")
                assert [m.image for m in session.marks()] == [entry.name]
                marked.add(entry.name)
            elif win.view.state == "error":
                failed.add(entry.name)
            press(win, "Tab")
        assert marked == set(corpus.good)
        qtbot.waitUntil(lambda: failed <= {n for n in map(str, win.errors.names())}, timeout=10000)
        assert titles[os.fsdecode(b"caf\xe9.fits")].startswith("caf\\xe9.fits — ")
    finally:
        win.close()
        session.close()
    with open(tmp_path / "results" / "ann_marks.csv", newline="", encoding="utf-8") as handle:
        images = {row["image"] for row in csv.DictReader(handle)}
    assert images == {written_name(name) for name in marked}
    assert {"caf\\xe9.fits", "\\x80odd.png", "\\xff\\xfe.tif"} <= images

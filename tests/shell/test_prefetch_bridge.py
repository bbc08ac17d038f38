from __future__ import annotations

import threading

import numpy as np

from imgmarker.kernel.display.prefetch import Priority
from imgmarker.shell.prefetch_bridge import PrefetchBridge
from imgmarker.shell.view import ImageView


def test_results_arrive_in_the_gui_thread_and_fill_the_view(qtbot):
    bridge = PrefetchBridge(10**7)
    view = ImageView()
    qtbot.addWidget(view)
    threads = []

    def show(outcome):
        threads.append(threading.current_thread())
        if outcome.ok:
            view.set_image(outcome.array, outcome.key[0])
        else:
            view.show_error(outcome.key[0], str(outcome.error))

    bridge.finished.connect(show)
    try:
        view.show_placeholder("a.png")
        with qtbot.waitSignal(bridge.finished, timeout=5000):
            bridge.prefetcher.request(("a.png", 0, "k"), lambda: np.zeros((20, 30, 3), np.uint8), Priority.CURRENT)
        assert threads == [threading.main_thread()]
        assert view.state == "image" and view.image_size() == (30, 20)

        def broken():
            raise OSError("b.fits: not a FITS file")

        with qtbot.waitSignal(bridge.finished, timeout=5000):
            bridge.prefetcher.request(("b.fits", 0, "k"), broken, Priority.CURRENT)
        assert view.state == "error" and "not a FITS file" in view.message
    finally:
        bridge.close()

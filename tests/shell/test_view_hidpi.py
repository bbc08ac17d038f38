"""On a 2x screen, markers still land on the device pixel of their image position."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import json, math
    import numpy as np
    from dataclasses import dataclass
    from PyQt6.QtCore import QPointF
    from PyQt6.QtWidgets import QApplication
    app = QApplication([])
    from imgmarker.shell.view import ImageView
    from imgmarker.shell.qimage import array_from_qimage

    @dataclass
    class M:
        x: float; y: float; shape: str = "plus"; size: float = 8.0
        color: str = "#ff00ff"; label: str = None; selected: bool = False

    v = ImageView(); v.resize(400, 300); v.show(); app.processEvents()
    v.set_image(np.full((100, 200, 3), 60, np.uint8), "x")
    v.set_layer("m", [M(20.0, 70.0)])
    out = {"dpr": v.devicePixelRatioF(), "cases": []}
    for s in (0.7, 1.0, 3.0):
        v.set_scale(s); v.centre_on(30.3, 60.6)
        a = array_from_qimage(v.grab().toImage())
        r, g, b = (a[..., i].astype(int) for i in range(3))
        ys, xs = np.nonzero((r > 200) & (g < 90) & (b > 200))
        p = v.image_to_widget(20.0, 70.0)
        dpr = v.devicePixelRatioF()
        out["cases"].append([math.floor(p.x() * dpr), math.floor(p.y() * dpr), float(xs.mean()), float(ys.mean())])
    # a mouse position is read at the middle of its device pixel
    out["click"] = list(v.event_to_image(QPointF(10, 10)))
    out["expected_click"] = list(v.widget_to_image(QPointF(10.25, 10.25)))
    print(json.dumps(out))
    """
)


def test_markers_on_a_2x_screen():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR="2")
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["dpr"] == 2.0
    for ex, ey, cx, cy in result["cases"]:
        assert abs(cx - ex) <= 0.5 and abs(cy - ey) <= 0.5
    assert result["click"] == result["expected_click"]

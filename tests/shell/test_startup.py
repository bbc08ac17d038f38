"""The real program, started as a user starts it, paints its first image without
importing what this campaign does not need yet (no catalogs: no scipy; the WCS library
and astropy.visualization are not needed for a picture)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from datamakers import stiff_description, tan_header, write_tiff

CHILD = r"""
import json, sys
from imgmarker.shell.view import ImageView
original = ImageView.paintEvent
def paint(self, event):
    original(self, event)
    if self.state == "image" and not getattr(self, "_probed", False):
        self._probed = True
        heavy = ("scipy.spatial", "astropy.wcs", "astropy.visualization")
        print(json.dumps({"painted": self.name, "size": self.image_size(),
                          "imported": [m for m in heavy if m in sys.modules]}), flush=True)
        from PyQt6.QtCore import QTimer
        from PyQt6.QtWidgets import QApplication
        QTimer.singleShot(0, QApplication.instance().quit)
ImageView.paintEvent = paint
from imgmarker.cli import main
sys.exit(main(["run", sys.argv[1], "--user", "ana"]))
"""


def test_the_first_image_is_painted_before_the_sky_and_catalog_libraries_are_imported(tmp_path: Path):
    images = tmp_path / "images"
    images.mkdir()
    pixels = np.random.default_rng(0).integers(0, 255, (96, 128, 3), dtype=np.uint8)
    for i in range(3):
        write_tiff(images / f"field{i}.tif", [pixels], description=stiff_description(tan_header(128, 96)))
    experiment = tmp_path / "experiment.yaml"
    experiment.write_text("schema_version: 1\nimages: {directory: images}\n")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", CHILD, str(experiment)], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[0])
    assert seen == {"painted": "field0.tif", "size": [128, 96], "imported": []}
    assert (tmp_path / "results" / "ana_marks.csv").exists()  # it ran and closed like the program does

"""The display kernel must work where PyQt6 cannot be imported (headless rendering)."""

from __future__ import annotations

import subprocess
import sys


def test_pipeline_and_wcs_import_without_qt():
    code = (
        "import sys; sys.modules['PyQt6'] = None\n"
        "import imgmarker.kernel.display.pipeline, imgmarker.kernel.imaging.wcs, imgmarker.kernel.imaging.images\n"
        "assert not any(m.startswith('PyQt6') and sys.modules[m] is not None for m in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

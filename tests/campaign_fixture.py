"""The small experiment the aggregate and agreement tests read, shared by their conftests."""

from __future__ import annotations

from pathlib import Path

import pytest

EXPERIMENT = """\
schema_version: 1
name: {name}
images:
  list: files.txt
groups:
  - name: galaxy
    size: 20
  - name: star
    size: 10
categories:
  exclusive: true
  items:
    - name: A
    - name: B
    - name: C
output:
  directory: results
"""


SIDE = 32  # pixels; the tests' marks lie inside


def tiny_fits() -> bytes:
    """A readable 32 x 32 FITS image without WCS (a session refuses marks on files it
    cannot read), built once per test in memory."""
    import io

    import numpy as np
    from astropy.io import fits

    buffer = io.BytesIO()
    fits.PrimaryHDU(np.zeros((SIDE, SIDE), np.float32)).writeto(buffer)
    return buffer.getvalue()


@pytest.fixture
def campaign(tmp_path: Path):
    """An experiment of 20 tiny FITS images listed in files.txt, returning
    (experiment path, image names)."""

    def make(n_images: int = 20, name: str = "survey", folder: str = "campaign") -> tuple[Path, list[str]]:
        root = tmp_path / folder
        root.mkdir()
        names = [f"img{i:05d}.fits" for i in range(n_images)]
        content = tiny_fits()
        for n in names:
            (root / n).write_bytes(content)
        (root / "files.txt").write_text("\n".join(names) + "\n")
        path = root / "experiment.yaml"
        path.write_text(EXPERIMENT.format(name=name))
        return path, names

    return make

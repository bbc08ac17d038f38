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


@pytest.fixture
def campaign(tmp_path: Path):
    """An experiment of 20 images listed in files.txt (the image files exist but are
    never opened), returning (experiment path, image names)."""

    def make(n_images: int = 20, name: str = "survey", folder: str = "campaign") -> tuple[Path, list[str]]:
        root = tmp_path / folder
        root.mkdir()
        names = [f"img{i:05d}.fits" for i in range(n_images)]
        for n in names:
            (root / n).write_bytes(b"")
        (root / "files.txt").write_text("\n".join(names) + "\n")
        path = root / "experiment.yaml"
        path.write_text(EXPERIMENT.format(name=name))
        return path, names

    return make

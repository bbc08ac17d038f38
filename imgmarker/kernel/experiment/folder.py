"""A default experiment for a bare image folder, so "open a folder" just works and the
choices made are written down (next to the results) where collaborators can see them."""

from __future__ import annotations

from pathlib import Path

import yaml


RESULTS_FOLDER = "imgmarker-results"


def write_folder_experiment(images: Path, output: Path | None = None, *, name: str | None = None) -> Path:
    """Write ``output/experiment.yaml`` (default: ``images/imgmarker-results``) pointing at
    ``images``; reuse an existing one."""
    output = output if output is not None else images / RESULTS_FOLDER
    output.mkdir(parents=True, exist_ok=True)
    target = output / "experiment.yaml"
    if target.exists():
        return target
    document = {
        "schema_version": 1,
        "name": name or images.resolve().name,
        "images": {"directory": str(images.resolve()), "recursive": False},
        "output": {"directory": "."},
    }
    text = "# Default experiment for an image folder; edit it or share it with collaborators.\n"
    text += yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    target.write_text(text, encoding="utf-8")
    return target

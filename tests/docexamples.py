"""The experiments the documentation shows, found in the Markdown itself, and the files
each one needs (images, catalogs) made beside it, so a test can run them as a user
would: a new example in README.md or docs/ is picked up without touching the tests.

A fenced ``yaml`` block with ``schema_version`` is a whole experiment and is written
exactly as shown; any other ``yaml`` block is a fragment, run inside the smallest
experiment that holds it (``schema_version`` and an image folder).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from datamakers import tan_header, write_fits, write_pillow, write_tiff

REPO = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^```ya?ml[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
WIDTH, HEIGHT = 96, 64
RA, DEC = 150.0, 2.0


@dataclass(frozen=True)
class DocExample:
    where: str  # "README.md:52"
    text: str

    @property
    def is_fragment(self) -> bool:
        data = yaml.safe_load(self.text)
        return not (isinstance(data, dict) and "schema_version" in data)


def documented_yaml() -> list[DocExample]:
    files = [REPO / "README.md"] + sorted((REPO / "docs").rglob("*.md"))
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(DocExample(f"{path.relative_to(REPO)}:{line}", match.group(1)))
    return found


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out[key], value) if isinstance(out.get(key), dict) and isinstance(value, dict) else value
    return out


def experiment_text(example: DocExample) -> str:
    if not example.is_fragment:
        return example.text
    minimal = {"schema_version": 1, "images": {"directory": "images"}}
    return yaml.safe_dump(_merge(minimal, yaml.safe_load(example.text) or {}), sort_keys=False)


def picture() -> np.ndarray:
    """Dark on the left, bright on the right: a painted view shows the difference."""
    return np.tile(np.linspace(0.0, 1000.0, WIDTH, dtype=np.float32), (HEIGHT, 1))


def write_image(path: Path) -> Path:
    """An image with a WCS (where the format carries one) in the format its suffix names."""
    path.parent.mkdir(parents=True, exist_ok=True)
    name = path.name.lower()
    data = picture()
    if name.endswith((".fits", ".fit", ".fts", ".fits.gz", ".fit.gz")):
        return write_fits(path, data, tan_header(WIDTH, HEIGHT, RA, DEC))
    if name.endswith((".tif", ".tiff")):
        return write_tiff(path, [np.flipud(data)])
    if name.endswith((".png", ".jpg", ".jpeg")):
        return write_pillow(path, (data / 1000 * 255).astype(np.uint8))
    raise AssertionError(f"the documented experiment needs a {path.name!r} image; teach docexamples to make one")


def _name_for(pattern: str) -> str:
    """A file name the glob ``pattern`` selects."""
    name = pattern.replace("**/", "")
    name = re.sub(r"\[!?([^\]])[^\]]*\]", r"\1", name)
    return name.replace("*", "field").replace("?", "x")


def write_catalog(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() in (".fits", ".fit", ".vot", ".xml"):
        from astropy.table import Table

        Table({"ra": [RA], "dec": [DEC], "label": ["centre"]}).write(
            path, format="votable" if path.suffix.lower() in (".vot", ".xml") else "fits", overwrite=True)
    else:
        sep = "\t" if path.suffix.lower() == ".tsv" else ","
        path.write_text(sep.join(("ra", "dec", "label")) + "\n" + sep.join((str(RA), str(DEC), "centre")) + "\n",
                        encoding="utf-8")
    return path


def prepare(folder: Path, text: str, *, experiment_name: str = "experiment.yaml") -> Path:
    """Write the experiment ``text`` into ``folder`` with one image where it looks and
    every catalog it names; returns the experiment's path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / experiment_name
    path.write_text(text, encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    images = data.get("images") or {}
    if images.get("list"):
        listing = folder / images["list"]
        write_image(listing.parent / "field.fits")
        listing.write_text("field.fits\n", encoding="utf-8")
    else:
        patterns = images.get("patterns") or ["field.fits"]
        write_image(folder / images["directory"] / _name_for(patterns[0]))
    for catalog in data.get("catalogs") or []:
        write_catalog(folder / catalog["path"])
    return path

"""Where each file of a dataset goes, and which marks each cutout shows.

    DIR/images/<split>/<file>           cutouts (FITS or PNG)
    DIR/images/<split>/<class>/<file>   whole images, one folder per category
    DIR/examples.csv, examples.parquet  the label table
    DIR/<split>_coco.json, DIR/labels/<split>/<file>.txt, DIR/data.yaml   writers
    DIR/manifest.json, DIR/SHA256SUMS

A cutout is named after its source image and its number there, e.g.
``cluster_field-0003.fits`` (sub-folders become ``__``; two images that differ only
in their suffix keep it, ``a_fits-0001``); the numbers follow the examples' order
(group in the experiment's order, then y, then x), so names do not depend on splits.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Sequence

import numpy as np

_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")


def safe(text: str) -> str:
    return _UNSAFE.sub("_", text.replace("/", "__")).strip("_") or "_"


def _stem(name: str) -> str:
    path = PurePosixPath(name)
    bare = path.name.split(".", 1)[0] or path.name
    return str(path.with_name(bare)) if str(path.parent) != "." else bare


def image_stems(names: Sequence[str]) -> dict[str, str]:
    """A file-name-safe stem per image name, distinct for distinct images."""
    stems = {name: safe(_stem(name)) for name in names}
    counts: dict[str, int] = {}
    for stem in stems.values():
        counts[stem] = counts.get(stem, 0) + 1
    out = {name: (stem if counts[stem] == 1 else safe(name.replace(".", "_"))) for name, stem in stems.items()}
    taken: dict[str, int] = {}
    for name in sorted(out):  # a last resort against names that still collide
        stem = out[name]
        taken[stem] = taken.get(stem, 0) + 1
        if taken[stem] > 1:
            out[name] = f"{stem}~{taken[stem]}"
    return out


def example_files(image: np.ndarray, names: Sequence[str], labels: Sequence[str], kind: str, suffix: str) -> list[str]:
    """File name of each example (relative to its split folder)."""
    used = sorted({names[int(c)] for c in image.tolist()})
    stems = image_stems(used)
    if kind == "images":
        return [f"{safe(label)}/{stems[names[int(c)]]}{suffix}" for c, label in zip(image.tolist(), labels)]
    counts = np.bincount(image, minlength=len(names)) if len(image) else np.zeros(0, dtype=np.int64)
    digits = max(4, len(str(int(counts.max())))) if len(image) else 4
    seen: dict[int, int] = {}
    out = []
    for code in image.tolist():
        k = seen.get(code, 0) + 1
        seen[code] = k
        out.append(f"{stems[names[code]]}-{k:0{digits}d}{suffix}")
    return out


def inside(x: np.ndarray, y: np.ndarray, x0: int, y0: int, width: int, height: int) -> np.ndarray:
    """Marks whose pixel lies in the cutout (pixel i covers [i - 0.5, i + 0.5))."""
    u, v = x - x0, y - y0
    return (u >= -0.5) & (u < width - 0.5) & (v >= -0.5) & (v < height - 0.5)

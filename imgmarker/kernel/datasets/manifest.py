"""What a dataset is, so that it can be rebuilt and cited: the experiment's and the
results' fingerprints, the annotators, the options and seed, the counts per split and
class, the program and library versions, and a checksum of every file.

``SHA256SUMS`` lists every file of the dataset in the format ``sha256sum -c`` checks;
the manifest holds that list's own checksum, one number that names the dataset's
exact contents. Nothing here depends on when or where it was built.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np

from imgmarker.kernel.agreement.tables import Results

FORMAT = "imgmarker-dataset/1"
LIBRARIES = ("numpy", "astropy", "scipy", "Pillow", "pluggy", "pyarrow")


def _rank(names: list[str]) -> np.ndarray:
    rank = np.empty(len(names), dtype=np.int64)
    rank[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
    return rank


def results_fingerprint(results: Results) -> str:
    """SHA-256 of the first-pass marks and categories, independent of the order the
    files were read in and of whether they came from databases or CSV exports."""
    fp = results.first_pass()
    digest = hashlib.sha256()
    for names in (fp.users.names, fp.images.names, fp.groups.names, fp.labels.names):
        digest.update(json.dumps(sorted(names)).encode("utf-8"))
    m = fp.marks
    keys = [_rank(fp.users.names)[m.user], _rank(fp.images.names)[m.image], _rank(fp.groups.names)[m.group],
            _rank(fp.labels.names)[m.label]] if len(m) else []
    if len(m):
        order = np.lexsort((m.y, m.x, *reversed(keys)))
        for column in [*keys, m.x, m.y]:
            digest.update(np.ascontiguousarray(column[order]).astype("<f8" if column.dtype.kind == "f" else "<i8").tobytes())
    v = fp.votes
    rows = sorted((fp.users[int(u)], fp.images[int(i)], tuple(c)) for u, i, c in
                  zip(v.user.tolist(), v.image.tolist(), v.categories.tolist()))
    digest.update(json.dumps(rows).encode("utf-8"))
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def versions() -> dict[str, str]:
    import imgmarker

    out = {"imgmarker": imgmarker.__version__, "python": platform.python_version()}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def write_checksums(root: Path, known: Mapping[str, str], skip: Iterable[str] = ()) -> str:
    """Write ``SHA256SUMS`` for every file under ``root`` (``known`` digests are not
    recomputed); returns the checksum of that list."""
    skip = set(skip)
    lines = []
    names = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        base = Path(folder).relative_to(root).as_posix()
        names.extend(name if base == "." else f"{base}/{name}" for name in files)
    for name in sorted(names):
        if name in skip or name == "SHA256SUMS":
            continue
        lines.append(f"{known.get(name) or file_sha256(root / name)}  {name}\n")
    text = "".join(lines).encode("utf-8")
    (root / "SHA256SUMS").write_bytes(text)
    return hashlib.sha256(text).hexdigest()


def write_manifest(path: Path, manifest: Mapping[str, Any]) -> None:
    path.write_text(json.dumps({"format": FORMAT, **manifest}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

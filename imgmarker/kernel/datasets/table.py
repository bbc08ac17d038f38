"""The label table: one row per example, as CSV and (when pyarrow is installed) Parquet.

Positions are exact (shortest round-tripping floats); missing values (RA/Dec without
a WCS, x/y of whole images) are empty in the CSV and null in the Parquet file. The
files hold nothing that changes between builds (no dates, no paths outside the
dataset), so the same inputs and seed give the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from imgmarker.kernel.output.csvtext import exact, fixed, integers, texts, write_columns

#: column -> kind (text, int, float or fraction) and meaning, in file order
COLUMNS = {
    "file": ("text", "the example's file, relative to the dataset folder"),
    "split": ("text", "train, validation or test"),
    "source_image": ("text", "the campaign image it came from (relative to the image folder)"),
    "frame": ("int", "frame (extension, page, plane) of the source image"),
    "group": ("text", "mark group (empty for whole images)"),
    "label": ("text", "the mark's majority label, or the image's category for whole images"),
    "x": ("float", "mark position in the example's pixels (0-based, centre of the top-left pixel, y down)"),
    "y": ("float", ""),
    "source_x": ("float", "the same position in the source frame's display pixels"),
    "source_y": ("float", ""),
    "ra": ("float", "sky position of the mark (or image centre), degrees"),
    "dec": ("float", ""),
    "categories": ("text", "the source image's categories chosen by at least the minimum support, joined by +"),
    "support": ("fraction", "fraction of the annotators who looked at the image that agree"),
    "n_annotators": ("int", "annotators who agree"),
    "n_seen": ("int", "annotators who looked at the image"),
    "annotators": ("text", "the annotators who agree, joined by +"),
    "width": ("int", "example size in pixels"),
    "height": ("int", ""),
    "source_x0": ("int", "display column and row of the example's top-left pixel in the source frame"),
    "source_y0": ("int", ""),
    "padded": ("fraction", "fraction of the example's pixels outside the source frame (padding)"),
}


def _format(kind: str, values) -> Sequence[str]:
    if kind == "text":
        return texts(list(values))
    if kind == "int":
        return integers(np.asarray(values, dtype=np.int64))
    if kind == "fraction":
        return fixed(np.asarray(values, dtype=float), 4)
    return exact(np.asarray(values, dtype=float))


def write_csv(path: Path, table: Mapping[str, Sequence]) -> int:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        return write_columns(handle, list(COLUMNS), [_format(kind, table[name]) for name, (kind, _) in COLUMNS.items()])


def write_parquet(path: Path, table: Mapping[str, Sequence]) -> bool:
    """Write the Parquet file; False when pyarrow is not installed."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return False
    arrays = {}
    for name, (kind, _) in COLUMNS.items():
        values = table[name]
        if kind == "text":
            arrays[name] = pa.array(list(values), type=pa.string())
        elif kind == "int":
            arrays[name] = pa.array(np.asarray(values, dtype=np.int64))
        else:
            values = np.asarray(values, dtype=float)
            if kind == "fraction":
                values = np.round(values, 4)
            arrays[name] = pa.array(values, mask=np.isnan(values))
    pq.write_table(pa.table(arrays), path)
    return True

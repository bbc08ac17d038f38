"""CSV outputs: marks, images and favourites of one annotator.

Plain RFC 4180 CSV (UTF-8, fields with commas, quotes or newlines quoted, quotes
doubled) so pandas, astropy and spreadsheets read back exactly what was stored.
Floats are written with ``repr`` (shortest exact form); missing values are empty.
"""

from __future__ import annotations

import csv
from typing import Any

import imgmarker
from imgmarker.kernel.records import WriterSpec

MARK_COLUMNS = ("date", "image", "group", "label", "x", "y", "RA", "DEC", "frame", "time", "pass")
IMAGE_COLUMNS = ("image", "RA", "DEC", "categories", "comment", "favorite", "seen_time", "pass")
FAVORITE_COLUMNS = ("image", "RA", "DEC", "comment")


def _cell(value: Any) -> Any:
    return "" if value is None else value


def _writer(handle):
    return csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)


def write_marks(context) -> None:
    with context.atomic_write(f"{context.user}_marks.csv") as handle:
        out = _writer(handle)
        out.writerow(MARK_COLUMNS)
        out.writerows(
            (m.time[:10], m.image, m.group, m.label, m.x, m.y, _cell(m.ra), _cell(m.dec), m.frame, m.time,
             m.pass_index)
            for m in context.marks())


def write_images(context) -> None:
    favorites: dict[str, Any] = {}
    with context.atomic_write(f"{context.user}_images.csv") as handle:
        out = _writer(handle)
        out.writerow(IMAGE_COLUMNS)
        for row in context.images():
            out.writerow((row.image, _cell(row.ra), _cell(row.dec), "+".join(row.categories), row.comment,
                          int(row.favorite), _cell(row.seen_time), row.pass_index))
            if row.favorite and row.image not in favorites:
                favorites[row.image] = row
    with context.atomic_write(f"{context.user}_favorites.csv") as handle:
        out = _writer(handle)
        out.writerow(FAVORITE_COLUMNS)
        for name in sorted(favorites):
            row = favorites[name]
            out.writerow((row.image, _cell(row.ra), _cell(row.dec), row.comment))


def write(context) -> None:
    write_marks(context)
    write_images(context)


@imgmarker.hookimpl
def imgmarker_writers():
    return WriterSpec(
        name="csv",
        write=write,
        outputs=("{user}_marks.csv", "{user}_images.csv", "{user}_favorites.csv"),
        description="marks, images (categories, comments, favourites) and favourites as CSV tables",
    )

"""CSV outputs: marks, images and favourites of one annotator.

``<user>_images.csv`` has a row per image (and pass) that was seen or given a
category, comment or favourite; images never reached have no row.

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
            (m.time[:10], m.image, m.group, m.label, m.x, m.y, "" if m.ra is None else m.ra,
             "" if m.dec is None else m.dec, m.frame, m.time, m.pass_index)
            for m in context.marks())


def write_images(context) -> None:
    rows = list(context.images())
    with context.atomic_write(f"{context.user}_images.csv") as handle:
        out = _writer(handle)
        out.writerow(IMAGE_COLUMNS)
        out.writerows(
            (r.image, _cell(r.ra), _cell(r.dec), "+".join(r.categories), r.comment, int(r.favorite),
             _cell(r.seen_time), r.pass_index)
            for r in rows)
    favorites: dict[str, Any] = {}
    for r in rows:
        if r.favorite:
            favorites.setdefault(r.image, r)
    with context.atomic_write(f"{context.user}_favorites.csv") as handle:
        out = _writer(handle)
        out.writerow(FAVORITE_COLUMNS)
        out.writerows((r.image, _cell(r.ra), _cell(r.dec), r.comment) for _, r in sorted(favorites.items()))


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

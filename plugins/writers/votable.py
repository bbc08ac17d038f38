"""A VOTable of marks with units and UCDs, for TOPCAT, astropy and VO tools.

Sky positions are ICRS degrees, said by a ``COOSYS system="ICRS"`` element that the
RA and DEC fields refer to, and masked (empty) for marks on images without a usable
WCS. The rows are serialized as BINARY2, which keeps every string (leading spaces,
newlines) and every float bit for bit; TABLEDATA readers strip cell whitespace.
Text columns are ``unicodeChar`` of variable length: VOTable counts a unicodeChar
array in UTF-16 code units, so a fixed size taken from the number of characters
would cut off the end of a label with a character outside the Basic Multilingual
Plane (an emoji takes two units).
"""

from __future__ import annotations

import imgmarker
from imgmarker.api import WriterSpec

#: column name -> (description, unit, UCD)
COLUMNS = {
    "image": ("image path relative to the image folder", None, "meta.id;obs.image"),
    "group": ("mark group", None, "meta.code.class"),
    "label": ("mark label", None, "meta.note"),
    "x": ("x, 0-based display pixel, origin at the centre of the top-left pixel", "pix", "pos.cartesian.x;instr.pixel"),
    "y": ("y, 0-based display pixel, downward", "pix", "pos.cartesian.y;instr.pixel"),
    "RA": ("right ascension (ICRS)", "deg", "pos.eq.ra;meta.main"),
    "DEC": ("declination (ICRS)", "deg", "pos.eq.dec;meta.main"),
    "frame": ("frame (extension, page or plane) of the image", None, "meta.number"),
    "time": ("UTC time the mark was placed (ISO 8601)", None, "time.creation"),
    "pass": ("1: first showing; 2: consistency repeat", None, "meta.number"),
}


def table(context):
    import numpy as np
    from astropy.table import MaskedColumn, Table

    rows = list(context.marks())
    ra = np.array([np.nan if m.ra is None else m.ra for m in rows], dtype=float)
    dec = np.array([np.nan if m.dec is None else m.dec for m in rows], dtype=float)
    data = {
        "image": np.array([m.image for m in rows], dtype=str),
        "group": np.array([m.group for m in rows], dtype=str),
        "label": np.array([m.label for m in rows], dtype=str),
        "x": np.array([m.x for m in rows], dtype=float),
        "y": np.array([m.y for m in rows], dtype=float),
        "RA": MaskedColumn(ra, mask=np.isnan(ra)),
        "DEC": MaskedColumn(dec, mask=np.isnan(dec)),
        "frame": np.array([m.frame for m in rows], dtype=np.int32),
        "time": np.array([m.time for m in rows], dtype=str),
        "pass": np.array([m.pass_index for m in rows], dtype=np.int16),
    }
    out = Table(data)
    for name, (description, unit, ucd) in COLUMNS.items():
        column = out[name]
        column.description = description
        if unit:
            column.unit = unit
        column.meta["ucd"] = ucd
    out.meta["description"] = f"imgmarker marks of {context.user}"
    return out


TEXT_COLUMNS = ("image", "group", "label", "time")
COOSYS_ID = "icrs"


def write(context) -> None:
    from astropy.io.votable import from_table
    from astropy.io.votable.tree import CooSys

    votable = from_table(table(context))
    resource = votable.resources[0]
    resource.coordinate_systems.append(CooSys(ID=COOSYS_ID, system="ICRS"))
    resource_table = votable.get_first_table()
    resource_table.name = f"{context.user}_marks"
    for field in resource_table.fields:
        field.ucd = COLUMNS[field.name][2]
        if field.name in TEXT_COLUMNS:
            field.datatype, field.arraysize = "unicodeChar", "*"
        if field.name in ("RA", "DEC"):
            field.ref = COOSYS_ID
    with context.atomic_write(f"{context.user}_marks.xml", "wb") as handle:
        votable.to_xml(handle, tabledata_format="binary2")


@imgmarker.hookimpl
def imgmarker_writers():
    return WriterSpec(name="votable", write=write, outputs=("{user}_marks.xml",),
                      description="marks as a VOTable with units and UCDs")

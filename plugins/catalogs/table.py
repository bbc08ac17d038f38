"""Catalogs in the table formats astropy reads: FITS binary tables, VOTable, ECSV.

Numeric columns go straight through as arrays (fast for large tables); column units
say whether RA is in hours and whether a bare ``size`` is in pixels or arcseconds.
Rows are numbered from 1 in messages.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

import imgmarker
from imgmarker.api import build_catalog
from imgmarker.api import Catalog, CatalogError, CatalogStyle
from imgmarker.api import CatalogReaderSpec

FORMATS = {
    ".fits": "fits", ".fit": "fits", ".fts": "fits", ".fits.gz": "fits",
    ".vot": "votable", ".votable": "votable", ".xml": "votable",
    ".ecsv": "ascii.ecsv",
}


def _format(path: Path) -> str:
    lower = path.name.lower()
    for suffix in sorted(FORMATS, key=len, reverse=True):
        if lower.endswith(suffix):
            return FORMATS[suffix]
    raise CatalogError(path, "is not a FITS table, VOTable or ECSV file")


def read_table(path: Path | str, style: CatalogStyle | None = None) -> Catalog:
    from astropy.table import Table

    path = Path(path)
    style = style or CatalogStyle(name=path.name.split(".")[0])
    fmt = _format(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unit and VO-standard nits are not the user's problem here
        try:
            if fmt == "fits":
                table = _first_fits_table(path)
            else:
                table = Table.read(path, format=fmt)
        except CatalogError:
            raise
        except Exception as exc:
            raise CatalogError(path, f"cannot be read as {fmt} table ({type(exc).__name__}: {exc})") from None
    columns, units = {}, {}
    for name in table.colnames:
        column = table[name]
        if getattr(column, "ndim", 1) != 1:
            continue  # vector cells cannot be positions or labels
        mask = getattr(column, "mask", None)
        data = np.ma.asarray(column) if mask is not None and np.any(mask) else np.asarray(column)
        if data.dtype.kind == "S":
            decoded = np.char.decode(np.ma.getdata(data), "utf-8", "replace")
            data = np.ma.array(decoded, mask=data.mask) if isinstance(data, np.ma.MaskedArray) else decoded
        columns[name] = data
        if column.unit is not None:
            units[name] = str(column.unit)
    lines = np.arange(1, len(table) + 1)
    return build_catalog(path, columns, lines, style, units=units, line_noun="row")


def _first_fits_table(path: Path):
    from astropy.io import fits
    from astropy.table import Table

    with fits.open(path, memmap=False) as hdus:
        for index, hdu in enumerate(hdus):
            if isinstance(hdu, (fits.BinTableHDU, fits.TableHDU)):
                return Table.read(hdus, hdu=index)
    raise CatalogError(path, "has no table extension (a FITS catalog needs a binary or ASCII table)")


@imgmarker.hookimpl
def imgmarker_catalog_readers():
    return CatalogReaderSpec(
        name="table", suffixes=tuple(FORMATS), read=read_table,
        description="FITS binary/ASCII tables, VOTable and ECSV (through astropy)",
    )

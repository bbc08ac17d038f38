"""Catalogs in the table formats astropy reads: FITS binary tables, VOTable, ECSV.

Numeric columns go straight through as arrays (fast for large tables); column units
say whether RA is in hours and whether a bare ``size`` is in pixels or arcseconds.
Rows are numbered from 1 in messages. The sky frame of RA/Dec is what the file says:
the COOSYS a VOTable's RA field refers to (else its only COOSYS), or ``FRAME`` /
``RADESYS`` + ``EQUINOX`` in a FITS table header or ECSV metadata; else ICRS.
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
            frame = None
            if fmt == "fits":
                table = _first_fits_table(path)
            elif fmt == "votable":
                table, frame = _votable(path)
            else:
                table = Table.read(path, format=fmt)
            frame = frame or frame_from_meta(table.meta)
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
    return build_catalog(path, columns, lines, style, units=units, line_noun="row", frame=frame)


#: VOTable COOSYS ``system`` values -> imgmarker frame names (an equinox is added).
COOSYS = {"icrs": "icrs", "fk5": "fk5", "eq_fk5": "fk5", "fk4": "fk4", "eq_fk4": "fk4",
          "galactic": "galactic", "galactic_iau1958": "galactic", "supergalactic": "supergalactic",
          "ecl_fk5": "ecliptic", "ecl_fk4": "ecliptic B"}


def _coosys_frame(system: str | None, equinox: str | None) -> str | None:
    if not system:
        return None
    kind = COOSYS.get(str(system).strip().lower())
    if kind is None:
        return str(system)  # build_catalog says it is not a frame it knows
    if kind in ("fk5", "fk4", "ecliptic", "ecliptic B") and equinox:
        text = str(equinox).strip().upper()
        number = text.lstrip("JB")
        letter = text[0] if text[:1] in ("J", "B") else ("B" if kind in ("fk4", "ecliptic B") else "J")
        return f"{kind.split()[0]} {letter}{number}"
    return kind.split()[0] if kind != "ecliptic B" else "ecliptic B1950"


def _votable(path: Path):
    """The first table of a VOTable and the frame of its RA column's COOSYS."""
    from astropy.io.votable import parse

    votable = parse(str(path))
    resource_table = votable.get_first_table()
    systems = list(votable.iter_coosys())
    chosen = None
    by_id = {s.ID: s for s in systems if s.ID}
    for field in resource_table.fields:
        ref = getattr(field, "ref", None)
        if ref in by_id and (field.ucd or "").lower().startswith(("pos.eq.ra", "pos.galactic.lon", "pos.ecliptic.lon",
                                                                   "pos.supergalactic.lon")):
            chosen = by_id[ref]
            break
    if chosen is None:
        referenced = {field.ref for field in resource_table.fields if getattr(field, "ref", None) in by_id}
        chosen = by_id[referenced.pop()] if len(referenced) == 1 else (systems[0] if len(systems) == 1 else None)
    frame = _coosys_frame(chosen.system, chosen.equinox) if chosen is not None else None
    return resource_table.to_table(), frame


def frame_from_meta(meta) -> str | None:
    """A frame named in table metadata (FITS header keys, ECSV meta): ``FRAME``, or
    ``RADESYS``/``RADECSYS`` with ``EQUINOX`` (the FITS rule when only EQUINOX is given)."""
    lowered = {str(k).lower(): v for k, v in dict(meta or {}).items() if isinstance(k, str)}
    if isinstance(lowered.get("frame"), str):
        return lowered["frame"]
    system = lowered.get("radesys", lowered.get("radecsys"))
    equinox = lowered.get("equinox")
    try:
        number = float(str(equinox).strip().lstrip("JjBb")) if equinox not in (None, "") else None
    except ValueError:
        number = None
    if not system:
        if number is None:
            return None
        system = "FK4" if number < 1984.0 else "FK5"
    system = str(system).strip().lower()
    if system in ("fk5", "fk4") and number is not None:
        return f"{system} {'B' if system == 'fk4' else 'J'}{number:g}"
    return {"fk4-no-e": "fk4-no-e"}.get(system, system)


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

"""Delimited text catalogs (``.csv``, ``.tsv``, ``.txt``, ``.dat``).

The delimiter is sniffed from the header and the first rows (comma, tab, pipe,
semicolon, else runs of whitespace); ``#`` lines and blank lines are skipped, and line
numbers are kept so every problem points at the line to fix.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import imgmarker
from imgmarker.api import build_catalog
from imgmarker.api import Catalog, CatalogError, CatalogStyle
from imgmarker.api import CatalogReaderSpec

DELIMITERS = (",", "\t", "|", ";")
SAMPLE_ROWS = 50


def _split(lines: list[str], delimiter: str | None) -> list[list[str]]:
    if delimiter is None:
        collapsed = [re.sub(r"[ \t]+", " ", line.strip()) for line in lines]
        rows = list(csv.reader(collapsed, delimiter=" ", quotechar='"'))
    else:
        rows = list(csv.reader(lines, delimiter=delimiter, quotechar='"', skipinitialspace=True))
    if delimiter == "|":  # "| ra | dec |" tables have empty outer fields
        rows = [row[1:] if row and not row[0].strip() else row for row in rows]
        rows = [row[:-1] if row and not row[-1].strip() else row for row in rows]
    return rows


def sniff_delimiter(header: str, sample: list[str]) -> str | None:
    """The delimiter that splits the header into most fields and the sample rows into
    the same number of fields; None means whitespace."""
    best: tuple[float, int, str | None] = (0.0, 0, None)
    for delimiter in DELIMITERS:
        if delimiter not in header:
            continue
        head = _split([header], delimiter)[0]
        if len(head) < 2:
            continue
        rows = _split(sample, delimiter) if sample else []
        agree = sum(len(row) == len(head) for row in rows) / len(rows) if rows else 1.0
        if agree >= 0.5 and (agree, len(head)) > best[:2]:
            best = (agree, len(head), delimiter)
    return best[2]


def read_text(path: Path | str, style: CatalogStyle | None = None) -> Catalog:
    path = Path(path)
    style = style or CatalogStyle(name=path.name.split(".")[0])
    raw = path.read_bytes()
    notes = []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # catalogs saved on Windows (Excel, Image Marker 1.2) are Windows-1252; its five
        # unassigned bytes and binary files stay refused
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise CatalogError(path, f"is not UTF-8 text (undecodable byte at offset {exc.start})") from None
        if "\x00" in text:
            raise CatalogError(path, f"is not UTF-8 text (undecodable byte at offset {exc.start})")
        notes.append(f"{path.name}: not UTF-8 (byte {raw[exc.start]:#04x} at offset {exc.start}); "
                     "read as Windows-1252")
    numbered = [(i + 1, line) for i, line in enumerate(text.splitlines())
                if line.strip() and not line.lstrip().startswith("#")]
    if not numbered:
        raise CatalogError(path, "is empty (no header line with column names)")
    header_line, header = numbered[0]
    body = numbered[1:]
    delimiter = sniff_delimiter(header, [line for _, line in body[:SAMPLE_ROWS]])
    names = [name.strip() for name in _split([header], delimiter)[0]]
    if len(names) < 2:
        raise CatalogError(path, f"line {header_line}: cannot find the columns in the header {header.strip()!r}")
    names = [name or f"column{j + 1}" for j, name in enumerate(names)]
    rows = _split([line for _, line in body], delimiter)
    width = len(names)
    good_rows, good_lines, problems = [], [], []
    for (number, _), row in zip(body, rows):
        while len(row) > width and not row[-1].strip():
            row = row[:-1]
        if len(row) != width:
            problems.append(f"{path.name}:{number}: has {len(row)} fields, the header has {width}")
            continue
        good_rows.append(row)
        good_lines.append(number)
    columns = {name: list(values) for name, values in zip(names, zip(*good_rows))} if good_rows else {
        name: [] for name in names}
    if body and not good_rows:
        raise CatalogError(path, f"no usable rows ({'; '.join(problems[:3])})")
    return build_catalog(path, columns, good_lines, style, problems_before=notes + problems)


@imgmarker.hookimpl
def imgmarker_catalog_readers():
    return CatalogReaderSpec(
        name="text", suffixes=(".csv", ".tsv", ".txt", ".dat", ".psv"), read=read_text,
        description=("Delimited text (UTF-8, or Windows-1252 with a note): comma, tab, pipe, semicolon or "
                     "whitespace separated, with a header line"),
    )

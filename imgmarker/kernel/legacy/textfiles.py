"""Text as Image Marker 1.2 leaves it on disk: the annotator's locale encoding, CRLF
line ends (CR CR LF for a CSV written in text mode on Windows), ``,`` or, in older
versions, ``|`` between fields, padded with spaces.

Everything here keeps physical line numbers so each problem can name ``file:line``.
"""

from __future__ import annotations

import codecs
import csv
import locale
import re
from dataclasses import dataclass
from typing import Iterator

#: What a file that is not UTF-8 most likely is: Windows' Western default, unless the
#: locale here says otherwise (a 1.2 folder made on this machine).
FALLBACK_ENCODING = "cp1252"

_LINE_END = re.compile(r"\r\r\n|\r\n|\r|\n")


def _codec(name: str) -> str:
    return codecs.lookup(name).name


def fallback_encoding() -> str:
    preferred = locale.getpreferredencoding(False) or ""
    try:
        name = _codec(preferred)
    except LookupError:
        return FALLBACK_ENCODING
    return FALLBACK_ENCODING if name in ("utf-8", "ascii") else name


def decode_text(raw: bytes, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding used). UTF-8 is tried strictly first (a BOM is dropped); then the
    fallback. Bytes the encoding cannot map become U+FFFD rather than stopping the import."""
    if encoding:
        return raw.decode(encoding, errors="replace"), _codec(encoding)
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    fallback = fallback_encoding()
    return raw.decode(fallback, errors="replace"), fallback


def split_lines(text: str) -> list[str]:
    """Physical lines; a missing newline at the end is fine."""
    lines = _LINE_END.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


@dataclass(frozen=True)
class Row:
    line: int  # 1-based line in the file
    values: dict[str, str]  # lower-case column name -> stripped text


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]  # lower-case, in file order
    rows: tuple[Row, ...]
    delimiter: str
    short_rows: tuple[int, ...]  # lines with fewer fields than the header


def _fields(line: str, delimiter: str) -> list[str]:
    if delimiter == "|":
        parts = line.split("|")
        if parts and not parts[-1].strip():  # every 1.2 "|" line ends with a "|"
            parts.pop()
        return [p.strip() for p in parts]
    return [p.strip() for p in next(csv.reader([line]))]


def read_table(text: str) -> Table:
    """A header line, then one record per line. The delimiter is ``|`` when the header
    has one (older Image Marker versions), else ``,``. Blank lines are skipped."""
    lines = split_lines(text)
    numbered: Iterator[tuple[int, str]] = ((i + 1, line) for i, line in enumerate(lines) if line.strip())
    first = next(numbered, None)
    if first is None:
        return Table((), (), ",", ())
    delimiter = "|" if "|" in first[1] else ","
    columns = tuple(c.lower() for c in _fields(first[1], delimiter))
    rows, short = [], []
    for number, line in numbered:
        values = _fields(line, delimiter)
        if len(values) < len(columns):
            short.append(number)
            values += [""] * (len(columns) - len(values))
        rows.append(Row(number, dict(zip(columns, values))))
    return Table(columns, tuple(rows), delimiter, tuple(short))

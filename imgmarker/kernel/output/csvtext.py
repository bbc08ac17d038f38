"""CSV fields formatted a column at a time (RFC 4180: quoted only when needed).

Big tables are formatted column by column with ``map`` over C-level functions
(``float.__repr__``, ``str.format``) and written a block of rows at a time with
``str.join``, instead of a Python call per row or per field; this is several times
faster than the csv module for the hundreds of thousands of rows an export or an
aggregate writes, and the files are the same.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

BLOCK = 10_000  # rows joined and written at a time
SPECIAL = (",", '"', "\n", "\r")
_repr = float.__repr__  # exact shortest form; also for float subclasses (numpy.float64)


def field(value: Any) -> str:
    """One CSV field, quoted only when it has to be; None is empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        return _repr(value)
    text = value if isinstance(value, str) else str(value)
    if any(c in text for c in SPECIAL):
        return '"' + text.replace('"', '""') + '"'
    return text


def texts(values: Sequence[Any]) -> Sequence[str]:
    """Text fields; None is empty, and values are quoted only if one of them needs it."""
    if None in values or not all(map(str.__instancecheck__, values)):
        values = ["" if v is None else str(v) for v in values]
    block = "\x00".join(values)
    if any(c in block for c in SPECIAL):
        return list(map(field, values))
    return values


def exact(values: np.ndarray) -> list[str]:
    """Shortest exact form of every float (empty for NaN), so that the numbers read
    back are the numbers computed."""
    values = np.asarray(values, dtype=np.float64)
    nan = np.isnan(values)
    if nan.all():
        return [""] * len(values)
    text = list(map(_repr, values.tolist()))
    for i in np.flatnonzero(nan).tolist():
        text[i] = ""
    return text


def fixed(values: np.ndarray, digits: int) -> list[str]:
    """Floats with ``digits`` decimals; empty where not finite."""
    values = np.asarray(values, dtype=np.float64)
    text = list(map(f"{{:.{digits}f}}".format, values.tolist()))
    for i in np.flatnonzero(~np.isfinite(values)).tolist():
        text[i] = ""
    return text


def integers(values: np.ndarray) -> list[str]:
    return list(map(str, np.asarray(values).tolist()))


def write_columns(handle, names: Sequence[str], columns: Sequence[Sequence[str]]) -> int:
    """Header and the formatted ``columns`` (equal lengths) as CSV lines; returns the
    number of rows."""
    handle.write(",".join(map(field, names)) + "\n")
    n = len(columns[0]) if columns else 0
    for start in range(0, n, BLOCK):
        block = [c[start:start + BLOCK] for c in columns]
        handle.write("\n".join(map(",".join, zip(*block))) + "\n")
    return n


# -- the categories column of <user>_images.csv -------------------------------------

def join_categories(names: Sequence[str]) -> str:
    """An image's categories as one field: names joined by ``+``, with ``\\`` and ``+``
    inside a name escaped by a backslash (``A+B`` and ``C`` are ``A\\+B+C``), so any
    name reads back exactly and files whose names hold neither look as they always did."""
    return "+".join(n.replace("\\", "\\\\").replace("+", "\\+") for n in names)


def split_categories(text: str) -> tuple[str, ...]:
    """The inverse of :func:`join_categories`; empty for an empty field. A backslash
    before any other character is kept as it is (files written before names were
    escaped read as they were meant)."""
    if not text:
        return ()
    if "\\" not in text:
        return tuple(name for name in text.split("+") if name)
    names, current, i = [], [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text) and text[i + 1] in "\\+":
            current.append(text[i + 1])
            i += 2
            continue
        if c == "+":
            names.append("".join(current))
            current = []
        else:
            current.append(c)
        i += 1
    names.append("".join(current))
    return tuple(name for name in names if name)


def category_fields(rows: Sequence[Sequence[str]]) -> list[str]:
    """:func:`join_categories` of every row, worked out once per distinct set (a
    campaign has a handful of distinct sets in 100,000 rows)."""
    done = {cats: join_categories(cats) for cats in set(rows)}
    return list(map(done.__getitem__, rows))

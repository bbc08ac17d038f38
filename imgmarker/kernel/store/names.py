"""Image names in the database, kept exactly (see :mod:`imgmarker.kernel.annotations.names`).

SQLite text is UTF-8, and a name with undecodable bytes is not. Such a name is stored
as a BLOB of its original bytes, in the same column; every other name stays TEXT, so
existing databases are unchanged and a name compares equal only to itself. JSON
(the sequence, the undo log) escapes the surrogates as ``\\udcNN``, which reads back
as the same string.
"""

from __future__ import annotations

import json
from operator import itemgetter
from typing import Any, Sequence

from imgmarker.kernel.annotations.names import readable_name


def to_db(name: str) -> str | bytes:
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape")


def from_db(value: str | bytes) -> str:
    return value.decode("utf-8", "surrogateescape") if isinstance(value, bytes) else value


def json_text(value: Any) -> str:
    """JSON as compact UTF-8 text; escaped where a name holds undecodable bytes."""
    text = json.dumps(value, ensure_ascii=False)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return json.dumps(value)


def _has_bytes(rows: Sequence[Sequence[Any]], column: int) -> bool:
    return bytes in set(map(type, map(itemgetter(column), rows)))  # no Python code per row


def exact_rows(rows: list[tuple], column: int = 0) -> list[tuple]:
    """``rows`` with the name in ``column`` decoded exactly (for the session)."""
    if not rows or not _has_bytes(rows, column):
        return rows
    return [r[:column] + (from_db(r[column]),) + r[column + 1:] for r in rows]


def readable_rows(rows: list[tuple], column: int = 0) -> list[tuple]:
    """``rows`` with the name in ``column`` readable (for writers and people)."""
    if not rows or not _has_bytes(rows, column):
        return rows
    return [r[:column] + (readable_name(r[column]) if isinstance(r[column], bytes) else r[column],) + r[column + 1:]
            for r in rows]

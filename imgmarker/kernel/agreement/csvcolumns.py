"""Columns of a result CSV file, read without a Python object per field.

An exported file holds about 50,000 rows of 11 fields per annotator; splitting it into
Python strings and parsing them one by one was most of the time of reading 100
annotators. A file without any quote, in which every line has the header's number of
fields (what the csv writer exports), is instead cut into fields with numpy on its
bytes: numbers are parsed from a fixed-width byte array in one cast, and names are
decoded once per run of equal values (rows come grouped by image). Any other file is
read by the csv module into :class:`TextColumns`, which offers the same methods.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from imgmarker.kernel.agreement.tables import Names

COMMA, NEWLINE, RETURN = ord(","), ord("\n"), ord("\r")


class TextColumns:
    """Columns as lists of strings (any CSV file the csv module reads)."""

    def __init__(self, header: Sequence[str], columns: Sequence[Sequence[str]], n: int):
        self.header, self.columns, self.n = list(header), columns, n

    def strings(self, index: int) -> Sequence[str]:
        return self.columns[index]

    def floats(self, index: int) -> np.ndarray | None:
        """Numbers of a column, or None if a cell is empty or not a number."""
        try:
            return np.array(list(map(float, self.columns[index])), dtype=np.float64).reshape(self.n)
        except ValueError:
            return None

    def codes(self, index: int, names: Names) -> np.ndarray:
        return names.encode(self.columns[index])

    def empty(self, index: int) -> np.ndarray:
        return np.array([not cell for cell in self.columns[index]], dtype=bool).reshape(self.n)


class ByteColumns:
    """Columns of a plain CSV file's bytes: field (row, column) is ``raw[start:end]``."""

    def __init__(self, buf: np.ndarray, header: list[str], starts: np.ndarray, ends: np.ndarray):
        self.buf, self.header, self.starts, self.ends = buf, header, starts, ends
        self.n = len(starts)

    @classmethod
    def parse(cls, raw: bytes) -> "ByteColumns | None":
        """The columns of ``raw`` (UTF-8 without BOM), or None unless it is plain: no
        quote, no lone carriage return, every line with the header's number of commas."""
        if not raw or b'"' in raw:
            return None
        if not raw.endswith(b"\n"):
            raw += b"\n"
        buf = np.frombuffer(raw, dtype=np.uint8)
        returns = np.flatnonzero(buf == RETURN)
        if len(returns) and not (buf[returns + 1] == NEWLINE).all():  # a lone carriage return
            return None
        sep = np.flatnonzero((buf == COMMA) | (buf == NEWLINE))
        line_end = buf[sep] == NEWLINE
        width = int(np.argmax(line_end)) + 1
        if width == 1 or len(sep) % width:  # one column: a blank line would read as an empty cell
            return None
        grid = line_end.reshape(-1, width)
        if not grid[:, -1].all() or grid[:, :-1].any():
            return None
        starts = np.empty(len(sep), dtype=np.int64)
        starts[0] = 0
        starts[1:] = sep[:-1] + 1
        ends = sep.reshape(-1, width)
        if len(returns):  # Windows line ends: the last field of a line stops before "\r"
            ends[:, -1] -= buf[ends[:, -1] - 1] == RETURN
        header = raw[: ends[0, -1]].decode("utf-8").split(",")
        return cls(buf, header, starts.reshape(-1, width)[1:], ends[1:])

    def _lengths(self, index: int) -> np.ndarray:
        return self.ends[:, index] - self.starts[:, index]

    def _fixed(self, index: int, rows: np.ndarray | None = None) -> np.ndarray:
        """The column's fields as a fixed-width bytes array (of ``rows`` only, if given)."""
        start, length = self.starts[:, index], self._lengths(index)
        if rows is not None:
            start, length = start[rows], length[rows]
        width = max(int(length.max()) if len(length) else 0, 1)
        offsets = np.arange(width)
        matrix = self.buf[np.minimum(start[:, None] + offsets, len(self.buf) - 1)]
        matrix[offsets >= length[:, None]] = 0
        return np.ascontiguousarray(matrix).view(f"S{width}").reshape(len(start))

    def empty(self, index: int) -> np.ndarray:
        return self._lengths(index) == 0

    def floats(self, index: int) -> np.ndarray | None:
        """Numbers of a column (NaN where empty), or None if a cell is not a number."""
        empty = self.empty(index)
        if empty.all():
            return np.full(self.n, np.nan)
        try:
            if not empty.any():
                return self._fixed(index).astype(np.float64)
            values = np.full(self.n, np.nan)
            values[~empty] = self._fixed(index, np.flatnonzero(~empty)).astype(np.float64)
            return values
        except ValueError:
            return None

    def _runs(self, index: int) -> tuple[list[str], np.ndarray]:
        """Decoded value of each run of equal fields, and the runs' lengths."""
        fixed = self._fixed(index)
        if not len(fixed):
            return [], np.zeros(0, dtype=np.int64)
        matrix = fixed.view(np.uint8).reshape(len(fixed), -1)
        new = np.ones(len(fixed), dtype=bool)
        new[1:] = (matrix[1:] != matrix[:-1]).any(axis=1)
        first = np.flatnonzero(new)
        values = [b.decode("utf-8") for b in fixed[first].tolist()]
        return values, np.diff(np.append(first, len(fixed)))

    def codes(self, index: int, names: Names) -> np.ndarray:
        values, lengths = self._runs(index)
        return np.repeat(names.encode(values), lengths).astype(np.int32)

    def strings(self, index: int) -> list[str]:
        values, lengths = self._runs(index)
        column = np.empty(len(values), dtype=object)
        column[:] = values
        return np.repeat(column, lengths).tolist()

"""Reading annotators' results (campaign databases or exported CSV files) into :class:`Results`.

A results folder may hold each annotator's database ``<user>.imgmarker.sqlite`` (read
directly, read-only) or the exported CSV files; when both exist for one annotator in
the same folder the database is used (the CSV files are its export). Each annotator exports ``<user>_marks.csv`` (date, image, group, label, x, y, RA, DEC,
frame, time, pass) and ``<user>_images.csv`` (image, RA, DEC, categories joined by
``+``, a ``+`` or backslash in a name escaped by a backslash, comment, favorite, seen time, pass). Only ``image`` (and ``group``, ``x``, ``y`` for
marks) are required, so older or hand-made files still load. Every problem names the
file (and line), and a bad file skips that annotator instead of stopping the run.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool as BrokenExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from imgmarker.kernel.agreement import grouping
from imgmarker.kernel.agreement.csvcolumns import ByteColumns, TextColumns
from imgmarker.kernel.agreement.tables import ImageVotes, Marks, Names, Results
from imgmarker.kernel.output.csvtext import split_categories

MARKS_SUFFIX = "_marks.csv"
IMAGES_SUFFIX = "_images.csv"
STORE_SUFFIX = ".imgmarker.sqlite"
STORE_SUFFIXES = (".sqlite", ".sqlite3", ".db")

#: Accepted spellings of each column, after lower-casing and turning spaces/dashes into '_'.
ALIASES = {
    "image": ("image", "image_name", "file", "filename"),
    "group": ("group", "group_name"),
    "label": ("label",),
    "x": ("x",),
    "y": ("y",),
    "ra": ("ra", "ra_deg"),
    "dec": ("dec", "dec_deg"),
    "pass": ("pass", "pass_index"),
    "categories": ("categories", "category"),
    "comment": ("comment", "comments"),
    "favorite": ("favorite", "favourite"),
}


class ResultsError(Exception):
    """A result file or folder cannot be used; the message names it."""

    def __init__(self, path: Path, message: str, line: int | None = None):
        self.path, self.line, self.message = Path(path), line, message
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class InputProblem:
    path: Path
    message: str
    severity: str = "error"
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {'warning: ' if self.severity == 'warning' else ''}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@dataclass(frozen=True)
class ResultFiles:
    user: str
    marks: Path | None
    images: Path | None
    store: Path | None = None

    @property
    def paths(self) -> tuple[Path, ...]:
        return tuple(p for p in (self.store, self.marks, self.images) if p is not None)


def _user_of(path: Path) -> tuple[str, str] | None:
    name = path.name
    for suffix, kind in ((MARKS_SUFFIX, "marks"), (IMAGES_SUFFIX, "images"), (STORE_SUFFIX, "store")):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], kind
    return None


def find_result_files(paths: Sequence[Path | str]) -> tuple[list[ResultFiles], list[InputProblem]]:
    """Annotators found in result folders (searched recursively) or named CSV files.
    A CSV file brings its companion (marks <-> images) from the same folder."""
    found: dict[str, dict[str, Path]] = {}
    problems: list[InputProblem] = []

    def add(user: str, kind: str, path: Path) -> None:
        entry = found.setdefault(user, {})
        other = entry.get(kind)
        if other is not None and other.resolve() != path.resolve():
            problems.append(InputProblem(path, f"annotator {user!r} appears twice (also {other}); "
                                               "this file is ignored"))
            return
        entry[kind] = path

    for raw in paths:
        path = Path(raw)
        if not path.exists():
            problems.append(InputProblem(path, "no such result folder or file"))
        elif path.is_dir():
            files = sorted(p for p in [*path.rglob("*.csv"), *path.rglob("*" + STORE_SUFFIX)]
                           if not any(s.startswith(".") for s in p.parts[-2:]))
            hits = [(p, _user_of(p)) for p in files]
            hits = [(p, u) for p, u in hits if u is not None]
            if not hits:
                stores = [p.name for p in path.rglob("*") if p.suffix.lower() in STORE_SUFFIXES]
                hint = (f" (found {', '.join(stores)}: an annotator's database is named "
                        f"'<user>{STORE_SUFFIX}')" if stores else "")
                problems.append(InputProblem(path, f"no '*{STORE_SUFFIX}', '*{MARKS_SUFFIX}' or "
                                                   f"'*{IMAGES_SUFFIX}' files in this folder{hint}"))
            for p, (user, kind) in hits:
                add(user, kind, p)
        else:
            hit = _user_of(path)
            if hit is None:
                problems.append(InputProblem(path, f"not a result file: expected a name ending in "
                                                   f"{STORE_SUFFIX!r}, {MARKS_SUFFIX!r} or {IMAGES_SUFFIX!r}"))
                continue
            user, kind = hit
            add(user, kind, path)
            if kind == "store":
                continue
            other_kind, other_suffix = ("images", IMAGES_SUFFIX) if kind == "marks" else ("marks", MARKS_SUFFIX)
            companion = path.with_name(user + other_suffix)
            if companion.is_file() and other_kind not in found[user]:
                add(user, other_kind, companion)
    files = []
    for user, kinds in sorted(found.items()):
        store = kinds.get("store")
        if store is not None:
            exported = [p for k, p in kinds.items() if k != "store"]
            elsewhere = [p for p in exported if p.parent.resolve() != store.parent.resolve()]
            for p in elsewhere:
                problems.append(InputProblem(p, f"annotator {user!r} appears twice (also {store}); the "
                                                "database is used and this file is ignored", "warning"))
            files.append(ResultFiles(user, None, None, store))
        else:
            files.append(ResultFiles(user, kinds.get("marks"), kinds.get("images")))
    return files, problems


def _key(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def _header(cells: Sequence[str]) -> dict[str, int]:
    header = [_key(h) for h in cells]
    columns: dict[str, int] = {}
    for canonical, spellings in ALIASES.items():
        for i, h in enumerate(header):
            if h in spellings:
                columns[canonical] = i
                break
    for i, h in enumerate(header):
        columns.setdefault(h, i)
    return columns


def _read_rows(path: Path) -> tuple[dict[str, int], ByteColumns | TextColumns]:
    """Header (canonical name -> column index) and the columns, or :class:`ResultsError`."""
    try:
        raw = path.read_bytes()
        if raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        text = raw.decode("utf-8")  # also checks the encoding of the fast path
        fast = ByteColumns.parse(raw)
        if fast is not None:
            return _header(fast.header), fast
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except UnicodeDecodeError as exc:
        raise ResultsError(path, f"not a UTF-8 text file ({exc.reason} at byte {exc.start})") from exc
    except csv.Error as exc:
        raise ResultsError(path, f"not a valid CSV file: {exc}") from exc
    except OSError as exc:
        raise ResultsError(path, f"cannot be read: {exc.strerror or exc}") from exc
    if not rows:
        raise ResultsError(path, "empty file (no header line)")
    columns = _header(rows[0])
    data = rows[1:]
    width = len(rows[0])
    if set(map(len, data)) - {width}:
        for i, row in enumerate(data):
            if len(row) != width and any(cell.strip() for cell in row):
                raise ResultsError(path, f"{len(row)} fields where the header has {width}", line=i + 2)
        data = [r for r in data if len(r) == width]
    cols = list(zip(*data)) if data else [()] * width
    return columns, TextColumns(rows[0], cols, len(data))


def _require(path: Path, columns: dict[str, int], names: Iterable[str]) -> None:
    missing = [n for n in names if n not in columns]
    if missing:
        raise ResultsError(path, f"missing column{'s' * (len(missing) > 1)} {', '.join(missing)} "
                                 f"(columns found: {', '.join(columns) or 'none'})", line=1)


def _floats(path: Path, table: ByteColumns | TextColumns, index: int | None, name: str) -> np.ndarray:
    """Numbers of one column; empty cells are NaN."""
    n = table.n
    if index is None:
        return np.full(n, np.nan)
    values = table.floats(index)
    if values is not None:
        return values
    cells = table.strings(index)
    if not any(cells):
        return np.full(n, np.nan)
    values = np.empty(n)
    for i, cell in enumerate(cells):
        try:
            values[i] = float(cell) if cell.strip() else np.nan
        except ValueError:
            raise ResultsError(path, f"column {name}: {cell!r} is not a number", line=i + 2) from None
    return values


def _passes(path: Path, table: ByteColumns | TextColumns, index: int | None) -> np.ndarray:
    n = table.n
    if index is None:
        return np.ones(n, dtype=np.int8)
    values = _floats(path, table, index, "pass")
    values = np.where(np.isnan(values), 1, values)
    bad = np.flatnonzero((values != 1) & (values != 2))
    if bad.size:
        raise ResultsError(path, f"column pass: {table.strings(index)[bad[0]]!r} is not 1 or 2",
                           line=int(bad[0]) + 2)
    return values.astype(np.int8)


def read_marks(path: Path, user: int, images: Names, groups: Names, labels: Names) -> Marks:
    columns, table = _read_rows(path)
    _require(path, columns, ("image", "group", "x", "y"))
    n = table.n
    x = _floats(path, table, columns["x"], "x")
    y = _floats(path, table, columns["y"], "y")
    bad = np.flatnonzero(~np.isfinite(x) | ~np.isfinite(y))
    if bad.size:
        raise ResultsError(path, "x and y must be finite numbers", line=int(bad[0]) + 2)
    group = table.codes(columns["group"], groups)
    if "label" not in columns:
        label = labels.encode(table.strings(columns["group"]))
    elif table.empty(columns["label"]).any():  # an empty label means the group's name
        label = labels.encode([label or grp for label, grp in zip(table.strings(columns["label"]),
                                                                  table.strings(columns["group"]))])
    else:
        label = table.codes(columns["label"], labels)
    return Marks(
        user=np.full(n, user, dtype=np.int32),
        image=table.codes(columns["image"], images),
        group=group,
        label=label,
        x=x, y=y,
        ra=_floats(path, table, columns.get("ra"), "RA"),
        dec=_floats(path, table, columns.get("dec"), "DEC"),
        pass_index=_passes(path, table, columns.get("pass")),
    )


def _truthy(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "y", "t")


def _categories(value: str) -> tuple[str, ...]:
    return tuple(c for c in split_categories(value) if c.strip())


def _each_distinct(function, cells: Sequence[str]) -> list:
    """``function`` of every cell, computed once per distinct value (columns such as
    categories or favourites hold a handful of values in 100,000 rows)."""
    done = {value: function(value) for value in set(cells)}
    return list(map(done.__getitem__, cells))


def read_images(path: Path, user: int, images: Names) -> ImageVotes:
    columns, table = _read_rows(path)
    _require(path, columns, ("image",))
    n = table.n
    get = {name: columns.get(name) for name in ("categories", "comment", "favorite")}
    cats = np.empty(n, dtype=object)
    cats[:] = (_each_distinct(_categories, table.strings(get["categories"])) if get["categories"] is not None
               else [()] * n)
    comments = np.empty(n, dtype=object)
    comments[:] = table.strings(get["comment"]) if get["comment"] is not None else [""] * n
    favorite = (np.array(_each_distinct(_truthy, table.strings(get["favorite"])), dtype=bool).reshape(n)
                if get["favorite"] is not None else np.zeros(n, dtype=bool))
    return ImageVotes(
        user=np.full(n, user, dtype=np.int32),
        image=table.codes(columns["image"], images),
        categories=cats,
        comment=comments,
        favorite=favorite,
        pass_index=_passes(path, table, columns.get("pass")),
    )


@dataclass(frozen=True)
class Expected:
    """What the experiment allows; ``None`` fields are not checked."""

    images: Sequence[str] | None = None
    groups: Sequence[str] | None = None
    categories: Sequence[str] | None = None
    name: str = "the experiment"


def _check(files: ResultFiles, marks: Marks, votes: ImageVotes, names: Results,
           expected: Expected, problems: list[InputProblem]) -> tuple[Marks, ImageVotes] | None:
    """Drop rows that do not belong to the experiment; ``None`` when nothing does."""
    where = files.store or files.marks or files.images
    if expected.images is not None:
        known = np.zeros(len(names.images), dtype=bool)
        known[: len(expected.images)] = True  # the experiment's names were coded first
        used = grouping.distinct(np.concatenate([marks.image, votes.image]))
        unknown = used[~known[used]]
        if used.size and unknown.size == used.size:
            sample = ", ".join(repr(names.images[int(c)]) for c in unknown[:3])
            raise ResultsError(where, f"results of a different experiment? none of the {used.size} images "
                                      f"named here ({sample}{', ...' if unknown.size > 3 else ''}) is an image "
                                      f"of {expected.name}")
        if unknown.size:
            sample = ", ".join(repr(names.images[int(c)]) for c in unknown[:3])
            problems.append(InputProblem(where, f"{unknown.size} image name(s) are not images of "
                                                f"{expected.name} and are ignored: {sample}"
                                                f"{', ...' if unknown.size > 3 else ''}", "warning"))
            marks = marks.take(known[marks.image])
            votes = votes.take(known[votes.image])
    if expected.groups is not None and len(marks):
        allowed = np.zeros(len(names.groups), dtype=bool)
        allowed[[names.groups.code(g) for g in expected.groups]] = True
        bad = np.unique(marks.group[~allowed[marks.group]])
        if bad.size:
            problems.append(InputProblem(files.store or files.marks, "marks of unknown group(s) "
                                         + ", ".join(repr(names.groups[int(g)]) for g in bad)
                                         + f" are ignored (groups of {expected.name}: "
                                         + ", ".join(expected.groups) + ")", "warning"))
            marks = marks.take(allowed[marks.group])
    if expected.categories is not None and len(votes):
        allowed_cats = set(expected.categories)
        unknown_cats = sorted({c for cats in votes.categories for c in cats} - allowed_cats)
        if unknown_cats:
            problems.append(InputProblem(files.store or files.images, f"unknown categor{'ies' if len(unknown_cats) > 1 else 'y'} "
                                         + ", ".join(map(repr, unknown_cats)) + " ignored (categories of "
                                         + f"{expected.name}: {', '.join(expected.categories)})", "warning"))
            cleaned = np.empty(len(votes), dtype=object)
            cleaned[:] = [tuple(c for c in cats if c in allowed_cats) for cats in votes.categories]
            votes.categories = cleaned
    return marks, votes


def _read_store(path: Path, user: int, results: Results, expected: Expected,
                columns: Callable[[], object] | None = None) -> tuple[Marks, ImageVotes]:
    """One database's tables; ``columns`` gives its columns when they were read elsewhere."""
    from imgmarker.kernel.agreement.stores import StoreReadError, check_sequence, read_columns, to_tables

    try:
        read = columns() if columns is not None else read_columns(path)
        marks, votes = to_tables(read, user, results.images, results.groups, results.labels)
        check_sequence(read.sequence, expected.images, expected.name)
    except StoreReadError as exc:
        raise ResultsError(path, exc.message) from exc
    return marks, votes


#: databases read by worker processes (SQLite hands out rows one Python object at a
#: time, so reading dominates and splits well); fewer databases are read in-process
POOL_WORKERS = 2
POOL_MIN_STORES = 8


def _store_readers(stores: Sequence[Path], workers: int | None, stack: contextlib.ExitStack
                   ) -> dict[Path, Callable[[], object]]:
    """Deferred reads of the databases by a pool of processes, or nothing when a pool
    is not worth starting or cannot start (the databases are then read in-process)."""
    workers = min(POOL_WORKERS, os.cpu_count() or 1) if workers is None else workers
    if workers < 2 or len(stores) < POOL_MIN_STORES:
        return {}
    from imgmarker.kernel.agreement.stores import read_columns

    try:
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        stack.callback(pool.shutdown, wait=True, cancel_futures=True)  # an interrupted load stops early
        futures = {path: pool.submit(read_columns, path) for path in stores}
    except (OSError, RuntimeError, ValueError):
        return {}

    def reader(path: Path, future: Future) -> Callable[[], object]:
        def result() -> object:
            try:
                return future.result()
            except BrokenExecutor:  # the worker died or could not start: read it here
                return read_columns(path)
        return result

    return {path: reader(path, future) for path, future in futures.items()}


def load_results(paths: Sequence[Path | str], expected: Expected | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 workers: int | None = 1) -> tuple[Results, list[InputProblem]]:
    """Load every annotator found under ``paths``. Annotators whose files are broken or
    belong to another experiment are left out and reported in the problems. With
    ``workers=None`` many databases are read by up to two worker processes (started with
    'spawn', so a calling script needs an ``if __name__ == "__main__"`` guard); the default
    reads them in this process. The result is the same either way."""
    expected = expected or Expected()
    files, problems = find_result_files(paths)
    results = Results(Names(), Names(expected.images or ()), Names(expected.groups or ()), Names(),
                      Marks(), ImageVotes())
    mark_parts: list[Marks] = []
    vote_parts: list[ImageVotes] = []
    with contextlib.ExitStack() as stack:
        readers = _store_readers([f.store for f in files if f.store is not None], workers, stack)
        for done, entry in enumerate(files):
            if progress is not None:
                progress(done, len(files))
            user = len(results.users)
            try:
                if entry.store is not None:
                    marks, votes = _read_store(entry.store, user, results, expected, readers.get(entry.store))
                else:
                    marks = read_marks(entry.marks, user, results.images, results.groups, results.labels) if entry.marks else Marks()
                    votes = read_images(entry.images, user, results.images) if entry.images else ImageVotes()
                marks, votes = _check(entry, marks, votes, results, expected, problems)
            except ResultsError as exc:
                problems.append(InputProblem(exc.path, f"{exc.message} (annotator {entry.user!r} left out)",
                                             line=exc.line))
                continue
            results.users.code(entry.user)
            results.sources[entry.user] = entry.paths
            mark_parts.append(marks)
            vote_parts.append(votes)
    if progress is not None:
        progress(len(files), len(files))
    results.marks = Marks.concat(mark_parts)
    results.votes = ImageVotes.concat(vote_parts)
    return results, problems

"""The aggregate's tables as (columns, rows), and writing them as CSV.

Tables are kept apart from the file format so that writer plugins (VOTable, DS9
regions, ...) can take the same rows; CSV is written atomically."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

from imgmarker.kernel.agreement.categories import CategoryVotes
from imgmarker.kernel.agreement.clustering import Consensus
from imgmarker.kernel.output.atomic import atomic_write
from imgmarker.kernel.output.csvtext import exact, fixed, integers, join_categories, texts, write_columns

Table = tuple[Sequence[str], Iterable[Sequence[object]]]

CONSENSUS_COLUMNS = ("image", "label", "group", "x", "y", "ra", "dec", "x_median", "y_median", "ra_median",
                     "dec_median", "spread", "spread_unit", "radius", "radius_unit", "n_annotators", "n_seen",
                     "support", "labels", "annotators")


def _f(value: float, digits: int) -> str:
    return f"{value:.{digits}f}" if math.isfinite(value) else ""


@dataclass(frozen=True)
class ColumnTable:
    """A table as columns of formatted CSV fields (already quoted where needed)."""

    names: Sequence[str]
    columns: list[Sequence[str]]

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0


def _name_rank(names: Sequence[str]) -> np.ndarray:
    """Rank of each name code in sorted name order, so rows sort by name without
    comparing strings per row."""
    rank = np.empty(len(names), dtype=np.int64)
    rank[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
    return rank


def _join_runs(pieces: list[str], starts: np.ndarray, ends: np.ndarray) -> list[str]:
    """``"+".join`` of each [start, end) run of ``pieces``."""
    if len(pieces) == len(starts):  # one piece per run
        return pieces
    return ["+".join(pieces[a:b]) for a, b in zip(starts.tolist(), ends.tolist())]


def _escaped(names: Sequence[str]) -> list[str]:
    """Each name as one piece of a ``+`` join (``\\`` and ``+`` escaped as in the
    categories column), so ``split_categories`` reads a summary back exactly."""
    return [join_categories([name]) for name in names]


def label_summaries(cons: Consensus) -> list[str]:
    """Per cluster: its labels with their numbers of annotators, ``name:n`` joined by
    ``+``, most frequent first (then by name); names escaped (see :func:`_escaped`)."""
    res = cons.results
    n_labels = max(len(res.labels), 1)
    pairs, counts = (cons.label_votes if cons.label_votes is not None
                     else np.unique(cons.member.astype(np.int64) * n_labels + res.marks.label, return_counts=True))
    owner, label = pairs // n_labels, pairs % n_labels
    order = np.lexsort((_name_rank(res.labels.names)[label], -counts, owner))
    names = np.asarray(_escaped(res.labels.names), dtype=object)[label[order]].tolist()
    pieces = list(map("{}:{}".format, names, counts[order].tolist()))
    bounds = np.searchsorted(owner[order], np.arange(len(cons) + 1))
    return _join_runs(pieces, bounds[:-1], bounds[1:])


def annotator_summaries(cons: Consensus) -> list[str]:
    """Per cluster: its annotators' names in name order, joined by ``+`` (escaped)."""
    res = cons.results
    member = cons.member.astype(np.int64)
    rank = _name_rank(res.users.names)[res.marks.user]
    by = cons.by_cluster if cons.by_cluster is not None else np.argsort(member, kind="stable")
    run_member, run_rank = member[by], rank[by]
    same = run_member[1:] == run_member[:-1]
    if np.any(same & (run_rank[1:] < run_rank[:-1])):  # not already in name order within clusters
        by = np.lexsort((rank, member))
    names = np.asarray(_escaped(res.users.names), dtype=object)[res.marks.user[by]].tolist()
    bounds = np.searchsorted(member[by], np.arange(len(cons) + 1))
    return _join_runs(names, bounds[:-1], bounds[1:])


def consensus_tables(cons: Consensus) -> tuple[ColumnTable, ColumnTable]:
    """The supported clusters and the disputed ones (see :func:`consensus_table`)."""
    labels = np.asarray(label_summaries(cons), dtype=object)
    annotators = np.asarray(annotator_summaries(cons), dtype=object)
    return (_consensus_table(cons, False, labels, annotators), _consensus_table(cons, True, labels, annotators))


def consensus_table(cons: Consensus, disputed: bool) -> ColumnTable:
    """Clusters supported by at least the minimum fraction (or, with ``disputed``, the
    others), by image, group and decreasing support. ``label``, ``x``, ``y``, ``ra``,
    ``dec`` make it a catalog that a new campaign can overlay."""
    return consensus_tables(cons)[int(disputed)]


def _consensus_table(cons: Consensus, disputed: bool, labels: np.ndarray, annotators: np.ndarray) -> ColumnTable:
    res = cons.results
    image_names = np.asarray(res.images.names, dtype=object)
    group_names = np.asarray(res.groups.names, dtype=object)
    select = np.flatnonzero(cons.disputed == disputed)
    order = select[np.lexsort((cons.x[select], -cons.n[select], _name_rank(res.groups.names)[cons.group[select]],
                               _name_rank(res.images.names)[cons.image[select]]))]
    sky = cons.unit[order] == "arcsec"
    spread = np.where(sky, cons.spread_arcsec[order], cons.spread_px[order])
    unit = texts(cons.unit[order].tolist())
    columns = [
        texts(image_names[cons.image[order]].tolist()),
        texts(np.asarray(res.labels.names, dtype=object)[cons.label[order]].tolist()),
        texts(group_names[cons.group[order]].tolist()),
        *(exact(getattr(cons, c)[order]) for c in ("x", "y", "ra", "dec", "x_median", "y_median", "ra_median",
                                                    "dec_median")),
        fixed(spread, 3), unit, fixed(cons.radius[order], 3), unit, integers(cons.n[order]),
        integers(cons.seen[order]), fixed(cons.support[order], 4),
        texts(labels[order].tolist()), texts(annotators[order].tolist()),
    ]
    return ColumnTable(CONSENSUS_COLUMNS, columns)


def categories_table(votes: CategoryVotes, image_names: Sequence[str]) -> Table:
    columns = (["image", "n_seen"] + [f"n_{c}" for c in votes.categories] + [f"fraction_{c}" for c in votes.categories]
               + ["majority", "majority_fraction"])

    def rows() -> Iterator[Sequence[object]]:
        fractions = votes.fractions()
        majority = votes.majority()
        for i, code in enumerate(votes.image.tolist()):
            top = fractions[i].max() if fractions.shape[1] else 0.0
            yield ([image_names[code], int(votes.seen[i])] + votes.counts[i].tolist()
                   + [_f(f, 4) for f in fractions[i].tolist()] + [majority[i], _f(float(top), 4) if majority[i] else ""])
    return columns, rows()


def comments_table(comments: Iterable[tuple[str, str, int, str]]) -> Table:
    return ("image", "annotator", "pass", "comment"), comments


def write_csv(path: Path, table: Table | ColumnTable) -> int:
    """Write ``table`` to ``path`` atomically; returns the number of rows."""
    if isinstance(table, ColumnTable):
        with atomic_write(path, newline="") as handle:
            return write_columns(handle, table.names, table.columns)
    columns, rows = table
    rows = rows if isinstance(rows, list) else list(rows)
    with atomic_write(path, newline="") as handle:
        out = csv.writer(handle)
        out.writerow(columns)
        out.writerows(rows)  # one C-level loop
    return len(rows)

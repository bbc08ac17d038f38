"""The aggregate's tables as (columns, rows), and writing them as CSV.

Tables are kept apart from the file format so that writer plugins (VOTable, DS9
regions, ...) can take the same rows; CSV is written atomically."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

from imgmarker.kernel.agreement.categories import CategoryVotes
from imgmarker.kernel.agreement.clustering import Consensus
from imgmarker.kernel.atomic import atomic_write

Table = tuple[Sequence[str], Iterable[Sequence[object]]]

CONSENSUS_COLUMNS = ("image", "label", "group", "x", "y", "ra", "dec", "x_median", "y_median", "ra_median",
                     "dec_median", "spread", "spread_unit", "radius", "radius_unit", "n_annotators", "n_seen",
                     "support", "labels", "annotators")


def _f(value: float, digits: int) -> str:
    return "" if not np.isfinite(value) else f"{value:.{digits}f}"


def consensus_table(cons: Consensus, disputed: bool) -> Table:
    """Clusters supported by at least the minimum fraction (or, with ``disputed``, the
    others), by image, group and decreasing support. ``label``, ``x``, ``y``, ``ra``,
    ``dec`` make it a catalog that a new campaign can overlay."""
    res = cons.results
    image_names = np.asarray(res.images.names, dtype=object)
    group_names = np.asarray(res.groups.names, dtype=object)
    select = np.flatnonzero(cons.disputed == disputed)
    order = select[np.lexsort((cons.x[select], -cons.n[select], group_names[cons.group[select]],
                               image_names[cons.image[select]]))]

    def rows() -> Iterator[Sequence[object]]:
        labels = cons.label_counts()
        annotators = cons.annotators()
        label_names = res.labels.names
        for c in order.tolist():
            sky = cons.unit[c] == "arcsec"
            yield (image_names[cons.image[c]], label_names[cons.label[c]], group_names[cons.group[c]],
                   _f(cons.x[c], 3), _f(cons.y[c], 3), _f(cons.ra[c], 8), _f(cons.dec[c], 8),
                   _f(cons.x_median[c], 3), _f(cons.y_median[c], 3), _f(cons.ra_median[c], 8),
                   _f(cons.dec_median[c], 8), _f(cons.spread_arcsec[c] if sky else cons.spread_px[c], 3),
                   cons.unit[c], _f(cons.radius[c], 3), cons.unit[c], int(cons.n[c]), int(cons.seen[c]),
                   _f(cons.support[c], 4), "+".join(f"{name}:{n}" for name, n in labels[c]),
                   "+".join(annotators[c]))
    return CONSENSUS_COLUMNS, rows()


def categories_table(votes: CategoryVotes, image_names: Sequence[str]) -> Table:
    columns = (["image", "n_seen"] + [f"n_{c}" for c in votes.categories] + [f"fraction_{c}" for c in votes.categories]
               + ["majority", "majority_fraction"])

    def rows() -> Iterator[Sequence[object]]:
        fractions = votes.fractions()
        majority = votes.majority()
        for i, code in enumerate(votes.image.tolist()):
            top = fractions[i].max() if fractions.shape[1] else 0.0
            yield ([image_names[code], int(votes.seen[i])] + [int(n) for n in votes.counts[i]]
                   + [_f(f, 4) for f in fractions[i]] + [majority[i], _f(top, 4) if majority[i] else ""])
    return columns, rows()


def comments_table(comments: Iterable[tuple[str, str, int, str]]) -> Table:
    return ("image", "annotator", "pass", "comment"), comments


def write_csv(path: Path, table: Table) -> int:
    """Write ``table`` to ``path`` atomically; returns the number of rows."""
    columns, rows = table
    n = 0
    with atomic_write(path, newline="") as handle:
        out = csv.writer(handle)
        out.writerow(columns)
        for row in rows:
            out.writerow(row)
            n += 1
    return n

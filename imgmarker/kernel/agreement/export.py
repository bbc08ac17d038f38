"""The aggregate's tables as (columns, rows), and writing them as CSV.

Tables are kept apart from the file format so that writer plugins (VOTable, DS9
regions, ...) can take the same rows; CSV is written atomically."""

from __future__ import annotations

import csv
import math
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
    return f"{value:.{digits}f}" if math.isfinite(value) else ""


def _column(values: np.ndarray, digits: int) -> list[str]:
    """Formatted numbers (empty for NaN); Python floats format much faster than numpy's."""
    return [f"{v:.{digits}f}" if math.isfinite(v) else "" for v in values.tolist()]


def _exact(values: np.ndarray) -> list[str]:
    """Shortest exact form (empty for NaN): a catalog made of the consensus puts its
    sources at exactly the computed centres."""
    text = list(map(float.__repr__, values.tolist()))
    return [t if t != "nan" else "" for t in text] if "nan" in text else text


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
        sky = cons.unit[order] == "arcsec"
        spread = np.where(sky, cons.spread_arcsec[order], cons.spread_px[order])
        labels = ["+".join(f"{name}:{n}" for name, n in counts) for counts in cons.label_counts(order)]
        annotators = ["+".join(names) for names in cons.annotators(order)]
        unit = cons.unit[order].tolist()
        yield from zip(
            image_names[cons.image[order]].tolist(), np.asarray(res.labels.names, dtype=object)[cons.label[order]].tolist(),
            group_names[cons.group[order]].tolist(),
            _exact(cons.x[order]), _exact(cons.y[order]), _exact(cons.ra[order]),
            _exact(cons.dec[order]), _exact(cons.x_median[order]), _exact(cons.y_median[order]),
            _exact(cons.ra_median[order]), _exact(cons.dec_median[order]), _column(spread, 3), unit,
            _column(cons.radius[order], 3), unit, cons.n[order].tolist(), cons.seen[order].tolist(),
            _column(cons.support[order], 4), labels, annotators)
    return CONSENSUS_COLUMNS, rows()


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


def write_csv(path: Path, table: Table) -> int:
    """Write ``table`` to ``path`` atomically; returns the number of rows."""
    columns, rows = table
    rows = rows if isinstance(rows, list) else list(rows)
    with atomic_write(path, newline="") as handle:
        out = csv.writer(handle)
        out.writerow(columns)
        out.writerows(rows)  # one C-level loop
    return len(rows)

"""Chance-corrected agreement on nominal labels: Fleiss' kappa, Krippendorff's alpha
and Cohen's kappa. Labels are integer codes; ``-1`` is a missing value. Each statistic
comes with the number of items (images) it rests on; NaN when it is undefined (e.g.
everyone always chose the same category)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

MISSING = -1


class Stat(NamedTuple):
    value: float
    n: int  # images (units) used


def _counts(labels: np.ndarray) -> np.ndarray:
    """(units, categories) counts from a raters x units matrix of codes."""
    labels = np.asarray(labels)
    k = int(labels.max()) + 1 if labels.size and labels.max() >= 0 else 1
    units = np.broadcast_to(np.arange(labels.shape[1]), labels.shape)
    ok = labels >= 0
    counts = np.zeros((labels.shape[1], k), dtype=np.int64)
    np.add.at(counts, (units[ok], labels[ok]), 1)
    return counts


def fleiss_kappa(counts: np.ndarray) -> Stat:
    """Fleiss' kappa from a subjects x categories table of how many raters chose each.

    Subjects may have different numbers of raters (each subject's agreement uses its
    own count); subjects with fewer than two raters are left out."""
    counts = np.asarray(counts, dtype=np.float64)
    n_i = counts.sum(axis=1)
    counts, n_i = counts[n_i >= 2], n_i[n_i >= 2]
    if len(counts) == 0:
        return Stat(float("nan"), 0)
    p_i = ((counts ** 2).sum(axis=1) - n_i) / (n_i * (n_i - 1))
    p_bar = p_i.mean()
    p_j = counts.sum(axis=0) / n_i.sum()
    p_e = float((p_j ** 2).sum())
    value = (p_bar - p_e) / (1 - p_e) if p_e < 1 else float("nan")
    return Stat(float(value), len(counts))


def fleiss_kappa_labels(labels: np.ndarray) -> Stat:
    """Fleiss' kappa from a raters x units matrix of codes (``-1`` missing)."""
    return fleiss_kappa(_counts(labels))


def krippendorff_alpha(labels: np.ndarray) -> Stat:
    """Krippendorff's alpha for nominal data from a raters x units matrix of codes
    (``-1`` missing). Units with fewer than two values are not pairable and left out."""
    counts = _counts(labels).astype(np.float64)
    m_u = counts.sum(axis=1)
    counts, m_u = counts[m_u >= 2], m_u[m_u >= 2]
    if len(counts) == 0:
        return Stat(float("nan"), 0)
    # observed disagreement: off-diagonal sum of the coincidence matrix
    observed = float(((m_u ** 2 - (counts ** 2).sum(axis=1)) / (m_u - 1)).sum())
    n_c = counts.sum(axis=0)
    n = n_c.sum()
    expected = float(n ** 2 - (n_c ** 2).sum())
    if expected == 0:
        return Stat(float("nan"), len(counts))
    return Stat(float(1.0 - (n - 1) * observed / expected), len(counts))


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> Stat:
    """Cohen's kappa between two raters' codes over the units both labelled."""
    a, b = np.asarray(a), np.asarray(b)
    both = (a >= 0) & (b >= 0)
    a, b = a[both], b[both]
    n = len(a)
    if n == 0:
        return Stat(float("nan"), 0)
    k = int(max(a.max(), b.max())) + 1
    table = np.zeros((k, k))
    np.add.at(table, (a, b), 1)
    p_o = np.trace(table) / n
    p_e = float((table.sum(axis=0) * table.sum(axis=1)).sum()) / n ** 2
    return Stat(float((p_o - p_e) / (1 - p_e)) if p_e < 1 else float("nan"), n)


def pairwise_cohen(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Matrices (raters x raters) of Cohen's kappa and of the units each rests on."""
    r = labels.shape[0]
    value = np.full((r, r), np.nan)
    count = np.zeros((r, r), dtype=np.int64)
    for i in range(r):
        for j in range(i, r):
            s = cohen_kappa(labels[i], labels[j])
            value[i, j] = value[j, i] = s.value
            count[i, j] = count[j, i] = s.n
    return value, count

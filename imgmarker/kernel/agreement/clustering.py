"""Consensus marks: clusters of marks within a radius, at most one per annotator.

All images and groups are clustered in one pass: each (image, group) is moved to its
own stretch of a common plane, with coordinates divided by the radius, so one k-d tree
of grid-cell centroids serves the whole campaign and Python never loops per mark.

The scheme: marks are binned into cells of half the radius; the densest cells (counting
marks within the radius) become seeds, greedily and in rounds, so that no two seeds lie
within the radius of each other; each cell joins its nearest seed. Then each annotator
keeps only its mark nearest to the cluster centre, and marks left over (or farther than
the radius from the centre) are clustered again among themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np
from scipy.spatial import cKDTree

from imgmarker.kernel.agreement import grouping
from imgmarker.kernel.agreement.tables import Marks, Names, Results

UNITS = ("px", "arcsec")
CELL = 0.5  # cell size in radii
MAX_ROUNDS = 64
MAX_DEPTH = 4


@dataclass(frozen=True)
class Radius:
    value: float
    unit: str = "px"

    def __post_init__(self) -> None:
        if not self.value > 0:
            raise ValueError(f"the clustering radius must be positive, got {self.value}")
        if self.unit not in UNITS:
            raise ValueError(f"the radius unit must be one of {', '.join(UNITS)}, got {self.unit!r}")


def default_radii(groups: Sequence) -> dict[str, Radius]:
    """Half the group's marker size (its diameter), in the group's size unit."""
    return {g.name: Radius(g.size / 2, g.size_unit) for g in groups}


def _seed_cells(cent: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Choose seed cells and attach every cell to its nearest seed within the radius.
    Returns (cluster index per cell, number of clusters)."""
    m = len(cent)
    tree = cKDTree(cent, balanced_tree=False, compact_nodes=False)
    pairs = tree.query_pairs(1.0, output_type="ndarray")
    i, j = pairs[:, 0], pairs[:, 1]
    density = count + np.bincount(i, weights=count[j], minlength=m) + np.bincount(j, weights=count[i], minlength=m)
    rank = np.empty(m, dtype=np.int64)
    rank[np.lexsort((np.arange(m), -density))] = np.arange(m)
    seed = np.zeros(m, dtype=bool)
    covered = np.zeros(m, dtype=bool)
    for _ in range(MAX_ROUNDS):
        active = ~covered
        if not active.any():
            break
        both = active[i] & active[j]
        ai, aj = i[both], j[both]
        beaten = np.zeros(m, dtype=bool)
        beaten[np.where(rank[ai] < rank[aj], aj, ai)] = True
        new = active & ~beaten
        seed |= new
        covered |= new
        covered[j[new[i]]] = True
        covered[i[new[j]]] = True
    seed |= ~covered  # pathological chains: the rest stand alone
    # nearest seed of every non-seed cell
    d = np.hypot(*(cent[i] - cent[j]).T)
    to_j = seed[j] & ~seed[i]
    to_i = seed[i] & ~seed[j]
    cell = np.concatenate([i[to_j], j[to_i]])
    target = np.concatenate([j[to_j], i[to_i]])
    dist = np.concatenate([d[to_j], d[to_i]])
    order = np.lexsort((dist, cell))
    cell, target = cell[order], target[order]
    first = grouping.first_of_runs(cell)
    owner = np.arange(m)
    owner[cell[first]] = target[first]
    seed_id = np.cumsum(seed) - 1
    return seed_id[owner], int(seed.sum())


def link(points: np.ndarray, annotator: np.ndarray, depth: int = 0) -> np.ndarray:
    """Cluster labels (0..k-1) for ``points`` already divided by the radius.
    No cluster holds two points of the same annotator."""
    n = len(points)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if depth >= MAX_DEPTH:
        return np.arange(n, dtype=np.int64)
    cells = np.floor(points / CELL).astype(np.int64)
    cells -= cells.min(axis=0)
    cid = cells[:, 0] * (cells[:, 1].max() + 1) + cells[:, 1]
    _, cell_of = np.unique(cid, return_inverse=True)
    cell_of = cell_of.reshape(-1)
    m = int(cell_of.max()) + 1
    count = np.bincount(cell_of, minlength=m).astype(np.float64)
    cent = np.column_stack([grouping.sums(cell_of, points[:, 0], m) / count,
                            grouping.sums(cell_of, points[:, 1], m) / count])
    cluster_of_cell, k = _seed_cells(cent, count)
    label = cluster_of_cell[cell_of]
    cx = grouping.means(label, points[:, 0], k)
    cy = grouping.means(label, points[:, 1], k)
    dist = np.hypot(points[:, 0] - cx[label], points[:, 1] - cy[label])
    # one mark per annotator and cluster: the nearest to the centre, within the radius
    n_ann = int(annotator.max()) + 1
    key = label.astype(np.int64) * n_ann + annotator
    keep = np.zeros(n, dtype=bool)
    keep[grouping.nearest_per_key(key, dist)] = True
    keep &= dist <= 1.0
    rest = np.flatnonzero(~keep)
    if rest.size:
        label = label.copy()
        label[rest] = k + link(points[rest], annotator[rest], depth + 1)
    return grouping.dense_ranks(label)


@dataclass
class Consensus:
    """One row per cluster (arrays), plus the cluster of every first-pass mark."""

    results: Results  # first pass only
    member: np.ndarray  # cluster index per mark of results.marks
    image: np.ndarray
    group: np.ndarray
    n: np.ndarray  # supporting annotators
    seen: np.ndarray  # annotators who looked at the image
    support: np.ndarray  # n / seen
    x: np.ndarray
    y: np.ndarray
    x_median: np.ndarray
    y_median: np.ndarray
    ra: np.ndarray
    dec: np.ndarray
    ra_median: np.ndarray
    dec_median: np.ndarray
    spread_px: np.ndarray  # rms distance of the members from the mean centre
    spread_arcsec: np.ndarray  # the same on the sky, NaN without a WCS
    unit: np.ndarray  # "px" or "arcsec": how the cluster was formed
    radius: np.ndarray
    label: np.ndarray  # majority label code
    disputed: np.ndarray
    min_support: float
    by_cluster: np.ndarray | None = None  # indices of the marks grouped by cluster (stable)
    label_votes: tuple[np.ndarray, np.ndarray] | None = None  # sorted (cluster * n_labels + label, count)

    def __len__(self) -> int:
        return len(self.n)


def _wrap(delta: np.ndarray) -> np.ndarray:
    return (delta + 180.0) % 360.0 - 180.0


def sky_offsets(ra: np.ndarray, dec: np.ndarray, ref: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Arcsec offsets on a local tangent plane around the marks ``ref`` (index per mark)."""
    dra = _wrap(ra - ra[ref]) * np.cos(np.radians(dec[ref]))
    return dra * 3600.0, (dec - dec[ref]) * 3600.0


def plane(marks: Marks, groups: Names, radii: Mapping[str, Radius]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Positions of ``marks`` on one common plane in units of their group's radius, each
    (image, group) on its own stretch, so that marks within the radius of each other are
    within distance 1 there, and marks of different images or groups never are.

    Returns (points (n, 2), radius per mark, whether each mark was placed by RA/Dec,
    notes). Groups measured in arcsec use RA/Dec where every mark of the image and
    group has them, and pixels otherwise."""
    notes: list[str] = []
    n_groups = max(len(groups), 1)
    radius = np.ones(n_groups)
    sky_unit = np.zeros(n_groups, dtype=bool)
    for code, name in enumerate(groups.names):
        r = radii.get(name)
        if r is None:
            raise ValueError(f"no clustering radius for group {name!r}")
        radius[code], sky_unit[code] = r.value, r.unit == "arcsec"
    if len(marks) == 0:
        return np.zeros((0, 2)), np.zeros(0), np.zeros(0, dtype=bool), notes
    key = marks.image.astype(np.int64) * n_groups + marks.group
    order = np.argsort(key, kind="stable")
    first = grouping.first_of_runs(key[order])
    starts = np.flatnonzero(first)
    n_keys = len(starts)
    key_of = np.empty(len(key), dtype=np.int64)
    key_of[order] = np.cumsum(first) - 1
    has_sky = np.isfinite(marks.ra) & np.isfinite(marks.dec)
    key_all_sky = np.bincount(key_of, weights=~has_sky, minlength=n_keys) == 0
    use_sky = sky_unit[marks.group] & key_all_sky[key_of]
    fallback = sky_unit[marks.group] & ~use_sky
    for g in np.unique(marks.group[fallback]):
        notes.append(f"group {groups[int(g)]!r}: {int(np.sum(fallback & (marks.group == g)))} marks on images "
                     f"without RA/DEC are compared in pixels with radius {radius[g]:g} px")
    # the first mark of each (image, group) is its reference point on the sky
    ref = order[starts][key_of]
    u, v = marks.x.copy(), marks.y.copy()
    if use_sky.any():
        su, sv = sky_offsets(np.nan_to_num(marks.ra), np.nan_to_num(marks.dec), ref)
        u[use_sky], v[use_sky] = su[use_sky], sv[use_sky]
    r = radius[marks.group]
    u, v = u / r, v / r
    u -= np.minimum.reduceat(u[order], starts)[key_of]
    v -= np.minimum.reduceat(v[order], starts)[key_of]
    u += key_of * (np.max(u) + 4.0)
    return np.column_stack([u, v]), r, use_sky, notes


def consensus(results: Results, radii: Mapping[str, Radius], min_support: float = 0.5,
              progress: Callable[[str], None] | None = None) -> tuple[Consensus, list[str]]:
    """Cluster the first-pass marks of every annotator; returns the consensus and notes
    (e.g. groups measured in arcsec on images without a WCS)."""
    if not 0 <= min_support <= 1:
        raise ValueError(f"the minimum support is a fraction between 0 and 1, got {min_support}")
    fp = results.first_pass()
    marks = fp.marks
    if progress:
        progress("preparing")
    points, mark_radius, use_sky, notes = plane(marks, fp.groups, radii)
    has_sky = np.isfinite(marks.ra) & np.isfinite(marks.dec)
    if progress:
        progress("clustering")
    member = link(points, marks.user) if len(marks) else np.zeros(0, dtype=np.int64)
    k = int(member.max()) + 1 if len(member) else 0
    if progress:
        progress("measuring")
    first = np.zeros(k, dtype=np.int64)
    first[member[::-1]] = np.arange(len(member))[::-1]
    image, group = marks.image[first], marks.group[first]
    n = np.bincount(member, minlength=k)
    seen = fp.seen_count()[image] if k else np.zeros(0, dtype=np.int64)
    groups = grouping.Groups(member, k)
    x, y = groups.means(marks.x), groups.means(marks.y)
    spread_px = np.sqrt(groups.means((marks.x - x[member]) ** 2 + (marks.y - y[member]) ** 2))
    nan = np.full(k, np.nan)
    ra = dec = ra_median = dec_median = spread_arcsec = nan
    if has_sky.any():
        ra_ref, dec_ref = marks.ra[first], marks.dec[first]
        dra = _wrap(marks.ra - ra_ref[member])
        ddec = marks.dec - dec_ref[member]
        ra = (ra_ref + groups.means(dra)) % 360.0
        dec = dec_ref + groups.means(ddec)
        ra_median = (ra_ref + groups.medians(dra)) % 360.0
        dec_median = dec_ref + groups.medians(ddec)
        cosd = np.cos(np.radians(dec))
        off_ra = (dra - _wrap(ra - ra_ref)[member]) * cosd[member] * 3600.0
        off_dec = (marks.dec - dec[member]) * 3600.0
        spread_arcsec = np.sqrt(groups.means(off_ra ** 2 + off_dec ** 2))
    # majority label
    n_labels = max(len(fp.labels), 1)
    pair = member.astype(np.int64) * n_labels + marks.label
    label_votes = np.unique(pair, return_counts=True)
    uniq, counts = label_votes
    by = np.lexsort((uniq % n_labels, -counts, uniq // n_labels))
    uniq = uniq[by]
    label = (uniq[grouping.first_of_runs(uniq // n_labels)] % n_labels).astype(np.int32)
    with np.errstate(invalid="ignore", divide="ignore"):
        support = np.where(seen > 0, n / np.maximum(seen, 1), 1.0)
    cluster_sky = np.bincount(member, weights=use_sky, minlength=k) == n
    return Consensus(
        results=fp, member=member, image=image, group=group, n=n, seen=seen, support=support,
        x=x, y=y, x_median=groups.medians(marks.x), y_median=groups.medians(marks.y),
        ra=ra, dec=dec, ra_median=ra_median, dec_median=dec_median,
        spread_px=spread_px, spread_arcsec=spread_arcsec,
        unit=np.where(cluster_sky, "arcsec", "px"), radius=mark_radius[first], label=label,
        disputed=support < min_support, min_support=min_support, by_cluster=groups.order,
        label_votes=label_votes,
    ), notes

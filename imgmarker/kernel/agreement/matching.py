"""One-to-one matching of two annotators' marks within the radius.

Marks live on the common plane of :func:`clustering.plane` (radius = 1, images and
groups apart), so one k-d tree query finds every candidate pair of the whole campaign.
Most marks have a single candidate and match directly; the optimal (Hungarian)
assignment runs only on the small tangles where several marks compete.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

#: Cost of leaving a pair unmatched; far above any distance within the radius, so the
#: assignment first maximises the number of matches, then minimises their distances.
UNMATCHED = 1e6


def candidate_pairs(a: np.ndarray | cKDTree, b: np.ndarray | cKDTree) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(index in a, index in b, distance) of all pairs within distance 1."""
    ta = a if isinstance(a, cKDTree) else cKDTree(a)
    tb = b if isinstance(b, cKDTree) else cKDTree(b)
    found = ta.sparse_distance_matrix(tb, 1.0, output_type="ndarray")
    return found["i"].astype(np.int64), found["j"].astype(np.int64), found["v"].astype(np.float64)


def match(a: np.ndarray | cKDTree, b: np.ndarray | cKDTree) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Maximum one-to-one matching of points ``a`` and ``b`` within distance 1, of least
    total distance among those of maximum size. Returns (ia, ib, distance)."""
    i, j, d = candidate_pairs(a, b)
    if len(i) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    na = int(i.max()) + 1
    nb = int(j.max()) + 1
    graph = coo_matrix((np.ones(len(i)), (i, na + j)), shape=(na + nb, na + nb))
    _, comp = connected_components(graph, directed=False)
    edge_comp = comp[i]
    size = np.bincount(edge_comp)
    simple = size[edge_comp] == 1  # a lone pair: nothing competes
    out_i, out_j, out_d = [i[simple]], [j[simple]], [d[simple]]
    tangled = np.flatnonzero(~simple)
    if tangled.size:
        order = tangled[np.argsort(edge_comp[tangled], kind="stable")]
        bounds = np.flatnonzero(np.diff(edge_comp[order])) + 1
        for edges in np.split(order, bounds):
            ui, ri = np.unique(i[edges], return_inverse=True)
            uj, rj = np.unique(j[edges], return_inverse=True)
            cost = np.full((len(ui), len(uj)), UNMATCHED)
            cost[ri, rj] = d[edges]
            r, c = linear_sum_assignment(cost)
            ok = cost[r, c] < UNMATCHED
            out_i.append(ui[r[ok]])
            out_j.append(uj[c[ok]])
            out_d.append(cost[r[ok], c[ok]])
    return np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_d)

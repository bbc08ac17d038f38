from __future__ import annotations

import numpy as np
import pytest

from imgmarker.kernel.agreement.matching import match


def test_match_is_one_to_one_and_prefers_more_matches():
    # b0 is nearest to both a0 and a1, but matching a0-b1 and a1-b0 gives two matches
    a = np.array([[0.0, 0.0], [0.5, 0.0]])
    b = np.array([[0.3, 0.0], [-0.6, 0.0]])
    ia, ib, d = match(a, b)
    pairs = sorted(zip(ia.tolist(), ib.tolist()))
    assert pairs == [(0, 1), (1, 0)]
    assert sorted(d) == pytest.approx([0.2, 0.6])


def test_match_ignores_points_beyond_the_radius():
    ia, ib, d = match(np.array([[0.0, 0.0], [5.0, 5.0]]), np.array([[0.0, 1.5], [5.0, 5.9]]))
    assert ia.tolist() == [1] and ib.tolist() == [1] and d == pytest.approx([0.9])


def test_match_minimises_distance_among_maximum_matchings():
    a = np.array([[0.0, 0.0], [0.2, 0.0]])
    b = np.array([[0.21, 0.0], [0.01, 0.0]])
    ia, ib, _ = match(a, b)
    assert dict(zip(ia.tolist(), ib.tolist())) == {0: 1, 1: 0}

from __future__ import annotations

import numpy as np
import pytest

from imgmarker.kernel.agreement.clustering import Radius, consensus, default_radii
from imgmarker.kernel.agreement.compare import agreement
from imgmarker.kernel.agreement.simulate import simulate
from imgmarker.kernel.agreement.tables import ImageVotes, Marks, Names, Results

RADII = {"galaxy": Radius(10), "star": Radius(10)}


def _nearest(cons, truth, keep):
    """For each true object: distance to the nearest kept cluster on its image and
    group, and that cluster's number of marks."""
    out, n = [], []
    for img, grp, x, y in zip(truth.image, truth.group, truth.x, truth.y):
        sel = np.flatnonzero(keep & (cons.image == img) & (cons.group == grp))
        d = np.hypot(cons.x[sel] - x, cons.y[sel] - y)
        out.append(d.min() if d.size else np.inf)
        n.append(cons.n[sel[d.argmin()]] if d.size else 0)
    return np.array(out), np.array(n)


def test_synthetic_annotators_recover_true_positions():
    results, truth = simulate(12, 30, 4, noise=1.0, miss=0.1, false=0.1, groups=("galaxy", "star"), seed=3)
    cons, notes = consensus(results, RADII, min_support=0.5)
    assert notes == []
    keep = ~cons.disputed
    # one undisputed cluster per true object, none elsewhere
    assert keep.sum() == len(truth.x)
    offsets, n = _nearest(cons, truth, keep)
    # the mean of n marks with 1 px noise per axis is off by sigma/sqrt(n) per axis:
    # scaled by that, the offsets follow a Rayleigh(1) law (median 1.18, P(> 4.5) = 4e-5)
    scaled = offsets * np.sqrt(n) / 1.0
    assert scaled.max() < 4.5
    assert np.median(scaled) == pytest.approx(1.18, rel=0.2)
    assert np.median(cons.support[keep]) == pytest.approx(0.9, abs=0.1)
    assert np.all(cons.n <= 12)
    # false marks (scattered at random) are disputed singletons
    assert np.all(cons.n[cons.disputed] <= 2)
    # spread of the members is the 2-D noise: sqrt(2) * 1 px
    assert np.median(cons.spread_px[keep]) == pytest.approx(np.sqrt(2), rel=0.25)


def test_synthetic_annotators_give_expected_precision_and_recall():
    # each annotator finds 90% of the objects and adds 0.1 false marks per object, so
    # two annotators share 0.9 * 0.9 = 81% of the objects and each has ~1.0 marks per object
    results, _ = simulate(6, 60, 5, noise=1.0, miss=0.1, false=0.1, groups=("galaxy",), seed=5)
    report = agreement(results, {"galaxy": Radius(10)}, ["A", "B", "C"], True)
    precision = np.mean([r.precision for r in report.marks])
    recall = np.mean([r.recall for r in report.marks])
    assert len(report.marks) == 15  # 6 annotators -> 15 pairs
    assert precision == pytest.approx(0.81, abs=0.04)
    assert recall == pytest.approx(0.81, abs=0.04)
    # the offset between two noisy marks is Rayleigh with sigma sqrt(2): median 1.665 px
    assert np.median([r.median_offset for r in report.marks]) == pytest.approx(1.665, rel=0.15)
    # categories named right 80% of the time among 3: all statistics clearly positive
    cat = report.categories[0]
    assert cat.fleiss.n == 60 and 0.4 < cat.fleiss.value < 0.9
    assert cat.alpha.value == pytest.approx(cat.fleiss.value, abs=0.02)


def _results(rows, users=("ann", "bob", "cy"), sky=False):
    """Results from (user, x, y[, ra, dec]) rows on one image and group."""
    n = len(rows)
    cols = list(zip(*rows))
    ra = np.array(cols[3], dtype=float) if sky else np.full(n, np.nan)
    dec = np.array(cols[4], dtype=float) if sky else np.full(n, np.nan)
    marks = Marks(user=np.array(cols[0], dtype=np.int32), image=np.zeros(n, dtype=np.int32),
                  group=np.zeros(n, dtype=np.int32), label=np.zeros(n, dtype=np.int32),
                  x=np.array(cols[1], dtype=float), y=np.array(cols[2], dtype=float), ra=ra, dec=dec,
                  pass_index=np.ones(n, dtype=np.int8))
    return Results(Names(users), Names(["a.fits"]), Names(["galaxy"]), Names(["galaxy"]), marks, ImageVotes())


def test_one_mark_per_annotator_per_cluster():
    # ann marks the object twice; the farther mark forms its own, disputed, cluster
    cons, _ = consensus(_results([(0, 100, 100), (0, 103, 100), (1, 100.5, 100), (2, 99.5, 100)]),
                        {"galaxy": Radius(10)})
    order = np.argsort(-cons.n)
    assert cons.n[order].tolist() == [3, 1]
    assert cons.x[order[0]] == pytest.approx(100.0)
    assert cons.support[order].tolist() == pytest.approx([1.0, 1 / 3])
    assert cons.disputed[order].tolist() == [False, True]


def test_hand_computed_centres_and_spread():
    cons, _ = consensus(_results([(0, 10, 10), (1, 12, 10), (2, 17, 10)]), {"galaxy": Radius(10)})
    assert len(cons) == 1
    assert (cons.x[0], cons.y[0]) == pytest.approx((13.0, 10.0))
    assert cons.x_median[0] == pytest.approx(12.0)
    assert cons.spread_px[0] == pytest.approx(np.sqrt((9 + 1 + 16) / 3))


def test_objects_farther_apart_than_the_radius_stay_apart():
    rows = [(u, 50 + 0.3 * u, 50) for u in range(3)] + [(u, 62 + 0.3 * u, 50) for u in range(3)]
    cons, _ = consensus(_results(rows), {"galaxy": Radius(10)})
    assert sorted(cons.n.tolist()) == [3, 3]
    assert sorted(cons.x.tolist()) == pytest.approx([50.3, 62.3])


def test_arcsec_radius_clusters_on_the_sky_across_ra_zero():
    # three annotators 0.5" apart around RA 0; pixel positions disagree wildly (e.g. a
    # different display), so only the sky can bring them together
    cosd = np.cos(np.radians(10.0))
    ras = [359.9999, (359.9999 + 0.5 / 3600 / cosd) % 360, (359.9999 + 1.0 / 3600 / cosd) % 360]
    rows = [(u, 100 * u, 0, ras[u], 10.0) for u in range(3)]
    cons, notes = consensus(_results(rows, sky=True), {"galaxy": Radius(2, "arcsec")})
    assert notes == []
    assert len(cons) == 1 and cons.unit[0] == "arcsec"
    expected_ra = (359.9999 + 0.5 / 3600 / cosd) % 360
    assert cons.ra[0] == pytest.approx(expected_ra, abs=1e-9)
    assert cons.dec[0] == pytest.approx(10.0)
    assert cons.spread_arcsec[0] == pytest.approx(np.sqrt(0.5 / 3), rel=1e-4)


def test_arcsec_radius_without_sky_falls_back_to_pixels_with_a_note():
    cons, notes = consensus(_results([(0, 10, 10), (1, 11, 10)]), {"galaxy": Radius(3, "arcsec")})
    assert len(cons) == 1 and cons.unit[0] == "px"
    assert "without RA/DEC" in notes[0] and "'galaxy'" in notes[0]


def test_default_radius_is_half_the_group_size():
    class G:
        def __init__(self, name, size, unit):
            self.name, self.size, self.size_unit = name, size, unit
    assert default_radii([G("a", 20, "px"), G("b", 4, "arcsec")]) == {"a": Radius(10, "px"),
                                                                     "b": Radius(2, "arcsec")}


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError, match="positive"):
        Radius(0)
    with pytest.raises(ValueError, match="fraction"):
        consensus(_results([(0, 1, 1)]), {"galaxy": Radius(1)}, min_support=2)
    with pytest.raises(ValueError, match="no clustering radius for group 'galaxy'"):
        consensus(_results([(0, 1, 1)]), {})


def test_results_without_marks_give_an_empty_consensus():
    results, _ = simulate(3, 5, 0, false=0.0, seed=1)
    cons, _ = consensus(results, {"1": Radius(5)})
    assert len(cons) == 0
    report = agreement(results, {"1": Radius(5)}, ["A", "B", "C"], True)
    assert report.marks == [] and report.categories[0].fleiss.n == 5


def test_many_annotators_are_compared_with_the_consensus():
    # each annotator finds 90% of the objects and adds 0.1 false marks per object; the
    # consensus is (nearly) the true objects, so precision ~ 0.9 / 1.0 and recall ~ 0.9
    results, _ = simulate(12, 40, 5, noise=1.0, miss=0.1, false=0.1, groups=("galaxy",), seed=7)
    report = agreement(results, {"galaxy": Radius(10)}, ["A", "B", "C"], True)
    assert report.reference == "consensus"
    assert [(r.a, r.b) for r in report.marks] == [(u, "(consensus)") for u in results.users.names]
    assert np.mean([r.precision for r in report.marks]) == pytest.approx(0.9, abs=0.03)
    assert np.mean([r.recall for r in report.marks]) == pytest.approx(0.9, abs=0.03)
    # offset of one mark (sigma 1 px per axis) from a mean of ~11 marks: Rayleigh median 1.177 px
    assert np.median([r.median_offset for r in report.marks]) == pytest.approx(1.177, rel=0.15)
    pairs = agreement(results, {"galaxy": Radius(10)}, ["A", "B", "C"], True, reference="pairs")
    assert len(pairs.marks) == 66 and pairs.reference == "pairs"


def test_nearest_per_key_and_dense_ranks_agree_with_sorting():
    from imgmarker.kernel.agreement import grouping

    rng = np.random.default_rng(5)
    key = rng.integers(0, 300, 5000)
    dist = rng.integers(0, 4, 5000).astype(float)  # many ties: the first index must win
    order = np.lexsort((dist, key))
    expected = np.sort(order[grouping.first_of_runs(key[order])])
    assert np.array_equal(np.sort(grouping.nearest_per_key(key, dist)), expected)
    labels = rng.integers(0, 10_000, 3000)
    assert np.array_equal(grouping.dense_ranks(labels), np.unique(labels, return_inverse=True)[1].reshape(-1))

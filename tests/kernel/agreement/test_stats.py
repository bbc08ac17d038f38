from __future__ import annotations

import numpy as np
import pytest

from imgmarker.kernel.agreement import stats

M = stats.MISSING


def test_fleiss_1971_worked_example():
    # Fleiss (1971): 10 subjects, 14 raters, 5 categories; kappa = 0.210
    table = np.array([[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
                      [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]])
    kappa = stats.fleiss_kappa(table)
    assert kappa.value == pytest.approx(0.2099, abs=5e-4)
    assert kappa.n == 10


def test_fleiss_from_labels_by_hand():
    # 3 raters, 4 images. Per image agreement P_i: 1, 1/3, 1, 1/3 -> P = 2/3;
    # category shares: a = 7/12, b = 5/12 -> Pe = 74/144; kappa = (2/3 - 74/144) / (70/144) = 22/70
    labels = np.array([[0, 0, 1, 0], [0, 1, 1, 1], [0, 0, 1, 0]])
    kappa = stats.fleiss_kappa_labels(labels)
    assert kappa.value == pytest.approx(22 / 70)
    assert kappa.n == 4


def test_fleiss_skips_images_with_one_rater():
    labels = np.array([[0, 1, 0], [0, 1, M]])
    assert stats.fleiss_kappa_labels(labels).n == 2


def test_krippendorff_alpha_reliability_data_with_missing_values():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 observers,
    # 12 units, missing values; nominal alpha = 0.743 over 11 pairable units.
    data = np.array([[1, 2, 3, 3, 2, 1, 4, 1, 2, M, M, M],
                     [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, M, 3],
                     [M, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, M],
                     [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, M]])
    alpha = stats.krippendorff_alpha(data)
    assert alpha.value == pytest.approx(0.743, abs=5e-4)
    assert alpha.n == 11


def test_krippendorff_by_hand_two_raters():
    # units: (0,0), (1,1), (0,1): coincidences o00=2, o11=2, o01=o10=1, n=6,
    # alpha = 1 - (n-1) * 2 / (36 - 9 - 9) = 1 - 10/18
    alpha = stats.krippendorff_alpha(np.array([[0, 1, 0], [0, 1, 1]]))
    assert alpha.value == pytest.approx(1 - 10 / 18)


def test_cohen_kappa_textbook_table():
    # yes/yes 20, yes/no 5, no/yes 10, no/no 15: po = 0.7, pe = 0.5, kappa = 0.4
    a = np.array([1] * 25 + [0] * 25)
    b = np.array([1] * 20 + [0] * 5 + [1] * 10 + [0] * 15)
    kappa = stats.cohen_kappa(a, b)
    assert kappa.value == pytest.approx(0.4)
    assert kappa.n == 50


def test_cohen_kappa_counts_only_images_both_labelled():
    a = np.array([0, 1, M, 1])
    b = np.array([0, 1, 1, M])
    assert stats.cohen_kappa(a, b) == (1.0, 2)


def test_undefined_statistics_are_nan():
    same = np.zeros((3, 5), dtype=int)
    assert np.isnan(stats.fleiss_kappa_labels(same).value)
    assert np.isnan(stats.krippendorff_alpha(same).value)
    assert np.isnan(stats.cohen_kappa(same[0], same[1]).value)
    assert stats.krippendorff_alpha(np.full((2, 3), M)).n == 0


def test_pairwise_cohen_is_symmetric_with_counts():
    labels = np.array([[0, 1, 0, 1], [0, 1, 1, 1], [M, 1, 0, 1]])
    value, count = stats.pairwise_cohen(labels)
    assert value[0, 1] == value[1, 0] == pytest.approx(0.5)
    assert count[0, 2] == 3 and value[0, 2] == 1.0

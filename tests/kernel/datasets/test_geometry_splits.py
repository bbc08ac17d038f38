"""Where a mark lands in its cutout, padding, and splits that never divide an image."""

from __future__ import annotations

import numpy as np
import pytest

from imgmarker.kernel.datasets.geometry import cutout_origin, cutout_size, extract, outside_fraction
from imgmarker.kernel.datasets.options import DatasetOptions, Size
from imgmarker.kernel.datasets.splits import assign_splits


@pytest.mark.parametrize("size", [1, 2, 31, 32, 64])
def test_the_mark_lands_within_half_a_pixel_of_the_cutout_centre(size):
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 500, 1000), rng.uniform(0, 500, 1000)
    x0, y0 = cutout_origin(x, y, np.full(1000, size))
    centre = (size - 1) / 2
    assert np.all(np.abs(x - x0 - centre) <= 0.5) and np.all(np.abs(y - y0 - centre) <= 0.5)
    assert x0.dtype.kind == "i"


def test_cutout_origin_of_exact_pixel_centres_and_halves():
    # odd side: the mark's pixel is the middle one; even side: the mark sits on the centre
    # of the four middle pixels when it is on a pixel edge, otherwise within half a pixel
    assert [int(v) for v in cutout_origin(10.0, 20.0, 5)] == [8, 18]
    assert [int(v) for v in cutout_origin(10.5, 20.5, 4)] == [9, 19]
    assert [int(v) for v in cutout_origin(10.49, 20.51, 5)] == [8, 19]


def test_sizes_in_arcsec_go_through_the_local_scale():
    assert cutout_size(64, "px", [np.nan, 0.2]).tolist() == [64, 64]
    assert cutout_size(10, "arcsec", [0.5, 0.26, np.nan]).tolist() == [20, 38, 0]


def test_extract_pads_with_nan_and_says_which_pixels_are_padding():
    data = np.arange(30, dtype=np.int16).reshape(5, 6)
    inside, mask = extract(data, 1, 1, 3)
    assert mask is None and inside.dtype == np.int16 and inside.tolist() == data[1:4, 1:4].tolist()
    cut, mask = extract(data, -1, 3, 3)
    assert cut.dtype == np.float32
    assert mask.tolist() == [[True, False, False], [True, False, False], [True, True, True]]
    assert np.isnan(cut[mask]).all() and cut[~mask].tolist() == [18, 19, 24, 25]
    assert outside_fraction([-1, 1], [3, 1], [3, 3], 5, 6).tolist() == pytest.approx([5 / 9, 0.0])
    off, mask = extract(data, 10, 10, 2)
    assert mask.all() and np.isnan(off).all()


def test_size_option_parses_pixels_and_arcsec_and_refuses_the_rest():
    assert Size.parse("64") == Size(64, "px") and Size.parse("20arcsec") == Size(20, "arcsec")
    assert Size.parse('12.5"') == Size(12.5, "arcsec")
    for bad in ("abc", "0", "12.5", "-3arcsec"):
        with pytest.raises(ValueError, match="cutout size"):
            Size.parse(bad)
    with pytest.raises(ValueError, match="split fractions"):
        DatasetOptions(fractions=(0, 0, 0))
    with pytest.raises(ValueError, match="edge must be one of pad, skip"):
        DatasetOptions(edge="wrap")


def _campaign(n_images=60, seed=5):
    rng = np.random.default_rng(seed)
    images = [f"img{i:03d}.fits" for i in range(n_images)]
    counts = rng.integers(1, 20, n_images).tolist()
    strata = ["cluster" if i % 3 else "field" for i in range(n_images)]
    return images, counts, strata


def test_splits_are_reproducible_and_follow_the_seed():
    images, counts, strata = _campaign()
    a = assign_splits(images, counts, strata, (0.8, 0.1, 0.1), seed=1)
    assert a == assign_splits(images, counts, strata, (0.8, 0.1, 0.1), seed=1)
    assert a != assign_splits(images, counts, strata, (0.8, 0.1, 0.1), seed=2)
    # the order the images are given in does not matter
    order = np.random.default_rng(0).permutation(len(images)).tolist()
    shuffled = assign_splits([images[i] for i in order], [counts[i] for i in order], [strata[i] for i in order],
                             (0.8, 0.1, 0.1), seed=1)
    assert [shuffled[order.index(i)] for i in range(len(images))] == a


def test_each_stratum_gets_about_its_fraction_of_the_examples_in_every_split():
    images, counts, strata = _campaign(300)
    split = np.array(assign_splits(images, counts, strata, (0.7, 0.2, 0.1), seed=0))
    counts, strata = np.array(counts), np.array(strata)
    for stratum in ("cluster", "field"):
        mine = strata == stratum
        total = counts[mine].sum()
        shares = [counts[mine & (split == k)].sum() / total for k in range(3)]
        assert shares == pytest.approx([0.7, 0.2, 0.1], abs=0.03)


def test_a_zero_fraction_gets_nothing():
    images, counts, strata = _campaign()
    assert set(assign_splits(images, counts, strata, (3, 1, 0), seed=0)) == {0, 1}
    assert set(assign_splits(images, counts, strata, (0, 0, 1), seed=0)) == {2}

from __future__ import annotations

import numpy as np
import pytest

from imgmarker.kernel.display.preview import pyramid, reduce_mean


def test_block_means_including_partial_edges():
    rng = np.random.default_rng(2)
    arr = rng.integers(0, 256, (7, 10, 3), dtype=np.uint8)
    out = reduce_mean(arr, 4)
    assert out.shape == (2, 3, 3)
    for p in range(2):
        for q in range(3):
            block = arr[p * 4 : (p + 1) * 4, q * 4 : (q + 1) * 4].astype(float)
            np.testing.assert_allclose(out[p, q], block.mean(axis=(0, 1)), atol=0.5)


def test_a_single_bright_pixel_keeps_its_light():
    arr = np.zeros((64, 64), np.uint8)
    arr[33, 17] = 255
    out = reduce_mean(arr, 4)
    assert out[8, 4] == 16 and out.sum() == 16  # 255/16 rounded, in the block that holds it


def test_pyramid_stops_at_the_requested_size():
    levels = pyramid(np.zeros((4096, 3000, 3), np.uint8), min_side=512)
    assert [f for _, f in levels] == [2, 4, 8]
    assert levels[-1][0].shape == (512, 375, 3)
    assert pyramid(np.zeros((300, 300), np.uint8)) == []


def test_bad_factor_is_refused():
    with pytest.raises(ValueError, match="factor"):
        reduce_mean(np.zeros((4, 4), np.uint8), 0)


@pytest.mark.parametrize("shape", [(64, 48, 4), (64, 48, 3), (64, 48), (6, 10, 4)])
def test_halving_is_the_rounded_mean_of_each_2x2_block(shape):
    arr = np.random.default_rng(1).integers(0, 256, shape, dtype=np.uint8)
    arr[:2, :2] = 255  # a block whose sum would overflow 8 bits
    h, w = shape[:2]
    blocks = arr.reshape(h // 2, 2, w // 2, 2, -1).astype(float).mean(axis=(1, 3))
    expected = np.rint(blocks).astype(np.uint8).reshape((h // 2, w // 2) + shape[2:])
    np.testing.assert_array_equal(reduce_mean(arr, 2), expected)

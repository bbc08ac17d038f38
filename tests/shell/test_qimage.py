"""Arrays become QImages pixel-exactly, sharing memory where Qt allows it."""

from __future__ import annotations

import gc

import numpy as np
import pytest
from PyQt6.QtGui import QImage

from imgmarker.shell.qimage import array_from_qimage, pixmap_from_array, qimage_from_array


def random_image(shape, seed=0):
    return np.random.default_rng(seed).integers(0, 256, size=shape, dtype=np.uint8)


@pytest.mark.parametrize("shape", [(7, 5, 3), (6, 9, 4), (4, 3), (5, 5, 1), (3, 1, 3)])
def test_pixels_are_exact(shape):
    arr = random_image(shape)
    got = array_from_qimage(qimage_from_array(arr))
    h, w = shape[:2]
    assert got.shape == (h, w, 4)
    if arr.ndim == 2 or arr.shape[2] == 1:
        gray = arr.reshape(h, w)
        expected = np.dstack([gray, gray, gray, np.full((h, w), 255, np.uint8)])
    elif arr.shape[2] == 3:
        expected = np.dstack([arr, np.full((h, w), 255, np.uint8)])
    else:
        expected = arr
    np.testing.assert_array_equal(got, expected)


def address(image: QImage) -> int:
    return int(image.constBits())


def test_memory_is_shared_not_copied():
    arr = random_image((40, 30, 3))
    image = qimage_from_array(arr)
    assert address(image) == arr.__array_interface__["data"][0]
    arr[10, 20] = (1, 2, 3)
    assert image.pixel(20, 10) == 0xFF010203


def test_a_crop_of_a_frame_is_shared_with_its_row_stride():
    frame = random_image((50, 60, 4))
    crop = frame[10:20, 5:25]
    image = qimage_from_array(crop)
    assert address(image) == crop.__array_interface__["data"][0]
    np.testing.assert_array_equal(array_from_qimage(image), crop)


def test_non_contiguous_pixels_are_copied_correctly():
    arr = random_image((20, 30, 3))
    flipped = arr[::-1, ::2]
    np.testing.assert_array_equal(array_from_qimage(qimage_from_array(flipped))[..., :3], flipped)
    bgr = arr[..., ::-1]
    np.testing.assert_array_equal(array_from_qimage(qimage_from_array(bgr))[..., :3], bgr)


def test_read_only_arrays_are_accepted():
    arr = random_image((8, 8, 3))
    arr.flags.writeable = False
    np.testing.assert_array_equal(array_from_qimage(qimage_from_array(arr))[..., :3], arr)


def test_the_image_keeps_its_array_alive():
    image = qimage_from_array(random_image((64, 64, 3), seed=3).copy())
    expected = random_image((64, 64, 3), seed=3)
    gc.collect()
    _ = [np.full((64, 64, 3), 7, np.uint8) for _ in range(50)]  # reuse freed memory if any
    np.testing.assert_array_equal(array_from_qimage(image)[..., :3], expected)


def test_pixmap_has_the_same_pixels(qapp):
    arr = random_image((16, 12, 3))
    pixmap = pixmap_from_array(arr)
    np.testing.assert_array_equal(array_from_qimage(pixmap.toImage())[..., :3], arr)


@pytest.mark.parametrize("bad", [np.zeros((4, 4, 3), np.float32), np.zeros((4, 4, 2), np.uint8), np.zeros(5, np.uint8)])
def test_unsupported_arrays_are_refused_with_a_reason(bad):
    with pytest.raises((TypeError, ValueError), match="expected"):
        qimage_from_array(bad)


def test_a_qt_side_copy_outlives_the_wrapper_safely():
    arr = random_image((32, 32, 3), seed=5)
    expected = arr.copy()
    image = qimage_from_array(arr)
    shared = QImage(image)  # implicit share in C++, no new Python reference to arr
    del image, arr
    gc.collect()
    _ = [np.full((32, 32, 3), 9, np.uint8) for _ in range(50)]
    np.testing.assert_array_equal(array_from_qimage(shared)[..., :3], expected)

"""numpy uint8 arrays to QImage/QPixmap, sharing memory instead of copying.

A 4096x4096 RGB frame is 48 MB; copying it on every Next would cost tens of
milliseconds. ``qimage_from_array`` wraps the array's buffer (any positive row stride,
so crops of a larger frame are free too). Qt's cleanup hook holds a reference to the
array until the last (implicitly shared) copy of the image is destroyed, so the memory
cannot vanish under a painter; ``image.ndarray`` gives the array back.
"""

from __future__ import annotations

import numpy as np
from PyQt6 import sip
from PyQt6.QtGui import QImage, QPixmap

_FORMATS = {
    1: QImage.Format.Format_Grayscale8,
    3: QImage.Format.Format_RGB888,
    4: QImage.Format.Format_RGBA8888,
}


def _shareable(arr: np.ndarray) -> np.ndarray:
    """The array itself if Qt can read it in place, else a C-contiguous copy."""
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    channels = 1 if arr.ndim == 2 else arr.shape[2]
    pixel_ok = arr.strides[1] == channels and (arr.ndim == 2 or arr.strides[2] == 1)
    row_ok = arr.strides[0] >= arr.shape[1] * channels
    if not (pixel_ok and row_ok):
        arr = np.ascontiguousarray(arr)
    return arr


def qimage_from_array(arr: np.ndarray, *, opaque: bool = False) -> QImage:
    """Wrap a uint8 array of shape (H, W), (H, W, 3) or (H, W, 4) as a QImage.

    (H, W, 4) is read as straight (not premultiplied) RGBA; with ``opaque`` (the caller
    knows alpha is 255 everywhere) as RGBX, which Qt draws without blending.
    """
    if not isinstance(arr, np.ndarray) or arr.dtype != np.uint8:
        raise TypeError(f"expected a uint8 numpy array, got {getattr(arr, 'dtype', type(arr).__name__)}")
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in _FORMATS):
        raise ValueError(f"expected shape (H, W), (H, W, 3) or (H, W, 4), got {arr.shape}")
    arr = _shareable(arr)
    channels = 1 if arr.ndim == 2 else arr.shape[2]
    h, w = arr.shape[:2]
    if h == 0 or w == 0:
        return QImage()
    pointer = sip.voidptr(arr.__array_interface__["data"][0])
    # cleanupInfo keeps the array referenced until the last C++ copy of the image dies.
    kind = QImage.Format.Format_RGBX8888 if opaque and channels == 4 else _FORMATS[channels]
    image = QImage(pointer, w, h, arr.strides[0], kind, _release, arr)
    image.ndarray = arr
    return image


def _release(array: np.ndarray) -> None:
    """Called by Qt when no QImage uses the buffer any more; dropping it frees the array."""


def pixmap_from_array(arr: np.ndarray) -> QPixmap:
    """A QPixmap (always a converted copy in the platform's native pixel format)."""
    return QPixmap.fromImage(qimage_from_array(arr))


def array_from_qimage(image: QImage) -> np.ndarray:
    """Copy a QImage into an (H, W, 4) uint8 RGBA array (for tests and exports)."""
    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    h, w = rgba.height(), rgba.width()
    ptr = rgba.constBits()
    ptr.setsize(rgba.sizeInBytes())
    rows = np.frombuffer(ptr, np.uint8).reshape(h, rgba.bytesPerLine())
    return rows[:, : w * 4].reshape(h, w, 4).copy()

"""PNG / JPEG reader (Pillow): every mode converted to a displayable array without
losing depth (16-bit and float stay as they are), EXIF orientation honoured, WCS from
a sidecar ``.wcs``/``.hdr`` file."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

import imgmarker
from imgmarker.api import Frame, FrameInfo, Image, ImageReadError
from imgmarker.api import ReaderSpec
from imgmarker_plugins.readers._common import check_pixels, guarded, sidecar_header, wcs_from_header

SUFFIXES = (".png", ".jpg", ".jpeg", ".jpe")

#: mode -> (mode to convert to, or None to keep; bands; dtype)
MODES = {
    "1": ("L", 1, "uint8"),
    "L": (None, 1, "uint8"),
    "LA": (None, 2, "uint8"),
    "La": ("LA", 2, "uint8"),
    "P": ("RGB", 3, "uint8"),
    "PA": ("RGBA", 4, "uint8"),
    "RGB": (None, 3, "uint8"),
    "RGBA": (None, 4, "uint8"),
    "RGBa": ("RGBA", 4, "uint8"),
    "RGBX": ("RGB", 3, "uint8"),
    "CMYK": ("RGB", 3, "uint8"),
    "YCbCr": ("RGB", 3, "uint8"),
    "LAB": ("RGB", 3, "uint8"),
    "HSV": ("RGB", 3, "uint8"),
    "I": (None, 1, "int32"),
    "I;16": (None, 1, "uint16"),
    "I;16L": (None, 1, "uint16"),
    "I;16B": (None, 1, "uint16"),
    "I;16N": (None, 1, "uint16"),
    "F": (None, 1, "float32"),
}

SWAPPING_ORIENTATIONS = (5, 6, 7, 8)


def _layout(img) -> tuple[str | None, int, str]:
    mode = img.mode
    if mode == "P" and ("transparency" in img.info):
        return "RGBA", 4, "uint8"
    return MODES.get(mode, ("RGBA", 4, "uint8"))


def pil_to_array(img) -> np.ndarray:
    """A decoded Pillow image, EXIF orientation applied, as (H, W) or (H, W, C) samples
    at the depth the mode carries."""
    from PIL import ImageOps

    convert_to, _, dtype = _layout(img)
    img = ImageOps.exif_transpose(img) or img
    if convert_to is not None:
        img = img.convert(convert_to)
    data = np.asarray(img)
    if data.dtype != np.dtype(dtype):
        data = data.astype(dtype)
    return data


def _decode(path: Path, index: int) -> np.ndarray:
    from PIL import Image as PILImage

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
        with PILImage.open(path) as img:
            if index:
                img.seek(index)
            img.load()
            return pil_to_array(img)


def open_pillow(path: Path, max_pixels: int | None = None) -> Image:
    from PIL import Image as PILImage

    path = Path(path)
    if path.stat().st_size == 0:
        raise ImageReadError(path, "empty file (0 bytes)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            with PILImage.open(path) as img:
                if img.format == "PNG":
                    img.verify()  # chunk checksums: catches truncated and corrupt files at once
            with PILImage.open(path) as img:
                fmt = img.format or "image"
                width, height = img.size
                orientation = int(img.getexif().get(0x0112, 1) or 1)
                n_frames = int(getattr(img, "n_frames", 1) or 1)
                _, bands, dtype = _layout(img)
    except ImageReadError:
        raise
    except Exception as exc:
        raise ImageReadError(path, f"not a readable image: {type(exc).__name__}: {exc}") from None
    if orientation in SWAPPING_ORIENTATIONS:
        width, height = height, width
    check_pixels(path, (height, width), max_pixels)
    header = sidecar_header(path)
    frames = []
    for index in range(n_frames):
        info = FrameInfo(index, "image" if n_frames == 1 else f"frame {index + 1}", (height, width), dtype, bands)
        frames.append(Frame(info, guarded(path, lambda i=index: _decode(path, i)), header,
                            (lambda h=header: wcs_from_header(h)) if header is not None else None))
    return Image(path, fmt, frames, {"orientation": orientation})


@imgmarker.hookimpl
def imgmarker_readers():
    return ReaderSpec("pillow", SUFFIXES, open_pillow, description="PNG and JPEG (Pillow): every mode, "
                      "16-bit and float kept, EXIF orientation, sidecar WCS")

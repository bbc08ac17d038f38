from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from datamakers import gradient, tan_header, truncate, write_pillow, write_sidecar
from imgmarker.kernel.imaging.images import ImageReadError, open_image
from imgmarker_plugins.readers.pillow import pil_to_array


def _rgb(height=6, width=5):
    return np.stack([gradient(height, width, np.uint8), np.roll(gradient(height, width, np.uint8), 3),
                     255 - gradient(height, width, np.uint8)], axis=-1)


@pytest.mark.parametrize("mode, bands, dtype", [
    ("L", 1, "uint8"), ("LA", 2, "uint8"), ("RGB", 3, "uint8"), ("RGBA", 4, "uint8"),
])
def test_png_modes_exact(tmp_path, registry, mode, bands, dtype):
    source = {"L": gradient(6, 5, np.uint8), "LA": _rgb()[..., :2], "RGB": _rgb(),
              "RGBA": np.concatenate([_rgb(), gradient(6, 5, np.uint8)[..., None]], axis=-1)}[mode]
    path = write_pillow(tmp_path / "a.png", source, mode)
    with open_image(path, registry) as image:
        frame = image.frames[0]
        assert (frame.info.bands, frame.info.dtype, frame.info.shape) == (bands, dtype, (6, 5))
        np.testing.assert_array_equal(frame.data(), source)


def test_png_bilevel_mode_1(tmp_path, registry):
    source = (gradient(6, 5, np.uint8) > 127)
    path = tmp_path / "bw.png"
    Image.fromarray(source).convert("1").save(path)
    with Image.open(path) as check:
        assert check.mode == "1"
    with open_image(path, registry) as image:
        np.testing.assert_array_equal(image.frames[0].data(), source.astype(np.uint8) * 255)


def test_png_palette_and_palette_with_transparency(tmp_path, registry):
    rgb = _rgb()
    path = tmp_path / "p.png"
    Image.fromarray(rgb).quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(path)
    with Image.open(path) as check:
        assert check.mode == "P"
        expected = np.asarray(check.convert("RGB"))
    with open_image(path, registry) as image:
        assert image.frames[0].info.bands == 3
        np.testing.assert_array_equal(image.frames[0].data(), expected)
    pal = Image.fromarray(np.array([[0, 1], [1, 0]], np.uint8), "P")
    pal.putpalette([255, 0, 0, 0, 0, 255])
    pal.save(tmp_path / "t.png", transparency=0)
    with open_image(tmp_path / "t.png", registry) as image:
        shown = image.frames[0].data()
    assert shown.shape == (2, 2, 4)
    np.testing.assert_array_equal(shown[0, 0], (255, 0, 0, 0))
    np.testing.assert_array_equal(shown[0, 1], (0, 0, 255, 255))


def test_png_16_bit_keeps_depth(tmp_path, registry):
    source = gradient(6, 5, np.uint16)
    path = tmp_path / "16.png"
    Image.fromarray(source).save(path)
    with Image.open(path) as check:
        assert check.mode.startswith("I")
    with open_image(path, registry) as image:
        shown = image.frames[0].data()
    assert shown.dtype.kind in "ui" and shown.dtype.itemsize >= 2
    np.testing.assert_array_equal(shown, source)


@pytest.mark.parametrize("mode, dtype", [("I", np.int32), ("I;16", np.uint16), ("F", np.float32)])
def test_deep_modes_in_memory(mode, dtype):
    source = gradient(4, 3, dtype, low=0, high=60000)
    img = Image.fromarray(source, mode) if mode != "I;16" else Image.fromarray(source).convert("I;16")
    assert img.mode == mode
    shown = pil_to_array(img)
    assert shown.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(shown, source)


def test_cmyk_jpeg_becomes_rgb(tmp_path, registry):
    path = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (8, 6), (0, 255, 255, 0)).save(path, quality=95)  # red
    with open_image(path, registry) as image:
        frame = image.frames[0]
        assert frame.info.bands == 3
        shown = frame.data()
    assert shown.shape == (6, 8, 3)
    assert shown[..., 0].min() > 230 and shown[..., 1:].max() < 30


@pytest.mark.parametrize("mode", ["L", "RGB"])
def test_jpeg(tmp_path, registry, mode):
    source = np.full((16, 16, 3), 90, np.uint8)
    path = write_pillow(tmp_path / "a.jpeg", source, mode, quality=95)
    with open_image(path, registry) as image:
        shown = image.frames[0].data()
    assert shown.shape[:2] == (16, 16)
    assert np.abs(shown.astype(int) - 90).max() <= 2


@pytest.mark.parametrize("orientation, turn", [(3, lambda a: a[::-1, ::-1]), (6, lambda a: np.rot90(a, -1)),
                                               (8, lambda a: np.rot90(a, 1)), (2, lambda a: a[:, ::-1])])
def test_exif_orientation(tmp_path, registry, orientation, turn):
    stored = gradient(4, 7, np.uint8)
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / "o.png"
    Image.fromarray(stored).save(path, exif=exif)
    expected = turn(stored)
    with open_image(path, registry) as image:
        frame = image.frames[0]
        assert frame.info.shape == expected.shape
        np.testing.assert_array_equal(frame.data(), expected)


def test_sidecar_wcs(tmp_path, registry):
    path = write_pillow(tmp_path / "s.png", gradient(12, 10, np.uint8))
    write_sidecar(path, tan_header(10, 12, dec=-30.0))
    with open_image(path, registry) as image:
        assert image.frames[0].wcs.wcs.crval[1] == pytest.approx(-30.0)


def test_zero_bytes(tmp_path, registry):
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(ImageReadError, match="empty.png.*0 bytes"):
        open_image(path, registry)


def test_not_an_image(tmp_path, registry):
    path = tmp_path / "notes.jpg"
    path.write_text("shopping list" * 50)
    with pytest.raises(ImageReadError, match="notes.jpg.*not a readable image"):
        open_image(path, registry)


def test_truncated_png_fails_at_open(tmp_path, registry):
    noise = np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    path = truncate(write_pillow(tmp_path / "cut.png", noise), 0.6)
    with pytest.raises(ImageReadError, match="cut.png"):
        open_image(path, registry)


def test_truncated_jpeg_fails_when_decoded(tmp_path, registry):
    noise = np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    path = truncate(write_pillow(tmp_path / "cut.jpg", noise, quality=90), 0.6)
    with pytest.raises(ImageReadError, match="cut.jpg"):
        with open_image(path, registry) as image:
            image.frames[0].data()


def test_too_many_pixels(tmp_path, registry):
    path = write_pillow(tmp_path / "big.png", gradient(30, 40, np.uint8))
    with pytest.raises(ImageReadError, match="big.png.*exceeds the limit"):
        open_image(path, registry, max_pixels=1000)

from __future__ import annotations

import numpy as np
import pytest

from datamakers import gradient, stiff_description, tan_header, truncate, write_sidecar, write_tiff
from imgmarker.kernel.imaging.images import ImageReadError, open_image

LOSSLESS = [None, "lzw", "adobe_deflate", "packbits", "zstd", "lzma"]
DTYPES = [np.uint8, np.uint16, np.uint32, np.int16, np.float32]


def _rgb(height=12, width=10, dtype=np.uint8, bands=3):
    planes = [gradient(height, width, dtype, low=0) for _ in range(bands)]
    planes = [np.roll(p, 7 * i) for i, p in enumerate(planes)]
    return np.stack(planes, axis=-1)


@pytest.mark.parametrize("compression", LOSSLESS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_gray_every_depth_and_compression_is_exact(tmp_path, registry, dtype, compression):
    data = gradient(12, 10, dtype, low=1)
    path = write_tiff(tmp_path / "g.tif", [data], compression=compression)
    with open_image(path, registry) as image:
        frame = image.frames[0]
        assert (frame.info.shape, frame.info.bands) == ((12, 10), 1)
        shown = frame.data()
        assert shown.dtype.name == np.dtype(dtype).name
        np.testing.assert_array_equal(shown, data)  # stored top row first: no flip


@pytest.mark.parametrize("compression", [None, "lzw", "adobe_deflate", "zstd"])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
@pytest.mark.parametrize("bands", [3, 4])
def test_rgb_and_rgba(tmp_path, registry, dtype, compression, bands):
    data = _rgb(dtype=dtype, bands=bands)
    extras = [2] if bands == 4 else None
    path = write_tiff(tmp_path / "c.tiff", [data], compression=compression, photometric="rgb", extrasamples=extras)
    with open_image(path, registry) as image:
        frame = image.frames[0]
        assert frame.info.bands == bands
        np.testing.assert_array_equal(frame.data(), data)


def test_gray_with_alpha(tmp_path, registry):
    data = _rgb(bands=2)
    path = write_tiff(tmp_path / "la.tif", [data], photometric="minisblack", extrasamples=[2])
    with open_image(path, registry) as image:
        assert image.frames[0].info.bands == 2
        np.testing.assert_array_equal(image.frames[0].data(), data)


def test_planar_separate_rgb_comes_back_interleaved(tmp_path, registry):
    data = _rgb(dtype=np.uint16)
    path = write_tiff(tmp_path / "planar.tif", [np.moveaxis(data, -1, 0)], photometric="rgb", planarconfig="separate")
    with open_image(path, registry) as image:
        assert image.frames[0].info.shape == (12, 10)
        np.testing.assert_array_equal(image.frames[0].data(), data)


def test_jpeg_compression_is_close(tmp_path, registry):
    data = np.full((16, 16, 3), 128, np.uint8)
    data[4:12, 4:12] = (200, 60, 30)
    path = write_tiff(tmp_path / "j.tif", [data], compression="jpeg", photometric="rgb")
    with open_image(path, registry) as image:
        shown = image.frames[0].data()
    assert shown.shape == data.shape
    assert np.abs(shown.astype(int) - data).mean() < 6


def test_multi_page_frames(tmp_path, registry):
    pages = [gradient(8, 9, np.uint16), gradient(5, 4, np.float32) + 0.5, _rgb()]
    path = write_tiff(tmp_path / "multi.tif", pages)
    with open_image(path, registry) as image:
        assert [f.info.shape for f in image.frames] == [(8, 9), (5, 4), (12, 10)]
        assert [f.info.name for f in image.frames] == ["page 1", "page 2", "page 3"]
        for frame, page in zip(image.frames, pages):
            np.testing.assert_array_equal(frame.data(), page)


def test_min_is_white_is_inverted(tmp_path, registry):
    data = gradient(4, 4, np.uint8)
    path = write_tiff(tmp_path / "miw.tif", [data], photometric="miniswhite")
    with open_image(path, registry) as image:
        np.testing.assert_array_equal(image.frames[0].data(), 255 - data)


def test_palette_becomes_rgb(tmp_path, registry):
    data = np.array([[0, 1], [2, 1]], np.uint8)
    cmap = np.zeros((3, 256), np.uint16)
    cmap[:, 1] = (65535, 0, 0)
    cmap[:, 2] = (0, 0, 65535)
    path = write_tiff(tmp_path / "pal.tif", [data], photometric="palette", colormap=cmap)
    with open_image(path, registry) as image:
        frame = image.frames[0]
        assert frame.info.bands == 3
        shown = frame.data()
    np.testing.assert_array_equal(shown[0, 1], (65535, 0, 0))
    np.testing.assert_array_equal(shown[1, 0], (0, 0, 65535))


def test_stiff_description_gives_wcs_without_flip(tmp_path, registry):
    header = tan_header(10, 12)
    desc = stiff_description(header)
    assert "\n" not in desc and len(desc) % 80 == 0
    path = write_tiff(tmp_path / "stiff.tif", [gradient(12, 10, np.uint16)], description=desc)
    with open_image(path, registry) as image:
        wcs = image.frames[0].wcs
        assert wcs is not None
        assert wcs.wcs.crval[0] == pytest.approx(150.0)
        np.testing.assert_array_equal(image.frames[0].data(), gradient(12, 10, np.uint16))


@pytest.mark.parametrize("suffix", [".wcs", ".hdr"])
def test_sidecar_wcs(tmp_path, registry, suffix):
    path = write_tiff(tmp_path / "side.tif", [gradient(12, 10, np.uint8)])
    write_sidecar(path, tan_header(10, 12, ra=33.0), suffix)
    with open_image(path, registry) as image:
        assert image.frames[0].wcs.wcs.crval[0] == pytest.approx(33.0)


def test_no_wcs(tmp_path, registry):
    path = write_tiff(tmp_path / "plain.tif", [gradient(4, 4, np.uint8)], description="just a picture")
    with open_image(path, registry) as image:
        assert image.frames[0].wcs is None


def test_zero_bytes(tmp_path, registry):
    path = tmp_path / "empty.tif"
    path.write_bytes(b"")
    with pytest.raises(ImageReadError, match="empty.tif.*0 bytes"):
        open_image(path, registry)


def test_not_a_tiff(tmp_path, registry):
    path = tmp_path / "text.tiff"
    path.write_text("not a tiff at all" * 20)
    with pytest.raises(ImageReadError, match="text.tiff.*not a readable TIFF"):
        open_image(path, registry)


def test_truncated_raises_typed_error(tmp_path, registry):
    path = truncate(write_tiff(tmp_path / "cut.tif", [gradient(200, 200, np.uint16)], compression="zstd"), 0.5)
    with pytest.raises(ImageReadError, match="cut.tif"):
        with open_image(path, registry) as image:
            image.frames[0].data()


def test_too_many_pixels(tmp_path, registry):
    path = write_tiff(tmp_path / "big.tif", [gradient(30, 40, np.uint8)])
    with pytest.raises(ImageReadError, match="big.tif.*exceeds the limit"):
        open_image(path, registry, max_pixels=1000)

from __future__ import annotations

import gzip
import mmap
import shutil

import numpy as np
import pytest
from astropy.io import fits

from datamakers import gradient, tan_header, truncate, write_fits
from imgmarker.kernel.imaging.images import ImageReadError, open_image


def _memmapped(array: np.ndarray) -> bool:
    while isinstance(array, np.ndarray):
        array = array.base
    return isinstance(array, mmap.mmap)


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int32, np.int64, np.float32, np.float64])
def test_every_bitpix_is_read_at_full_depth_and_flipped(tmp_path, registry, dtype):
    data = gradient(6, 5, dtype, low=1)
    path = write_fits(tmp_path / "a.fits", data)
    with open_image(path, registry) as image:
        frame = image.frames[0]
        shown = frame.data()
        assert frame.info.shape == (6, 5)
        assert shown.dtype.name == np.dtype(dtype).name
        assert frame.info.dtype == np.dtype(dtype).name
        # FITS row 0 is the bottom of the screen
        np.testing.assert_array_equal(shown, data[::-1])


def test_bscale_bzero_give_physical_values(tmp_path, registry):
    raw = np.arange(12, dtype=np.int16).reshape(3, 4)
    path = tmp_path / "scaled.fits"
    fits.PrimaryHDU(raw).writeto(path)
    fits.setval(path, "BSCALE", value=2.5)
    fits.setval(path, "BZERO", value=-10.0)
    with open_image(path, registry) as image:
        shown = image.frames[0].data()
        assert shown.dtype.kind == "f"
        np.testing.assert_allclose(shown, (raw * 2.5 - 10.0)[::-1])


def test_unsigned_16_bit_through_bzero(tmp_path, registry):
    data = np.array([[0, 1000], [40000, 65535]], dtype=np.uint16)
    path = write_fits(tmp_path / "u16.fits", data)
    assert fits.getheader(path)["BZERO"] == 32768
    with open_image(path, registry) as image:
        shown = image.frames[0].data()
        assert shown.dtype.name == "uint16"
        np.testing.assert_array_equal(shown, data[::-1])


def test_blank_integers_become_nan(tmp_path, registry):
    data = np.arange(12, dtype=np.int16).reshape(3, 4)
    data[0, 1] = -999
    path = tmp_path / "blank.fits"
    fits.PrimaryHDU(data).writeto(path)
    fits.setval(path, "BLANK", value=-999)
    with open_image(path, registry) as image:
        shown = image.frames[0].data()
    assert np.isnan(shown[2, 1])  # FITS row 0 -> display row 2
    assert np.isnan(shown).sum() == 1
    assert shown[2, 0] == 0 and shown[0, 3] == 11


def test_nan_floats_are_kept(tmp_path, registry):
    data = gradient(4, 4)
    data[1, 2] = np.nan
    path = write_fits(tmp_path / "nan.fits", data)
    with open_image(path, registry) as image:
        shown = image.frames[0].data()
    assert np.isnan(shown[2, 2]) and np.isnan(shown).sum() == 1


def test_extensions_are_frames_empty_primary_and_tables_skipped(tmp_path, registry):
    a, b = gradient(4, 5), gradient(6, 7) * 2
    path = write_fits(tmp_path / "mef.fits", None, extensions=[(a, fits.Header([("EXTNAME", "SCI")])),
                                                               (b, fits.Header([("EXTNAME", "ERR")]))], tables=1)
    with open_image(path, registry) as image:
        names = [f.info.name for f in image.frames]
        assert names == ["SCI", "ERR"]
        assert [f.info.index for f in image.frames] == [0, 1]
        np.testing.assert_array_equal(image.frames[1].data(), b[::-1])


def test_primary_with_data_is_kept(tmp_path, registry):
    path = write_fits(tmp_path / "p.fits", gradient(3, 3), extensions=[(gradient(2, 2), None)])
    with open_image(path, registry) as image:
        assert [f.info.shape for f in image.frames] == [(3, 3), (2, 2)]


def test_three_plane_cube_is_rgb(tmp_path, registry):
    cube = np.stack([gradient(4, 5), gradient(4, 5) + 100, gradient(4, 5) + 200])
    path = write_fits(tmp_path / "rgb.fits", cube)
    with open_image(path, registry) as image:
        assert len(image.frames) == 1
        frame = image.frames[0]
        assert frame.info.bands == 3
        shown = frame.data()
        assert shown.shape == (4, 5, 3)
        np.testing.assert_array_equal(shown[..., 2], cube[2][::-1])


def test_other_cubes_are_one_frame_per_plane(tmp_path, registry):
    cube = np.stack([gradient(4, 5) + 10 * i for i in range(5)])
    path = write_fits(tmp_path / "cube.fits", cube)
    with open_image(path, registry) as image:
        assert len(image.frames) == 5
        np.testing.assert_array_equal(image.frames[3].data(), cube[3][::-1])
        assert image.frames[3].info.name.endswith("plane 4")


def test_uncompressed_data_is_memory_mapped(tmp_path, registry):
    path = write_fits(tmp_path / "m.fits", gradient(64, 64))
    with open_image(path, registry) as image:
        assert _memmapped(image.frames[0].data())


@pytest.mark.parametrize("suffix", [".fit", ".fts", ".fits.gz"])
def test_suffixes_and_gzip(tmp_path, registry, suffix):
    data = gradient(5, 6)
    plain = write_fits(tmp_path / "plain.fits", data)
    target = tmp_path / f"img{suffix}"
    if suffix.endswith(".gz"):
        with open(plain, "rb") as src, gzip.open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)
    else:
        shutil.copy(plain, target)
    with open_image(target, registry) as image:
        np.testing.assert_array_equal(image.frames[0].data(), data[::-1])


def test_tile_compressed_fz(tmp_path, registry):
    data = gradient(32, 40, np.int32, low=0, high=5000)
    path = write_fits(tmp_path / "c.fits.fz", None, compressed=[(data, tan_header(40, 32))])
    with open_image(path, registry) as image:
        assert len(image.frames) == 1
        assert image.format.startswith("FITS")
        np.testing.assert_array_equal(image.frames[0].data(), data[::-1])
        assert image.frames[0].wcs is not None


def test_wcs_comes_from_the_header(tmp_path, registry):
    path = write_fits(tmp_path / "w.fits", gradient(48, 64), header=tan_header(64, 48))
    with open_image(path, registry) as image:
        wcs = image.frames[0].wcs
    assert wcs is not None and wcs.naxis == 2
    assert list(wcs.wcs.ctype) == ["RA---TAN", "DEC--TAN"]


def test_no_wcs_when_header_has_none(tmp_path, registry):
    path = write_fits(tmp_path / "n.fits", gradient(4, 4))
    with open_image(path, registry) as image:
        assert image.frames[0].wcs is None


# -- broken files -------------------------------------------------------------------


def test_zero_bytes(tmp_path, registry):
    path = tmp_path / "empty.fits"
    path.write_bytes(b"")
    with pytest.raises(ImageReadError, match="empty.fits.*0 bytes"):
        open_image(path, registry)


def test_not_fits(tmp_path, registry):
    path = tmp_path / "text.fits"
    path.write_text("hello, this is not a FITS file\n" * 10)
    with pytest.raises(ImageReadError, match="text.fits"):
        open_image(path, registry)


def test_truncated(tmp_path, registry):
    path = truncate(write_fits(tmp_path / "cut.fits", gradient(100, 100)), 0.5)
    with pytest.raises(ImageReadError, match="cut.fits.*truncated"):
        open_image(path, registry)


def test_only_tables(tmp_path, registry):
    path = write_fits(tmp_path / "tables.fits", None, tables=2)
    with pytest.raises(ImageReadError, match="tables.fits.*only tables"):
        open_image(path, registry)


def test_too_many_pixels(tmp_path, registry):
    path = write_fits(tmp_path / "big.fits", gradient(30, 40))
    with pytest.raises(ImageReadError, match="big.fits.*1,200 pixels exceeds the limit of 1,000"):
        open_image(path, registry, max_pixels=1000)
    with open_image(path, registry, max_pixels=1200) as image:
        assert image.frames[0].info.shape == (30, 40)

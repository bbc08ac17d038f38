"""``imgmarker info`` and ``imgmarker render`` as a user runs them."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from astropy.visualization import ZScaleInterval
from astropy.wcs import WCS
from PIL import Image

from datamakers import gradient, stiff_description, tan_header, write_fits, write_tiff
from imgmarker.cli import main

SIP = {"A_2_0": 3e-5, "A_0_2": -2e-5, "B_1_1": 4e-5, "B_2_0": 1e-5}


def _astropy(header, height, x, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wcs = WCS(header)
    ra, dec = wcs.all_pix2world([[x, height - 1 - y]], 0)[0]
    return ra, dec


def _info(capsys, *argv):
    assert main(["info", *map(str, argv), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_info_on_a_stiff_tiff(tmp_path, capsys):
    header = tan_header(40, 30, ra=210.5, dec=54.3, scale_arcsec=0.8, rotation_deg=12.0)
    path = write_tiff(tmp_path / "stiff.tif", [gradient(30, 40, np.uint16)], description=stiff_description(header))
    report = _info(capsys, path, "--pix", 3.25, 7.5, "--pix", 39, 0)
    frame = report["frames"][0]
    assert (frame["width"], frame["height"], frame["dtype"]) == (40, 30, "uint16")
    assert frame["wcs"]["pixel_scale_arcsec"] == pytest.approx(0.8, rel=1e-6)
    for point, (x, y) in zip(report["points"], [(3.25, 7.5), (39, 0)]):
        ra, dec = _astropy(header, 30, x, y)
        assert point["ra"] == pytest.approx(ra, abs=1e-10) and point["dec"] == pytest.approx(dec, abs=1e-10)


def test_info_on_a_sip_fits_both_directions(tmp_path, capsys):
    header = tan_header(64, 48, ra=33.3, dec=-62.0, scale_arcsec=1.1, rotation_deg=-40.0, sip=SIP)
    path = write_fits(tmp_path / "sip.fits", gradient(48, 64), header=header)
    ra, dec = _astropy(header, 48, 12.5, 40.25)
    report = _info(capsys, path, "--pix", 12.5, 40.25, "--world", ra, dec)
    assert report["frames"][0]["wcs"]["sip"] is True
    forward, back = report["points"]
    assert forward["ra"] == pytest.approx(ra, abs=1e-10) and forward["dec"] == pytest.approx(dec, abs=1e-10)
    assert back["x"] == pytest.approx(12.5, abs=1e-6) and back["y"] == pytest.approx(40.25, abs=1e-6)


def test_info_text_and_errors(tmp_path, capsys):
    path = write_fits(tmp_path / "plain.fits", gradient(4, 5))
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "plain.fits: FITS, 1 frame" in out and "5 x 4 float32" in out and "no WCS" in out
    assert main(["info", str(path), "--pix", "1", "1"]) == 1
    assert "has no WCS" in capsys.readouterr().err
    broken = tmp_path / "broken.fits"
    broken.write_bytes(b"")
    assert main(["info", str(broken)]) == 1
    assert "broken.fits: empty file" in capsys.readouterr().err


def _render(tmp_path, path, *options):
    out = tmp_path / "out.png"
    assert main(["render", str(path), "-o", str(out), *options]) == 0
    with Image.open(out) as img:
        return np.asarray(img.convert("RGB"))


@pytest.fixture
def known(tmp_path):
    rng = np.random.default_rng(11)
    data = (rng.normal(500.0, 20.0, (40, 50)) + np.linspace(0, 300, 50)).astype(np.float32)
    return data, write_fits(tmp_path / "known.fits", data)


def _close(shown, expected):
    diff = np.abs(shown.astype(int) - expected.astype(int))
    assert diff.max() <= 1 and (diff == 0).mean() > 0.98


def test_render_linear_minmax_pixel_wise(tmp_path, known):
    data, path = known
    picture = _render(tmp_path, path, "--interval", "minmax", "--stretch", "linear")
    expected = np.floor((data - data.min()) / (data.max() - data.min()) * 255 + 0.5)
    _close(picture[..., 0], expected[::-1])  # FITS shown with y up
    assert (picture[..., 0] == picture[..., 1]).all()


def test_render_log_zscale_pixel_wise(tmp_path, known):
    data, path = known
    vmin, vmax = ZScaleInterval().get_limits(data)
    picture = _render(tmp_path, path, "--interval", "zscale", "--stretch", "log", "--stretch-param", "a=500")
    norm = np.clip((data - vmin) / (vmax - vmin), 0, 1)
    expected = np.floor(np.log1p(500 * norm) / np.log1p(500) * 255 + 0.5)
    _close(picture[..., 2], expected[::-1])


def test_render_colormap_frame_and_bad_options(tmp_path, capsys):
    path = write_fits(tmp_path / "two.fits", gradient(4, 5), extensions=[(gradient(6, 7), None)])
    picture = _render(tmp_path, path, "--frame", "1", "--interval", "minmax", "--colormap", "gray_r")
    assert picture.shape == (6, 7, 3)
    assert tuple(picture[-1, 0]) == (255, 255, 255)  # the smallest value, bottom left, inverted
    out = tmp_path / "x.png"
    assert main(["render", str(path), "-o", str(out), "--frame", "2"]) == 1
    assert "no frame 2" in capsys.readouterr().err
    assert main(["render", str(path), "-o", str(out), "--stretch", "cubic"]) == 2
    assert "no stretch named 'cubic'" in capsys.readouterr().err
    assert not out.exists()

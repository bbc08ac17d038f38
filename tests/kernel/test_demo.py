"""The demo campaign must be a valid, self-consistent campaign a new user can trust."""

from __future__ import annotations

import numpy as np
from astropy.io import fits
from astropy.wcs import WCS
from scipy.ndimage import gaussian_filter

from imgmarker.kernel.experiment.demo import write_demo
from imgmarker.kernel.experiment.loader import load_experiment


def test_demo_writes_every_format_and_a_valid_experiment(tmp_path):
    path = write_demo(tmp_path / "demo")
    names = sorted(p.name for p in (tmp_path / "demo" / "images").iterdir())
    assert names == ["cluster_field.fits", "colour_field.png", "gray_field.jpg", "two_bands.tif"]
    experiment = load_experiment(path)
    assert experiment.group_names == ["BCG", "Star", "Artefact"]
    assert experiment.categories.exclusive and len(experiment.catalogs) == 1


def test_demo_catalog_points_at_the_bcg_in_the_fits(tmp_path):
    write_demo(tmp_path)
    with fits.open(tmp_path / "images" / "cluster_field.fits") as hdul:
        data = hdul[0].data
        wcs = WCS(hdul[0].header)
    first = (tmp_path / "catalogs" / "candidates.csv").read_text().splitlines()[1].split(",")
    assert first[0] == "BCG"
    x, y = wcs.all_world2pix(float(first[1]), float(first[2]), 0)
    smooth = gaussian_filter(np.nan_to_num(data), 4)
    cut = smooth[int(y) - 15:int(y) + 16, int(x) - 15:int(x) + 16]
    peak_y, peak_x = np.unravel_index(np.argmax(cut), cut.shape)
    assert abs(peak_x - 15) <= 1 and abs(peak_y - 15) <= 1


def test_demo_is_reproducible(tmp_path):
    write_demo(tmp_path / "a")
    write_demo(tmp_path / "b")
    for name in ("images/cluster_field.fits", "catalogs/candidates.csv", "images/two_bands.tif"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()

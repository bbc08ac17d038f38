"""A campaign's catalogs: loading several, layers for the GUI, rows for the command line."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from astropy.wcs import WCS

from imgmarker.kernel.catalogs.campaign_catalogs import CatalogSet, catalog_rows_for_image
from imgmarker.kernel.experiment.config import CatalogConfig
from imgmarker.kernel.imaging.images import Frame, FrameInfo, Image
from imgmarker.kernel.plugins.host import create_plugin_host
from imgmarker.kernel.imaging.wcs import world_to_pixel


@pytest.fixture(scope="module")
def registry():
    return create_plugin_host(autoload=False).registry


def config(path, name, color="#FF0000", visible=True):
    return CatalogConfig(path=path, name=name, color=color, shape="diamond", size=10.0, size_unit="px",
                         label_column="label", visible=visible)


def wcs_for(shape):
    w = WCS(naxis=2)
    w.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    w.wcs.crval = [83.8, -5.4]
    w.wcs.crpix = [(shape[1] + 1) / 2, (shape[0] + 1) / 2]
    w.wcs.cdelt = [-0.5 / 3600, 0.5 / 3600]
    w.wcs.set()
    return w


def test_layers_rows_and_errors(tmp_path, registry):
    (tmp_path / "stars.csv").write_text("label,ra,dec\nS1,83.8,-5.4\nfar,90,-5\noops,x,-5\n")
    (tmp_path / "pix.csv").write_text("label,x,y\nP1,3,4\n")
    (tmp_path / "none.csv").write_text("label,mag\na,1\n")
    catalogs = CatalogSet.load([config(tmp_path / "stars.csv", "stars"),
                                config(tmp_path / "pix.csv", "pix", color="#00FF00", visible=False),
                                config(tmp_path / "none.csv", "none"),
                                config(tmp_path / "pix.csv", "stars")], registry)
    assert catalogs.names() == ["stars", "pix"]
    assert len(catalogs.errors) == 2
    assert "none.csv: no usable coordinate columns" in catalogs.errors[0]
    assert "already named 'stars'" in catalogs.errors[1]
    assert catalogs.problems == ["stars.csv:4: ra: 'x' is not a number or a sexagesimal angle"]
    shape = (100, 120)
    wcs = wcs_for(shape)
    stars, pix = catalogs.layers("orion.fits", wcs, shape)
    assert stars.sources.labels == ("S1",) and stars.visible and stars.color == "#FF0000" and stars.shape == "diamond"
    assert not pix.visible and pix.color == "#00FF00"
    assert catalogs.layers("orion.fits", wcs, shape, visible={"pix": True})[1].visible
    rows = catalogs.rows_for_image("orion.fits", wcs, shape)
    assert [(r["catalog"], r["label"]) for r in rows] == [("stars", "S1"), ("pix", "P1")]
    x, y = world_to_pixel(wcs, shape[0], 83.8, -5.4)
    assert (rows[0]["x"], rows[0]["y"]) == pytest.approx((float(x), float(y)))


def test_rows_for_an_opened_image(tmp_path, registry):
    shape = (64, 80)
    wcs = wcs_for(shape)
    image = Image(path=tmp_path / "orion.fits", format="fits", frames=[
        Frame(FrameInfo(0, "PRIMARY", shape, "float32"), load=lambda: np.zeros(shape, np.float32),
              wcs_loader=lambda: wcs)])
    (tmp_path / "cat.csv").write_text("label,ra,dec,size(arcsec)\nS1,83.8,-5.4,2\n")
    rows, problems = catalog_rows_for_image([tmp_path / "cat.csv", tmp_path / "missing.csv"], registry,
                                            image, "orion.fits")
    assert [r["label"] for r in rows] == ["S1"]
    assert rows[0]["size_px"] == pytest.approx(4.0, rel=1e-4)
    assert problems == [f"{tmp_path / 'missing.csv'}: no such file"]


def test_catalog_code_imports_without_qt():
    code = ("import sys; sys.modules['PyQt6'] = None\n"
            "import imgmarker.kernel.catalogs.campaign_catalogs, imgmarker.kernel.catalogs.promote, imgmarker.kernel.display.overlay\n"
            "import imgmarker_plugins.catalogs.text, imgmarker_plugins.catalogs.table\n"
            "import imgmarker_plugins.overlays.marks, imgmarker_plugins.overlays.catalogs\n"
            "import imgmarker_plugins.overlays.compass, imgmarker_plugins.overlays.scalebar\n")
    subprocess.run([sys.executable, "-c", code], check=True)

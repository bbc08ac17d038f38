"""A consensus is a catalog: overlaid in a new campaign, its sources sit at the
consensus centres; the VOTable and DS9 writers give the same positions."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PIL import Image

from imgmarker.cli import main
from imgmarker.kernel.agreement.simulate import simulate, write_csvs
from imgmarker.kernel.agreement.tables import Names
from imgmarker.kernel.catalogs.campaign_catalogs import CatalogSet
from imgmarker.kernel.experiment.loader import load_experiment
from imgmarker.kernel.plugins.host import create_plugin_host

HEIGHT, WIDTH = 50, 60
EXPERIMENT = """\
schema_version: 1
name: {name}
images:
  directory: {images}
groups:
  - name: galaxy
    size: 20
categories:
  items: [{{name: A}}, {{name: B}}]
output:
  directory: results
{extra}"""


@pytest.fixture
def aggregated(tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    names = [f"img{i:02d}.png" for i in range(4)]
    for name in names:
        Image.new("L", (WIDTH, HEIGHT), 10).save(images / name)
    first = tmp_path / "first"
    first.mkdir()
    exp = first / "experiment.yaml"
    exp.write_text(EXPERIMENT.format(name="first", images=images, extra=""))
    results, truth = simulate(4, 4, 2, noise=0.7, miss=0.0, false=0.0, size=40.0, groups=("galaxy",),
                              categories=("A", "B"), seed=3)
    results.images = Names(names)  # same codes, real image names
    write_csvs(results, first / "results")
    out = tmp_path / "out"
    assert main(["aggregate", str(exp), "-o", str(out), "--writer", "csv", "--writer", "votable",
                 "--writer", "ds9"]) == 0
    with open(out / "consensus.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 8
    return tmp_path, images, names, out, rows


def test_consensus_csv_overlays_in_a_new_campaign_at_the_consensus_pixels(aggregated):
    tmp_path, images, names, out, rows = aggregated
    second = tmp_path / "second"
    second.mkdir()
    (second / "experiment.yaml").write_text(EXPERIMENT.format(
        name="second", images=images, extra=f"catalogs:\n  - {{path: {out / 'consensus.csv'}, name: consensus}}\n"))
    registry = create_plugin_host().registry
    experiment = load_experiment(second / "experiment.yaml", registry)
    catalogs = CatalogSet.for_experiment(experiment, registry)
    assert catalogs.errors == [] and catalogs.names() == ["consensus"]
    for name in names:
        expected = sorted((float(r["x"]), float(r["y"])) for r in rows if r["image"] == name)
        assert len(expected) == 2
        sources = catalogs.sources("consensus", name, None, (HEIGHT, WIDTH))
        assert sorted(zip(sources.x.tolist(), sources.y.tolist())) == expected


def test_votable_and_ds9_of_the_consensus_hold_the_same_positions(aggregated):
    from astropy.table import Table
    from regions import Regions

    _, _, _, out, rows = aggregated
    table = Table.read(out / "consensus_marks.xml")
    got = sorted(zip(table["image"].tolist(), table["x"].tolist(), table["y"].tolist()))
    assert got == sorted((r["image"], float(r["x"]), float(r["y"])) for r in rows)
    assert set(table["label"].tolist()) == {"galaxy"} and np.all(table["RA"].mask)
    regions = Regions.read(str(out / "consensus_regions.reg"), format="ds9")
    assert len(regions) == 8
    # no WCS: DS9 image coordinates, which read back as 0-based FITS pixels (x, H - 1 - y)
    got = sorted((r.meta["tag"][1], r.center.x, r.center.y) for r in regions)
    want = sorted((r["image"], float(r["x"]), HEIGHT - 1 - float(r["y"])) for r in rows)
    assert [g[0] for g in got] == [w[0] for w in want]
    assert np.abs(np.array([g[1:] for g in got]) - np.array([w[1:] for w in want])).max() < 1e-9
    assert not (out / "consensus_marks.csv").exists()  # csv means the consensus tables, written anyway

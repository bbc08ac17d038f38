"""Every writer's files read back by pandas / astropy / regions with the exact values."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from session_fakes import load, make_campaign, write_image

from imgmarker.kernel.campaign.session import Session

LABELS = ["plain", "comma, inside", 'quote "here"', "new\nline", "ünïcødé ☆", " spaced ", "semi; # hash",
          "{braced}"]
BODY = """groups:
  - {name: BCG, shape: square, color: '#FF0000'}
  - {name: 'arc, lensed'}
categories:
  items: [{name: star}, {name: galaxy}]
output: {writers: [csv, votable, ds9]}
"""


@pytest.fixture
def campaign(tmp_path, host):
    exp = load(make_campaign(tmp_path, BODY, n=2, wcs=True), host)
    write_image(tmp_path / "images" / "sub dir" / "plain,1.npy", height=30, width=20)
    # recursive is off: put a plain image at the top level too
    write_image(tmp_path / "images" / "plain,1.npy", height=30, width=20)
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        marks = []
        for i, label in enumerate(LABELS):
            marks.append(s.add_mark(1.0 + i / 3, 2.0 + i / 7, "BCG" if i % 2 else "arc, lensed", label=label).mark)
        s.toggle_category("star")
        s.toggle_category("galaxy")
        s.set_comment('says "hi", then\nleaves')
        s.toggle_favorite()
        s.go_to(2)  # the image without WCS
        assert s.current.name == "plain,1.npy"
        marks.append(s.add_mark(4.25, 10.5, "BCG", label="no wcs").mark)
        s.open_image(s.entries[1]).close()
        paths = s.export()
    return tmp_path, marks, paths


def test_export_writes_every_writers_files(campaign):
    folder, marks, paths = campaign
    out = folder / "results"
    assert sorted(p.name for p in paths) == sorted(
        ["ana_marks.csv", "ana_images.csv", "ana_favorites.csv", "ana_marks.xml", "ana_regions.reg"])
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_marks_csv_reads_back_exactly_with_pandas(campaign):
    import pandas as pd

    folder, marks, _ = campaign
    df = pd.read_csv(folder / "results" / "ana_marks.csv", keep_default_na=False, na_values={"RA": [""], "DEC": [""]})
    assert list(df.columns) == ["date", "image", "group", "label", "x", "y", "RA", "DEC", "frame", "time", "pass"]
    by_label = {row.label: row for row in df.itertuples()}
    assert sorted(by_label) == sorted(m.label for m in marks)
    for m in marks:
        row = by_label[m.label]
        assert (row.image, row.group, row.x, row.y, row.frame, row.time) == (m.image, m.group, m.x, m.y, m.frame, m.time)
        assert row[-1] == m.pass_index
        assert row.date == m.time[:10]
        if m.ra is None:
            assert np.isnan(row.RA) and np.isnan(row.DEC)
        else:
            assert (row.RA, row.DEC) == (m.ra, m.dec)
    text = (folder / "results" / "ana_marks.csv").read_text(encoding="utf-8")
    assert "None" not in text and "nan" not in text.lower().replace("plain", "")


def test_marks_csv_reads_back_with_astropy(campaign):
    from astropy.table import Table

    folder, marks, _ = campaign
    t = Table.read(folder / "results" / "ana_marks.csv", format="ascii.csv")
    labels = [str(v) for v in t["label"]]
    # astropy strips spaces around every CSV field, quoted or not; all else is exact
    assert sorted(labels) == sorted(m.label.strip() for m in marks)
    for m in marks:
        i = labels.index(m.label.strip())
        assert (float(t["x"][i]), float(t["y"][i])) == (m.x, m.y)
        if m.ra is not None:
            assert (float(t["RA"][i]), float(t["DEC"][i])) == (m.ra, m.dec)
        else:
            assert np.ma.is_masked(t["RA"][i])


def test_images_and_favorites_csv(campaign):
    import pandas as pd

    folder, marks, _ = campaign
    images = pd.read_csv(folder / "results" / "ana_images.csv", keep_default_na=False, dtype=str)
    assert list(images.columns) == ["image", "RA", "DEC", "categories", "comment", "favorite", "seen_time", "pass"]
    first = images[images.image == marks[0].image].iloc[0]
    assert first.categories == "star+galaxy"
    assert first.comment == 'says "hi", then\nleaves'
    assert first.favorite == "1" and first.seen_time.endswith("+00:00")
    assert float(first.RA) == pytest.approx(150.0, abs=0.01) and float(first.DEC) == pytest.approx(2.0, abs=0.01)
    plain = images[images.image == "plain,1.npy"].iloc[0]
    assert (plain.RA, plain.DEC, plain.categories, plain.comment, plain.favorite) == ("", "", "", "", "0")
    # images never shown nor touched have no row
    assert sorted(images.image) == sorted([marks[0].image, "plain,1.npy"])
    favorites = pd.read_csv(folder / "results" / "ana_favorites.csv", keep_default_na=False, dtype=str)
    assert list(favorites.image) == [marks[0].image]


def test_votable_has_units_ucds_and_exact_values(campaign):
    from astropy.io.votable import parse
    import astropy.units as u

    folder, marks, _ = campaign
    vot = parse(str(folder / "results" / "ana_marks.xml"))
    table = vot.get_first_table()
    ucds = {f.name: f.ucd for f in table.fields}
    assert ucds["RA"] == "pos.eq.ra;meta.main" and ucds["DEC"] == "pos.eq.dec;meta.main"
    t = table.to_table()
    assert t["RA"].unit == u.deg and t["x"].unit == u.pix
    by_label = {str(row["label"]): row for row in t}
    assert sorted(by_label) == sorted(m.label for m in marks)
    for m in marks:
        row = by_label[m.label]
        assert (str(row["image"]), str(row["group"]), float(row["x"]), float(row["y"])) == (m.image, m.group, m.x, m.y)
        assert str(row["time"]) == m.time and int(row["pass"]) == 1
        if m.ra is None:
            assert np.ma.is_masked(row["RA"])
        else:
            assert (float(row["RA"]), float(row["DEC"])) == (m.ra, m.dec)


def test_ds9_regions_read_back_with_regions_package(campaign):
    from regions import PointPixelRegion, PointSkyRegion, Regions

    folder, marks, _ = campaign
    regions = Regions.read(str(folder / "results" / "ana_regions.reg"), format="ds9")
    assert len(regions) == len(marks)
    sky = [r for r in regions if isinstance(r, PointSkyRegion)]
    pix = [r for r in regions if isinstance(r, PointPixelRegion)]
    assert len(pix) == 1 and len(sky) == len(marks) - 1
    for region, m in zip(sky, [m for m in marks if m.ra is not None]):
        assert region.center.ra.deg == m.ra and region.center.dec.deg == m.dec
        assert region.center.frame.name == "icrs"
        text = " ".join(m.label.splitlines())
        # the regions parser drops braces around a text, however it is quoted
        assert region.meta["text"] == (text.strip("{}") if text.startswith("{") else text)
        assert region.meta["tag"] == [m.group, m.image]
    m = marks[-1]
    # DS9 image coordinates (1-based, y up) come back 0-based FITS: (x, H - 1 - y)
    assert (pix[0].center.x, pix[0].center.y) == (m.x, 30 - 1 - m.y)
    assert pix[0].meta["text"] == "no wcs"
    assert pix[0].visual["color"] == "#FF0000"


def test_export_command_regenerates_files_from_the_store(campaign):
    folder, marks, _ = campaign
    out = folder / "results"
    (out / "ana_marks.csv").unlink()
    result = subprocess.run([sys.executable, "-m", "imgmarker", "export", str(folder / "experiment.yaml"),
                             "--user", "ana", "--writer", "csv"], capture_output=True, text=True)
    # the fake reader is not installed for the command; export needs no reader
    assert result.returncode == 0, result.stderr
    assert (out / "ana_marks.csv").is_file()
    assert str(out / "ana_marks.csv") in result.stdout
    missing = subprocess.run([sys.executable, "-m", "imgmarker", "export", str(folder / "experiment.yaml"),
                              "--user", "bob"], capture_output=True, text=True)
    assert missing.returncode == 1
    assert "bob.imgmarker.sqlite: no annotation database here" in missing.stderr


def test_every_writer_copes_with_an_empty_campaign(tmp_path, host):
    import pandas as pd
    from astropy.io.votable import parse
    from regions import Regions

    exp = load(make_campaign(tmp_path, BODY, n=1), host)
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        s.export()
    out = tmp_path / "results"
    assert len(pd.read_csv(out / "ana_marks.csv")) == 0
    assert len(parse(str(out / "ana_marks.xml")).get_first_table().to_table()) == 0
    assert len(Regions.read(str(out / "ana_regions.reg"), format="ds9")) == 0


def test_ds9_per_image_files_and_marks_without_known_height(tmp_path, host):
    from regions import PointPixelRegion, PointSkyRegion, Regions

    body = BODY + "plugins: {ds9: {per_image: true}}\n"
    exp = load(make_campaign(tmp_path, body, n=1, wcs=True), host)
    write_image(tmp_path / "images" / "flat.npy", height=25, width=10)
    (tmp_path / "images" / "gone.bad").write_bytes(b"")
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        position = {e.name: e.position for e in s.entries}
        s.go_to(position["img_wcs000.npy"])
        sky = s.add_mark(3.0, 4.0, "BCG").mark
        s.go_to(position["flat.npy"])
        flat = s.add_mark(2.5, 0.0, "BCG").mark
        s.go_to(position["gone.bad"])
        assert s.add_mark(1.0, 1.0, "BCG").refused.startswith("gone.bad cannot be read")
        # a mark whose image was never read (an older store, an import) is still written
        from imgmarker.kernel.annotations import changes
        from imgmarker.kernel.annotations.marks import Mark

        done = s.store.apply(("gone.bad", 1), "add mark", [changes.add(
            {"id": None, "image": "gone.bad", "group": "BCG", "label": "BCG", "x": 1.0, "y": 1.0, "frame": 0,
             "ra": None, "dec": None, "time": "2026-01-01T00:00:00+00:00", "pass_index": 1})])
        lost = Mark.from_dict(done[-1]["mark"])
        s.export(["ds9"])
    out = tmp_path / "results"
    one = Regions.read(str(out / "ana_ds9" / "img_wcs000.npy.reg"), format="ds9")
    assert len(one) == 1 and isinstance(one[0], PointSkyRegion)
    assert (one[0].center.ra.deg, one[0].center.dec.deg) == (sky.ra, sky.dec)
    two = Regions.read(str(out / "ana_ds9" / "flat.npy.reg"), format="ds9")
    assert isinstance(two[0], PointPixelRegion) and (two[0].center.x, two[0].center.y) == (2.5, 24.0)
    text = (out / "ana_regions.reg").read_text(encoding="utf-8")
    assert f"# mark {lost.id} on gone.bad: no sky position and the image height is unknown" in text
    assert "point(3.5,25.0)" in text  # DS9 image coordinates: 1-based, y up
    assert flat.y == 0.0
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        s.remove_mark(flat.id)
        s.export(["ds9"])
    assert not (out / "ana_ds9" / "flat.npy.reg").exists()
    assert (out / "ana_ds9" / "img_wcs000.npy.reg").exists()


def test_csv_writer_takes_rows_of_other_stores(tmp_path):
    """Rows that are not the kernel's named tuples (another store's objects, numpy
    floats, integer pixels) are written with the same exact values."""
    import contextlib
    from types import SimpleNamespace

    import pandas as pd

    from imgmarker_plugins.writers.csv_files import write_marks

    marks = [SimpleNamespace(id=1, image="a,b.fits", group="g", label='say "hi"', x=np.float64(0.1), y=3,
                             ra=None, dec=None, frame=0, time="2026-01-01T00:00:00Z", pass_index=1),
             SimpleNamespace(id=2, image="c.fits", group="g", label="g", x=1 / 3, y=2.5, ra=np.float64(10.1),
                             dec=-5.25, frame=1, time="2026-01-02T00:00:00Z", pass_index=2)]

    @contextlib.contextmanager
    def atomic_write(name, mode="w"):
        with open(tmp_path / name, mode, newline="", encoding="utf-8") as handle:
            yield handle

    write_marks(SimpleNamespace(user="ana", marks=lambda: iter(marks), atomic_write=atomic_write))
    df = pd.read_csv(tmp_path / "ana_marks.csv", keep_default_na=False, na_values={"RA": [""], "DEC": [""]})
    assert df["image"].tolist() == ["a,b.fits", "c.fits"] and df["label"].tolist() == ['say "hi"', "g"]
    assert df["x"].tolist() == [0.1, 1 / 3] and df["y"].tolist() == [3.0, 2.5]
    assert np.isnan(df["RA"][0]) and df["RA"][1] == 10.1 and df["DEC"][1] == -5.25
    assert df["frame"].tolist() == [0, 1] and df["pass"].tolist() == [1, 2] and df["date"][1] == "2026-01-02"

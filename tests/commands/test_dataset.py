"""``imgmarker dataset`` on the demo campaign marked by three simulated annotators:
reproducible bytes, labels that pandas and pycocotools read, splits that keep each
source image whole, the filters, and one clear line for each mistake."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from imgmarker.cli import main

USERS = ("ana", "ben", "cai")
LABEL_FILES = ("examples.csv", "examples.parquet", "*_coco.json", "labels/**/*.txt", "data.yaml", "classes.txt",
               "SHA256SUMS", "manifest.json")


def mark_demo(folder: Path) -> Path:
    """The demo campaign marked by three annotators: the BCG and the catalog's stars
    (about one star in seven missed, a pixel of scatter), a category per image; two of
    them call the JPEG a bad image."""
    from astropy.io import fits
    from astropy.wcs import WCS

    from imgmarker import Session
    from imgmarker.api import world_to_pixel
    from imgmarker.kernel.experiment.demo import write_demo

    experiment = write_demo(folder)
    header = fits.getheader(folder / "images" / "cluster_field.fits")
    with open(folder / "catalogs" / "candidates.csv", newline="") as handle:
        sources = [s for s in csv.DictReader(handle) if s["label"] == "BCG" or s["kind"] == "star"]
    x, y = world_to_pixel(WCS(header), header["NAXIS2"], [float(s["ra"]) for s in sources],
                          [float(s["dec"]) for s in sources])
    rng = np.random.default_rng(1)
    for user in USERS:
        with Session.open(experiment, user=user, export_delay=None) as session:
            for i in range(len(session)):
                image = session.go_to(i).name
                for source, sx, sy in zip(sources, x, y):
                    if source["label"] != "BCG" and rng.random() < 0.15:
                        continue
                    group = "BCG" if source["label"] == "BCG" else "Star"
                    session.add_mark(sx + rng.normal(0, 0.7), sy + rng.normal(0, 0.7), group)
                session.toggle_category("Bad image" if image == "gray_field.jpg" and user != "cai" else "Cluster")
    return experiment


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return mark_demo(tmp_path_factory.mktemp("demo") / "demo")


def _build(demo, out, *extra):
    return main(["dataset", str(demo), "-o", str(out), "--size", "32", "--seed", "7", "--workers", "1", *extra])


def _label_files(folder: Path) -> dict[str, bytes]:
    found = {}
    for pattern in LABEL_FILES:
        for path in folder.glob(pattern):
            found[path.relative_to(folder).as_posix()] = path.read_bytes()
    return found


def test_same_seed_same_bytes_in_every_label_file(demo, tmp_path):
    assert _build(demo, tmp_path / "a") == 0
    assert _build(demo, tmp_path / "b", "--workers", "2") == 0  # worker processes change nothing
    a, b = _label_files(tmp_path / "a"), _label_files(tmp_path / "b")
    assert {"examples.csv", "examples.parquet", "train_coco.json", "data.yaml", "SHA256SUMS"} <= set(a)
    assert sum(name.startswith("labels/") for name in a) > 20
    assert a.keys() == b.keys()
    assert [name for name in a if a[name] != b[name]] == []
    cutouts = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a" / "images").rglob("*.fits"))
    assert cutouts and all((tmp_path / "a" / p).read_bytes() == (tmp_path / "b" / p).read_bytes() for p in cutouts)
    # other seeds deal the four images differently
    dealt = set()
    for seed in range(8, 12):
        assert _build(demo, tmp_path / f"seed{seed}", "--seed", str(seed), "--writer", "none") == 0
        table = pd.read_csv(tmp_path / f"seed{seed}" / "examples.csv")
        dealt.add(tuple(sorted(table.groupby("source_image").split.first().to_dict().items())))
    assert len(dealt) > 1


def test_the_table_reads_with_pandas_and_records_support_and_annotators(demo, tmp_path, capsys):
    out = tmp_path / "set"
    assert _build(demo, out) == 0
    printed = capsys.readouterr().out
    table = pd.read_csv(out / "examples.csv", keep_default_na=False, na_values=[""])
    parquet = pd.read_parquet(out / "examples.parquet")
    assert list(table.columns) == list(parquet.columns)
    assert table["file"].tolist() == parquet["file"].tolist()
    assert np.allclose(table["x"], parquet["x"]) and table["support"].tolist() == parquet["support"].tolist()
    assert set(table["source_image"]) == {"cluster_field.fits", "two_bands.tif", "colour_field.png", "gray_field.jpg"}
    assert set(table["group"]) == {"BCG", "Star"}
    bcg = table[table.group == "BCG"]
    assert len(bcg) == 4 and set(bcg["annotators"]) == {"ana+ben+cai"} and set(bcg["support"]) == {1.0}
    assert set(table["n_seen"]) == {3}
    assert np.allclose(table["support"], table["n_annotators"] / 3, atol=1e-4)
    # two of three said the JPEG is a bad image: that is its category, above the 0.5 support
    assert set(table[table.source_image == "gray_field.jpg"]["categories"]) == {"Bad image"}
    assert set(table[table.source_image != "gray_field.jpg"]["categories"]) == {"Cluster"}
    # RA/Dec where the image has a WCS (FITS and the STIFF TIFF), empty elsewhere
    assert table[table.source_image.isin(["cluster_field.fits", "two_bands.tif"])][["ra", "dec"]].notna().all().all()
    assert table[table.source_image.isin(["colour_field.png", "gray_field.jpg"])][["ra", "dec"]].isna().all().all()
    for r in table.itertuples():
        assert (out / r.file).is_file() and r.file.startswith(f"images/{r.split}/")
        assert r.x == pytest.approx(r.source_x - r.source_x0) and r.y == pytest.approx(r.source_y - r.source_y0)
    assert printed.startswith(f"{out}: {len(table)} examples from 3 annotators (ana, ben, cai)\n")


def test_splits_never_divide_a_source_image_and_match_the_manifest(demo, tmp_path):
    out = tmp_path / "set"
    assert _build(demo, out, "--split", "0.5", "0.25", "0.25") == 0
    table = pd.read_csv(out / "examples.csv")
    assert (table.groupby("source_image")["split"].nunique() == 1).all()
    assert set(table["split"]) == {"train", "validation", "test"}
    manifest = json.loads((out / "manifest.json").read_text())
    for split, counts in manifest["counts"].items():
        mine = table[table.split == split]
        assert counts["examples"] == len(mine) and counts["images"] == mine.source_image.nunique()
        assert counts["classes"] == mine.groupby("group").size().to_dict()
    assert manifest["results"]["annotators"] == list(USERS)
    assert manifest["options"]["seed"] == 7 and manifest["options"]["fractions"] == [0.5, 0.25, 0.25]
    assert manifest["experiment"]["file"] == "experiment.yaml" and len(manifest["experiment"]["sha256"]) == 64
    assert {"imgmarker", "numpy", "astropy", "python"} <= set(manifest["versions"])
    import hashlib

    sums = (out / "SHA256SUMS").read_bytes()
    assert manifest["files"]["checksums_sha256"] == hashlib.sha256(sums).hexdigest()
    for line in sums.decode().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    listed = {line.split("  ", 1)[1] for line in sums.decode().splitlines()}
    assert listed == {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {"manifest.json", "SHA256SUMS"}


def test_coco_file_reads_with_pycocotools_and_puts_keypoints_on_the_marks(demo, tmp_path):
    pycocotools = pytest.importorskip("pycocotools.coco")
    out = tmp_path / "set"
    assert _build(demo, out) == 0
    table = pd.read_csv(out / "examples.csv")
    coco = pycocotools.COCO(str(out / "train_coco.json"))
    assert [c["name"] for c in coco.loadCats(coco.getCatIds())] == ["BCG", "Star", "Artefact"]
    assert all(c["keypoints"] == ["centre"] for c in coco.loadCats(coco.getCatIds()))
    train = table[table.split == "train"]
    assert sorted(img["file_name"] for img in coco.loadImgs(coco.getImgIds())) == sorted(train.file)
    for r in train.itertuples():
        image = coco.loadImgs(coco.getImgIds())[0]
        image = next(i for i in coco.loadImgs(coco.getImgIds()) if i["file_name"] == r.file)
        assert (image["width"], image["height"]) == (32, 32)
        anns = coco.loadAnns(coco.getAnnIds(imgIds=[image["id"]]))
        own = [a for a in anns if a["keypoints"][:2] == pytest.approx([r.x, r.y])]
        assert len(own) == 1 and own[0]["keypoints"][2] == 2 and own[0]["num_keypoints"] == 1
        assert coco.loadCats(own[0]["category_id"])[0]["name"] == r.group
        left, top, w, h = own[0]["bbox"]
        side = 24 if r.group == "BCG" else 14  # the demo's marker sizes
        assert left + w / 2 == pytest.approx(r.x + 0.5) or left == 0 or left + w == 32
        assert w <= side and h <= side and own[0]["area"] == pytest.approx(w * h)
        # every other selected mark of the source image that the cutout shows is there too
        others = table[(table.source_image == r.source_image) & (table.file != r.file)]
        shown = others[(others.source_x - r.source_x0 >= -0.5) & (others.source_x - r.source_x0 < 31.5)
                       & (others.source_y - r.source_y0 >= -0.5) & (others.source_y - r.source_y0 < 31.5)]
        assert len(anns) == 1 + len(shown)


def test_yolo_labels_and_data_yaml(demo, tmp_path):
    out = tmp_path / "set"
    assert _build(demo, out) == 0
    table = pd.read_csv(out / "examples.csv")
    data = (out / "data.yaml").read_text()
    assert "train: images/train" in data and '0: "BCG"' in data and '1: "Star"' in data
    for r in table.itertuples():
        label = out / r.file.replace("images/", "labels/", 1).rsplit(".", 1)[0]
        lines = (label.parent / (label.name + ".txt")).read_text().splitlines()
        numbers = [[float(v) for v in line.split()] for line in lines]
        assert all(0 <= v <= 1 for n in numbers for v in n[1:])
        cls = 0 if r.group == "BCG" else 1
        own = [n for n in numbers if n[0] == cls and n[1] * 32 == pytest.approx(r.x + 0.5, abs=1e-4)
               and n[2] * 32 == pytest.approx(r.y + 0.5, abs=1e-4)]
        assert len(own) == 1 or r.padded > 0  # a box clipped at the edge moves its centre


def test_filters_by_category_group_annotator_and_support(demo, tmp_path, capsys):
    out = tmp_path / "no-bad"
    assert _build(demo, out, "--drop-category", "Bad image") == 0
    assert "gray_field.jpg" not in set(pd.read_csv(out / "examples.csv").source_image)
    assert _build(demo, tmp_path / "bcg", "--group", "BCG") == 0
    assert set(pd.read_csv(tmp_path / "bcg" / "examples.csv").group) == {"BCG"}
    assert _build(demo, tmp_path / "strict", "--min-support", "1") == 0
    strict = pd.read_csv(tmp_path / "strict" / "examples.csv")
    assert set(strict.support) == {1.0} and set(strict.annotators) == {"ana+ben+cai"}
    assert "Bad image" not in set(strict.categories.dropna())  # only 2 of 3 said so
    assert _build(demo, tmp_path / "cai", "--annotator", "cai") == 0
    cai = pd.read_csv(tmp_path / "cai" / "examples.csv")
    marks = pd.read_csv(Path(demo).parent / "results" / "cai_marks.csv")
    assert len(cai) == len(marks) and set(cai.annotators) == {"cai"} and set(cai.support) == {1.0}
    assert sorted(cai.source_x) == sorted(marks.x)
    manifest = json.loads((tmp_path / "cai" / "manifest.json").read_text())
    assert manifest["results"]["annotators"] == ["cai"]
    capsys.readouterr()
    assert _build(demo, tmp_path / "none", "--category", "No cluster") == 1
    assert capsys.readouterr().err.splitlines()[-1] == \
        "error: no examples: nothing is left after the filters (support below the minimum: 3, category filter: 45)"


def test_whole_images_by_category_for_classification(demo, tmp_path):
    out = tmp_path / "classes"
    assert main(["dataset", str(demo), "-o", str(out), "--examples", "images", "--format", "png",
                 "--workers", "1", "--split", "1", "0", "0"]) == 0
    table = pd.read_csv(out / "examples.csv", keep_default_na=False)
    assert dict(zip(table.source_image, table.label)) == {
        "cluster_field.fits": "Cluster", "colour_field.png": "Cluster", "two_bands.tif": "Cluster",
        "gray_field.jpg": "Bad image"}
    assert set(table.file) == {"images/train/Cluster/cluster_field.png", "images/train/Cluster/colour_field.png",
                               "images/train/Cluster/two_bands.png", "images/train/Bad_image/gray_field.png"}
    gray = table[table.source_image == "gray_field.jpg"].iloc[0]
    assert gray.support == pytest.approx(0.6667) and gray.annotators == "ana+ben"
    assert (gray.n_annotators, gray.n_seen, gray.group) == (2, 3, "")
    from PIL import Image

    assert Image.open(out / "images/train/Cluster/cluster_field.png").size == (512, 512)
    assert not list(out.glob("*_coco.json"))  # no boxes in a classification set
    # in FITS: the frame's own values and its WCS unchanged
    from astropy.io import fits

    assert main(["dataset", str(demo), "-o", str(tmp_path / "fits"), "--examples", "images", "--workers", "1",
                 "--split", "1", "0", "0"]) == 0
    with fits.open(tmp_path / "fits" / "images/train/Cluster/cluster_field.fits") as cut, \
            fits.open(Path(demo).parent / "images" / "cluster_field.fits") as source:
        assert np.array_equal(cut[0].data, source[0].data, equal_nan=True)
        assert (cut[0].header["CRPIX1"], cut[0].header["CRPIX2"]) == (source[0].header["CRPIX1"],
                                                                      source[0].header["CRPIX2"])


def test_exported_csv_files_give_the_same_dataset_as_the_databases(demo, tmp_path):
    import shutil

    exported = tmp_path / "exported"
    exported.mkdir()
    for path in (Path(demo).parent / "results").glob("*.csv"):
        shutil.copy(path, exported)
    assert _build(demo, tmp_path / "db") == 0
    assert main(["dataset", str(demo), str(exported), "-o", str(tmp_path / "csv"), "--size", "32", "--seed", "7",
                 "--workers", "1"]) == 0
    assert (tmp_path / "db" / "examples.csv").read_bytes() == (tmp_path / "csv" / "examples.csv").read_bytes()
    db, csv_ = (json.loads((tmp_path / name / "manifest.json").read_text()) for name in ("db", "csv"))
    assert db["results"] == csv_["results"]


@pytest.mark.parametrize("args, message", [
    (["--drop-category", "Bad"], "error: no category named 'Bad' (categories: Cluster, No cluster, Bad image)"),
    (["--group", "Galaxy"], "error: no group named 'Galaxy' (groups: BCG, Star, Artefact)"),
    (["--annotator", "dan"], "error: no annotator named 'dan' (annotators: ana, ben, cai)"),
    (["--size", "big"], "error: cutout size 'big': expected a number of pixels (64, 64px) or of arcseconds "
                        "(20arcsec)"),
    (["--split", "0", "0", "0"], "error: split fractions (train, validation, test) must be three non-negative "
                                 "numbers with a positive sum, got 0.0 0.0 0.0"),
])
def test_each_mistake_is_one_clear_line(demo, tmp_path, capsys, args, message):
    assert _build(demo, tmp_path / "set", *args) != 0
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == message and "Traceback" not in err
    assert not (tmp_path / "set").exists()


def test_an_existing_folder_is_never_overwritten_by_accident(demo, tmp_path, capsys):
    other = tmp_path / "papers"
    other.mkdir()
    (other / "draft.tex").write_text("keep me")
    assert _build(demo, other) == 2
    assert capsys.readouterr().err.strip() == \
        f"error: {other}: not empty and not a dataset (no manifest.json); choose a new or empty folder"
    assert _build(demo, other, "--overwrite") == 2 and (other / "draft.tex").read_text() == "keep me"
    out = tmp_path / "set"
    assert _build(demo, out) == 0
    capsys.readouterr()
    assert _build(demo, out) == 2
    assert capsys.readouterr().err.strip() == f"error: {out}: a dataset is already there; --overwrite replaces it"
    assert _build(demo, out, "--overwrite", "--group", "BCG") == 0
    assert set(pd.read_csv(out / "examples.csv").group) == {"BCG"}
    assert len(list((out / "images").rglob("*.fits"))) == 4  # nothing of the old dataset is left
    assert not list(tmp_path.glob(".*building*"))


def test_without_pyarrow_the_csv_table_is_enough(demo, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if it were not installed
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    out = tmp_path / "set"
    assert _build(demo, out, "--writer", "none") == 0
    assert (out / "examples.csv").is_file() and not (out / "examples.parquet").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["files"]["table"] == ["examples.csv"]

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from imgmarker.cli import main
from imgmarker.kernel.agreement.simulate import simulate, write_csvs


def _rows(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def annotated(campaign):
    """A campaign of 20 images marked by 5 synthetic annotators, results in results/."""
    experiment, names = campaign()
    results, truth = simulate(5, 20, 3, noise=1.0, miss=0.0, false=0.0, groups=("galaxy",),
                              categories=("A", "B", "C"), accuracy=1.0, seed=2)
    assert results.images.names == names
    results.votes.comment[3] = "blurred, \"check\""
    write_csvs(results, experiment.parent / "results")
    return experiment, truth


def test_aggregate_writes_consensus_catalog(annotated, tmp_path, capsys):
    experiment, truth = annotated
    out = tmp_path / "out"
    assert main(["aggregate", str(experiment), "-o", str(out)]) == 0
    rows = _rows(out / "consensus.csv")
    assert list(rows[0])[:7] == ["image", "label", "group", "x", "y", "ra", "dec"]
    assert len(rows) == len(truth.x) == 60
    by_image = {}
    for r in rows:
        by_image.setdefault(r["image"], []).append((float(r["x"]), float(r["y"])))
        assert r["n_annotators"] == "5" and r["support"] == "1.0000" and r["label"] == "galaxy"
        assert r["ra"] == "" and r["annotators"] == "user000+user001+user002+user003+user004"
    for img, x, y in zip(truth.image, truth.x, truth.y):
        d = [np.hypot(px - x, py - y) for px, py in by_image[f"img{img:05d}.fits"]]
        assert min(d) < 2.0  # mean of 5 marks with 1 px noise
    assert _rows(out / "disputed.csv") == []
    cats = _rows(out / "categories.csv")
    assert len(cats) == 20
    truth_names = ["A", "B", "C"]
    for r, t in zip(cats, truth.category):
        assert r["majority"] == truth_names[t] and r["majority_fraction"] == "1.0000"
        assert r["n_seen"] == "5" and r[f"n_{truth_names[t]}"] == "5"
    comments = _rows(out / "comments.csv")
    assert comments == [{"image": "img00003.fits", "annotator": "user000", "pass": "1",
                         "comment": "blurred, \"check\""}]
    assert "5 annotators" in capsys.readouterr().err


def test_consensus_csv_reads_as_a_table_with_positions(annotated, tmp_path):
    from astropy.table import Table

    experiment, _ = annotated
    main(["aggregate", str(experiment), "-o", str(tmp_path / "out")])
    table = Table.read(tmp_path / "out" / "consensus.csv", format="ascii.csv")
    assert {"label", "x", "y", "image"} <= set(table.colnames)
    assert len(table) == 60 and table["x"].dtype.kind == "f"


def test_agreement_report(annotated, tmp_path, capsys):
    experiment, _ = annotated
    report = tmp_path / "rep" / "agreement.html"
    assert main(["agreement", str(experiment), "-o", str(report)]) == 0
    page = report.read_text()
    assert page.count("<svg") >= 3 and "Fleiss kappa" in page
    data = json.loads(report.with_suffix(".json").read_text())
    cat = data["categories"][0]
    assert cat["fleiss_kappa"] == {"value": 1.0, "images": 20}
    assert cat["krippendorff_alpha"]["value"] == 1.0
    assert len(data["marks"]) == 10  # 5 annotators -> 10 pairs
    assert all(m["precision"] == 1.0 and m["recall"] == 1.0 and m["matched"] == 60 for m in data["marks"])
    rows = _rows(tmp_path / "rep" / "agreement_marks.csv")
    assert rows[0]["group"] == "galaxy" and rows[0]["f1"] == "1"
    assert "Fleiss kappa 1.000 (20 images)" in capsys.readouterr().out


def test_repeat_pass_is_compared_within_each_annotator(campaign, tmp_path):
    experiment, _ = campaign()
    res = experiment.parent / "results"
    res.mkdir()
    (res / "ann_marks.csv").write_text(
        "date,image,group,label,x,y,RA,DEC,frame,time,pass\n"
        "d,img00000.fits,galaxy,galaxy,10,10,,,0,t,1\n"
        "d,img00000.fits,galaxy,galaxy,50,50,,,0,t,1\n"
        "d,img00000.fits,galaxy,galaxy,11,10,,,0,t,2\n"
        "d,img00001.fits,galaxy,galaxy,30,30,,,0,t,1\n")
    (res / "ann_images.csv").write_text(
        "image,RA,DEC,categories,comment,favorite,seen time,pass\n"
        "img00000.fits,,,A,,0,t,1\nimg00001.fits,,,B,,0,t,1\nimg00000.fits,,,A,,0,t,2\n")
    report = tmp_path / "r.html"
    assert main(["agreement", str(experiment), "-o", str(report)]) == 0
    data = json.loads(report.with_suffix(".json").read_text())
    # pass 2 (1 mark) against pass 1 on the repeated image only (2 marks)
    assert data["pass_marks"] == [{"group": "galaxy", "a": "ann", "b": "ann", "images": 1, "n_a": 1, "n_b": 2,
                                   "matched": 1, "precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3),
                                   "median_offset": pytest.approx(1.0), "unit": "px"}]
    assert data["pass_categories"][0]["cohen_kappa"]["images"] == 1


def test_bad_inputs_name_the_file(campaign, tmp_path, capsys):
    experiment, _ = campaign()
    other, _ = campaign(name="other", folder="other")
    res = experiment.parent / "results"
    res.mkdir()
    (res / "good_marks.csv").write_text("image,group,x,y\nimg00001.fits,galaxy,5,5\n")
    (res / "broken_marks.csv").write_bytes(b"\x00\xff\xfe garbage")
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "eve_marks.csv").write_text("image,group,x,y\nsomething_else.png,galaxy,5,5\n")
    code = main(["aggregate", str(experiment), str(res), str(tmp_path / "foreign"), str(tmp_path / "missing"),
                 "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1  # problems reported, the good annotator still aggregated
    assert f"{res / 'broken_marks.csv'}: not a UTF-8 text file" in err
    assert f"{tmp_path / 'foreign' / 'eve_marks.csv'}: results of a different experiment?" in err
    assert f"{tmp_path / 'missing'}: no such result folder or file" in err
    assert len(_rows(tmp_path / "out" / "consensus.csv")) == 1


def test_nothing_readable_is_an_error(campaign, tmp_path, capsys):
    experiment, _ = campaign()
    assert main(["agreement", str(experiment), str(tmp_path / "nope")]) == 1
    err = capsys.readouterr().err
    assert "no annotator results could be read" in err


def test_radius_option_overrides_group_size(campaign, tmp_path):
    experiment, _ = campaign()
    res = experiment.parent / "results"
    res.mkdir()
    for user, x in (("a", 10.0), ("b", 25.0)):
        (res / f"{user}_marks.csv").write_text(f"image,group,x,y\nimg00000.fits,galaxy,{x},10\n")
    main(["aggregate", str(experiment), "--min-support", "0.6", "-o", str(tmp_path / "o1")])  # radius 10: apart
    main(["aggregate", str(experiment), "--radius", "20", "-o", str(tmp_path / "o2")])
    assert len(_rows(tmp_path / "o1" / "consensus.csv")) == 0  # 1 of 2 annotators: disputed
    assert len(_rows(tmp_path / "o1" / "disputed.csv")) == 2
    merged = _rows(tmp_path / "o2" / "consensus.csv")
    assert len(merged) == 1 and float(merged[0]["x"]) == 17.5


def test_agreement_against_the_consensus_on_request(annotated, tmp_path):
    experiment, _ = annotated
    report = tmp_path / "rep" / "agreement.html"
    assert main(["agreement", str(experiment), "-o", str(report), "--marks-against", "consensus"]) == 0
    data = json.loads(report.with_suffix(".json").read_text())
    assert data["marks_reference"] == "consensus"
    assert [(m["a"], m["b"]) for m in data["marks"]] == [(f"user{u:03d}", "(consensus)") for u in range(5)]
    assert all(m["precision"] == 1.0 and m["recall"] == 1.0 and m["matched"] == 60 for m in data["marks"])
    assert "against the consensus" in report.read_text()

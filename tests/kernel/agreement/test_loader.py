from __future__ import annotations

import numpy as np
import pytest

from imgmarker.kernel.agreement.loader import Expected, ResultsError, load_results, read_marks
from imgmarker.kernel.agreement.simulate import simulate, write_csvs
from imgmarker.kernel.agreement.tables import Names


def test_exported_csvs_load_back(tmp_path):
    results, _ = simulate(3, 5, 2, groups=("galaxy",), categories=("A", "B"), seed=1)
    write_csvs(results, tmp_path / "res")
    loaded, problems = load_results([tmp_path / "res"])
    assert problems == []
    assert loaded.users.names == ["user000", "user001", "user002"]
    assert len(loaded.marks) == len(results.marks)
    assert sorted(loaded.marks.x.tolist()) == sorted(results.marks.x.tolist())
    assert np.isnan(loaded.marks.ra).all()
    assert len(loaded.votes) == 15 and all(len(c) == 1 for c in loaded.votes.categories)


def test_minimal_columns_and_companion_file(tmp_path):
    (tmp_path / "ann_marks.csv").write_text("image,group,x,y\na.fits,galaxy,1.5,2\n")
    (tmp_path / "ann_images.csv").write_text("image,categories\na.fits,A+B\n")
    loaded, problems = load_results([tmp_path / "ann_marks.csv"])
    assert problems == []
    assert loaded.labels[int(loaded.marks.label[0])] == "galaxy"  # label defaults to the group
    assert loaded.marks.pass_index.tolist() == [1]
    assert loaded.votes.categories[0] == ("A", "B")


@pytest.mark.parametrize("content, message, line", [
    ("image,group,x\na.fits,g,1\n", "missing column y (columns found: image, group, x)", 1),
    ("image,group,x,y\na.fits,g,1,2\nb.fits,g,oops,2\n", "column x: 'oops' is not a number", 3),
    ("image,group,x,y\na.fits,g,1\n", "3 fields where the header has 4", 2),
    ("image,group,x,y,pass\na.fits,g,1,2,3\n", "column pass: '3' is not 1 or 2", 2),
    ("", "empty file", None),
])
def test_broken_marks_files_are_named_with_line(tmp_path, content, message, line):
    path = tmp_path / "ann_marks.csv"
    path.write_text(content)
    with pytest.raises(ResultsError) as info:
        read_marks(path, 0, Names(), Names(), Names())
    assert message in str(info.value)
    assert str(info.value).startswith(f"{path}:{line}:" if line else f"{path}:")


def test_corrupt_file_skips_the_annotator_only(tmp_path):
    (tmp_path / "good_marks.csv").write_text("image,group,x,y\na.fits,g,1,2\n")
    (tmp_path / "bad_marks.csv").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00binary")
    loaded, problems = load_results([tmp_path])
    assert loaded.users.names == ["good"]
    assert len(problems) == 1
    text = str(problems[0])
    assert text.startswith(str(tmp_path / "bad_marks.csv")) and "not a UTF-8 text file" in text
    assert "annotator 'bad' left out" in text


def test_missing_folder_and_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "annotations.sqlite").write_bytes(b"")
    loaded, problems = load_results([tmp_path / "nobody", tmp_path / "empty", tmp_path / "store"])
    assert len(loaded.users) == 0
    texts = [str(p) for p in problems]
    assert texts[0] == f"{tmp_path / 'nobody'}: no such result folder or file"
    assert texts[1].startswith(f"{tmp_path / 'empty'}: no '*.imgmarker.sqlite', '*_marks.csv'")
    assert "annotations.sqlite" in texts[2] and "'<user>.imgmarker.sqlite'" in texts[2]


def test_results_of_another_experiment_are_refused(tmp_path):
    (tmp_path / "ann_marks.csv").write_text("image,group,x,y\nother1.fits,galaxy,1,2\nother2.fits,galaxy,3,4\n")
    (tmp_path / "bob_marks.csv").write_text("image,group,x,y\na.fits,galaxy,1,2\nzzz.fits,galaxy,3,4\n")
    expected = Expected(images=["a.fits", "b.fits"], groups=["galaxy"], name="survey.yaml")
    loaded, problems = load_results([tmp_path], expected)
    assert loaded.users.names == ["bob"]
    assert len(loaded.marks) == 1  # the unknown image's mark is dropped
    ann = next(str(p) for p in problems if "ann_marks" in str(p))
    assert "results of a different experiment?" in ann and "'other1.fits'" in ann and "survey.yaml" in ann
    bob = next(p for p in problems if "bob_marks" in str(p))
    assert bob.severity == "warning" and "'zzz.fits'" in str(bob)


def test_unknown_groups_and_categories_are_dropped_with_a_warning(tmp_path):
    (tmp_path / "ann_marks.csv").write_text("image,group,x,y\na.fits,galaxy,1,2\na.fits,comet,3,4\n")
    (tmp_path / "ann_images.csv").write_text("image,categories\na.fits,A+Z\n")
    expected = Expected(images=["a.fits"], groups=["galaxy"], categories=["A", "B"])
    loaded, problems = load_results([tmp_path], expected)
    assert len(loaded.marks) == 1
    assert loaded.votes.categories[0] == ("A",)
    texts = " | ".join(str(p) for p in problems)
    assert "'comet'" in texts and "'Z'" in texts
    assert all(p.severity == "warning" for p in problems)


def test_the_same_annotator_twice_is_reported(tmp_path):
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "ann_marks.csv").write_text("image,group,x,y\na.fits,g,1,2\n")
    loaded, problems = load_results([tmp_path / "one", tmp_path / "two"])
    assert len(loaded.users) == 1
    assert "annotator 'ann' appears twice" in str(problems[0])


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_plain_and_quoted_files_read_the_same_values(tmp_path, ending):
    lines = ["image,group,label,x,y,RA,DEC,pass", "a.fits,galaxy,,1.5,2.25,,,1", "b.fits,star,s1,0.1,3e-05,10.5,-2.0,2",
             "a.fits,galaxy,g; #2,7,8,,,"]
    plain = tmp_path / "plain_marks.csv"
    plain.write_text(ending.join(lines) + ending, newline="")
    quoted = tmp_path / "quoted_marks.csv"  # one quoted label sends the file through the csv module
    quoted.write_text(ending.join(lines + ['c.fits,galaxy,"x, ""y""",4,5,,,1']) + ending, newline="")
    got = {}
    for path in (plain, quoted):
        labels, images = Names(), Names()
        marks = read_marks(path, 0, images, Names(), labels)
        got[path.name] = [(images[i], labels[c], x, y, "nan" if np.isnan(r) else r, p) for i, c, x, y, r, p in
                          zip(marks.image, marks.label, marks.x.tolist(), marks.y.tolist(), marks.ra.tolist(),
                              marks.pass_index.tolist())]
    assert got["plain_marks.csv"] == [("a.fits", "galaxy", 1.5, 2.25, "nan", 1), ("b.fits", "s1", 0.1, 3e-05, 10.5, 2),
                                      ("a.fits", "g; #2", 7.0, 8.0, "nan", 1)]
    assert got["quoted_marks.csv"] == got["plain_marks.csv"] + [("c.fits", 'x, "y"', 4.0, 5.0, "nan", 1)]


def test_a_short_line_in_a_plain_file_is_named(tmp_path):
    path = tmp_path / "ann_marks.csv"
    path.write_text("image,group,x,y\na.fits,g,1,2\nb.fits,g,3\nc.fits,g,4,5\n")
    with pytest.raises(ResultsError) as info:
        read_marks(path, 0, Names(), Names(), Names())
    assert str(info.value) == f"{path}:3: 3 fields where the header has 4"


def test_plain_file_with_bom_unicode_names_and_a_bad_number(tmp_path):
    path = tmp_path / "ann_marks.csv"
    path.write_bytes("\ufeffimage,group,x,y\nnébuleuse.fits,étoile,1.25,2\nnébuleuse.fits,étoile,3,4\n"
                     "m31.fits,étoile,5,6\n".encode("utf-8"))
    images, groups = Names(), Names()
    marks = read_marks(path, 0, images, groups, Names())
    assert [images[i] for i in marks.image] == ["nébuleuse.fits", "nébuleuse.fits", "m31.fits"]
    assert [groups[g] for g in marks.group] == ["étoile"] * 3 and marks.x.tolist() == [1.25, 3.0, 5.0]
    path.write_text("image,group,x,y\na.fits,g,1,2\nb.fits,g,1..5,2\n")
    with pytest.raises(ResultsError) as info:
        read_marks(path, 0, Names(), Names(), Names())
    assert str(info.value) == f"{path}:3: column x: '1..5' is not a number"

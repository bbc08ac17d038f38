"""Every string a user gives comes back exactly from every writer, read the way
docs/outputs.md says (the reading code there is run here as written), and category
names with '+', ',' or quotes survive <user>_images.csv and everything reading it."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from session_fakes import load, make_campaign, write_image

from imgmarker.cli import main
from imgmarker.kernel.campaign.session import Session

DOCS = Path(__file__).resolve().parents[2] / "docs"

LABELS = ["🔭 galaxy", 'quote "here"', "it's", "comma, inside", "new\nline", "cr\r\nlf", " spaced ", "  ", "",
          "NA", "null", "123", "1e5", "#hash", "tab\there", "semi;colon", "a+b", "back\\slash", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ✓",
          'both "double" and \'single\'', "{braced}"]
GROUPS = ["🔭 galaxy", 'say "x", twice', "plus+minus"]
CATEGORIES = ["A+B", "C, D", 'say "yes"', "back\\slash", "🔭 star", "plain"]
COMMENT = ' leading, "quoted"\nand 🔭 trailing '


def _yaml(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


BODY = ("groups:\n" + "".join(f"  - {{name: {_yaml(g)}}}\n" for g in GROUPS)
        + "categories:\n  items:\n" + "".join(f"    - {{name: {_yaml(c)}}}\n" for c in CATEGORIES)
        + "output: {writers: [csv, votable, ds9]}\n")


@pytest.fixture
def results(tmp_path, host, monkeypatch):
    exp = load(make_campaign(tmp_path, BODY, n=1, wcs=True), host)
    write_image(tmp_path / "images" / "🔭 field, \"one\" wcs.npy", height=30, width=20)
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        marks = []
        for entry in list(s.entries):
            s.go_to(entry.position)
            for i, label in enumerate(LABELS):
                marks.append(s.add_mark(1.0 + i / 3, 2.0 + i / 7, GROUPS[i % len(GROUPS)], label=label).mark)
            for name in CATEGORIES[:4] if entry.position == 0 else CATEGORIES[3:]:
                s.toggle_category(name)
            s.set_comment(COMMENT)
            s.toggle_favorite()
        s.next()
        rows = {"marks": list(s.store.mark_rows()), "images": list(s.store.image_rows())}
    monkeypatch.chdir(tmp_path)
    return tmp_path, rows


def _documented_blocks() -> list[str]:
    text = (DOCS / "outputs.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) == 4
    return blocks


def _documented_code() -> str:
    """The reading code for one annotator's files (the aggregate's comes last)."""
    return "\n".join(_documented_blocks()[:3])


def test_the_documented_reading_code_reads_every_file_exactly(results):
    folder, rows = results
    space: dict = {}
    exec(compile(_documented_code(), str(DOCS / "outputs.md"), "exec"), space)
    marks, images, favorites = space["marks"], space["images"], space["favorites"]

    stored = rows["marks"]
    assert len(marks) == len(stored)
    for row, m in zip(marks.itertuples(index=False), sorted(stored, key=lambda m: (m.image, m.pass_index, m.id))):
        assert (row.image, row.group, row.label) == (m.image, m.group, m.label)
        assert (row.x, row.y, row.RA, row.DEC, row.time, row.date) == (m.x, m.y, m.ra, m.dec, m.time, m.time[:10])
    assert sorted(marks.label) == sorted(LABELS * 2)

    by_image = {r.image: r for r in images.itertuples(index=False)}
    for r in rows["images"]:
        got = by_image[r.image]
        assert got.categories == r.categories and got.comment == COMMENT == r.comment
        assert (got.RA, got.DEC) == (r.ra, r.dec) and r.ra is not None
    assert {c for r in images.itertuples() for c in r.categories} == set(CATEGORIES)
    assert sorted(favorites.image) == sorted(by_image) and set(favorites.comment) == {COMMENT}

    votable = space["votable_marks"]
    assert sorted(map(str, votable["label"])) == sorted(LABELS * 2)
    assert sorted(map(str, votable["group"])) == sorted(marks.group)
    assert sorted(map(str, votable["image"])) == sorted(marks.image)

    def ds9(text: str, tag: bool = False) -> str:
        """What docs/outputs.md says DS9 can hold of a text, as the regions package reads it."""
        text = " ".join(text.splitlines())
        if tag:
            text = text.replace(";", "%3B")
        if all(c in text for c in "{\"'"):
            text = text.replace("{", "(").replace("}", ")")
        return text.lstrip("{").rstrip("}")

    def number_or_text(value):
        """The regions package reads a text that looks like a number as a number."""
        try:
            return repr(float(value))
        except ValueError:
            return value

    regions = space["regions"]
    assert len(regions) == len(marks)
    assert sorted(number_or_text(r.meta["text"]) for r in regions) == sorted(
        number_or_text(ds9(label)) for label in marks.label)
    assert sum(r.meta["text"] == "🔭 galaxy" for r in regions) == 2
    assert sorted(tuple(r.meta["tag"]) for r in regions) == sorted(
        (ds9(g, tag=True), ds9(i, tag=True)) for g, i in zip(marks.group, marks.image))


def test_aggregate_reads_odd_category_names_back_from_the_csv_files(results, capsys):
    folder, rows = results
    exported = folder / "exported"
    exported.mkdir()
    for name in ("ana_marks.csv", "ana_images.csv"):
        (exported / name).write_bytes((folder / "results" / name).read_bytes())
    assert main(["aggregate", str(folder / "experiment.yaml"), str(exported), "-o", str(folder / "agg")]) == 0
    err = capsys.readouterr().err
    assert "unknown categor" not in err
    with open(folder / "agg" / "categories.csv", newline="", encoding="utf-8") as handle:
        votes = {r["image"]: r for r in csv.DictReader(handle)}
    for r in rows["images"]:
        for name in CATEGORIES:
            column = next(k for k in votes[r.image] if k.startswith("n_") and k[2:] == name)
            assert votes[r.image][column] == ("1" if name in r.categories else "0"), (r.image, name)


def test_old_plus_joined_categories_still_read(tmp_path):
    from imgmarker.api import join_categories, split_categories

    assert split_categories("star+galaxy") == ("star", "galaxy")  # a file from before escaping
    assert split_categories("") == ()
    assert split_categories("a\\b+c") == ("a\\b", "c")  # a lone backslash stays
    for names in (("A+B", "C"), ("back\\slash", "+", "\\+"), ("🔭 star",), ("x",)):
        assert split_categories(join_categories(names)) == names


def test_the_documented_reading_code_reads_the_aggregate_files_exactly(results, capsys):
    folder, rows = results
    assert main(["aggregate", str(folder / "experiment.yaml")]) == 0
    space: dict = {}
    exec(compile(_documented_blocks()[3], str(DOCS / "outputs.md"), "exec"), space)
    consensus, disputed, votes, comments = (space[n] for n in ("consensus", "disputed", "votes", "comments"))
    assert len(consensus) + len(disputed) == len(rows["marks"])  # one annotator: every mark its own feature
    assert sorted(consensus.label) == sorted(LABELS * 2)
    assert set(consensus.group) == set(GROUPS)
    assert sorted(comments.comment) == [COMMENT, COMMENT] and set(comments.annotator) == {"ana"}
    by_image = {r.image: r for r in rows["images"]}
    for row in votes.to_dict("records"):
        for name in CATEGORIES:
            assert row[f"n_{name}"] == (1 if name in by_image[row["image"]].categories else 0)

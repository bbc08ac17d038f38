"""``imgmarker migrate`` on the command line: exit codes and the one line each
problem gets."""

from __future__ import annotations

import os

from legacy_folders import Legacy12, Seen, make_images
from imgmarker.cli import main


def folder(tmp_path) -> Legacy12:
    legacy = Legacy12(tmp_path / "save", make_images(tmp_path / "images"),
                      seen=[Seen("b.fits", marks=[(1, None, "3", "4")])])
    legacy.write()
    return legacy


def test_conflict_then_force(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    legacy = folder(tmp_path)
    assert main(["migrate", "save"]) == 0
    capsys.readouterr()
    experiment = tmp_path / "save" / "imgmarker" / "experiment.yaml"
    experiment.write_text(experiment.read_text(encoding="utf-8") + "# my note\n", encoding="utf-8")
    assert main(["migrate", "save"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err == ("save/imgmarker/experiment.yaml: differs from what this import writes (an earlier import, or work "
                                 "done since); nothing changed. Use --force to replace it (the old file is kept "
                                 "beside it)\n")
    assert experiment.read_text(encoding="utf-8").endswith("# my note\n")
    assert main(["migrate", "save", "--force"]) == 0
    out, err = capsys.readouterr()
    kept = [line for line in out.splitlines() if line.startswith("kept the earlier file as ")]
    assert len(kept) == 1 and kept[0].startswith("kept the earlier file as save/imgmarker/experiment.yaml.before-import-")
    assert (tmp_path / kept[0].rsplit(" ", 1)[1]).read_text(encoding="utf-8").endswith("# my note\n")
    assert not experiment.read_text(encoding="utf-8").endswith("# my note\n")
    assert legacy.user == "ana"


def test_bad_rows_go_to_stderr_and_the_rest_imports(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder(tmp_path)
    marks = tmp_path / "save" / "ana_marks.csv"
    marks.write_bytes(marks.read_bytes() + b"2025-03-04,c.fits,BCG,None,1,nope,nan,nan\r\n")
    assert main(["migrate", "save", "-o", "campaign"]) == 0
    out, err = capsys.readouterr()
    assert err == "ana_marks.csv:3: y 'nope' is not a number; row skipped\n"
    assert "imported: 1 image seen (0 repeats), 1 mark," in out
    assert out.rstrip().endswith("resume with: imgmarker run campaign/experiment.yaml")
    assert (tmp_path / "campaign" / "results" / "ana_marks.csv").is_file()


def test_one_line_for_what_cannot_be_imported(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["migrate", "nowhere"]) == 1
    assert capsys.readouterr().err == "nowhere: no such folder\n"
    os.mkdir("empty")
    assert main(["migrate", "empty"]) == 1
    assert capsys.readouterr().err == ("empty: no Image Marker save files here (<user>_config.txt, <user>_marks.csv, "
                                       "<user>_images.csv)\n")
    folder(tmp_path)
    assert main(["migrate", "save", "--encoding", "klingon"]) == 2
    assert capsys.readouterr().err == "--encoding klingon: no such encoding\n"
    assert main(["migrate", "save", "--images", "missing"]) == 1
    assert capsys.readouterr().err == "missing: no such image folder (given with --images)\n"
    assert main(["migrate", "save", "--user", "zoe"]) == 1
    assert capsys.readouterr().err == "save: no save files of 'zoe' here (found: ana)\n"


def test_a_catalog_imgmarker_cannot_read_is_named(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    legacy = Legacy12(tmp_path / "save", make_images(tmp_path / "images"), seen=[Seen("b.fits")],
                      catalogs={"notes.txt": b"just some words\n"})
    legacy.write()
    assert main(["migrate", "save"]) == 0
    out, err = capsys.readouterr()
    copied = tmp_path / "save" / "imgmarker" / "catalogs" / "notes.txt"
    assert copied.read_bytes() == b"just some words\n"
    assert err.count("\n") == 1 and "notes.txt" in err

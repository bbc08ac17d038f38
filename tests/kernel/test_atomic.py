"""Outputs are replaced whole and stay readable by collaborators."""

from __future__ import annotations

import stat

import pytest

from imgmarker.kernel.output.atomic import atomic_write


def test_replaces_whole_file_and_is_world_readable(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    with atomic_write(target) as handle:
        handle.write("new\n")
        assert target.read_text() == "old\n"  # readers still see the old file mid-write
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) & 0o044 == 0o044
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_failure_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError):
        with atomic_write(target) as handle:
            handle.write("half")
            raise RuntimeError("disk full")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_writer_output_stays_inside_the_results_folder(tmp_path):
    from imgmarker.kernel.output.atomic import atomic_output

    with atomic_output(tmp_path, "ann_marks.csv") as handle:
        handle.write("x\n")
    assert (tmp_path / "ann_marks.csv").read_text() == "x\n"
    with pytest.raises(ValueError, match="outside"):
        with atomic_output(tmp_path / "results", "../escape.csv"):
            pass
    assert not (tmp_path / "escape.csv").exists()

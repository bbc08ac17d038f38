"""Tests of the example plugin, using imgmarker's fixtures for plugin authors."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

import imgmarker_jsonl
from imgmarker.api import atomic_write
from imgmarker.api import MarkRow


class FakeContext:
    def __init__(self, output_dir: Path, marks, config=None):
        self.user = "ann"
        self.output_dir = output_dir
        self.config = config or {}
        self.experiment = None
        self._marks = marks

    def marks(self):
        return iter(self._marks)

    def images(self):
        return iter(())

    @contextmanager
    def atomic_write(self, name, mode="w"):
        with atomic_write(self.output_dir / name, mode) as handle:
            yield handle


def test_writer_is_registered(imgmarker_host_with):
    host = imgmarker_host_with(imgmarker_jsonl)
    assert "jsonl" in host.registry.writers
    assert "jsonl" in host.registry.config_schemas


def test_writes_one_json_object_per_mark(tmp_path):
    marks = [MarkRow(1, "a.fits", "BCG", "étoile, \"quoted\"", 10.25, 20.5, 150.1, 2.2, 0, "2026-01-01T00:00:00Z"),
             MarkRow(2, "b.png", "Star", "Star", 1.0, 2.0, None, None, 0, "2026-01-01T00:00:01Z", 2)]
    imgmarker_jsonl.write_jsonl(FakeContext(tmp_path, marks))
    rows = [json.loads(line) for line in (tmp_path / "ann_marks.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows[0]["label"] == "étoile, \"quoted\"" and rows[0]["x"] == 10.25 and rows[0]["ra"] == 150.1
    assert rows[1]["ra"] is None and rows[1]["pass"] == 2


def test_sky_can_be_switched_off(tmp_path):
    marks = [MarkRow(1, "a.fits", "BCG", "BCG", 1.0, 2.0, 3.0, 4.0, 0, "t")]
    imgmarker_jsonl.write_jsonl(FakeContext(tmp_path, marks, {"sky": False}))
    row = json.loads((tmp_path / "ann_marks.jsonl").read_text())
    assert "ra" not in row


def test_config_section_is_validated(make_experiment, imgmarker_host_with):
    import pytest
    from imgmarker.api import ExperimentError

    registry = imgmarker_host_with(imgmarker_jsonl).registry
    experiment = make_experiment(registry=registry, plugins={"jsonl": {"sky": False}},
                                 output={"writers": ["jsonl"]})
    assert experiment.plugins.sections["jsonl"]["sky"] is False
    with pytest.raises(ExperimentError, match="plugins.jsonl.sky"):
        make_experiment(registry=registry, plugins={"jsonl": {"sky": "no"}})

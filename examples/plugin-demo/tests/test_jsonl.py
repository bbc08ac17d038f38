"""Tests of the example plugin, using imgmarker's fixtures for plugin authors."""

from __future__ import annotations

import json

import imgmarker_jsonl
from imgmarker.api import MarkRow


def test_writer_is_registered(imgmarker_host_with):
    host = imgmarker_host_with(imgmarker_jsonl)
    assert "jsonl" in host.registry.writers
    assert "jsonl" in host.registry.config_schemas


def test_writes_one_json_object_per_mark(imgmarker_writer_context):
    marks = [MarkRow(1, "a.fits", "BCG", "étoile, \"quoted\"", 10.25, 20.5, 150.1, 2.2, 0, "2026-01-01T00:00:00Z"),
             MarkRow(2, "b.png", "Star", "Star", 1.0, 2.0, None, None, 0, "2026-01-01T00:00:01Z", 2)]
    context = imgmarker_writer_context(marks)
    imgmarker_jsonl.write_jsonl(context)
    written = context.output_dir / "ann_marks.jsonl"
    rows = [json.loads(line) for line in written.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["label"] == "étoile, \"quoted\"" and rows[0]["x"] == 10.25 and rows[0]["ra"] == 150.1
    assert rows[1]["ra"] is None and rows[1]["pass"] == 2
    assert context.written == [written]  # through atomic_write


def test_sky_can_be_switched_off(imgmarker_writer_context):
    marks = [MarkRow(1, "a.fits", "BCG", "BCG", 1.0, 2.0, 3.0, 4.0, 0, "t")]
    context = imgmarker_writer_context(marks, config={"sky": False})
    imgmarker_jsonl.write_jsonl(context)
    row = json.loads((context.output_dir / "ann_marks.jsonl").read_text())
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

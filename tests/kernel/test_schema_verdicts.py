"""A clean schema verdict is remembered, so starting an unchanged campaign does not import
the validator; it never hides a problem."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from imgmarker.kernel.experiment.loader import check_experiment, load_experiment
from imgmarker.kernel.experiment.problems import ExperimentError
from imgmarker.kernel.experiment.verdicts import SchemaVerdicts

GOOD = "schema_version: 1\nimages: {directory: images}\ngroups: [{name: galaxy}]\n"


def experiment(tmp_path: Path, text: str = GOOD) -> Path:
    (tmp_path / "images").mkdir(exist_ok=True)
    path = tmp_path / "experiment.yaml"
    path.write_text(text)
    return path


def test_a_second_load_of_an_unchanged_experiment_does_not_import_the_validator(tmp_path):
    path = experiment(tmp_path)
    cache = tmp_path / "cache"
    script = ("import sys\nfrom imgmarker.kernel.experiment.loader import load_experiment\n"
              "from imgmarker.kernel.experiment.verdicts import SchemaVerdicts\n"
              "from imgmarker.kernel.plugins.host import create_plugin_host\n"
              "verdicts = SchemaVerdicts.default()\n"
              "host = create_plugin_host(verdicts=verdicts)\n"  # the built-in plugins' sections too
              f"e = load_experiment({str(path)!r}, host.registry, verdicts)\n"
              "print(e.groups[0].name, 'jsonschema' in sys.modules, len(host.registry.problems))\n")
    env = {**os.environ, "IMGMARKER_CACHE_DIR": str(cache)}
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
            for _ in range(2)]
    assert [r.stdout.split() for r in runs] == [["galaxy", "True", "0"], ["galaxy", "False", "0"]]
    assert len(json.loads((cache / "schema-verdicts.json").read_text())) >= 2  # sections and the document


def test_a_changed_experiment_is_checked_again_and_its_problem_reported(tmp_path):
    verdicts = SchemaVerdicts(tmp_path / "cache" / "schema-verdicts.json")
    path = experiment(tmp_path)
    load_experiment(path, None, verdicts)
    path.write_text(GOOD + "display: {stretch: 7}\n")
    with pytest.raises(ExperimentError, match="experiment.yaml:4"):
        load_experiment(path, None, verdicts)
    _, problems = check_experiment(path, None, verdicts)  # a document with problems is never remembered
    assert any("stretch" in p.path for p in problems)
    assert len(json.loads(verdicts.path.read_text())) == 1


def test_the_installed_plugins_sections_are_part_of_the_verdict(tmp_path, registry):
    verdicts = SchemaVerdicts(tmp_path / "cache" / "schema-verdicts.json")
    path = experiment(tmp_path)
    load_experiment(path, None, verdicts)
    load_experiment(path, registry, verdicts)  # another schema: checked, remembered apart
    assert len(json.loads(verdicts.path.read_text())) == 2


@pytest.mark.parametrize("content", ["{not json", json.dumps({"a": 1}), json.dumps([1, 2])])
def test_an_unreadable_verdict_file_only_means_the_check_runs(tmp_path, content):
    verdicts = SchemaVerdicts(tmp_path / "schema-verdicts.json")
    verdicts.path.write_text(content)
    path = experiment(tmp_path)
    assert load_experiment(path, None, verdicts).groups[0].name == "galaxy"
    import yaml

    from imgmarker.kernel.experiment.schema import compose_schema
    from imgmarker.kernel.experiment.verdicts import verdict_key

    assert json.loads(verdicts.path.read_text()) == [verdict_key(yaml.safe_load(GOOD), compose_schema([]))]


def test_a_verdict_file_that_cannot_be_written_changes_nothing(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("")
    verdicts = SchemaVerdicts(blocked / "schema-verdicts.json")  # its folder is a file
    assert load_experiment(experiment(tmp_path), None, verdicts).groups[0].name == "galaxy"


def test_a_broken_plugin_section_is_refused_every_time(tmp_path):
    from imgmarker import hookimpl
    from imgmarker.api import ConfigSchema
    from imgmarker.kernel.plugins.host import create_plugin_host

    class Broken:
        @hookimpl
        def imgmarker_config_schema(self):
            return ConfigSchema("broken", {"type": "no-such-type"})

    verdicts = SchemaVerdicts(tmp_path / "schema-verdicts.json")
    for _ in range(2):
        host = create_plugin_host(autoload=False, extra=[("broken", Broken())], verdicts=verdicts)
        assert any("'broken'" in p and "not a valid JSON Schema" in p for p in host.registry.problems)

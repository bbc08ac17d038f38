"""The reference docs must say what the code does."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from imgmarker import hookspecs
from imgmarker.kernel.experiment.schema import base_schema
from imgmarker.kernel.experiment.schemadoc import schema_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_experiment_reference_is_generated_from_the_schema():
    expected = schema_markdown(base_schema())
    actual = (DOCS / "experiment.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/experiment.md is stale: run `imgmarker schema --markdown --base > docs/experiment.md`"


def test_every_schema_property_has_a_title_and_description():
    missing = []

    def walk(node, path):
        if not isinstance(node, dict):
            return
        for name, sub in (node.get("properties") or {}).items():
            if "$ref" not in sub and not (sub.get("title") and sub.get("description")):
                missing.append(f"{path}.{name}")
            walk(sub, f"{path}.{name}")
        if isinstance(node.get("items"), dict):
            walk(node["items"], f"{path}[]")

    schema = base_schema()
    walk(schema, "")
    for name, sub in schema["$defs"].items():
        walk(sub, f"$defs.{name}")
    assert missing == []


def test_plugin_guide_documents_exactly_the_hooks():
    hooks = {name for name, obj in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("imgmarker_")}
    text = (DOCS / "plugins.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^### (imgmarker_\w+)\s*$", text, re.MULTILINE))
    assert documented == hooks
    for name in hooks:
        args = list(inspect.signature(getattr(hookspecs, name)).parameters)
        section = text.split(f"### {name}", 1)[1].split("\n### ", 1)[0]
        for arg in args:
            assert arg in section, f"{name}: argument {arg!r} not documented"


def test_readme_experiment_validates(tmp_path):
    from imgmarker.kernel.experiment.loader import load_experiment
    from imgmarker.kernel.plugins.host import create_plugin_host

    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "images").mkdir()
    (tmp_path / "experiment.yaml").write_text(block, encoding="utf-8")
    experiment = load_experiment(tmp_path / "experiment.yaml", create_plugin_host(autoload=False).registry)
    assert experiment.group_names == ["BCG", "Star"] and experiment.output.writers == ("csv", "ds9")


def test_outputs_doc_names_the_csv_columns_the_writer_writes():
    from imgmarker_plugins.writers.csv_files import FAVORITE_COLUMNS, MARK_COLUMNS

    text = (DOCS / "outputs.md").read_text(encoding="utf-8")
    assert f"`{', '.join(MARK_COLUMNS)}`" in text
    assert f"`{', '.join(FAVORITE_COLUMNS)}`" in text

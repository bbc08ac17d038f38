"""Loading and validating experiment files: what a user sees when a file is wrong."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from imgmarker.kernel.experiment.loader import check_experiment, load_experiment
from imgmarker.kernel.experiment.problems import ExperimentError


def write(tmp_path: Path, text: str, name: str = "experiment.yaml") -> Path:
    (tmp_path / "images").mkdir(exist_ok=True)
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def errors(path: Path, registry=None) -> list[str]:
    experiment, problems = check_experiment(path, registry)
    assert experiment is None
    return [str(p) for p in problems if p.is_error]


def test_minimal_experiment_gets_every_default(tmp_path):
    path = write(tmp_path, """
        schema_version: 1
        images:
          directory: images
    """)
    exp = load_experiment(path)
    assert [g.name for g in exp.groups] == [str(i) for i in range(1, 10)]
    assert [g.key for g in exp.groups] == [str(i) for i in range(1, 10)]
    assert len(set(g.color for g in exp.groups)) == 9
    assert all(g.max is None and g.shape == "circle" for g in exp.groups)
    assert [c.key for c in exp.categories.items] == [f"Ctrl+{i}" for i in range(1, 6)]
    assert exp.categories.exclusive is False
    assert exp.images.directory == tmp_path.resolve() / "images"
    assert exp.output.directory == tmp_path.resolve() / "results"
    assert exp.output.writers == ("csv",)
    assert exp.order.mode == "sorted"
    assert exp.display.interval == "zscale" and exp.display.stretch == "linear"
    assert exp.controls.left_click_group == "1"
    assert exp.controls.keys["next_image"] == "Tab"
    assert exp.consistency.fraction == 0


def test_left_click_group_is_the_first_group_unless_chosen(tmp_path):
    named = write(tmp_path, """
        schema_version: 1
        images: {directory: images}
        groups: [{name: BCG}, {name: "1"}]
    """)
    assert load_experiment(named).left_click_group.name == "BCG"
    chosen = write(tmp_path, """
        schema_version: 1
        images: {directory: images}
        groups: [{name: BCG}, {name: Star}]
        controls: {left_click_group: Star}
    """, "chosen.yaml")
    assert load_experiment(chosen).left_click_group.name == "Star"


def test_experiment_is_frozen(tmp_path):
    exp = load_experiment(write(tmp_path, "schema_version: 1\nimages: {directory: images}\n"))
    with pytest.raises(AttributeError):
        exp.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        exp.display.interval_params["x"] = 1  # type: ignore[index]


def test_five_mistakes_give_five_lines_with_their_line_numbers(tmp_path):
    path = write(tmp_path, """
        schema_version: 1
        name: five mistakes
        images:
          directory: images
        order:
          mode: shufled
        groups:
          - name: BCG
            max: -3
          - name: Star
            colour: red
        catalogs:
          - path: missing.csv
        controls:
          left_click_group: Galaxy
    """)
    lines = errors(path)
    assert len(lines) == 5, lines
    by_line = {int(line.split(":")[1]): line for line in lines}
    assert sorted(by_line) == [6, 9, 11, 13, 15]
    assert "order.mode: 'shufled' is not one of" in by_line[6] and "did you mean 'shuffled'" in by_line[6]
    assert "groups[0].max: -3 is less than the minimum of 1" in by_line[9]
    assert "groups[1].colour: unknown key (did you mean 'color'?)" in by_line[11]
    assert "catalogs[0].path" in by_line[13] and "missing.csv does not exist" in by_line[13]
    assert "controls.left_click_group: no group named 'Galaxy'" in by_line[15]
    assert all(line.startswith(f"{path}:") for line in lines)


def test_misspelled_top_level_key_suggests_the_right_one(tmp_path):
    path = write(tmp_path, """
        schema_version: 1
        images:
          directory: images
        grups: []
    """)
    assert errors(path) == [f"{path}:4: grups: unknown key (did you mean 'groups'?)"]


def test_invalid_yaml_syntax_has_the_same_format(tmp_path):
    path = write(tmp_path, """
        schema_version: 1
        images:
          directory: images
        groups: [a, b
    """)
    (line,) = errors(path)
    assert line.startswith(f"{path}:")
    assert "invalid YAML" in line
    assert int(line.split(":")[1]) >= 4


def test_empty_file_and_wrong_top_level(tmp_path):
    assert "got an empty file" in errors(write(tmp_path, ""))[0]
    assert "got a list" in errors(write(tmp_path, "- a\n- b\n"))[0]


def test_duplicates_and_key_conflicts_are_errors(tmp_path):
    path = write(tmp_path, """
        schema_version: 1
        images:
          directory: images
        groups:
          - name: BCG
            key: b
          - name: BCG
          - name: Star
            key: B
        categories:
          items:
            - name: Merger
            - name: Merger
              key: ctrl+1
        controls:
          keys:
            favorite: "2"
    """)
    lines = errors(path)
    text = "\n".join(lines)
    assert ":7: groups[1].name: duplicate group name 'BCG' (also groups[0])" in text
    assert ":9: groups[2].key: key 'B' of group 'Star' is already bound to group 'BCG'" in text
    assert ":13: categories.items[1].name: duplicate category name 'Merger'" in text
    assert "categories.items[1].key: key 'ctrl+1' of category 'Merger' is already bound to category 'Merger'" in text
    assert "controls.keys.favorite: key '2' of action 'favorite' is already bound to group 'BCG'" in text


def test_duplicate_yaml_keys_are_reported(tmp_path):
    path = write(tmp_path, """
        schema_version: 1
        name: a
        name: b
        images:
          directory: images
    """)
    assert errors(path) == [f"{path}:3: name: duplicate key (first given on line 2); only the last value is used"]


def test_images_path_must_exist_and_be_unambiguous(tmp_path):
    path = write(tmp_path, """
        schema_version: 1
        images:
          directory: nowhere
    """)
    (line,) = errors(path)
    assert line.startswith(f"{path}:3: images.directory: ") and "nowhere does not exist" in line
    path = write(tmp_path, """
        schema_version: 1
        images: {}
    """, "b.yaml")
    assert "give exactly one of 'directory' or 'list'" in errors(path)[0]


def test_required_keys_and_version(tmp_path):
    path = write(tmp_path, "schema_version: 2\n")
    lines = errors(path)
    assert any("'images' is a required property" in line for line in lines)
    assert any(":1: schema_version: 2 is not supported; must be 1" in line for line in lines)


def test_relative_paths_resolve_against_the_experiment_folder(tmp_path, monkeypatch):
    campaign = tmp_path / "campaign"
    campaign.mkdir()
    (campaign / "cat.csv").write_text("x,y\n1,2\n")
    path = write(campaign, """
        schema_version: 1
        images:
          directory: images
        catalogs:
          - path: cat.csv
        output:
          directory: out
    """)
    monkeypatch.chdir(tmp_path)
    exp = load_experiment(path.relative_to(tmp_path))
    assert exp.catalogs[0].path == campaign.resolve() / "cat.csv"
    assert exp.catalogs[0].name == "cat"
    assert exp.output.directory == campaign.resolve() / "out"


def test_group_options_and_limits(tmp_path):
    path = write(tmp_path, """
        schema_version: 1
        images:
          directory: images
        groups:
          - {name: BCG, max: 1, size: 4, size_unit: arcsec, shape: diamond, color: "#112233"}
          - {name: Star}
        categories:
          exclusive: true
          items: [{name: Cluster}, {name: Bad, key: B}]
        controls:
          left_click_group: Star
    """)
    exp = load_experiment(path)
    bcg = exp.group("BCG")
    assert (bcg.max, bcg.size, bcg.size_unit, bcg.shape, bcg.color) == (1, 4.0, "arcsec", "diamond", "#112233")
    assert exp.left_click_group.name == "Star"
    assert exp.categories.exclusive and exp.categories.items[1].key == "B"


def test_load_raises_with_every_problem(tmp_path):
    path = write(tmp_path, "schema_version: 1\nimages: {directory: images}\nname: 3\ninstructions: [1]\n")
    with pytest.raises(ExperimentError) as info:
        load_experiment(path)
    assert len(info.value.problems) == 2
    assert "name: 3 is not of type string" in str(info.value)


def test_keys_the_program_reserves_cannot_be_bound(tmp_path):
    (tmp_path / "cat.csv").write_text("x,y\n1,2\n")
    path = write(tmp_path, """
        schema_version: 1
        images:
          directory: images
        groups:
          - {name: BCG, key: Ctrl+E}
        categories:
          items:
            - {name: Merger, key: alt+1}
        catalogs:
          - path: cat.csv
        controls:
          keys:
            undo: Ctrl+Y
    """)
    text = "\n".join(errors(path))
    assert "groups[0].key: key 'Ctrl+E' of group 'BCG' is already bound to menu command 'file.export_outputs'" in text
    assert "categories.items[0].key: key 'alt+1' of category 'Merger' is already bound to the show/hide key of" in text
    assert "controls.keys.undo: key 'Ctrl+Y' of action 'undo' is already bound to action 'redo'" in text

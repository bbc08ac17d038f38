"""Without ``controls.left_click_group`` a left click places the first group's mark
(group "1" only when there is one of that name)."""

from __future__ import annotations

from imgmarker.kernel.experiment.loader import load_experiment


def test_left_click_defaults_to_the_first_group_unless_one_is_named_1(tmp_path):
    (tmp_path / "images").mkdir()
    path = tmp_path / "experiment.yaml"
    path.write_text("schema_version: 1\nname: t\nimages: {directory: images}\ngroups: [{name: BCG}, {name: Star}]\n")
    assert load_experiment(path).left_click_group.name == "BCG"
    path.write_text("schema_version: 1\nname: t\nimages: {directory: images}\ngroups: [{name: x}, {name: '1'}]\n")
    assert load_experiment(path).left_click_group.name == "1"
    path.write_text("schema_version: 1\nname: t\nimages: {directory: images}\ngroups: [{name: x}, {name: y}]\n"
                    "controls: {left_click_group: y}\n")
    assert load_experiment(path).left_click_group.name == "y"

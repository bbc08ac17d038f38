"""The ``campaign:`` section of an experiment: defaults, the plan, and passwords refused."""

from __future__ import annotations

import pytest

from imgmarker.kernel.experiment.campaign_section import conninfo_keys
from imgmarker.kernel.experiment.loader import check_experiment

BASE = """\
schema_version: 1
name: team
images: {directory: images}
campaign:
"""


def write(tmp_path, body: str):
    (tmp_path / "images").mkdir(exist_ok=True)
    path = tmp_path / "experiment.yaml"
    path.write_text(BASE + body)
    return path


def test_the_plan_has_its_defaults(tmp_path):
    experiment, problems = check_experiment(write(tmp_path, "  server: service=bcg\n"))
    assert problems == []
    plan = experiment.campaign
    assert (plan.server, plan.schema, plan.mode, plan.looks_per_image, plan.gold, plan.retire_agree,
            plan.batch_size, plan.lease_seconds) == ("service=bcg", "imgmarker", "everyone", 2, (), None, 20, 7200.0)


def test_an_experiment_without_the_section_has_no_campaign(tmp_path):
    path = tmp_path / "experiment.yaml"
    (tmp_path / "images").mkdir()
    path.write_text(BASE.replace("campaign:\n", ""))
    experiment, problems = check_experiment(path)
    assert problems == [] and experiment.campaign is None


def test_a_shared_plan_is_read_whole(tmp_path):
    experiment, problems = check_experiment(write(tmp_path, (
        "  server: postgresql://db.example.org/bcg?sslmode=require\n  schema: spt3g\n  mode: shared\n"
        "  looks_per_image: 3\n  gold: [a.fits, b.fits]\n  retirement: {agree: 2}\n  batch_size: 5\n"
        "  lease_minutes: 1.5\n")))
    assert problems == []
    plan = experiment.campaign
    assert (plan.schema, plan.mode, plan.looks_per_image, plan.gold, plan.retire_agree, plan.batch_size,
            plan.lease_seconds) == ("spt3g", "shared", 3, ("a.fits", "b.fits"), 2, 5, 90.0)


@pytest.mark.parametrize("server", [
    "host=db dbname=bcg password=secret",
    "host=db PASSWORD = 'two words' dbname=bcg",
    "postgresql://ana:secret@db.example.org/bcg",
    "postgresql://db.example.org/bcg?password=secret",
    "postgresql://db.example.org/bcg?pass%77ord=secret",
])
def test_a_password_in_the_server_is_one_error_on_its_line(tmp_path, server):
    path = write(tmp_path, f"  mode: shared\n  server: \"{server}\"\n")
    experiment, problems = check_experiment(path)
    assert experiment is None
    assert [str(p) for p in problems] == [
        f"{path}:6: campaign.server: holds a password; keep passwords in each annotator's password file "
        "or service file (docs/team.md)"]


def test_impossible_retirement_and_bad_schema_names_are_errors(tmp_path):
    path = write(tmp_path, "  server: service=bcg\n  looks_per_image: 2\n  retirement: {agree: 3}\n"
                           "  schema: Bad-Name\n")
    experiment, problems = check_experiment(path)
    assert experiment is None
    assert [(p.line, p.path) for p in problems] == [(7, "campaign.retirement.agree"), (8, "campaign.schema")]
    assert "can never happen with looks_per_image 2" in problems[0].message


def test_conninfo_keys_reads_quoted_values_and_uris():
    assert conninfo_keys("host=db port=5433 options='-c search_path=x'") == {
        "host": "db", "port": "5433", "options": "-c search_path=x"}
    assert conninfo_keys("postgresql://ana@db:5433/bcg?sslmode=require") == {"sslmode": "require", "user": "ana"}
    assert "password" not in conninfo_keys("service=bcg passfile=/home/ana/.pgpass")

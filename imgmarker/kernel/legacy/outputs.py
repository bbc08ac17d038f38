"""The imported campaign's output files, written once right after the import so the
results folder looks as it will after a marking session."""

from __future__ import annotations

from typing import Any

from imgmarker.kernel.catalogs.campaign_catalogs import CatalogSet
from imgmarker.kernel.experiment.loader import check_experiment
from imgmarker.kernel.output.export import run_writers
from imgmarker.kernel.store.sqlite import SqliteStore


def write_outputs(result: Any, host: Any) -> list[str]:
    """Run the experiment's writers on the imported store; problems as lines, with those
    of the copied catalogs (a catalog imgmarker cannot read is named, not dropped)."""
    experiment, problems = check_experiment(result.experiment_path, host.registry)
    if experiment is None:
        return [str(p) for p in problems]
    with SqliteStore.open(result.database, readonly=True) as store:
        done = run_writers(experiment, result.plan.user, experiment.output.directory, store, host.registry,
                           list(experiment.output.writers))
    catalogs = CatalogSet.for_experiment(experiment, host.registry)
    return list(done.problems) + list(catalogs.errors) + list(catalogs.problems)

"""Starting the GUI: choose a campaign, open its session, show the window."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Iterable

from PyQt6.QtWidgets import QApplication, QFileDialog, QMessageBox

from imgmarker.kernel.campaign.lock import SessionBusy
from imgmarker.kernel.store.base import StoreError
from imgmarker.kernel.experiment.loader import load_experiment, plugin_modules
from imgmarker.kernel.experiment.verdicts import SchemaVerdicts
from imgmarker.shell.memory import return_freed_memory
from imgmarker.kernel.experiment.folder import write_folder_experiment
from imgmarker.kernel.plugins.host import create_plugin_host, is_local_module, resolve_local_module
from imgmarker.kernel.experiment.problems import ExperimentError
from imgmarker.shell.commands import remember

log = logging.getLogger("imgmarker")

SWITCH_INTERVAL_S = 0.001


def choose_campaign(parent=None) -> Path | None:
    """Ask for an experiment file or an image folder (which gets a default experiment)."""
    box = QMessageBox(QMessageBox.Icon.Question, "imgmarker", "Open a campaign:", parent=parent)
    experiment_button = box.addButton("Experiment file…", QMessageBox.ButtonRole.AcceptRole)
    folder_button = box.addButton("Image folder…", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    if box.clickedButton() is experiment_button:
        name, _ = QFileDialog.getOpenFileName(parent, "Open experiment", "", "Experiments (*.yaml *.yml)")
        return Path(name) if name else None
    if box.clickedButton() is folder_button:
        folder = QFileDialog.getExistingDirectory(parent, "Open image folder")
        if not folder:
            return None
        return write_folder_experiment(Path(folder))
    return None


def _log_to(output: Path) -> logging.Handler:
    output.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(output / "imgmarker.log", encoding="utf-8", errors="backslashreplace")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("imgmarker")
    logger.addHandler(handler)
    if logger.level == logging.NOTSET:  # --log-level chose one
        logger.setLevel(logging.INFO)
    return handler


def open_window(experiment_path: Path, *, user: str | None = None, output: Path | None = None,
                blocked: Iterable[str] = (), trust_modules: bool = False):
    """Load the experiment and open its session and window (not yet shown)."""
    # Render workers hold the interpreter between numpy calls; switching sooner than the
    # default 5 ms keeps key presses and paints on the GUI thread from waiting for them.
    sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))
    return_freed_memory()  # the resident memory follows the caches (see shell/memory.py)
    from imgmarker.kernel.campaign.session import Session
    from imgmarker.shell.window import MainWindow

    # schema checks passed before are remembered: starting does not import the validator
    verdicts = SchemaVerdicts.default()
    host = create_plugin_host(blocked=blocked, modules=plugin_modules(experiment_path),
                              base_dir=experiment_path.parent, trust_modules=trust_modules, verdicts=verdicts)
    experiment = load_experiment(experiment_path, host.registry, verdicts)
    if experiment.campaign is not None:
        return _open_team_window(experiment, user=user, output=output, host=host)
    session = Session.open(experiment, user=user, output=output, host=host)
    window = MainWindow(session, opener=open_window)
    return window


def _open_team_window(experiment, *, user, output, host):
    """The window on a team campaign: the session joined to its server, the sync's
    state in the status bar."""
    from imgmarker.kernel.team.joining import open_team_session
    from imgmarker.shell.team_status import attach_team
    from imgmarker.shell.window import MainWindow

    session, sync = open_team_session(experiment, user=user, output=output, host=host)
    window = MainWindow(session, opener=open_window)
    window.team_sync = sync
    attach_team(window, sync)
    return window


def close_window_session(window) -> None:
    """Close the window's session, after the team sync's last attempt to send."""
    sync = getattr(window, "team_sync", None)
    if sync is not None:
        window.team_status.stop()
        sync.stop()
    window.session.close()


def local_modules(experiment_path: Path) -> list[Path]:
    """Plugin files (.py) the experiment asks to import: code from whoever shared it."""
    return [resolve_local_module(ref, experiment_path.parent)
            for ref in plugin_modules(experiment_path) if is_local_module(ref)]


def confirm_modules(paths: list[Path], parent=None) -> bool:
    """Ask before importing plugin files named by a shared experiment."""
    listing = "\n".join(str(p) for p in paths)
    answer = QMessageBox.question(
        parent, "imgmarker: import plugin files?",
        "This experiment asks to import Python code:\n\n" + listing + "\n\n"
        "Only allow this if you trust whoever shared the experiment. Without it, the campaign "
        "opens without these plugins.")
    return answer == QMessageBox.StandardButton.Yes


def run_app(experiment_path: Path | None, *, user: str | None = None, output: Path | None = None,
            blocked: Iterable[str] = (), trust_modules: bool = False) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("imgmarker")
    if experiment_path is None:
        experiment_path = choose_campaign()
        if experiment_path is None:
            return 0
    if not trust_modules:
        wanted = local_modules(experiment_path)
        trust_modules = bool(wanted) and confirm_modules(wanted)
    try:
        window = open_window(experiment_path, user=user, output=output, blocked=blocked, trust_modules=trust_modules)
    except ExperimentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except (SessionBusy, StoreError) as exc:  # busy, or a results folder that cannot be written
        print(exc, file=sys.stderr)
        return 1
    handler = _log_to(window.session.output_dir)
    for problem in window.session.host.load_problems():  # once: on stderr and in the log file
        log.error("%s", problem)
    remember(window)
    try:
        window.show()
        window.start()
        return app.exec()
    finally:
        close_window_session(window)
        logging.getLogger("imgmarker").removeHandler(handler)
        handler.close()

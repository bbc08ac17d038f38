"""What the File, Edit and Help menus do. Each command asks with a dialog only for
what it was not given, so tests and scripts call the same code without dialogs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PyQt6.QtCore import QUrl
from PyQt6.QtGui import QColor, QDesktopServices
from PyQt6.QtWidgets import QColorDialog, QFileDialog, QMessageBox

from imgmarker.kernel.experiment.folder import write_folder_experiment
from imgmarker.kernel.experiment.overrides import OverrideError
from imgmarker.shell import recent

VIEW_FORMATS = "PNG image (*.png);;JPEG image (*.jpg *.jpeg);;TIFF image (*.tif *.tiff)"
VIEW_SUFFIXES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".tif": "TIFF", ".tiff": "TIFF"}


def _say(win: Any, text: str, ms: int = 8000) -> None:
    win.statusBar().showMessage(text, ms)


def _recent_file(win: Any) -> Path:
    return win.recent_file or recent.default_file()


def recent_campaigns(win: Any) -> list[Path]:
    current = win.experiment.path
    return [p for p in recent.read(_recent_file(win)) if current is None or p.resolve() != Path(current).resolve()]


def remember(win: Any) -> None:
    if win.experiment.path is not None:
        try:
            recent.remember(_recent_file(win), win.experiment.path)
        except OSError as exc:
            _say(win, f"could not update the recent campaigns list: {exc}")


# -- File ----------------------------------------------------------------------------------

def open_experiment(win: Any, path: Path | None = None) -> Any:
    if path is None:
        name, _ = QFileDialog.getOpenFileName(win, "Open experiment", str(win.experiment.base_dir),
                                              "Experiments (*.yaml *.yml)")
        if not name:
            return None
        path = Path(name)
    return open_campaign(win, path)


def open_folder(win: Any, folder: Path | None = None) -> Any:
    if folder is None:
        name = QFileDialog.getExistingDirectory(win, "Open image folder", str(win.experiment.base_dir))
        if not name:
            return None
        folder = Path(name)
    return open_campaign(win, write_folder_experiment(Path(folder)))


def open_campaign(win: Any, path: Path) -> Any:
    """Open another campaign in a new window (same annotator) and close this one."""
    from imgmarker.kernel.campaign.lock import SessionBusy
    from imgmarker.kernel.experiment.problems import ExperimentError
    from imgmarker.kernel.store.base import StoreError

    if win.opener is None:
        _say(win, "this window cannot open other campaigns")
        return None
    try:
        new = win.opener(Path(path), user=win.session.user)
    except ExperimentError as exc:
        QMessageBox.warning(win, "imgmarker: cannot open the experiment", "\n".join(map(str, exc.problems)))
        return None
    except (OSError, ValueError, SessionBusy, StoreError) as exc:
        QMessageBox.warning(win, "imgmarker: cannot open the campaign", f"{path}: {exc}")
        return None
    new.recent_file = win.recent_file
    new.close_session_on_close = True
    remember(new)
    new.show()
    new.start()
    win.successor = new
    win.close_session_on_close = True
    win.close()
    return new


def import_catalog(win: Any, path: Path | None = None, color: str | None = None) -> bool:
    """Add a catalog to this annotator's campaign (not to the shared experiment)."""
    if path is None:
        name, _ = QFileDialog.getOpenFileName(win, "Import catalog", str(win.experiment.base_dir))
        if not name:
            return False
        path = Path(name)
    path = Path(path).resolve()
    if win.session.registry.catalog_reader_for(path.name) is None:
        QMessageBox.warning(win, "imgmarker: import catalog", f"{path.name}: no catalog reader for this kind of file")
        return False
    if color is None:
        chosen = QColorDialog.getColor(QColor("#00FFFF"), win, f"Colour for {path.name}")
        if not chosen.isValid():
            return False
        color = chosen.name()
    overrides = win.session.overrides
    names = {c.name for c in win.experiment.catalogs}
    name = base = path.name.split(".")[0]
    n = 2
    while name in names:
        name, n = f"{base}-{n}", n + 1
    overrides["catalogs"] = list(overrides.get("catalogs") or []) + [
        {"path": str(path), "name": name, "color": color}]
    return apply_overrides(win, overrides, f"catalog {name} imported")


def apply_overrides(win: Any, overrides: dict, done: str = "settings changed") -> bool:
    try:
        notes = win.session.set_overrides(overrides)
    except OverrideError as exc:
        QMessageBox.warning(win, "imgmarker: settings", str(exc))
        return False
    win.reload()
    _say(win, "; ".join([done] + notes))
    return True


def export_outputs(win: Any) -> list[Path]:
    paths = win.session.export()
    problems = win.session.export_problems
    text = f"wrote {len(paths)} output file{'s' * (len(paths) != 1)} to {win.session.output_dir}"
    _say(win, text + (f"; problems: {'; '.join(problems)}" if problems else ""))
    return paths


def export_view(win: Any, path: Path | None = None) -> Path | None:
    """Save what the view shows (image, marks, overlays) as PNG, JPEG or TIFF."""
    if path is None:
        stem = Path(win.session.current.name).stem
        name, _ = QFileDialog.getSaveFileName(win, "Export view", str(win.session.output_dir / f"{stem}-view.png"),
                                              VIEW_FORMATS)
        if not name:
            return None
        path = Path(name)
    path = Path(path)
    kind = VIEW_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        path, kind = path.with_suffix(".png"), "PNG"
    if not win.view.grab().save(str(path), kind, 95):
        QMessageBox.warning(win, "imgmarker: export view", f"{path}: could not be written")
        return None
    _say(win, f"view saved as {path}")
    return path


def save_experiment_as(win: Any, path: Path | None = None) -> Path | None:
    """Write the experiment with this annotator's settings as a new experiment file."""
    from imgmarker.kernel.experiment.saving import write_effective_experiment

    if path is None:
        base = win.session.base_experiment.base_dir
        name, _ = QFileDialog.getSaveFileName(win, "Save as a new experiment file", str(base / "experiment-mine.yaml"),
                                              "Experiments (*.yaml *.yml)")
        if not name:
            return None
        path = Path(name)
    source = win.session.base_experiment.path
    if source is not None and Path(path).resolve() == Path(source).resolve():
        QMessageBox.warning(win, "imgmarker: save experiment", "choose a new file: the shared experiment stays as it is")
        return None
    write_effective_experiment(win.session.base_experiment, win.experiment, Path(path))
    _say(win, f"experiment saved as {path}")
    return Path(path)


# -- Edit, View, Help -------------------------------------------------------------------------

def open_settings(win: Any) -> Any:
    from imgmarker.shell.dialogs.settings import SettingsDialog

    dialog = SettingsDialog(win.session, win, apply=lambda overrides, prefs: apply_settings(win, overrides, prefs))
    return win.show_dialog("settings", dialog)


def apply_settings(win: Any, overrides: dict, prefs: dict) -> bool:
    """Store the settings the dialog collected and rebuild the window on them."""
    session = win.session
    try:
        notes = session.set_overrides(overrides)
    except OverrideError as exc:
        QMessageBox.warning(win, "imgmarker: settings", str(exc))
        return False
    for key, value in prefs.items():
        session.set_setting(key, value)
    win.reload()
    _say(win, "; ".join(["settings saved"] + notes))
    return True


def edit_parameters(win: Any, kind: str) -> Any:
    from imgmarker.shell.params_dialog import ParamsDialog

    ws = win.workspace
    name = getattr(ws.display, kind)
    spec = win.session.registry.filters.get(name)
    if spec is None or not spec.parameters:
        _say(win, f"{kind} {name!r} has no parameters", 5000)
        return None
    dialog = ParamsDialog(spec, dict(getattr(ws.display, f"{kind}_params")), win)
    dialog.changed.connect(lambda params: ws.set_display(**{f"{kind}_params": params}))
    return win.show_dialog(f"params:{kind}", dialog)


def toggle_full_screen(win: Any) -> None:
    win.showNormal() if win.isFullScreen() else win.showFullScreen()


def show_controls(win: Any) -> Any:
    from imgmarker.shell.dialogs.controls import ControlsDialog

    return win.show_dialog("controls", ControlsDialog(win.experiment, win))


def show_about(win: Any) -> Any:
    from imgmarker.shell.dialogs.about import AboutDialog

    return win.show_dialog("about", AboutDialog(win.session, win))


def open_output_folder(win: Any) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(win.session.output_dir)))

"""Every key binding of a campaign in one list.

The GUI builds its shortcuts from this list and the Help > Controls page is generated
from it, so what the annotator reads is always what the keys do.
"""

from __future__ import annotations

from dataclasses import dataclass

from imgmarker.kernel.experiment.config import Experiment
from imgmarker.kernel.experiment.schema import base_schema


@dataclass(frozen=True)
class Binding:
    action: str  # "group:<name>", "category:<name>" or an action name from controls.keys
    key: str
    description: str
    section: str  # "Marks", "Categories", "Navigation", "View", "Edit"


_SECTIONS = {
    "next_image": "Navigation", "previous_image": "Navigation", "next_unseen": "Navigation",
    "next_frame": "Navigation", "previous_frame": "Navigation",
    "undo": "Edit", "redo": "Edit", "delete_selected": "Edit", "copy_coordinates": "Edit", "favorite": "Edit",
    "promote_source": "Marks",
}

#: Extra keys that always work alongside the configured ones (conventional alternatives).
ALTERNATIVES = {"redo": ("Ctrl+Y",), "delete_selected": ("Backspace",)}

#: Menu commands with fixed keys (menu item name -> key). An experiment may not bind these
#: keys to anything else: Qt would then run neither.
MENU_SHORTCUTS = {
    "file.open_experiment": "Ctrl+O", "file.open_folder": "Ctrl+Shift+O", "file.import_catalog": "Ctrl+I",
    "file.export_outputs": "Ctrl+E", "file.export_view": "Ctrl+Shift+E", "file.quit": "Ctrl+Q",
    "edit.settings": "Ctrl+,", "view.zoom_actual": "Ctrl+0", "view.compass": "Alt+C", "view.scalebar": "Alt+B",
    "view.full_screen": "F11", "view.overview": "Ctrl+L", "help.controls": "F1",
}


def catalog_toggle_key(index: int) -> str | None:
    """Alt+1..Alt+9 show or hide the first nine catalogs."""
    return f"Alt+{index + 1}" if index < 9 else None


def reserved_keys(catalog_count: int) -> dict[str, str]:
    """Keys the program itself uses, whatever the experiment says: key -> what it does."""
    reserved = {key: f"menu command {name!r}" for name, key in MENU_SHORTCUTS.items()}
    for action, keys in ALTERNATIVES.items():
        reserved.update({key: f"action {action!r}" for key in keys})
    for i in range(min(catalog_count, 9)):
        reserved[catalog_toggle_key(i)] = f"the show/hide key of catalogs[{i}]"
    return reserved


def key_bindings(experiment: Experiment) -> list[Binding]:
    actions = base_schema()["properties"]["controls"]["properties"]["keys"]["properties"]
    out: list[Binding] = []
    for group in experiment.groups:
        if group.key:
            limit = f" (max {group.max} per image)" if group.max else ""
            out.append(Binding(f"group:{group.name}", group.key, f"mark {group.name} at the cursor{limit}", "Marks"))
    for category in experiment.categories.items:
        if category.key:
            out.append(Binding(f"category:{category.name}", category.key, f"toggle category {category.name}",
                               "Categories"))
    for action, key in experiment.controls.keys.items():
        description = actions[action]["description"].rstrip(".")
        description = description[0].lower() + description[1:]
        section = _SECTIONS.get(action, "View")
        out.append(Binding(action, key, description, section))
        for alternative in ALTERNATIVES.get(action, ()):
            out.append(Binding(action, alternative, description, section))
    for i, catalog in enumerate(experiment.catalogs[:9]):
        out.append(Binding(f"catalog:{catalog.name}", catalog_toggle_key(i), f"show/hide catalog {catalog.name}",
                           "View"))
    return out


MOUSE_CONTROLS = (
    ("Left click", "place a mark of the left-click group (shown in the side panel)"),
    ("Click / Ctrl+click on a mark", "select / add to the selection"),
    ("Shift+click on a mark", "delete it"),
    ("Drag a selected mark", "move it"),
    ("Double-click a label", "edit it (Enter keeps, Esc cancels)"),
    ("Drag on the image", "pan"),
    ("Wheel", "zoom toward the cursor (up zooms in)"),
    ("Middle click or Alt+click", "centre the view on the cursor"),
)

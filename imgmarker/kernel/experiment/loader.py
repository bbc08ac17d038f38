"""Loading an experiment: YAML -> schema validation -> semantic checks -> dataclasses.

All problems are collected before anything is reported, so the user fixes the file
in one pass instead of one error per run.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any, Mapping

from imgmarker.kernel.experiment.config import (
    DEFAULT_CATEGORY_COUNT,
    DEFAULT_GROUP_COUNT,
    DEFAULT_PALETTE,
    CatalogConfig,
    Categories,
    Category,
    Consistency,
    Controls,
    Display,
    Experiment,
    Group,
    ImageSource,
    Order,
    Output,
    PluginsConfig,
    frozen_map,
)
from imgmarker.kernel.experiment.bindings import reserved_keys
from imgmarker.kernel.experiment.campaign_section import build_campaign, check_campaign
from imgmarker.kernel.experiment.keys import normalize_key
from imgmarker.kernel.plugins.host import is_local_module, resolve_local_module
from imgmarker.kernel.experiment.problems import ExperimentError, Problem
from imgmarker.kernel.experiment.schema import apply_defaults, base_schema, compose_schema, schema_problems, suggest
from imgmarker.kernel.experiment.yamlsource import YamlDocument, YamlSyntaxError, format_path, parse_yaml, read_yaml

FILTER_FIELDS = (("interval", "interval_params"), ("stretch", "stretch_params"), ("colormap", None))


def default_groups() -> list[dict[str, Any]]:
    return [{"name": str(i + 1)} for i in range(DEFAULT_GROUP_COUNT)]


def default_categories() -> list[dict[str, Any]]:
    return [{"name": f"Category {i + 1}"} for i in range(DEFAULT_CATEGORY_COUNT)]


def _group_key(index: int, raw: Mapping[str, Any]) -> str | None:
    if raw.get("key"):
        return str(raw["key"])
    return str(index + 1) if index < 9 else None


def _category_key(index: int, raw: Mapping[str, Any]) -> str | None:
    if raw.get("key"):
        return str(raw["key"])
    return f"Ctrl+{index + 1}" if index < 9 else None


def _dicts(value: Any) -> list[tuple[int, dict]]:
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)] if isinstance(value, list) else []


class _Checker:
    """Semantic checks that JSON Schema cannot express. Defensive about types: it runs
    even when the schema found problems, so the user sees everything at once."""

    def __init__(self, doc: YamlDocument, registry: Any | None):
        self.doc = doc
        self.data = doc.data if isinstance(doc.data, dict) else {}
        self.registry = registry
        self.base_dir = doc.path.parent
        self.problems: list[Problem] = []

    def section(self, name: str) -> dict:
        """A top-level section when it is a mapping (else empty: the schema reports it)."""
        value = self.data.get(name)
        return value if isinstance(value, dict) else {}

    def add(self, path: list, message: str, *, key: bool = False, severity: str = "error") -> None:
        self.problems.append(Problem(self.doc.path, self.doc.line_of(path, key=key), format_path(path), message, severity))

    def run(self) -> list[Problem]:
        self.images()
        self.groups_and_categories()
        self.catalogs()
        self.display()
        self.writers()
        self.plugins()
        check_campaign(self.data.get("campaign"), self.add)
        return self.problems

    def images(self) -> None:
        images = self.data.get("images")
        if not isinstance(images, dict):
            return
        has_dir, has_list = "directory" in images, "list" in images
        if has_dir == has_list:
            self.add(["images"], "give exactly one of 'directory' or 'list'", key=True)
        if "patterns" in images and not has_dir:
            self.add(["images", "patterns"], "patterns need a 'directory'", key=True)
        for field, want_dir in (("directory", True), ("list", False)):
            value = images.get(field)
            if not isinstance(value, str) or not value:
                continue
            path = self.base_dir / value
            if not path.exists():
                self.add(["images", field], f"{path} does not exist")
            elif want_dir and not path.is_dir():
                self.add(["images", field], f"{path} is not a directory")
            elif not want_dir and not path.is_file():
                self.add(["images", field], f"{path} is not a file")
            elif not want_dir:
                try:
                    path.open("rb").close()
                except OSError as exc:
                    self.add(["images", field], f"{path} cannot be read: {exc.strerror or exc}")

    def _unique(self, section: list, items: list[tuple[int, dict]], field: str, what: str) -> None:
        seen: dict[str, int] = {}
        for i, item in items:
            value = item.get(field)
            if not isinstance(value, str):
                continue
            norm = normalize_key(value) if field == "key" else value
            if norm in seen:
                self.add(section + [i, field], f"duplicate {what} {value!r} (also {format_path(section + [seen[norm]])})")
            else:
                seen[norm] = i

    def groups_and_categories(self) -> None:
        groups = _dicts(self.data.get("groups", default_groups()))
        self._unique(["groups"], groups, "name", "group name")
        categories = _dicts(self.section("categories").get("items", default_categories()))
        self._unique(["categories", "items"], categories, "name", "category name")
        controls = self.section("controls")

        group_names = [g["name"] for _, g in groups if isinstance(g.get("name"), str)]
        target = controls.get("left_click_group")
        if isinstance(target, (str, int)) and not isinstance(target, bool) and str(target) not in group_names:
            self.add(["controls", "left_click_group"],
                     f"no group named {str(target)!r}{suggest(str(target), group_names)} "
                     f"(groups: {', '.join(group_names)})")

        # One key, one meaning: groups, categories and actions share the keyboard. A clash is
        # reported where the key is written, or at its owner when the key is a default.
        bindings: list[tuple[str, list, str]] = []  # (key, where to report, what)
        for i, g in groups:
            key = _group_key(i, g)
            if key:
                bindings.append((key, ["groups", i] + (["key"] if "key" in g else []), f"group {g.get('name')!r}"))
        for i, c in categories:
            key = _category_key(i, c)
            if key:
                bindings.append((key, ["categories", "items", i] + (["key"] if "key" in c else []),
                                 f"category {c.get('name')!r}"))
        keys = controls.get("keys") if isinstance(controls.get("keys"), dict) else {}
        schema_keys = base_schema()["properties"]["controls"]["properties"]["keys"]["properties"]
        for action, spec in schema_keys.items():
            key = keys.get(action, spec["default"])
            if isinstance(key, str):
                bindings.append((key, ["controls", "keys"] + ([action] if action in keys else []),
                                 f"action {action!r}"))
        catalogs = self.data.get("catalogs")
        seen = {normalize_key(key): what
                for key, what in reserved_keys(len(catalogs) if isinstance(catalogs, list) else 0).items()}
        for key, where, what in bindings:
            norm = normalize_key(key)
            if norm in seen:
                self.add(where, f"key {key!r} of {what} is already bound to {seen[norm]}")
            else:
                seen[norm] = what

    def catalogs(self) -> None:
        names: dict[str, int] = {}
        for i, cat in _dicts(self.data.get("catalogs")):
            value = cat.get("path")
            if isinstance(value, str) and value:
                path = self.base_dir / value
                if not path.is_file():
                    self.add(["catalogs", i, "path"], f"{path} is not a regular file (a folder, a FIFO, a dangling "
                             "link?)" if os.path.lexists(path) else f"{path} does not exist")
                elif self.registry is not None and len(self.registry.catalog_readers) and \
                        self.registry.catalog_reader_for(path.name) is None:
                    self.add(["catalogs", i, "path"], f"no catalog reader for {path.name!r}")
                name = cat.get("name") or Path(value).name.split(".")[0]
                if isinstance(name, str):
                    if name in names:
                        self.add(["catalogs", i], f"duplicate catalog name {name!r} (also catalogs[{names[name]}])")
                    names.setdefault(name, i)

    def display(self) -> None:
        if self.registry is None:
            return
        display = self.section("display")
        defaults = base_schema()["properties"]["display"]["properties"]
        for field, params_field in FILTER_FIELDS:
            name = display.get(field, defaults[field]["default"])
            if not isinstance(name, str):
                continue
            available = [f.name for f in self.registry.filters_of_kind(field)]
            if not available:
                self.add(["display", field] if field in display else [], f"no {field} filters are installed",
                         severity="warning")
                continue
            if name not in available:
                self.add(["display", field] if field in display else ["display"],
                         f"unknown {field} {name!r}{suggest(name, available)} (installed: {', '.join(available)})")
                continue
            params = display.get(params_field) if params_field else None
            if isinstance(params, dict):
                for message in self.registry.filters[name].check_params(params):
                    self.add(["display", params_field], message)

    def writers(self) -> None:
        if self.registry is None:
            return
        output = self.section("output")
        writers = output.get("writers", base_schema()["properties"]["output"]["properties"]["writers"]["default"])
        if not isinstance(writers, list):
            return
        available = self.registry.writers.names()
        for i, name in enumerate(writers):
            if isinstance(name, str) and name not in available:
                path = ["output", "writers", i] if "writers" in output else ["output"]
                if not available:
                    self.add(path, f"writer {name!r} is not installed (no writers are installed)", severity="warning")
                else:
                    self.add(path, f"unknown writer {name!r}{suggest(name, available)} (installed: {', '.join(available)})")

    def plugins(self) -> None:
        plugins = self.data.get("plugins")
        if not isinstance(plugins, dict):
            return
        modules = plugins.get("modules", [])
        if isinstance(modules, list):
            for i, ref in enumerate(modules):
                if not isinstance(ref, str):
                    continue
                if is_local_module(ref):
                    path = resolve_local_module(ref, self.base_dir)
                    if not path.is_file():
                        self.add(["plugins", "modules", i], f"{path} does not exist")
                elif importlib.util.find_spec(ref.split(".")[0]) is None:
                    self.add(["plugins", "modules", i], f"no installed module named {ref!r}")
        if self.registry is None:
            return
        sections = self.registry.config_schemas.names()
        refused = getattr(self.registry, "refused_sections", ())  # already reported as the plugin's problem
        for name in plugins:
            if name != "modules" and name not in sections and name not in refused:
                self.add(["plugins", name], f"no loaded plugin reads this section{suggest(name, sections)}",
                         key=True, severity="warning")


def _build(data: dict[str, Any], base_dir: Path, path: Path | None) -> Experiment:
    schema = base_schema()
    raw = data
    data = apply_defaults(data, schema)
    img = data["images"]
    raw_groups = data.get("groups") or default_groups()
    groups = []
    for i, g in enumerate(raw_groups):
        g = apply_defaults(g, schema["$defs"]["group"], schema)  # the built-in default groups too
        groups.append(Group(
            name=g["name"], key=_group_key(i, g), color=g.get("color") or DEFAULT_PALETTE[i % len(DEFAULT_PALETTE)],
            shape=g["shape"], size=float(g["size"]), size_unit=g["size_unit"], max=g["max"],
        ))
    cats = data["categories"]  # defaults were applied with the whole document
    items = cats.get("items")
    if items is None:
        items = default_categories()
    categories = Categories(bool(cats["exclusive"]),
                            tuple(Category(c["name"], _category_key(i, c)) for i, c in enumerate(items)))
    d = data["display"]
    catalogs = []
    for c in data["catalogs"]:
        catalogs.append(CatalogConfig(
            path=(base_dir / c["path"]), name=c.get("name") or Path(c["path"]).name.split(".")[0],
            color=c["color"], shape=c["shape"], size=float(c["size"]), size_unit=c["size_unit"],
            label_column=c["label_column"], visible=c["visible"], frame=c.get("frame"),
        ))
    given_controls = raw_controls if isinstance(raw_controls := raw.get("controls"), dict) else {}
    controls = data["controls"]
    key_specs = schema["properties"]["controls"]["properties"]["keys"]["properties"]
    keys = {action: controls.get("keys", {}).get(action, spec["default"]) for action, spec in key_specs.items()}
    group_names = [g.name for g in groups]
    # without a choice, the first group: whatever the groups are called
    left = str(given_controls["left_click_group"]) if "left_click_group" in given_controls else group_names[0]
    out = data["output"]
    plugins = data["plugins"]
    return Experiment(
        path=path,
        base_dir=base_dir,
        schema_version=data["schema_version"],
        name=data["name"],
        instructions=data["instructions"],
        images=ImageSource(
            directory=(base_dir / img["directory"]) if img.get("directory") else None,
            patterns=tuple(img["patterns"]) if img.get("patterns") else None,
            recursive=bool(img["recursive"]),
            list_file=(base_dir / img["list"]) if img.get("list") else None,
            max_pixels=int(img["max_pixels"]),
        ),
        order=Order(data["order"]["mode"], int(data["order"]["seed"])),
        groups=tuple(groups),
        categories=categories,
        display=Display(d["interval"], frozen_map(d["interval_params"]), d["stretch"],
                        frozen_map(d["stretch_params"]), d["colormap"], float(d["blur"]), int(d["frame"])),
        catalogs=tuple(catalogs),
        consistency=Consistency(float(data["consistency"]["fraction"]), int(data["consistency"]["seed"]),
                                int(data["consistency"]["min_gap"])),
        output=Output(base_dir / out["directory"], tuple(out["writers"]), out["user"]),
        controls=Controls(left, controls["middle_click"], frozen_map(keys)),
        plugins=PluginsConfig(tuple(plugins.get("modules", ())),
                              frozen_map({k: frozen_map(v) if isinstance(v, dict) else v
                                          for k, v in plugins.items() if k != "modules"})),
        campaign=build_campaign(data.get("campaign")),
    )


def check_document(doc: YamlDocument, registry: Any | None = None, verdicts: Any | None = None
                   ) -> tuple[Experiment | None, list[Problem]]:
    """Validate a parsed experiment; return it (when there are no errors) and all problems.
    ``verdicts`` (:class:`~imgmarker.kernel.experiment.verdicts.SchemaVerdicts`) skips the
    JSON Schema for a document that passed it cleanly before."""
    if not isinstance(doc.data, dict):
        got = "an empty file" if doc.data is None else f"a {type(doc.data).__name__}"
        return None, [Problem(doc.path, 1, "", f"an experiment must be a mapping of keys to values, got {got}")]
    fragments = list(registry.config_schemas) if registry is not None else []
    problems = list(doc.duplicates)
    schema = compose_schema(fragments)
    if verdicts is None or not verdicts.known(doc.data, schema):
        found = schema_problems(doc, schema)
        if verdicts is not None and not found:
            verdicts.remember(doc.data, schema)
        problems += found
    problems += _Checker(doc, registry).run()
    problems.sort(key=lambda p: (p.line, p.path))
    if any(p.is_error for p in problems):
        return None, problems
    return _build(doc.data, doc.path.parent.resolve(), doc.path), problems


def check_experiment(path: Path | str, registry: Any | None = None, verdicts: Any | None = None
                     ) -> tuple[Experiment | None, list[Problem]]:
    path = Path(path)
    try:
        doc = read_yaml(path)
    except YamlSyntaxError as exc:
        return None, [exc.problem]
    return check_document(doc, registry, verdicts)


def load_experiment(path: Path | str, registry: Any | None = None, verdicts: Any | None = None) -> Experiment:
    """Load and validate; raise :class:`ExperimentError` listing every problem."""
    experiment, problems = check_experiment(path, registry, verdicts)
    if experiment is None:
        raise ExperimentError([p for p in problems if p.is_error] or problems)
    return experiment


def experiment_from_text(text: str, path: Path, registry: Any | None = None) -> Experiment:
    """Like :func:`load_experiment` for text not (yet) on disk; ``path`` places it."""
    try:
        doc = parse_yaml(text, path)
    except YamlSyntaxError as exc:
        raise ExperimentError([exc.problem]) from exc
    experiment, problems = check_document(doc, registry)
    if experiment is None:
        raise ExperimentError([p for p in problems if p.is_error])
    return experiment


def plugin_modules(path: Path | str) -> list[str]:
    """The ``plugins.modules`` of an experiment, read leniently: plugins must be loaded
    before the full validation, which needs their schema fragments."""
    try:
        doc = read_yaml(Path(path))
    except YamlSyntaxError:
        return []
    plugins = doc.data.get("plugins") if isinstance(doc.data, dict) else None
    modules = plugins.get("modules") if isinstance(plugins, dict) else None
    return [m for m in modules if isinstance(m, str)] if isinstance(modules, list) else []

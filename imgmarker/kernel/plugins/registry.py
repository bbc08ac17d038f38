"""Collecting and checking what plugins offer.

Each registry hook is called plugin by plugin so every record can be traced to the
plugin (and distribution) it came from; bad records and duplicate names are reported
and skipped, the first registration (built-ins load first) wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, Iterator, Mapping, TypeVar

from imgmarker.kernel.plugins.records import (
    CatalogReaderSpec,
    ConfigSchema,
    FilterSpec,
    OverlaySpec,
    ReaderSpec,
    WriterSpec,
)

T = TypeVar("T")

#: hook name -> (record type, registry attribute, what to call one in messages)
REGISTRY_HOOKS = {
    "imgmarker_readers": (ReaderSpec, "readers", "reader"),
    "imgmarker_filters": (FilterSpec, "filters", "filter"),
    "imgmarker_catalog_readers": (CatalogReaderSpec, "catalog_readers", "catalog reader"),
    "imgmarker_overlays": (OverlaySpec, "overlays", "overlay"),
    "imgmarker_writers": (WriterSpec, "writers", "writer"),
    "imgmarker_config_schema": (ConfigSchema, "config_schemas", "configuration section"),
}


@dataclass(frozen=True)
class Entry(Generic[T]):
    record: T
    plugin: str
    by: str = ""  # "plugin 'name' (where it came from)", how problems name the plugin


@dataclass
class Table(Generic[T]):
    """Records of one kind by name, with the plugin each came from."""

    entries: dict[str, Entry[T]] = field(default_factory=dict)

    def __contains__(self, name: object) -> bool:
        return name in self.entries

    def __getitem__(self, name: str) -> T:
        return self.entries[name].record

    def __iter__(self) -> Iterator[T]:
        return (entry.record for entry in self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, name: str) -> T | None:
        entry = self.entries.get(name)
        return entry.record if entry else None

    def names(self) -> list[str]:
        return list(self.entries)

    def plugin_of(self, name: str) -> str:
        return self.entries[name].plugin

    def described(self, name: str) -> str:
        """The plugin that provides ``name``, as problems name it."""
        entry = self.entries.get(name)
        if entry is None:
            return "unknown plugin"
        return entry.by or f"plugin {entry.plugin!r}"


@dataclass
class Registry:
    readers: Table[ReaderSpec] = field(default_factory=Table)
    filters: Table[FilterSpec] = field(default_factory=Table)
    catalog_readers: Table[CatalogReaderSpec] = field(default_factory=Table)
    overlays: Table[OverlaySpec] = field(default_factory=Table)
    writers: Table[WriterSpec] = field(default_factory=Table)
    config_schemas: Table[ConfigSchema] = field(default_factory=Table)
    problems: list[str] = field(default_factory=list)
    refused_sections: set[str] = field(default_factory=set)  # sections whose schema was invalid

    def filters_of_kind(self, kind: str) -> list[FilterSpec]:
        return [spec for spec in self.filters if spec.kind == kind]

    def image_suffixes(self) -> list[str]:
        return sorted({suffix for reader in self.readers for suffix in reader.suffixes})

    def reader_for(self, filename: str) -> ReaderSpec | None:
        """The reader with the longest matching suffix, then the highest priority."""
        lower = filename.lower()
        candidates = [
            (len(suffix), reader.priority, reader)
            for reader in self.readers
            for suffix in reader.suffixes
            if lower.endswith(suffix)
        ]
        if not candidates:
            return None
        return max(candidates, key=lambda c: (c[0], c[1]))[2]

    def catalog_reader_for(self, filename: str) -> CatalogReaderSpec | None:
        lower = filename.lower()
        candidates = [
            (len(suffix), reader.priority, reader)
            for reader in self.catalog_readers
            for suffix in reader.suffixes
            if lower.endswith(suffix)
        ]
        if not candidates:
            return None
        return max(candidates, key=lambda c: (c[0], c[1]))[2]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def schema_problem(schema: Any, verdicts: Any = None) -> str | None:
    """Why ``schema`` cannot be a plugin's section of the experiment schema (not a
    valid Draft 2020-12 JSON Schema, or a ``$ref`` that leads nowhere), or None.

    Checked when the plugin registers, so ``validate`` never meets a broken fragment
    half-way through an experiment (where jsonschema would raise from deep inside).
    ``verdicts`` remembers the sections that passed (see :class:`PluginHost`)."""
    if verdicts is not None and verdicts.known("section", schema):
        return None
    problem = _check_section(schema)
    if verdicts is not None and problem is None:
        verdicts.remember("section", schema)
    return problem


def _check_section(schema: Any) -> str | None:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        return f"is not a valid JSON Schema: {exc.message}" + (f" (at {where})" if where else "")
    except Exception as exc:  # e.g. a value that is not JSON at all
        return f"is not a valid JSON Schema: {type(exc).__name__}: {exc}"
    refs = sorted(set(_refs(schema)))
    if refs:
        known = _experiment_definitions()
        for ref in refs:
            if ref not in known:
                return (f"refers to {ref!r}, which the experiment schema does not define (a section may "
                        f"refer only to {', '.join(sorted(known))})")
    return None


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _refs(value)


def _experiment_definitions() -> set[str]:
    """``#/$defs/...`` of the shipped experiment schema: what a fragment's ``$ref`` can
    reach once it sits inside that schema (anything else, a URL above all, would fail
    or be fetched in the middle of validating an experiment)."""
    import json
    from importlib import resources

    text = resources.files("imgmarker.schemas").joinpath("experiment.schema.json").read_text(encoding="utf-8")
    return {f"#/$defs/{name}" for name in json.loads(text).get("$defs", {})}


def build_registry(host) -> Registry:
    from imgmarker.kernel.plugins.host import one_line, short_error

    registry = Registry()
    for hook_name, (record_type, attribute, noun) in REGISTRY_HOOKS.items():
        table: Table = getattr(registry, attribute)
        for impl in host.hook_impls(hook_name):
            plugin = impl.plugin_name
            by = host.describe(plugin)
            try:
                records = _as_list(impl.function())
            except Exception as exc:
                registry.problems.append(f"{by}: {hook_name} failed: {short_error(exc)}")
                continue
            for record in records:
                if not isinstance(record, record_type):
                    registry.problems.append(
                        f"{by}: {hook_name} returned {type(record).__name__}, "
                        f"expected {record_type.__name__}; skipped")
                    continue
                name = record.section if isinstance(record, ConfigSchema) else record.name
                if name in table:
                    registry.problems.append(
                        f"{by}: {noun} {name!r} is already provided by {table.described(name)}; skipped")
                    continue
                if isinstance(record, ConfigSchema):
                    problem = schema_problem(dict(record.schema), host.verdicts)
                    if problem is not None:
                        registry.problems.append(one_line(
                            f"{by}: configuration section {name!r} {problem}; skipped"))
                        registry.refused_sections.add(name)
                        continue
                table.entries[name] = Entry(record, plugin, by)
    return registry

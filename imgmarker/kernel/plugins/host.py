"""Building the plugin manager.

One factory, no module-level manager: every caller (CLI, GUI, tests) gets its own,
so state never leaks between campaigns. Loading is guarded plugin by plugin; a broken
third-party plugin is recorded with its error and skipped, never a crash at start-up.
"""

from __future__ import annotations

import importlib
import importlib.metadata as metadata
import importlib.util
import logging
import os
import sys
import traceback
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

import pluggy

from imgmarker import hookspecs

ENTRY_POINT_GROUP = "imgmarker"
AUTOLOAD_ENV = "IMGMARKER_DISABLE_PLUGIN_AUTOLOAD"
OWN_DISTRIBUTION = "imgmarker"

log = logging.getLogger("imgmarker.plugins")


@dataclass(frozen=True)
class PluginInfo:
    """What ``imgmarker plugins`` shows about one plugin."""

    name: str
    source: str  # "built-in", "distribution", "module", "registered"
    origin: str  # distribution name, module path or file
    version: str
    hooks: tuple[str, ...] = ()
    error: str | None = None

    @property
    def loaded(self) -> bool:
        return self.error is None

    def describe(self) -> str:
        """How messages name the plugin: its name and where it came from."""
        where = {"built-in": "built-in", "registered": "registered",
                 "distribution": f"distribution {self.origin} {self.version}",
                 "module": f"module {self.origin}"}.get(self.source, self.origin)
        return f"plugin {self.name!r} ({where})"


class ModuleNotTrusted(Exception):
    """A local plugin file was named but the user did not allow importing it."""


def one_line(text: str) -> str:
    """Messages from plugins can span lines; a problem report is one line."""
    return " ".join(str(text).split())


def short_error(exc: BaseException) -> str:
    """``Type: message (file.py:line)`` of where the exception was raised, on one line."""
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" ({Path(last[0].filename).name}:{last[0].lineno})" if last else ""
    return one_line(f"{type(exc).__name__}: {exc}{where}")


def is_local_module(ref: str) -> bool:
    """A reference that names a file rather than an installed module."""
    return ref.endswith(".py") or "/" in ref or "\\" in ref


def resolve_local_module(ref: str, base_dir: Path) -> Path:
    path = Path(ref)
    return path if path.is_absolute() else (base_dir / path)


@dataclass
class PluginHost:
    """A plugin manager plus what was learnt while loading it."""

    manager: pluggy.PluginManager
    infos: list[PluginInfo] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    failed_events: set[tuple[str, str]] = field(default_factory=set)
    # remembers sections that passed the metaschema (``known(*parts)``, ``remember(*parts)``), e.g.
    # :class:`imgmarker.kernel.experiment.verdicts.SchemaVerdicts`: no validator to import at start
    verdicts: Any = None

    @property
    def errors(self) -> list[PluginInfo]:
        return [info for info in self.infos if info.error]

    def info(self, name: str) -> PluginInfo | None:
        return next((i for i in self.infos if i.name == name), None)

    def describe(self, name: str) -> str:
        """``plugin 'name' (where it came from)``, the way every problem names a plugin."""
        info = self.info(name)
        return info.describe() if info is not None else f"plugin {name!r}"

    def load_problems(self) -> list[str]:
        """Every problem of loading plugins and checking what they offer, one line
        each, each once: what a command reports before doing its work."""
        lines = [f"{info.describe()} not loaded: {info.error}" for info in self.errors]
        return lines + self.problems + self.registry.problems

    @cached_property
    def registry(self):  # -> Registry (imported lazily to avoid a cycle)
        from imgmarker.kernel.plugins.registry import build_registry

        return build_registry(self)

    def hook_impls(self, hook_name: str) -> list[pluggy.HookImpl]:
        """Implementations of a hook in load order (built-ins first)."""
        impls = getattr(self.manager.hook, hook_name).get_hookimpls()
        order = {info.name: i for i, info in enumerate(self.infos)}
        return sorted(impls, key=lambda impl: order.get(impl.plugin_name, len(order)))

    def notify(self, event: str, **kwargs: Any) -> list[str]:
        """Call an event hook on every plugin, isolating failures; return error lines.

        The first failure of a plugin in an event is logged as an error; repeats (a hook
        that fails on every mark) are logged at debug level, so a log holds one line per
        broken hook, not one per action."""
        failures = []
        for impl in self.hook_impls(event):
            try:
                impl.function(**{name: kwargs[name] for name in impl.argnames})
            except Exception as exc:  # a plugin bug must not stop the campaign
                message = f"{self.describe(impl.plugin_name)} failed in {event}: {short_error(exc)}"
                first = (impl.plugin_name, event) not in self.failed_events
                self.failed_events.add((impl.plugin_name, event))
                log.log(logging.ERROR if first else logging.DEBUG, message, exc_info=True)
                failures.append(message)
        return failures


class _Loader:
    def __init__(self, host: PluginHost, blocked: set[str]):
        self.host = host
        self.blocked = blocked

    def add(self, obj: Any, name: str, source: str, origin: str, version: str) -> None:
        manager = self.host.manager
        if name in self.blocked:
            return
        if manager.get_plugin(name) is not None or manager.is_registered(obj):
            return
        try:
            manager.register(obj, name=name)
        except Exception as exc:
            self.host.infos.append(PluginInfo(name, source, origin, version, error=short_error(exc)))
            return
        self.host.infos.append(PluginInfo(name, source, origin, version))

    def fail(self, name: str, source: str, origin: str, version: str, exc: BaseException) -> None:
        # the caller reports host.errors to the user; the log keeps the details
        log.debug("plugin %r could not be loaded: %s", name, short_error(exc), exc_info=exc)
        self.host.infos.append(PluginInfo(name, source, origin, version, error=short_error(exc)))


def _distribution(ep: metadata.EntryPoint, known: dict[Any, tuple[str, str]]) -> tuple[str, str]:
    """(name, version) of the entry point's distribution, its metadata parsed once per
    distribution (each look-up parses the file again; start-up pays for every one)."""
    dist = ep.dist
    if dist is None:
        return "?", "?"
    where = getattr(dist, "_path", None) or id(dist)  # each entry point has its own Distribution object
    if where not in known:
        known[where] = (dist.name, dist.version)
    return known[where]


def _entry_points(known: dict[Any, tuple[str, str]] | None = None) -> list[metadata.EntryPoint]:
    known = {} if known is None else known
    return sorted(
        metadata.entry_points(group=ENTRY_POINT_GROUP),
        key=lambda ep: (ep.dist is None or _distribution(ep, known)[0] != OWN_DISTRIBUTION, ep.name),
    )


def _load_entry_points(loader: _Loader, autoload: bool) -> None:
    known: dict[Any, tuple[str, str]] = {}
    for ep in _entry_points(known):
        dist_name, version = _distribution(ep, known)
        builtin = dist_name == OWN_DISTRIBUTION
        if not builtin and not autoload:
            continue
        source = "built-in" if builtin else "distribution"
        if ep.name in loader.blocked:
            continue
        try:
            obj = ep.load()
        except Exception as exc:
            loader.fail(ep.name, source, dist_name, version, exc)
            continue
        loader.add(obj, ep.name, source, dist_name, version)


def _load_module_refs(loader: _Loader, refs: Iterable[str], base_dir: Path, trust_modules: bool) -> None:
    for ref in refs:
        if is_local_module(ref):
            path = resolve_local_module(ref, base_dir)
            name = path.stem
            if not trust_modules:
                loader.fail(name, "module", str(path), "-", ModuleNotTrusted(
                    f"{path} is a local file; pass --trust-modules to import it"))
                continue
            try:
                module_name = f"imgmarker_local_{name}"
                spec = importlib.util.spec_from_file_location(module_name, path)
                if spec is None or spec.loader is None:
                    raise ImportError(f"cannot import {path}")
                module = importlib.util.module_from_spec(spec)
                sys.modules[module_name] = module
                spec.loader.exec_module(module)
            except Exception as exc:
                sys.modules.pop(f"imgmarker_local_{name}", None)
                loader.fail(name, "module", str(path), "-", exc)
                continue
            loader.add(module, name, "module", str(path), getattr(module, "__version__", "-"))
        else:
            try:
                module = importlib.import_module(ref)
            except Exception as exc:
                loader.fail(ref, "module", ref, "-", exc)
                continue
            loader.add(module, ref, "module", getattr(module, "__file__", ref) or ref,
                       getattr(module, "__version__", "-"))


def _drop_invalid(host: PluginHost) -> None:
    """Unregister plugins whose hook implementations match no specification."""
    manager = host.manager
    while True:
        try:
            manager.check_pending()
            return
        except pluggy.PluginValidationError as exc:
            name = manager.get_name(exc.plugin) or "?"
            manager.unregister(exc.plugin)
            host.infos = [
                PluginInfo(i.name, i.source, i.origin, i.version, error=one_line(f"PluginValidationError: {exc}"))
                if i.name == name else i
                for i in host.infos
            ]


def _fill_hooks(host: PluginHost) -> None:
    manager = host.manager
    filled = []
    for info in host.infos:
        plugin = manager.get_plugin(info.name)
        hooks: tuple[str, ...] = ()
        if plugin is not None and info.error is None:
            callers = manager.get_hookcallers(plugin) or []
            hooks = tuple(sorted(caller.name for caller in callers))
        filled.append(PluginInfo(info.name, info.source, info.origin, info.version, hooks, info.error))
    host.infos = filled


def autoload_enabled(env: dict[str, str] | None = None) -> bool:
    value = (env if env is not None else os.environ).get(AUTOLOAD_ENV, "")
    return value.strip().lower() not in ("1", "true", "yes", "on")


def create_plugin_host(
    *,
    autoload: bool | None = None,
    blocked: Iterable[str] = (),
    modules: Iterable[str] = (),
    base_dir: Path | None = None,
    trust_modules: bool = False,
    extra: Iterable[tuple[str, Any]] = (),
    verdicts: Any = None,
) -> PluginHost:
    """Create a plugin manager with specs, built-ins and (unless disabled) third-party
    entry points, plus ``modules`` named by an experiment and ``extra`` objects
    registered directly (used by tests and embedding scripts).

    ``autoload=None`` follows ``IMGMARKER_DISABLE_PLUGIN_AUTOLOAD``. Built-ins always load
    (unless blocked by name); they come through the same entry-point group.
    """
    manager = pluggy.PluginManager("imgmarker")
    manager.add_hookspecs(hookspecs)
    host = PluginHost(manager, verdicts=verdicts)
    blocked_set = set(blocked)
    for name in blocked_set:
        manager.set_blocked(name)
    loader = _Loader(host, blocked_set)
    _load_entry_points(loader, autoload_enabled() if autoload is None else autoload)
    _load_module_refs(loader, modules, base_dir or Path.cwd(), trust_modules)
    for name, obj in extra:
        loader.add(obj, name, "registered", getattr(obj, "__name__", type(obj).__name__),
                   getattr(obj, "__version__", "-"))
    _drop_invalid(host)
    _fill_hooks(host)
    known = {info.name for info in host.infos}
    known.update(ep.name for ep in _entry_points())
    for name in sorted(blocked_set - known):
        host.problems.append(f"--no-plugin {name}: no plugin with that name")
    return host

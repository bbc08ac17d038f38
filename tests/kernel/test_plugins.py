"""The plugin host: loading, isolation of broken plugins, blocking, provenance."""

from __future__ import annotations

import sys
import types

import pytest

import imgmarker
from imgmarker.kernel.plugins.host import ENTRY_POINT_GROUP, create_plugin_host
from imgmarker.kernel.plugins.records import ConfigSchema, RecordError, WriterSpec


def module(name: str, **functions) -> types.ModuleType:
    mod = types.ModuleType(name)
    for key, value in functions.items():
        setattr(mod, key, value)
    return mod


def writer_plugin(name: str, writer_name: str):
    @imgmarker.hookimpl
    def imgmarker_writers():
        return WriterSpec(name=writer_name, write=lambda context: None)

    return module(name, imgmarker_writers=imgmarker_writers)


def test_extra_plugin_records_are_registered_with_provenance():
    host = create_plugin_host(autoload=False, extra=[("mine", writer_plugin("mine", "jsonish"))])
    assert "jsonish" in host.registry.writers
    assert host.registry.writers.plugin_of("jsonish") == "mine"
    info = host.info("mine")
    assert info.source == "registered" and info.hooks == ("imgmarker_writers",)


def test_duplicate_record_names_are_rejected_and_reported():
    host = create_plugin_host(autoload=False, extra=[("first", writer_plugin("first", "dup")),
                                                     ("second", writer_plugin("second", "dup"))])
    assert host.registry.writers.plugin_of("dup") == "first"
    assert any("'second'" in p and "'dup' is already provided by plugin 'first'" in p
               for p in host.registry.problems)


def test_unknown_hook_name_is_reported_and_plugin_skipped():
    @imgmarker.hookimpl
    def imgmarker_writerz():
        return []

    host = create_plugin_host(autoload=False, extra=[("typo", module("typo", imgmarker_writerz=imgmarker_writerz))])
    info = host.info("typo")
    assert info is not None and not info.loaded
    assert "imgmarker_writerz" in info.error
    assert host.manager.get_plugin("typo") is None


def test_hook_that_raises_is_reported_not_fatal():
    @imgmarker.hookimpl
    def imgmarker_writers():
        raise RuntimeError("boom")

    host = create_plugin_host(autoload=False, extra=[("bad", module("bad", imgmarker_writers=imgmarker_writers)),
                                                     ("good", writer_plugin("good", "fine"))])
    assert "fine" in host.registry.writers
    assert any("'bad'" in p and "boom" in p for p in host.registry.problems)


def test_wrong_record_type_is_skipped():
    @imgmarker.hookimpl
    def imgmarker_writers():
        return [{"name": "dict-writer"}]

    host = create_plugin_host(autoload=False, extra=[("raw", module("raw", imgmarker_writers=imgmarker_writers))])
    assert len(host.registry.writers) == len(create_plugin_host(autoload=False).registry.writers)
    assert any("returned dict, expected WriterSpec" in p for p in host.registry.problems)


def test_records_check_themselves():
    with pytest.raises(RecordError, match="must be callable"):
        WriterSpec(name="x", write="not callable")  # type: ignore[arg-type]
    with pytest.raises(RecordError, match="reserved"):
        ConfigSchema("modules", {})


def test_event_failures_are_isolated():
    calls = []

    @imgmarker.hookimpl
    def imgmarker_mark_added(session, mark):
        raise ValueError("plugin bug")

    ok = module("ok")
    ok.imgmarker_mark_added = imgmarker.hookimpl(lambda mark: calls.append(mark))
    host = create_plugin_host(autoload=False, extra=[("buggy", module("buggy", imgmarker_mark_added=imgmarker_mark_added)),
                                                     ("ok", ok)])
    failures = host.notify("imgmarker_mark_added", session=None, mark="m1")
    assert calls == ["m1"]
    assert len(failures) == 1 and "'buggy'" in failures[0] and "plugin bug" in failures[0]


class FakeDist:
    def __init__(self, name, version):
        self.name, self.version = name, version


class FakeEntryPoint:
    def __init__(self, name, target, dist):
        self.name, self.target, self.dist = name, target, dist

    def load(self):
        if isinstance(self.target, Exception):
            raise self.target
        return self.target


def fake_entry_points(monkeypatch, eps):
    import imgmarker.kernel.plugins.host as plugins

    real = plugins.metadata.entry_points

    def entry_points(group=None, **kw):
        if group == ENTRY_POINT_GROUP:
            return list(real(group=group)) + eps
        return real(group=group, **kw)

    monkeypatch.setattr(plugins.metadata, "entry_points", entry_points)


def test_broken_third_party_plugin_is_reported_by_name(monkeypatch):
    fake_entry_points(monkeypatch, [
        FakeEntryPoint("broken", ImportError("No module named 'nonexistent_dep'"), FakeDist("broken-dist", "1.2")),
        FakeEntryPoint("works", writer_plugin("works", "w1"), FakeDist("works-dist", "0.3")),
    ])
    host = create_plugin_host(autoload=True)
    broken = host.info("broken")
    assert broken.source == "distribution" and broken.origin == "broken-dist" and broken.version == "1.2"
    assert "nonexistent_dep" in broken.error
    assert host.info("works").loaded and "w1" in host.registry.writers


def test_autoload_can_be_disabled_by_environment(monkeypatch):
    fake_entry_points(monkeypatch, [FakeEntryPoint("works", writer_plugin("works", "w1"), FakeDist("x", "1"))])
    monkeypatch.setenv("IMGMARKER_DISABLE_PLUGIN_AUTOLOAD", "1")
    assert create_plugin_host().info("works") is None
    monkeypatch.delenv("IMGMARKER_DISABLE_PLUGIN_AUTOLOAD")
    assert create_plugin_host().info("works") is not None


def test_no_plugin_blocks_by_name(monkeypatch):
    fake_entry_points(monkeypatch, [FakeEntryPoint("works", writer_plugin("works", "w1"), FakeDist("x", "1"))])
    host = create_plugin_host(blocked=["works", "nosuch"])
    assert host.info("works") is None and "w1" not in host.registry.writers
    assert host.problems == ["--no-plugin nosuch: no plugin with that name"]


def test_local_module_needs_trust(tmp_path):
    (tmp_path / "local_plugin.py").write_text(
        "import imgmarker\n"
        "from imgmarker.kernel.plugins.records import WriterSpec\n"
        "@imgmarker.hookimpl\n"
        "def imgmarker_writers():\n"
        "    return WriterSpec(name='local', write=lambda c: None)\n")
    host = create_plugin_host(autoload=False, modules=["local_plugin.py"], base_dir=tmp_path)
    assert "--trust-modules" in host.info("local_plugin").error
    assert "local" not in host.registry.writers
    host = create_plugin_host(autoload=False, modules=["local_plugin.py"], base_dir=tmp_path, trust_modules=True)
    assert host.info("local_plugin").loaded and "local" in host.registry.writers
    sys.modules.pop("imgmarker_local_local_plugin", None)


def test_installed_module_by_dotted_name():
    host = create_plugin_host(autoload=False, modules=["json", "no_such_module_xyz"])
    assert host.info("json").loaded
    assert "No module named" in host.info("no_such_module_xyz").error


def test_each_host_is_independent():
    a = create_plugin_host(autoload=False, extra=[("mine", writer_plugin("mine", "only-a"))])
    b = create_plugin_host(autoload=False)
    assert "only-a" in a.registry.writers and "only-a" not in b.registry.writers

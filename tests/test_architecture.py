"""The import rules of docs/architecture.md, checked on the source (every import,
including those inside functions, since a late import is still a dependency)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "imgmarker"
KERNEL = PACKAGE / "kernel"

#: What plugins (built-in and third-party) may import from imgmarker: the public door.
PUBLIC = {"imgmarker", "imgmarker.api", "imgmarker.testing"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[0] == "plugins":
        parts[0] = "imgmarker_plugins"
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """Absolute names of the modules ``path`` imports (``from a import b`` counts as
    ``a.b`` when ``a.b`` is a module of ours, else as ``a``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                if _is_module(candidate):
                    found.add(candidate)
    return found


def _is_module(name: str) -> bool:
    parts = name.split(".")
    if parts[0] == "imgmarker_plugins":
        base = ROOT / "plugins" / Path(*parts[1:]) if len(parts) > 1 else ROOT / "plugins"
    elif parts[0] == "imgmarker":
        base = ROOT / Path(*parts)
    else:
        return False
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def sources(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if not {"__pycache__", "build", ".venv"} & set(p.parts))


def room(module: str) -> str | None:
    """The kernel subpackage a module belongs to (None outside the kernel)."""
    parts = module.split(".")
    if parts[:2] != ["imgmarker", "kernel"] or len(parts) < 3:
        return None
    return parts[2]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_kernel_imports_no_qt_shell_or_commands():
    offenders = []
    for path in sources(KERNEL):
        for name in imports(path):
            top = name.split(".")
            if top[0] in {"PyQt6", "PySide6", "qtpy", "imgmarker_plugins"} or name.startswith(
                    ("imgmarker.shell", "imgmarker.commands", "imgmarker.cli")):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_plugins_use_only_the_public_door():
    offenders = []
    for folder in [ROOT / "plugins", ROOT / "examples"]:
        for path in sources(folder):
            if "build" in path.relative_to(folder).parts:
                continue
            for name in imports(path):
                if name.startswith("imgmarker") and not name.startswith("imgmarker_") and name not in PUBLIC:
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_public_door_names_all_resolve():
    import imgmarker.api as api

    missing = [name for name in api.__all__ if getattr(api, name, None) is None]
    assert missing == []
    assert "Session" in api.__all__ and "WriterSpec" in api.__all__


def test_no_cycles_between_kernel_subpackages():
    graph: dict[str, set[str]] = {}
    for path in sources(KERNEL):
        source = room(module_name(path))
        if source is None:
            continue
        targets = {room(name) for name in imports(path)} - {None, source}
        graph.setdefault(source, set()).update(targets)
    assert cycles(graph) == []
    assert len(graph) >= 8  # the rooms exist and were all read


@pytest.mark.parametrize("folder", ["shell", "commands"])
def test_no_import_cycles(folder):
    graph: dict[str, set[str]] = {}
    for path in sources(PACKAGE / folder):
        here = module_name(path)
        graph[here] = {name for name in imports(path) if name.startswith(f"imgmarker.{folder}.")} - {here}
    assert cycles(graph) == []


def test_every_subpackage_says_what_it_owns():
    silent = []
    for init in sorted(KERNEL.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        if "may import" not in doc.lower():
            silent.append(str(init.relative_to(ROOT)))
    assert silent == []


def test_no_source_file_over_500_lines():
    folders = [PACKAGE, ROOT / "plugins", ROOT / "tests", ROOT / "benchmarks", ROOT / "scripts", ROOT / "examples"]
    long = [f"{p.relative_to(ROOT)}: {n}" for folder in folders for p in sources(folder)
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500]
    assert long == []


def test_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_public_names_resolve_and_cost_nothing_until_used():
    import subprocess
    import sys

    code = ("import sys, imgmarker, imgmarker.api, imgmarker.kernel.imaging, imgmarker.kernel.campaign\n"
            "heavy = [m for m in ('imgmarker.kernel.imaging.wcs', 'imgmarker.kernel.campaign.session', 'astropy',"
            " 'numpy') if m in sys.modules]\n"
            "from imgmarker import Session\n"
            "from imgmarker.kernel.campaign.session import Session as Inner\n"
            "assert Session is Inner is imgmarker.api.Session\n"
            "print(heavy)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"

"""Package-level names that import their module on first use.

A subpackage lists its public names in its ``__init__`` without importing every module
behind them, so ``import imgmarker.kernel.imaging`` costs nothing until a name is used
(start-up imports only what a campaign needs).
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Mapping, Sequence


def exports(package: str, modules: Mapping[str, Sequence[str]]) -> tuple[list[str], Callable[[str], Any], Callable[[], list[str]]]:
    """``__all__``, ``__getattr__`` and ``__dir__`` for ``package`` whose public names
    live in ``modules`` (module name relative to ``package``, or absolute when it starts
    with ``imgmarker``, -> names defined there; ``"public=inner"`` renames one)."""
    where = {}
    for module, names in modules.items():
        target = module if module.startswith("imgmarker") else f"{package}.{module}"
        for entry in names:
            public_name, _, inner = entry.partition("=")
            where[public_name] = (target, inner or public_name)
    public = sorted(where)

    def __getattr__(name: str) -> Any:
        found = where.get(name)
        if found is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(found[0]), found[1])

    def __dir__() -> list[str]:
        return public

    return public, __getattr__, __dir__

"""Checking what display filter plugins return, where it enters the pipeline.

A filter is plugin code called on every render; a wrong shape or type from it would
otherwise surface as a numpy error deep in the pipeline, or a wrong picture. Each call
goes through a wrapper that checks the result against the contract of its kind
(:class:`imgmarker.kernel.plugins.records.FilterSpec`) and turns any failure into one
:class:`FilterError` naming the filter and its plugin.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from numbers import Real
from typing import Any, Callable

import numpy as np


class FilterError(ValueError):
    """A filter plugin failed or returned something the pipeline cannot use."""


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and type {value.dtype}"
    return type(value).__name__


def _numeric_array(value: Any) -> bool:
    return isinstance(value, np.ndarray) and value.dtype.kind in "biuf"


def _check_interval(result: Any, args: tuple) -> str | None:
    try:
        vmin, vmax = result
        if isinstance(vmin, Real) and isinstance(vmax, Real) and not isinstance(vmin, bool):
            return None
        float(vmin), float(vmax)  # numpy scalars and 0-d arrays are fine too
        if np.ndim(vmin) == 0 and np.ndim(vmax) == 0:
            return None
    except (TypeError, ValueError):
        pass
    return f"returned {_describe(result)}, expected (vmin, vmax)"


def _check_same_shape(result: Any, args: tuple) -> str | None:
    expected = np.shape(args[0])
    if not _numeric_array(result):
        return f"returned {_describe(result)}, expected a numeric array of shape {expected}"
    if result.shape != expected:
        return f"returned shape {result.shape}, expected {expected}"
    return None


def _check_colormap(result: Any, args: tuple) -> str | None:
    try:
        table = np.asarray(result)
    except Exception:
        table = None
    if table is None or table.shape != (256, 3) or table.dtype.kind not in "biuf":
        return f"returned {_describe(result if table is None else table)}, expected a (256, 3) table of 0..255"
    if table.dtype.kind == "f" and not np.isfinite(table).all():
        return "returned a table with NaN or infinite entries, expected 0..255"
    if table.min() < 0 or table.max() > 255:
        return f"returned values {table.min()}..{table.max()}, expected 0..255"
    return None


CHECKS: dict[str, Callable[[Any, tuple], str | None]] = {
    "interval": _check_interval,
    "stretch": _check_same_shape,
    "spatial": _check_same_shape,
    "colormap": _check_colormap,
}


def checked_filter(spec: Any, registry: Any) -> Any:
    """``spec`` with an ``apply`` that checks each result (the signature is kept, so
    optional keywords such as ``frame`` and ``sample`` are still detected)."""
    apply = spec.apply
    if getattr(apply, "_imgmarker_checked", False):
        return spec
    check = CHECKS.get(spec.kind)
    try:
        by = registry.filters.described(spec.name)
    except (AttributeError, KeyError):
        by = "unknown plugin"
    what = f"{spec.kind} {spec.name!r} of {by}"

    @functools.wraps(apply)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            result = apply(*args, **kwargs)
        except (MemoryError, FilterError):
            raise
        except Exception as exc:  # plugin code: its failure is reported, not a traceback
            message = " ".join(f"{type(exc).__name__}: {exc}".split())
            raise FilterError(f"{what} failed: {message}") from exc
        problem = check(result, args) if check is not None else None
        if problem:
            raise FilterError(f"{what} {problem}")
        return result

    run._imgmarker_checked = True  # type: ignore[attr-defined]
    return replace(spec, apply=run)

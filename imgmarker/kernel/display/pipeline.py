"""The display pipeline: frame data -> (blur) -> interval -> stretch -> colormap -> 8 bit.

Single-band frames are quantised once per (frame, interval, blur) to 16-bit levels
between the interval limits; a stretch or colormap change then only rebuilds a
65,536-entry lookup table and re-indexes, which is what makes dragging a stretch
slider on a 4k x 4k frame cheap. NaN pixels get their own level (never part of the
interval statistics) and a distinct colour.

Colour frames share one interval for all channels and are stretched by their mean
brightness: every channel of a pixel is multiplied by the same factor, so hue is kept.

Blur acts on the frame data before the interval, so the limits describe what is shown
and a stretch change can still reuse the quantised levels.
"""

from __future__ import annotations

import inspect
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Hashable, Mapping

import numpy as np

from imgmarker.kernel.display import colour
from imgmarker.kernel.display.filter_checks import checked_filter
from imgmarker.kernel.display.strips import LEVELS, NAN_CODE, apply_lut, quantise

DEFAULT_NAN_COLOR = (255, 0, 255)
STRETCHES_KEPT = 8


def _frozen(params: Mapping[str, Any] | None) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((params or {}).items()))


@dataclass(frozen=True)
class DisplaySettings:
    """What the user chose; hashable so it can key caches."""

    interval: str = "zscale"
    interval_params: tuple[tuple[str, Any], ...] = ()
    stretch: str = "linear"
    stretch_params: tuple[tuple[str, Any], ...] = ()
    colormap: str = "gray"
    blur: float = 0.0

    @classmethod
    def make(cls, interval: str = "zscale", interval_params: Mapping[str, Any] | None = None,
             stretch: str = "linear", stretch_params: Mapping[str, Any] | None = None,
             colormap: str = "gray", blur: float = 0.0) -> "DisplaySettings":
        return cls(interval, _frozen(interval_params), stretch, _frozen(stretch_params), colormap, float(blur))

    @classmethod
    def from_display(cls, display: Any) -> "DisplaySettings":
        """From the experiment's ``display`` section (:class:`imgmarker.kernel.experiment.config.Display`)."""
        return cls.make(display.interval, display.interval_params, display.stretch,
                        display.stretch_params, display.colormap, display.blur)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-able values, the keyword arguments of :meth:`make`."""
        return {
            "interval": self.interval, "interval_params": dict(self.interval_params),
            "stretch": self.stretch, "stretch_params": dict(self.stretch_params),
            "colormap": self.colormap, "blur": self.blur,
        }

    def replace(self, **changes: Any) -> "DisplaySettings":
        return DisplaySettings.make(**{**self.as_dict(), **changes})


class PipelineError(ValueError):
    """A display setting names a filter that is not installed or has bad parameters."""


@dataclass
class Rendered:
    """An 8-bit picture of a frame.

    Single-band frames keep ``levels`` (H, W) uint8 and a ``palette`` (256, 3): a GUI
    can show them as an indexed image without expanding to RGBA. :meth:`rgba` gives
    the (H, W, 4) array with colormap, NaN colour and alpha applied.
    """

    vmin: float
    vmax: float
    levels: np.ndarray | None = None
    palette: np.ndarray | None = None
    nan_mask: np.ndarray | None = None
    nan_color: tuple[int, int, int] = DEFAULT_NAN_COLOR
    colour: np.ndarray | None = None  # (H, W, 3) uint8 for colour frames
    alpha: np.ndarray | None = None  # (H, W) uint8
    _rgba: np.ndarray | None = field(default=None, repr=False)

    @property
    def shape(self) -> tuple[int, int]:
        for source in (self.levels, self.colour, self._rgba):
            if source is not None:
                return source.shape[:2]
        raise ValueError("an empty rendering")

    def rgba(self) -> np.ndarray:
        if self._rgba is None:
            self._rgba = self._compose()
        return self._rgba

    def rgb(self) -> np.ndarray:
        return self.rgba()[..., :3]

    def _compose(self) -> np.ndarray:
        height, width = self.shape
        nan_pixel = np.array([[*self.nan_color, 255]], np.uint8).view(np.uint32)[0, 0]
        if self.levels is not None:
            table = np.empty((256, 4), np.uint8)
            table[:, :3] = self.palette
            table[:, 3] = 255
            packed = apply_lut(self.levels, table.view(np.uint32).ravel())
        else:
            rgba = np.empty((height, width, 4), np.uint8)
            rgba[..., :3] = self.colour
            rgba[..., 3] = 255
            packed = rgba.view(np.uint32).reshape(height, width)
        if self.nan_mask is not None:
            np.copyto(packed, nan_pixel, where=self.nan_mask)
        out = packed.view(np.uint8).reshape(height, width, 4)
        if self.alpha is not None:
            out[..., 3] = self.alpha
        return out


@dataclass
class _Prepared:
    """What survives a stretch change: limits, quantised levels and a sample."""

    vmin: float
    vmax: float
    codes: np.ndarray | None  # (H, W) uint16, NAN_CODE for NaN (None: not kept)
    sample: np.ndarray  # interval sample scaled to [0, 1] (for histeq)
    nan_mask: np.ndarray | None = None

    @property
    def nbytes(self) -> int:
        mask = self.nan_mask.nbytes if self.nan_mask is not None else 0
        return (self.codes.nbytes if self.codes is not None else 0) + self.sample.nbytes + mask


@dataclass(frozen=True)
class _LevelsKey:
    """Key of quantised levels in a cache shared with other kinds of entries."""

    frame: Hashable
    interval: Hashable


def draw_sample(data: np.ndarray, size: int) -> np.ndarray:
    """About ``size`` finite values on a regular grid over the frame."""
    height, width = data.shape[:2]
    step = max(1, int(np.sqrt(height * width / max(size, 1))))
    grid = np.asarray(data[::step, ::step], dtype=np.float32).ravel()
    return grid[np.isfinite(grid)]


def accepts(function: Any, keyword: str) -> bool:
    try:
        return keyword in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


class Renderer:
    """Renders frames with the registry's filters and remembers, per frame key, the
    quantised levels of the last few interval settings. They are held in ``cache`` (a
    :class:`~imgmarker.kernel.display.prefetch.FrameCache`, e.g. the one budget a GUI
    shares between pictures, pixels and levels) or in a cache of ``cache_bytes`` of its own."""

    def __init__(self, registry: Any, *, sample_size: int = 100_000,
                 nan_color: tuple[int, int, int] = DEFAULT_NAN_COLOR,
                 cache_bytes: int = 128 * 1024 * 1024, threads: int | None = None, cache: Any = None):
        from imgmarker.kernel.display.prefetch import FrameCache

        self.registry = registry
        # one thread by default: the GUI renders the next image in the background at the
        # same time, and on a busy 2-core machine splitting strips gave no better median
        cpus = os.cpu_count() or 1
        self.threads = min(2, cpus) if threads is None else max(1, min(int(threads), cpus))
        self._executor: ThreadPoolExecutor | None = None
        self.sample_size = sample_size
        self.nan_color = tuple(int(c) for c in nan_color)
        self._cache = cache if cache is not None else FrameCache(cache_bytes)
        self._stretches: dict[tuple, np.ndarray] = {}  # stretch values by settings (256 KiB each)

    @property
    def cache_bytes(self) -> int:
        return self._cache.max_bytes

    @property
    def executor(self) -> ThreadPoolExecutor | None:
        if self.threads < 2:
            return None
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix="imgmarker-render")
        return self._executor

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False)
            self._executor = None

    # -- filters ---------------------------------------------------------------

    def _filter(self, kind: str, name: str, params: tuple[tuple[str, Any], ...]):
        spec = self.registry.filters.get(name)
        if spec is None or spec.kind != kind:
            known = ", ".join(s.name for s in self.registry.filters_of_kind(kind)) or "none"
            raise PipelineError(f"no {kind} named {name!r} (installed: {known})")
        problems = spec.check_params(dict(params))
        if problems:
            raise PipelineError(f"{kind} {name!r}: " + "; ".join(problems))
        return checked_filter(spec, self.registry), dict(params)  # results checked where they enter

    def check(self, settings: DisplaySettings) -> None:
        """Raise :class:`PipelineError` if ``settings`` cannot be rendered."""
        self._filter("interval", settings.interval, settings.interval_params)
        self._filter("stretch", settings.stretch, settings.stretch_params)
        self._filter("colormap", settings.colormap, ())
        if settings.blur > 0:
            self._filter("spatial", "blur", ())

    def stretch_lut(self, settings: DisplaySettings, sample: np.ndarray | None = None) -> np.ndarray:
        """uint8 level for every quantised code (NAN_CODE included, its value unused)."""
        lut = np.zeros(LEVELS + 1, np.uint8)
        lut[:LEVELS] = np.floor(self._stretch_values(settings, sample) * 255.0 + 0.5)
        return lut

    # -- caching -----------------------------------------------------------------

    def forget(self, key: Hashable | None = None) -> None:
        """Drop cached levels of one frame key (or all)."""
        for cached in self._cache.keys():
            if isinstance(cached, _LevelsKey) and (key is None or cached.frame == key):
                self._cache.discard(cached)

    def _remember(self, cache_key: Hashable, prepared: _Prepared) -> None:
        self._cache.put(cache_key, prepared)

    # -- single band -------------------------------------------------------------

    def _blurred(self, data: np.ndarray, blur: float) -> np.ndarray:
        if blur <= 0:
            return data
        spec, _ = self._filter("spatial", "blur", ())
        return spec.apply(np.asarray(data, dtype=np.float32), radius=blur)

    def _limits(self, sample: np.ndarray, settings: DisplaySettings, frame: Any = None) -> tuple[float, float]:
        """``frame``: the data, or a function building it (only an interval that wants it calls it)."""
        spec, params = self._filter("interval", settings.interval, settings.interval_params)
        if frame is not None and accepts(spec.apply, "frame"):
            params["frame"] = frame() if callable(frame) else frame
        vmin, vmax = (float(v) for v in spec.apply(sample, **params))
        if not (np.isfinite(vmin) and np.isfinite(vmax)):
            vmin, vmax = 0.0, 1.0
        return vmin, vmax

    def _prepare(self, data: np.ndarray, settings: DisplaySettings, table: Any = None,
                 limits: tuple[float, float] | None = None, keep: bool = True, statistics: Any = None
                 ) -> tuple[_Prepared, np.ndarray | None]:
        """Limits and quantised codes; with ``table`` (sample -> lookup table of every
        code) also ``table[codes]``, computed in the same pass over the data (and without
        ``keep`` the codes are not kept: a frame-sized array less to write)."""
        data = self._blurred(data, settings.blur)
        whole = data if statistics is None else statistics
        sample = draw_sample(whole, self.sample_size)
        vmin, vmax = limits if limits is not None else self._limits(sample, settings, whole)
        span = vmax - vmin if vmax > vmin else 1.0
        scaled = np.clip((sample - np.float32(vmin)) / np.float32(span), 0.0, 1.0).astype(np.float32)
        lut = table(scaled) if table is not None else None
        out = np.empty(data.shape, lut.dtype) if lut is not None else None
        codes, nan_mask = quantise(data, vmin, vmax, self.executor, lut, out, keep_codes=keep)
        return _Prepared(vmin, vmax, codes, scaled, nan_mask), out

    def prepared(self, data: np.ndarray, settings: DisplaySettings, key: Hashable | None = None) -> _Prepared:
        return self._prepared(data, settings, key)[0]

    def _prepared(self, data: np.ndarray, settings: DisplaySettings, key: Hashable | None,
                  table: Any = None, limits: tuple[float, float] | None = None, statistics: Any = None
                  ) -> tuple[_Prepared, np.ndarray | None]:
        if key is None or statistics is not None:
            return self._prepare(data, settings, table, limits, keep=table is None, statistics=statistics)
        cache_key = _LevelsKey(key, (settings.interval, settings.interval_params, settings.blur, limits))
        prepared = self._cache.get(cache_key)
        if prepared is not None:
            return prepared, None
        prepared, out = self._prepare(data, settings, table, limits)
        self._remember(cache_key, prepared)
        return prepared, out

    def limits(self, data: np.ndarray, settings: DisplaySettings, key: Hashable | None = None) -> tuple[float, float]:
        if data.ndim == 3 and data.shape[2] >= 3:
            return self._colour_limits(data, settings)
        band = data[..., 0] if data.ndim == 3 else data
        prepared = self.prepared(band, settings, key)
        return prepared.vmin, prepared.vmax

    # -- rendering ---------------------------------------------------------------

    def render(self, data: np.ndarray, settings: DisplaySettings, key: Hashable | None = None, *,
               rgba: bool = False, limits: tuple[float, float] | None = None,
               statistics: np.ndarray | None = None) -> Rendered:
        """8-bit rendering of frame ``data`` ((H, W) or (H, W, C)). ``key`` identifies
        the frame (e.g. ``(path, frame index)``) so limits and levels are reused when
        only the stretch or colormap changes.

        With ``rgba`` a single-band frame goes straight to packed RGBA (colormap and
        NaN colour folded into one lookup table, one pass) and the result keeps no
        ``levels``: what a GUI wants. ``limits`` fixes (vmin, vmax) instead of asking
        the interval, e.g. to render a region of a large frame like its overview.

        ``statistics``: the whole frame when ``data`` holds some of its pixels (a quick
        sample): the interval and the stretch take their statistics from it, so each
        pixel comes out exactly as in the render of the whole frame. Not with a blur,
        which would act on the sample."""
        if statistics is not None and settings.blur > 0:
            raise ValueError("a blurred picture cannot be rendered from a sample of its frame")
        if data.ndim == 3 and data.shape[2] >= 3:
            return self._render_colour(data, settings, limits, statistics)
        alpha = None
        if data.ndim == 3:
            alpha = alpha_channel(data[..., 1]) if data.shape[2] > 1 else None
            data = data[..., 0]
        cmap, params = self._filter("colormap", settings.colormap, ())
        palette = np.asarray(cmap.apply(**params), dtype=np.uint8).reshape(256, 3)
        if rgba:
            def table(sample: np.ndarray) -> np.ndarray:
                return self._packed_lut(settings, sample, palette)
        else:
            def table(sample: np.ndarray) -> np.ndarray:
                return self.stretch_lut(settings, sample)
        limits = None if limits is None else (float(limits[0]), float(limits[1]))
        if statistics is not None and statistics.ndim == 3:
            statistics = statistics[..., 0]
        prepared, out = self._prepared(data, settings, key, table, limits, statistics)
        if out is None:
            out = apply_lut(prepared.codes, table(prepared.sample), self.executor)
        if not rgba:
            return Rendered(prepared.vmin, prepared.vmax, levels=out, palette=palette,
                            nan_mask=prepared.nan_mask, nan_color=self.nan_color, alpha=alpha)
        picture = out.view(np.uint8).reshape(out.shape + (4,))
        if alpha is not None:
            picture[..., 3] = alpha
        return Rendered(prepared.vmin, prepared.vmax, palette=palette, nan_mask=prepared.nan_mask,
                        nan_color=self.nan_color, alpha=alpha, _rgba=picture)

    def _packed_lut(self, settings: DisplaySettings, sample: np.ndarray, palette: np.ndarray) -> np.ndarray:
        """RGBA (as native uint32) for every code: palette of the stretched level, NaN colour for NAN_CODE."""
        table = np.empty((256, 4), np.uint8)
        table[:, :3] = palette
        table[:, 3] = 255
        lut = table.view(np.uint32).ravel()[self.stretch_lut(settings, sample)]
        lut[NAN_CODE] = np.array([[*self.nan_color, 255]], np.uint8).view(np.uint32)[0, 0]
        return lut

    def _colour_limits(self, data: np.ndarray, settings: DisplaySettings) -> tuple[float, float]:
        sample = colour.sample_grid(data, self.sample_size, channels_last=True)
        return self._limits(sample, settings, lambda: colour.planes(data))

    def _render_colour(self, data: np.ndarray, settings: DisplaySettings,
                       limits: tuple[float, float] | None = None, statistics: np.ndarray | None = None) -> Rendered:
        alpha = alpha_channel(data[..., 3]) if data.shape[2] > 3 else None
        blur = (lambda plane: self._blurred(plane, settings.blur)) if settings.blur > 0 else None
        vmin, vmax, rgba, nan = colour.render_colour(
            data, limits=limits, interval=lambda sample, frame: self._limits(sample, settings, frame),
            stretch=lambda sample: self._stretch_values(settings, sample), blur=blur,
            sample_size=self.sample_size, nan_color=self.nan_color, alpha=alpha, statistics=statistics)
        return Rendered(vmin, vmax, colour=rgba[..., :3], alpha=alpha, nan_mask=nan, nan_color=self.nan_color,
                        _rgba=rgba)

    def _stretch_values(self, settings: DisplaySettings, sample: Any) -> np.ndarray:
        """The stretch of every level; ``sample`` (or a function giving it) only for a
        stretch that wants it (e.g. histeq)."""
        spec, params = self._filter("stretch", settings.stretch, settings.stretch_params)
        wants_sample = accepts(spec.apply, "sample")
        known = None if wants_sample else self._stretches.get((settings.stretch, settings.stretch_params))
        if known is not None:  # a stretch of its own parameters alone: the same for every frame
            return known
        grid = np.linspace(0.0, 1.0, LEVELS, dtype=np.float32)
        if wants_sample:
            params["sample"] = sample() if callable(sample) else sample
        values = np.asarray(spec.apply(grid, **params), dtype=np.float32)
        values = np.clip(np.nan_to_num(values, nan=0.0), 0.0, 1.0)
        if not wants_sample:
            values.flags.writeable = False
            if len(self._stretches) >= STRETCHES_KEPT:
                self._stretches.clear()
            self._stretches[(settings.stretch, settings.stretch_params)] = values
        return values


def alpha_channel(alpha: np.ndarray) -> np.ndarray:
    """Alpha samples at any depth -> uint8 (integers by their type's range, floats 0..1)."""
    if alpha.dtype == np.uint8:
        return np.ascontiguousarray(alpha)
    if alpha.dtype.kind in "ui":
        return (alpha.astype(np.float32) * (255.0 / np.iinfo(alpha.dtype).max) + 0.5).astype(np.uint8)
    return (np.clip(np.nan_to_num(alpha.astype(np.float32)), 0, 1) * 255 + 0.5).astype(np.uint8)

"""Colormaps for single-band frames: (256, 3) uint8 lookup tables."""

from __future__ import annotations

import numpy as np

import imgmarker
from imgmarker.api import FilterSpec, ParamSpec

#: Published 10-step viridis palette; the table interpolates between these in RGB.
VIRIDIS_STEPS = ("440154", "482878", "3e4989", "31688e", "26828e",
                 "1f9e89", "35b779", "6ece58", "b5de2b", "fde725")


def _ramp() -> np.ndarray:
    return np.linspace(0.0, 1.0, 256)


def gray() -> np.ndarray:
    level = np.arange(256, dtype=np.uint8)
    return np.stack([level, level, level], axis=1)


def gray_r() -> np.ndarray:
    return gray()[::-1].copy()


def viridis() -> np.ndarray:
    anchors = np.array([[int(h[i:i + 2], 16) for i in (0, 2, 4)] for h in VIRIDIS_STEPS], dtype=float)
    where = np.linspace(0.0, 1.0, len(anchors))
    table = np.stack([np.interp(_ramp(), where, anchors[:, c]) for c in range(3)], axis=1)
    return np.rint(table).astype(np.uint8)


def cubehelix(start: float = 0.5, rotations: float = -1.5, hue: float = 1.0, gamma: float = 1.0) -> np.ndarray:
    """Green's (2011) cubehelix: brightness rises monotonically, so it prints in gray."""
    lam = _ramp() ** gamma
    angle = 2 * np.pi * (start / 3.0 + 1.0 + rotations * _ramp())
    amp = hue * lam * (1 - lam) / 2.0
    cos, sin = np.cos(angle), np.sin(angle)
    red = lam + amp * (-0.14861 * cos + 1.78277 * sin)
    green = lam + amp * (-0.29227 * cos - 0.90649 * sin)
    blue = lam + amp * (1.97294 * cos)
    table = np.clip(np.stack([red, green, blue], axis=1), 0, 1)
    return np.rint(table * 255).astype(np.uint8)


@imgmarker.hookimpl
def imgmarker_filters():
    return [
        FilterSpec("gray", "colormap", gray, label="Gray"),
        FilterSpec("gray_r", "colormap", gray_r, label="Inverted gray"),
        FilterSpec("viridis", "colormap", viridis, label="Viridis"),
        FilterSpec("cubehelix", "colormap", cubehelix, label="Cubehelix", parameters=(
            ParamSpec("start", "float", 0.5, minimum=0.0, maximum=3.0),
            ParamSpec("rotations", "float", -1.5, minimum=-5.0, maximum=5.0),
            ParamSpec("hue", "float", 1.0, minimum=0.0, maximum=3.0),
            ParamSpec("gamma", "float", 1.0, minimum=0.1, maximum=5.0),
        )),
    ]

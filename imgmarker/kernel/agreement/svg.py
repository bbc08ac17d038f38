"""Small hand-written SVG plots, so the report is one self-contained file with no
plotting dependency."""

from __future__ import annotations

from html import escape
from typing import Sequence

import numpy as np


def _colour(value: float, low: float, high: float) -> str:
    """White (low) to dark blue (high); grey for undefined values."""
    if not np.isfinite(value):
        return "#dddddd"
    t = min(max((value - low) / (high - low), 0.0), 1.0) if high > low else 1.0
    r, g, b = (int(round(255 + (c - 255) * t)) for c in (8, 69, 148))
    return f"#{r:02x}{g:02x}{b:02x}"


def histogram(edges: Sequence[float], counts: Sequence[int], title: str, xlabel: str,
              width: int = 420, height: int = 220) -> str:
    left, right, top, bottom = 50, 10, 24, 40
    pw, ph = width - left - right, height - top - bottom
    peak = max(max(counts), 1)
    bw = pw / max(len(counts), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
             f'<text x="{width / 2}" y="15" text-anchor="middle" font-size="13">{escape(title)}</text>']
    for i, c in enumerate(counts):
        h = ph * c / peak
        parts.append(f'<rect x="{left + i * bw:.1f}" y="{top + ph - h:.1f}" width="{max(bw - 1, 1):.1f}" '
                     f'height="{h:.1f}" fill="#0072B2"><title>{edges[i]:g}-{edges[i + 1]:g}: {c}</title></rect>')
    parts.append(f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="black"/>')
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="black"/>')
    for i in range(0, len(edges), max(len(edges) // 5, 1)):
        x = left + i * bw
        parts.append(f'<text x="{x:.1f}" y="{top + ph + 14}" text-anchor="middle">{edges[i]:.3g}</text>')
    parts.append(f'<text x="{left + pw / 2}" y="{height - 6}" text-anchor="middle">{escape(xlabel)}</text>')
    parts.append(f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{peak}</text>')
    parts.append(f'<text x="{left - 4}" y="{top + ph}" text-anchor="end">0</text>')
    parts.append("</svg>")
    return "".join(parts)


def matrix(values: np.ndarray, names: Sequence[str], title: str, low: float = 0.0, high: float = 1.0,
           cell: int | None = None) -> str:
    """A heat map of a square matrix; numbers are printed when the cells are big enough."""
    n = len(names)
    cell = cell or max(6, min(36, 600 // max(n, 1)))
    label = 90 if cell >= 12 else 0
    size = label + n * cell + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size + 20}" '
             f'viewBox="0 0 {size} {size + 20}" font-family="sans-serif" font-size="10">',
             f'<text x="{size / 2}" y="14" text-anchor="middle" font-size="13">{escape(title)}</text>']
    top = 20 + label
    for i in range(n):
        if label:
            parts.append(f'<text x="{label - 4}" y="{top + i * cell + cell * 0.65:.1f}" text-anchor="end">'
                         f'{escape(names[i][:14])}</text>')
            x = label + i * cell + cell * 0.65
            parts.append(f'<text x="{x:.1f}" y="{top - 4}" transform="rotate(-60 {x:.1f} {top - 4})">'
                         f'{escape(names[i][:14])}</text>')
        for j in range(n):
            v = float(values[i, j])
            text = "n/a" if not np.isfinite(v) else f"{v:.2f}"
            parts.append(f'<rect x="{label + j * cell}" y="{top + i * cell}" width="{cell}" height="{cell}" '
                         f'fill="{_colour(v, low, high)}" stroke="white"><title>{escape(names[i])} / '
                         f'{escape(names[j])}: {text}</title></rect>')
            if cell >= 30 and np.isfinite(v):
                fill = "white" if (v - low) / ((high - low) or 1) > 0.6 else "black"
                parts.append(f'<text x="{label + j * cell + cell / 2}" y="{top + i * cell + cell * 0.62:.1f}" '
                             f'text-anchor="middle" fill="{fill}">{v:.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)

"""Where a mark may go: the one rule the Session API and the GUI share.

A mark is refused (never stored) when its position is not a pair of finite numbers,
when the image cannot be read, when the frame does not exist, or when the position
lies beyond the pixel edges of the frame: ``-0.5 <= x < width - 0.5`` and
``-0.5 <= y < height - 0.5`` (pixel centres are integers, so this is exactly the area
the pixels cover, and what the window lets a user click). The check uses the frame
sizes the session already remembers for sky positions, so it costs no extra read.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from pathlib import Path
from typing import Any, Callable, Sequence

from imgmarker.kernel.imaging.images import ImageReadError


def number_problem(x: Any, y: Any) -> str | None:
    """Why ``(x, y)`` is not a usable position, before any image is looked at."""
    for value in (x, y):
        if isinstance(value, bool) or not isinstance(value, Real):
            return f"mark position must be two numbers, got ({x!r}, {y!r})"
    if not (math.isfinite(float(x)) and math.isfinite(float(y))):
        return f"mark position must be finite, got ({float(x)}, {float(y)})"
    return None


def frame_problem(frame: Any) -> str | None:
    if isinstance(frame, bool) or not isinstance(frame, Integral):
        return f"frame must be a whole number, got {frame!r}"
    return None


def place_problem(image: str, frames: Sequence[Any], frame: int, x: float, y: float) -> str | None:
    """Why a mark cannot go at ``(x, y)`` of ``frame``; ``frames`` have ``height`` and ``width``."""
    if not 0 <= frame < len(frames):
        last = len(frames) - 1
        return f"{image} has no frame {frame} (frames 0..{last})" if last > 0 else \
            f"{image} has no frame {frame} (it has one frame, 0)"
    height, width = frames[frame].height, frames[frame].width
    if -0.5 <= x < width - 0.5 and -0.5 <= y < height - 0.5:
        return None
    return (f"position ({x:g}, {y:g}) is outside {image} frame {frame} ({width} x {height} pixels: "
            f"x from -0.5 to below {width - 0.5:g}, y from -0.5 to below {height - 0.5:g})")


def refusal(sky: Any, name: str, path: Path, frame: Any, x: Any, y: Any,
            reopen: Callable[[], Any]) -> str | None:
    """Why a mark cannot go at ``(x, y)`` of ``frame`` of image ``name``, or None.

    ``sky`` is the session's :class:`~imgmarker.kernel.campaign.mark_sky.SkyLocator`,
    whose cached frame sizes make this a dictionary look-up; ``reopen`` opens the image
    again, only to say why an unreadable one was refused."""
    problem = number_problem(x, y) or frame_problem(frame)
    if problem:
        return problem
    frames = sky.frames(name, path)
    if frames is None:
        try:
            reopen().close()
            reason = "it could not be read"
        except ImageReadError as exc:
            reason = exc.reason
        return f"{name} cannot be read, so it takes no marks: {reason}"
    return place_problem(name, frames, int(frame), float(x), float(y))

"""What the checks at the plugin and API boundaries cost: prints medians of repeated runs.

- where a mark may go (``campaign/mark_checks.refusal`` on an image whose frame sizes
  the session already holds), per mark: target well under the 2 ms of an action
- a filter call through its result check against the bare plugin function (a stretch
  over the 65,535 quantisation levels, an interval over a 100,000-value sample)
- a frame's pixel load through its check against the reader's own load

Run: python benchmarks/bench_checks.py [REPEAT]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np


def median_us(func, repeat: int, inner: int = 100) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(inner):
            func()
        times.append((time.perf_counter() - start) / inner)
    return statistics.median(times) * 1e6


def main(repeat: int = 21) -> None:
    from imgmarker.kernel.campaign.mark_checks import refusal
    from imgmarker.kernel.campaign.mark_sky import FrameSky
    from imgmarker.kernel.display.filter_checks import checked_filter
    from imgmarker.kernel.imaging.images import Frame, FrameInfo, Image, _checked_image
    from imgmarker.kernel.plugins.host import create_plugin_host

    registry = create_plugin_host(autoload=False).registry

    class Cached:  # the session's SkyLocator once the image is known
        def frames(self, name, path):
            return (FrameSky(4096, 4096, None),)

    sky = Cached()
    path = Path("a.fits")
    check = median_us(lambda: refusal(sky, "a.fits", path, 0, 1234.5, 2345.25, lambda: None), repeat)
    print(f"{'mark position check (cached frame sizes)':48s} median {check:8.2f} us")

    values = np.linspace(0.0, 1.0, 65535, dtype=np.float32)
    sample = np.random.default_rng(0).normal(size=100_000).astype(np.float32)
    for kind, name, args in (("stretch", "asinh", (values,)), ("interval", "zscale", (sample,))):
        spec = registry.filters[name]
        wrapped = checked_filter(spec, registry)
        bare = median_us(lambda: spec.apply(*args), repeat, inner=10)
        checked = median_us(lambda: wrapped.apply(*args), repeat, inner=10)
        print(f"{kind + ' ' + repr(name) + ' bare / checked':48s} median {bare:8.1f} / {checked:8.1f} us")

    data = np.zeros((4096, 4096), np.float32)
    frame = Frame(FrameInfo(0, "x", (4096, 4096), "float32"), load=lambda: data)
    bare_load = frame.load
    _checked_image(path, Image(path, "bench", [frame]), "reader 'bench'")
    plain = median_us(bare_load, repeat)
    checked = median_us(frame.load, repeat)
    print(f"{'4096^2 frame load bare / checked':48s} median {plain:8.2f} / {checked:8.2f} us")
    print("load average: " + " ".join(f"{v:.2f}" for v in os.getloadavg()))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 21)

"""Refusing hostile experiment files: time and peak memory of ``imgmarker validate`` and
of ``Session.open`` on a YAML alias bomb, a recursive anchor and absurd nesting.

    python benchmarks/bench_bad_input.py [--repeat N]

Each measurement is a fresh process; the time is from after the imports to the
answer (``validate`` loads the plugins itself, so its time includes that), and peak
memory is the process's maximum resident set. A valid experiment is measured too.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HEAD = "schema_version: 1\nimages: {directory: images}\n"
FILES = {
    "valid (for comparison)": HEAD,
    "billion laughs (10^12 values)": HEAD + 'plugins:\n  a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", '
                                     '"lol", "lol", "lol"]\n'
                                     + "".join(f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 12)),
    "recursive anchor": HEAD + "plugins: &p {self: *p}\n",
    "nesting 100,000 deep": HEAD + "plugins: {x: " + "[" * 100_000 + "]" * 100_000 + "}\n",
}
CHILD = r"""
import contextlib, io, json, resource, sys, time
from imgmarker.cli import main
from imgmarker.kernel.campaign.session import Session
from imgmarker.kernel.experiment.problems import ExperimentError
from imgmarker.kernel.plugins.host import create_plugin_host
host = create_plugin_host()  # plugins loaded before the clock starts: the file is what is measured
start = time.perf_counter()
if sys.argv[2] == "validate":
    with contextlib.redirect_stderr(io.StringIO()) as err, contextlib.redirect_stdout(io.StringIO()):
        code = main(["validate", sys.argv[1]])
    first = err.getvalue().splitlines()[:1]
else:
    try:
        Session.open(sys.argv[1], host=host, export_delay=None).close()
        code, first = 0, []
    except ExperimentError as exc:
        code, first = 1, [str(exc.problems[0])]
print(json.dumps({"seconds": time.perf_counter() - start, "code": code, "line": first,
                  "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("load average: " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "images").mkdir()
        for i, (label, text) in enumerate(FILES.items()):
            path = Path(tmp) / f"e{i}.yaml"
            path.write_text(text, encoding="utf-8")
            for how in ("validate", "Session.open"):
                runs = [json.loads(subprocess.run([sys.executable, "-c", CHILD, str(path), how], capture_output=True,
                                                  text=True, check=True, cwd=tmp).stdout.splitlines()[-1])
                        for _ in range(args.repeat)]
                seconds = statistics.median(r["seconds"] for r in runs)
                rss = statistics.median(r["maxrss"] for r in runs) / 2**20
                line = (runs[0]["line"] or [""])[0].replace(tmp + "/", "")
                print(f"{label:31} {how:12} median {seconds:5.2f} s  peak RSS {rss:6.1f} MiB  exit {runs[0]['code']}"
                      + (f"  {line[:90]}" if line else ""))
    print("load average: " + " ".join(f"{v:.2f}" for v in os.getloadavg()))


if __name__ == "__main__":
    main()

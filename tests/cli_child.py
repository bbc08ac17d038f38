"""Child process of the bad-input tests: runs ``imgmarker`` command lines in one
process, as a terminal would see them. Each command's file descriptors 1 and 2 go to
files of their own, so whatever reaches the terminal (a library's log line, a C
library's warning, a traceback) is caught, not only what Python code prints.

    python cli_child.py COMMANDS.json RESULTS.json
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback


def run_one(argv: list[str]) -> dict:
    from imgmarker.cli import main

    saved = os.dup(1), os.dup(2)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        try:
            try:
                code = main(argv)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 2
            except BaseException:  # noqa: BLE001 - a traceback is exactly what the test looks for
                traceback.print_exc()
                code = "crashed"
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
        out.seek(0)
        err.seek(0)
        return {"argv": argv, "code": code, "stdout": out.read().decode("utf-8", "replace"),
                "stderr": err.read().decode("utf-8", "replace")}


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        commands = json.load(handle)
    results = [run_one(argv) for argv in commands]  # JSON keeps undecodable names as \udcNN
    with open(sys.argv[2], "w", encoding="utf-8") as handle:
        json.dump(results, handle)

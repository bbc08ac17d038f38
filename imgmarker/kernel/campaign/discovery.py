"""Finding a campaign's image files.

Listing only: no file is opened, so a folder of 100,000 images is ready at once.
Images are identified by their path relative to the image root (POSIX separators),
which stays valid when the campaign folder is zipped and moved.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable, Sequence

from imgmarker.kernel.experiment.config import ImageSource


@dataclass(frozen=True)
class Discovered:
    root: Path
    names: tuple[str, ...]  # relative POSIX paths, sorted
    missing: tuple[str, ...] = ()  # listed in a list file but not on disk

    def path(self, name: str) -> Path:
        return self.root / name


def _scan(directory: Path, recursive: bool) -> Iterable[str]:
    stack = [""]
    while stack:
        rel = stack.pop()
        try:
            entries = list(os.scandir(directory / rel if rel else directory))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            child = f"{rel}/{entry.name}" if rel else entry.name
            try:
                if entry.is_dir(follow_symlinks=True):
                    if recursive:
                        stack.append(child)
                elif entry.is_file(follow_symlinks=True):
                    yield child
            except OSError:
                continue


def _matcher(patterns: Sequence[str], recursive: bool):
    """A predicate on relative names: does any pattern select the file?"""
    # PurePosixPath.match with a one-part pattern is fnmatchcase on the last part, so
    # those patterns become one compiled regular expression (fast for 100,000 files).
    simple = [p for p in patterns if "/" not in p]
    deep = [p for p in patterns if "/" in p]
    base_re = re.compile("|".join(fnmatch.translate(p) for p in simple)) if simple else None

    def match(name: str) -> bool:
        if base_re is not None and (recursive or "/" not in name):
            if base_re.match(name.rsplit("/", 1)[-1]):
                return True
        return any(PurePosixPath(name).match(p) for p in deep)

    return match


def discover(source: ImageSource, suffixes: Sequence[str]) -> Discovered:
    """List the image files of ``source``; ``suffixes`` are those the readers support."""
    if source.list_file is not None:
        root = source.list_file.parent
        names, missing = [], []
        seen = set()
        for line in source.list_file.read_text(encoding="utf-8-sig").splitlines():
            entry = line.strip()
            if not entry or entry.startswith("#"):
                continue
            name = Path(entry).as_posix()
            if name in seen:
                continue
            seen.add(name)
            (names if (root / name).is_file() else missing).append(name)
        return Discovered(root, tuple(names), tuple(missing))
    assert source.directory is not None
    root = source.directory
    if source.patterns:
        deep = source.recursive or any("/" in p for p in source.patterns)
        match = _matcher(source.patterns, source.recursive)
        names = [n for n in _scan(root, deep) if match(n)]
    else:
        ends = tuple(s.lower() for s in suffixes)  # one C-level test per file (100,000 of them at start-up)
        names = [n for n in _scan(root, source.recursive) if n.lower().endswith(ends)]
    return Discovered(root, tuple(sorted(names)))

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
from typing import Callable, Sequence

from imgmarker.kernel.experiment.config import ImageSource
from imgmarker.kernel.imaging.files import why_not_a_file


@dataclass(frozen=True)
class Discovered:
    root: Path
    names: tuple[str, ...]  # relative POSIX paths, sorted
    missing: tuple[str, ...] = ()  # listed in a list file but not on disk
    skipped: tuple[tuple[str, str], ...] = ()  # (name, why): looked like images but cannot be

    def path(self, name: str) -> Path:
        return self.root / name

    def problems(self) -> list[str]:
        """One line per skipped entry, naming it and why."""
        return [f"{self.root / name}: skipped: {why}" for name, why in self.skipped]

    def summary(self) -> list[str]:
        """At most two short notes for a session: what was skipped, what a list named but is gone."""
        notes = []
        if self.skipped:
            shown = "; ".join(f"{name} ({why})" for name, why in self.skipped[:3])
            notes.append(f"{len(self.skipped)} entr{'y' if len(self.skipped) == 1 else 'ies'} skipped: {shown}"
                         + ("; ..." if len(self.skipped) > 3 else ""))
        if self.missing:
            notes.append(f"{len(self.missing)} listed image(s) not found: " + ", ".join(self.missing[:5]))
        return notes


def _scan(directory: Path, recursive: bool, wanted: Callable[[str], bool]) -> tuple[list[str], list[tuple[str, str]]]:
    """Regular files under ``directory`` that ``wanted`` selects, and the entries that
    look selected but are not regular files (or folders that cannot be listed). Each
    folder is listed once however many links lead to it, so link loops end."""
    names: list[str] = []
    skipped: list[tuple[str, str]] = []
    visited: set[tuple[int, int]] = set()
    stack = [""]
    while stack:
        rel = stack.pop()
        folder = directory / rel if rel else directory
        try:
            info = os.stat(folder)
            if (info.st_dev, info.st_ino) in visited:
                skipped.append((rel, "links back to a folder already listed (a loop)"))
                continue
            visited.add((info.st_dev, info.st_ino))
            entries = list(os.scandir(folder))
        except OSError as exc:
            skipped.append((rel or ".", f"cannot list the folder: {exc.strerror or exc}"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            child = f"{rel}/{entry.name}" if rel else entry.name
            try:
                if entry.is_dir(follow_symlinks=True):
                    if recursive:
                        stack.append(child)
                    elif wanted(child):
                        skipped.append((child, "a folder, not an image file"))
                    continue
                if entry.is_file(follow_symlinks=True):
                    if wanted(child):
                        names.append(child)
                    continue
            except OSError:
                pass
            if wanted(child):
                skipped.append((child, why_not_a_file(folder / entry.name)))
    return names, skipped


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
        names, missing, skipped = [], [], []
        seen = set()
        # names in any byte encoding: undecodable bytes survive as in os.listdir
        for line in source.list_file.read_text(encoding="utf-8-sig", errors="surrogateescape").splitlines():
            entry = line.strip()
            if not entry or entry.startswith("#"):
                continue
            name = Path(entry).as_posix()
            if name in seen:
                continue
            seen.add(name)
            if (root / name).is_file():
                names.append(name)
            elif os.path.lexists(root / name):
                skipped.append((name, why_not_a_file(root / name)))
            else:
                missing.append(name)
        return Discovered(root, tuple(names), tuple(missing), tuple(skipped))
    assert source.directory is not None
    root = source.directory
    if source.patterns:
        deep = source.recursive or any("/" in p for p in source.patterns)
        names, skipped = _scan(root, deep, _matcher(source.patterns, source.recursive))
    else:
        ends = tuple(s.lower() for s in suffixes)  # one C-level test per file (100,000 of them at start-up)
        names, skipped = _scan(root, source.recursive, lambda n: n.lower().endswith(ends))
    return Discovered(root, tuple(sorted(names)), (), tuple(skipped))

"""YAML documents that remember where every value came from.

Validation messages must point at a line of the user's file, so the document is
composed into the node tree whose marks give line numbers for any path into the data,
and the plain Python data are constructed from that same tree (as ``yaml.safe_load``
would).

A shared experiment is data from someone else, so the loader is bounded: a file too
large, nesting too deep, and aliases that expand into too many values ("billion
laughs") or into themselves are refused with one line before anything walks the data.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import yaml

from imgmarker.kernel.experiment.problems import Problem

PathPart = str | int


@dataclass(frozen=True)
class YamlDocument:
    path: Path
    data: Any
    root: yaml.Node | None
    duplicates: tuple[Problem, ...] = field(default=())

    def node_at(self, path: Sequence[PathPart]) -> tuple[yaml.Node | None, yaml.Node | None]:
        """(key node, value node) of the deepest node reachable along ``path``."""
        key_node: yaml.Node | None = None
        node = self.root
        for part in path:
            if isinstance(node, yaml.MappingNode):
                found = None
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and k.value == str(part):
                        found = (k, v)
                if found is None:
                    break
                key_node, node = found
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                key_node, node = None, node.value[part]
            else:
                break
        return key_node, node

    def line_of(self, path: Sequence[PathPart], *, key: bool = False) -> int:
        """1-based line of the value at ``path`` (or of its key when ``key``)."""
        key_node, node = self.node_at(path)
        target = key_node if key and key_node is not None else node
        if target is None:
            return 1
        return target.start_mark.line + 1


def _find_duplicates(node: yaml.Node | None, path: list[PathPart], out: list[Problem], file: Path) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for k, v in node.value:
            name = k.value if isinstance(k, yaml.ScalarNode) else None
            if name is not None:
                if name in seen:
                    out.append(Problem(file, k.start_mark.line + 1, format_path(path + [name]),
                                       f"duplicate key (first given on line {seen[name]}); only the last value is used"))
                else:
                    seen[name] = k.start_mark.line + 1
            _find_duplicates(v, path + [name if name is not None else "?"], out, file)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _find_duplicates(item, path + [i], out, file)


def format_path(path: Sequence[PathPart]) -> str:
    """``['groups', 2, 'max']`` -> ``groups[2].max``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


#: an experiment is a few kilobytes; these bounds are far above any real one
MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64  # nesting of mappings and sequences, aliases followed
MAX_VALUES = 200_000  # values in the document once every alias is expanded


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader with a nesting limit while composing (the composer recurses)."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                event = self.peek_event()
                raise _Refused(event.start_mark.line + 1, f"nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Refused(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def _flow_nesting(line: str) -> int:
    """How deep ``[``/``{`` nest on one line, quoted text and comments aside."""
    depth = deepest = 0
    quote = ""
    previous = " "
    for char in line:
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#" and previous in " \t":
            break
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(0, depth - 1)
        previous = char
    return deepest


def _check_flow_lines(text: str) -> None:
    """Refuse deep flow nesting on one line before PyYAML's scanner sees it: its cost
    grows with the square of the nesting there (every opener may start a key)."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.count("[") + line.count("{") > MAX_DEPTH and _flow_nesting(line) > MAX_DEPTH:
            raise _Refused(number, f"nested more than {MAX_DEPTH} levels deep")


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a node graph that loops or expands past the bounds. Iterative, with each
    shared (aliased) node measured once, so a bomb costs as little as its text."""
    done: dict[int, tuple[int, int]] = {}  # id -> (values, depth) once expanded
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            children = _children(node)
            values = 1 + sum(done[id(c)][0] for c in children)
            depth = 1 + max((done[id(c)][1] for c in children), default=0)
            open_nodes.discard(key)
            done[key] = (values, depth)
            line = node.start_mark.line + 1
            if values > MAX_VALUES:
                raise _Refused(line, f"aliases expand this value into more than {MAX_VALUES} values "
                                     "(an alias bomb?)")
            if depth > MAX_DEPTH:
                raise _Refused(line, f"aliases nest this value more than {MAX_DEPTH} levels deep")
            continue
        if key in done:
            continue
        if key in open_nodes:
            raise _Refused(node.start_mark.line + 1, "an alias refers to a value that contains it "
                                                     "(a recursive anchor)")
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node))


def parse_yaml(text: str, path: Path) -> YamlDocument:
    """Parse ``text``; raise :class:`YamlSyntaxError` with the file and line on bad
    syntax or on a document past the loader's bounds."""
    if len(text) > MAX_BYTES:
        raise YamlSyntaxError(Problem(path, 1, "", f"too large for an experiment ({len(text)} characters; "
                                                   f"at most {MAX_BYTES})"))
    loader = _BoundedLoader(text)
    try:
        _check_flow_lines(text)
        root = loader.get_single_node()
        if root is not None:
            _check_expansion(root)
        data = loader.construct_document(root) if root is not None else None
    except _Refused as exc:
        raise YamlSyntaxError(Problem(path, exc.line, "", f"refused: {exc.message}")) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise YamlSyntaxError(Problem(path, line, "", f"invalid YAML: {message}")) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(Problem(path, 1, "", f"invalid YAML: {exc}")) from exc
    finally:
        loader.dispose()
    duplicates: list[Problem] = []
    _find_duplicates(root, [], duplicates, path)
    return YamlDocument(path, data, root, tuple(duplicates))


def read_yaml(path: Path) -> YamlDocument:
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise YamlSyntaxError(Problem(path, 0, "", f"cannot read: {kind}"))
        if info.st_size > MAX_BYTES:
            raise YamlSyntaxError(Problem(path, 0, "", f"too large for an experiment ({info.st_size} bytes; "
                                                       f"at most {MAX_BYTES})"))
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlSyntaxError(Problem(path, 1, "", f"not UTF-8 text: {exc.reason}")) from exc
    except OSError as exc:
        raise YamlSyntaxError(Problem(path, 0, "", f"cannot read: {exc.strerror or exc}")) from exc
    return parse_yaml(text, path)


class YamlSyntaxError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem

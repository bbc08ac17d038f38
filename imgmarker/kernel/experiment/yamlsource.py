"""YAML documents that remember where every value came from.

Validation messages must point at a line of the user's file, so the document is parsed
twice: once into plain Python data (``yaml.safe_load``), once into the node tree whose
marks give line numbers for any path into the data.
"""

from __future__ import annotations

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


def parse_yaml(text: str, path: Path) -> YamlDocument:
    """Parse ``text``; raise :class:`YamlSyntaxError` with the file and line on bad syntax."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise YamlSyntaxError(Problem(path, line, "", f"invalid YAML: {message}")) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(Problem(path, 1, "", f"invalid YAML: {exc}")) from exc
    duplicates: list[Problem] = []
    _find_duplicates(root, [], duplicates, path)
    return YamlDocument(path, data, root, tuple(duplicates))


def read_yaml(path: Path) -> YamlDocument:
    try:
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

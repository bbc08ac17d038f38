"""The experiment JSON Schema: loading, composing with plugin fragments, validating
into located problems, and filling defaults.

The schema file is the single source of truth: simple defaults come from its
``default`` keywords, so the reference docs and the program cannot disagree.
"""

from __future__ import annotations

import copy
import difflib
import json
import re
from importlib import resources
from typing import TYPE_CHECKING, Any, Iterable

from imgmarker.kernel.experiment.problems import Problem
from imgmarker.kernel.experiment.yamlsource import YamlDocument, format_path

if TYPE_CHECKING:
    import jsonschema

SCHEMA_RESOURCE = "experiment.schema.json"


def base_schema() -> dict[str, Any]:
    text = resources.files("imgmarker.schemas").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    return json.loads(text)


def compose_schema(fragments: Iterable[Any] = ()) -> dict[str, Any]:
    """The experiment schema with each plugin's ``ConfigSchema`` under ``plugins``."""
    schema = base_schema()
    plugin_props = schema["properties"]["plugins"]["properties"]
    for fragment in fragments:
        section = copy.deepcopy(dict(fragment.schema))
        section.setdefault("title", f"Plugin {fragment.section}")
        section.setdefault("description", f"Configuration of the {fragment.section} plugin.")
        plugin_props[fragment.section] = section
    return schema


def resolve_ref(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """Follow a local ``$ref`` (siblings override the referenced schema)."""
    ref = schema.get("$ref")
    if not ref or not ref.startswith("#/"):
        return schema
    target: Any = root
    for part in ref[2:].split("/"):
        target = target[part]
    merged = dict(resolve_ref(target, root))
    merged.update({k: v for k, v in schema.items() if k != "$ref"})
    return merged


def apply_defaults(data: Any, schema: dict[str, Any], root: dict[str, Any] | None = None) -> Any:
    """A copy of ``data`` with every missing property that has a schema default filled."""
    root = root or schema
    schema = resolve_ref(schema, root)
    if isinstance(data, dict) and isinstance(schema.get("properties"), dict):
        out = dict(data)
        for name, sub in schema["properties"].items():
            sub = resolve_ref(sub, root)
            if name not in out and "default" in sub:
                out[name] = copy.deepcopy(sub["default"])
            if name in out:
                out[name] = apply_defaults(out[name], sub, root)
        return out
    if isinstance(data, list) and isinstance(schema.get("items"), dict):
        return [apply_defaults(item, schema["items"], root) for item in data]
    return data


def suggest(word: str, choices: Iterable[str]) -> str:
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {matches[0]!r}?)" if matches else ""


def _unknown_key_problems(error: jsonschema.ValidationError, doc: YamlDocument) -> list[Problem]:
    schema = error.schema
    allowed = list(schema.get("properties", {}))
    patterns = list(schema.get("patternProperties", {}))
    problems = []
    for key in error.instance:
        if key in allowed or any(re.search(p, key) for p in patterns):
            continue
        path = list(error.absolute_path) + [key]
        hint = suggest(key, allowed)
        if not hint:
            hint = f" (allowed: {', '.join(allowed)})" if allowed else ""
        problems.append(Problem(doc.path, doc.line_of(path, key=True), format_path(path), f"unknown key{hint}"))
    return problems


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "not" and isinstance(error.schema, dict) and error.schema.get("x-message"):
        return str(error.schema["x-message"])
    if error.validator == "const":
        return f"{error.instance!r} is not supported; must be {error.validator_value!r}"
    if error.validator == "enum":
        hint = suggest(str(error.instance), [str(v) for v in error.validator_value])
        return f"{error.instance!r} is not one of {error.validator_value}{hint}"
    if error.validator == "pattern" and "#" in str(error.validator_value):
        return f"{error.instance!r} is not a colour ('#RRGGBB', '#RRGGBBAA' or a colour name)"
    if error.validator == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        return f"{error.instance!r} is not of type {expected}"
    return error.message


def schema_problems(doc: YamlDocument, schema: dict[str, Any]) -> list[Problem]:
    import jsonschema  # a tenth of a second of imports: only when a document is checked

    validator = jsonschema.Draft202012Validator(schema)
    problems: list[Problem] = []
    for error in validator.iter_errors(doc.data):
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            problems.extend(_unknown_key_problems(error, doc))
            continue
        path = list(error.absolute_path)
        if error.validator == "required":
            line = doc.line_of(path, key=True) if path else 1
        else:
            line = doc.line_of(path)
        problems.append(Problem(doc.path, line, format_path(path), _message(error)))
    return problems

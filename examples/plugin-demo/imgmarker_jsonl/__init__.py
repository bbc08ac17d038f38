"""An example third-party imgmarker plugin: a writer that emits one JSON object per
mark (``<user>_marks.jsonl``), handy for streaming results into other tools.

It shows the three things most plugins need: a registry hook returning a typed record,
a configuration section validated by the plugin's own schema fragment, and writing
through the context so readers never see half a file.
"""

from __future__ import annotations

import json

import imgmarker
from imgmarker.api import ConfigSchema, WriterSpec

__version__ = "0.1.0"

SECTION = "jsonl"


def write_jsonl(context) -> None:
    options = dict(context.config or {})
    with_sky = options.get("sky", True)
    with context.atomic_write(f"{context.user}_marks.jsonl") as handle:
        for mark in context.marks():
            row = {"image": mark.image, "group": mark.group, "label": mark.label,
                   "x": mark.x, "y": mark.y, "frame": mark.frame, "time": mark.time,
                   "pass": mark.pass_index}
            if with_sky:
                row.update(ra=mark.ra, dec=mark.dec)
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


@imgmarker.hookimpl
def imgmarker_writers():
    return WriterSpec(name="jsonl", write=write_jsonl, outputs=("{user}_marks.jsonl",),
                      description="marks as JSON lines, one object per mark")


@imgmarker.hookimpl
def imgmarker_config_schema():
    return ConfigSchema(SECTION, {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "sky": {"type": "boolean", "default": True,
                    "description": "Include RA/Dec (null when the image has no WCS)."},
        },
    })

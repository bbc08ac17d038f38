"""COCO keypoint annotations of the marks: ``{user}_coco.json``.

Every image with first-pass marks (or seen without any) whose size is known (a session
knows it for every image it showed) is an entry of ``images``;
every group is a category with one keypoint, ``centre``; every mark is an annotation
with that keypoint (visibility 2), a box around it and its label. Consistency repeats
(pass 2) are left out: they would count the same objects twice.

Coordinates: ``keypoints`` use the pixel-index convention of COCO keypoints, which is
imgmarker's own (0-based, the centre of the top-left pixel is (0, 0), y down);
``bbox`` is ``[left, top, width, height]`` in COCO's continuous coordinates (the
top-left corner of the image is (0, 0)), so a box is centred on (x + 0.5, y + 0.5).
Boxes are clipped to the image. pycocotools reads the file as it is.
"""

from __future__ import annotations

import json
import logging

import imgmarker
from imgmarker.api import ConfigSchema, WriterSpec
from imgmarker_plugins.writers._boxes import BOX_SCHEMA, box_side, class_names, clipped_box

KEYPOINT = "centre"

log = logging.getLogger("imgmarker.writers.coco")


def document(context) -> dict:
    marks = [m for m in context.marks() if m.pass_index == 1]
    seen = [r.image for r in context.images() if r.pass_index == 1]
    names = sorted(set(seen) | {m.image for m in marks})
    classes = class_names(context.experiment, marks)
    category = {name: k + 1 for k, name in enumerate(classes)}
    geometry = getattr(context, "geometry", None)
    first_frame: dict[str, int] = {}
    for m in marks:
        first_frame.setdefault(m.image, m.frame)
    images, sizes = [], {}
    for name in names:
        g = geometry(name, first_frame.get(name, 0)) if geometry is not None else None
        if g is None:  # COCO readers need the size; a session knows it for every image it showed
            log.warning("%s: image size unknown, left out of the COCO file", name)
            continue
        sizes[name] = (int(g.width), int(g.height))
        images.append({"id": len(images) + 1, "file_name": name, "width": int(g.width), "height": int(g.height)})
    image_id = {entry["file_name"]: entry["id"] for entry in images}
    marks = [m for m in marks if m.image in image_id]
    annotations = []
    for m in sorted(marks, key=lambda m: (m.image, m.id)):
        width, height = sizes[m.image]
        left, top, right, bottom = clipped_box(m.x, m.y, box_side(context, "coco", m), width, height)
        box = [left, top, right - left, bottom - top]
        annotations.append({"id": len(annotations) + 1, "image_id": image_id[m.image],
                            "category_id": category[m.group], "keypoints": [m.x, m.y, 2], "num_keypoints": 1,
                            "bbox": box, "area": box[2] * box[3], "iscrowd": 0, "label": m.label})
    return {
        "info": {"description": f"imgmarker marks of {context.user}", "version": "1.0"},
        "licenses": [],
        "images": images,
        "annotations": annotations,
        "categories": [{"id": category[name], "name": name, "supercategory": "mark", "keypoints": [KEYPOINT],
                        "skeleton": []} for name in classes],
    }


def dumps(doc: dict) -> str:
    """The document with one image, annotation or category per line: readable, and
    written by the C JSON encoder (an indented dump of 100,000 annotations is several
    times slower)."""
    parts = []
    for key, value in doc.items():
        if isinstance(value, list) and value:
            items = ",\n  ".join(json.dumps(v, ensure_ascii=False) for v in value)
            parts.append(f"{json.dumps(key)}: [\n  {items}\n ]")
        else:
            parts.append(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n " + ",\n ".join(parts) + "\n}\n"


def write(context) -> None:
    text = dumps(document(context))
    with context.atomic_write(f"{context.user}_coco.json") as handle:
        handle.write(text)


@imgmarker.hookimpl
def imgmarker_writers():
    return WriterSpec(name="coco", write=write, outputs=("{user}_coco.json",),
                      description="COCO keypoint annotations (one keypoint and a box per mark)")


@imgmarker.hookimpl
def imgmarker_config_schema():
    return ConfigSchema("coco", {"type": "object", "additionalProperties": False,
                                 "properties": {"box": BOX_SCHEMA}})

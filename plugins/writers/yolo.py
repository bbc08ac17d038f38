"""YOLO label files of the marks: ``{user}_yolo/<image>.txt`` and ``classes.txt``.

One text file per image (first pass; a seen image without marks gets an empty file,
which YOLO reads as "nothing here"), one line per mark:
``class x_centre y_centre width height``, normalised by the image size, with the box
around the mark as in the COCO writer (centred on the mark's pixel centre, clipped to
the image). With ``keypoints: true`` each line also carries the mark itself,
``px py 2`` (the YOLO pose format, ``kpt_shape: [1, 3]``). Class numbers are the
groups in the experiment's order, listed in ``classes.txt``.

A label file sits where Ultralytics looks for it: the image's path with its last
``images`` folder turned into ``labels`` and its last suffix into ``.txt``, under
``folder`` (default ``{user}_yolo``; a dataset uses its own folder).
"""

from __future__ import annotations

import logging

import imgmarker
from imgmarker.api import ConfigSchema, WriterSpec
from imgmarker_plugins.writers._boxes import BOX_SCHEMA, box_side, class_names, clipped_box

log = logging.getLogger("imgmarker.writers.yolo")


def label_path(image: str) -> str:
    parts = [p for p in image.replace("\\", "/").split("/") if p not in ("", ".", "..")] or ["_"]
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] == "images":
            parts[i] = "labels"
            break
    name = parts[-1]
    if "." in name.lstrip("."):
        name = name.rsplit(".", 1)[0]
    return "/".join(parts[:-1] + [name + ".txt"])


def _line(context, m, cls: int, width: int, height: int, keypoints: bool) -> str:
    left, top, right, bottom = clipped_box(m.x, m.y, box_side(context, "yolo", m), width, height)
    fields = [(left + right) / 2 / width, (top + bottom) / 2 / height, (right - left) / width, (bottom - top) / height]
    if keypoints:
        fields += [min(max((m.x + 0.5) / width, 0.0), 1.0), min(max((m.y + 0.5) / height, 0.0), 1.0)]
    text = f"{cls} " + " ".join(f"{v:.6f}" for v in fields)
    return text + (" 2" if keypoints else "")


def write(context) -> None:
    config = context.config or {}
    folder = str(config.get("folder", "{user}_yolo")).format(user=context.user).strip("/")
    prefix = f"{folder}/" if folder else ""
    keypoints = bool(config.get("keypoints", False))
    marks = [m for m in context.marks() if m.pass_index == 1]
    classes = class_names(context.experiment, marks)
    number = {name: k for k, name in enumerate(classes)}
    by_image: dict[str, list] = {r.image: [] for r in context.images() if r.pass_index == 1}
    for m in marks:
        by_image.setdefault(m.image, []).append(m)
    geometry = getattr(context, "geometry", None)
    written = set()
    for image, items in sorted(by_image.items()):
        lines = []
        if items:
            g = geometry(image, items[0].frame) if geometry is not None else None
            if g is None:
                log.warning("%s: image size unknown, its %d marks are not in the YOLO labels", image, len(items))
                continue
            lines = [_line(context, m, number[m.group], int(g.width), int(g.height), keypoints)
                     for m in sorted(items, key=lambda m: m.id)]
        name = prefix + label_path(image)
        written.add(name)
        with context.atomic_write(name) as handle:
            handle.write("".join(line + "\n" for line in lines))
    with context.atomic_write(prefix + "classes.txt") as handle:
        handle.write("".join(name + "\n" for name in classes))
    if folder:  # an image whose marks were all removed must not keep its old labels
        for path in (context.output_dir / folder).rglob("*.txt"):
            name = path.relative_to(context.output_dir).as_posix()
            if name not in written and name != prefix + "classes.txt":
                path.unlink()


@imgmarker.hookimpl
def imgmarker_writers():
    return WriterSpec(name="yolo", write=write, outputs=("{user}_yolo/",),
                      description="YOLO label files (boxes around marks, optionally with keypoints)")


@imgmarker.hookimpl
def imgmarker_config_schema():
    return ConfigSchema("yolo", {
        "type": "object", "additionalProperties": False,
        "properties": {
            "box": BOX_SCHEMA,
            "folder": {"type": "string", "description": "folder of the label files ({user} is the annotator)"},
            "keypoints": {"type": "boolean", "default": False,
                          "description": "also write each mark as a keypoint (YOLO pose format)"},
        },
    })

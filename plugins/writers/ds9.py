"""DS9 region files of the marks.

Marks with a sky position are written in ``icrs`` (degrees; the session converts every
WCS frame to ICRS); marks on images without a usable WCS in ``image`` coordinates, 1-based with y up as DS9 counts them: a display
mark (x, y) on a frame of height H is (x + 1, H - y). Each region carries its group
and image as tags and its label as text.

By default one file holds every image's marks (``{user}_regions.reg``); with
``plugins: {ds9: {per_image: true}}`` each image also gets ``{user}_ds9/<image>.reg``
to load beside the image in DS9.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any, Iterable

import imgmarker
from imgmarker.api import ConfigSchema, WriterSpec

log = logging.getLogger("imgmarker.writers.ds9")

POINT_TYPES = {"circle": "circle", "square": "box", "diamond": "diamond", "cross": "x",
               "plus": "cross", "triangle": "diamond"}
HEADER = "# Region file format: DS9 version 4.1\n"


def quote(text: str, *, tag: bool = False) -> str:
    """A DS9 property value: braces, double or single quotes, whichever the text allows.

    DS9 has no escapes, so what no quoting can hold is replaced (docs/outputs.md): a
    line break by a space (a region is one line), braces by parentheses when the text
    also holds both kinds of quote, and in a tag a ``;`` by ``%3B`` (readers such as
    ``regions`` end a region at a ``;`` in a tag)."""
    text = " ".join(str(text).splitlines())
    if tag:
        text = text.replace(";", "%3B")
    for left, right in (("{", "}"), ('"', '"'), ("'", "'")):
        if left not in text and right not in text:
            return f"{left}{text}{right}"
    return "{" + text.replace("{", "(").replace("}", ")") + "}"


def _groups(experiment: Any) -> dict[str, Any]:
    return {g.name: g for g in experiment.groups} if experiment is not None else {}


def region_lines(marks: Iterable[Any], context: Any, *, tag_image: bool) -> list[str]:
    groups = _groups(context.experiment)
    geometry = getattr(context, "geometry", None)
    lines: list[str] = []
    system = None
    for m in marks:
        if m.ra is not None and m.dec is not None:
            want, coords = "icrs", f"{m.ra!r},{m.dec!r}"
        else:
            g = geometry(m.image, m.frame) if geometry is not None else None
            if g is None:
                lines.append(f"# mark {m.id} on {m.image}: no sky position and the image height is unknown\n")
                continue
            want, coords = "image", f"{m.x + 1!r},{g.height - m.y!r}"
        if want != system:
            lines.append(want + "\n")
            system = want
        group = groups.get(m.group)
        props = [f"point={POINT_TYPES.get(group.shape, 'circle') if group else 'circle'}"]
        if group is not None:
            props.append(f"color={group.color}")
        props.append(f"text={quote(m.label)}")
        props.append(f"tag={quote(m.group, tag=True)}")
        if tag_image:
            props.append(f"tag={quote(m.image, tag=True)}")
        lines.append(f"point({coords}) # {' '.join(props)}\n")
    return lines


def _safe_name(image: str) -> str:
    parts = [p for p in image.split("/") if p not in ("", ".", "..")]
    return "/".join(parts) + ".reg"


def write(context) -> None:
    marks = list(context.marks())
    with context.atomic_write(f"{context.user}_regions.reg") as handle:
        handle.write(HEADER)
        handle.write(f"# imgmarker marks of {context.user}, each region tagged with its group and image\n")
        handle.writelines(region_lines(marks, context, tag_image=True))
    if not context.config.get("per_image"):
        return
    by_image: dict[tuple[str, int], list[Any]] = defaultdict(list)
    for m in marks:
        by_image[(m.image, m.pass_index)].append(m)
    folder = f"{context.user}_ds9"
    written = set()
    for (image, pass_index), items in sorted(by_image.items()):
        suffix = "" if pass_index == 1 else f".pass{pass_index}"
        name = f"{folder}/{_safe_name(image)[:-4]}{suffix}.reg"
        written.add(name)
        with context.atomic_write(name) as handle:
            handle.write(HEADER)
            handle.writelines(region_lines(items, context, tag_image=False))
    # an image whose marks were all removed must not keep its old regions
    for path in (context.output_dir / folder).rglob("*.reg"):
        if path.relative_to(context.output_dir).as_posix() not in written:
            path.unlink()


@imgmarker.hookimpl
def imgmarker_writers():
    return WriterSpec(name="ds9", write=write, outputs=("{user}_regions.reg",),
                      description="DS9 regions (icrs where a WCS exists, image coordinates otherwise)")


@imgmarker.hookimpl
def imgmarker_config_schema():
    return ConfigSchema("ds9", {
        "type": "object",
        "additionalProperties": False,
        "properties": {"per_image": {"type": "boolean", "default": False,
                                     "description": "also write one region file per image"}},
    })

"""The layers drawn over the picture (marks, plugin overlays, shapes, catalogues) and
which of them are visible: part of the marking workspace, redrawn from the session."""

from __future__ import annotations

from typing import Any

from imgmarker.kernel.display.overlay import Marker, OverlayContext, draw_overlays
from imgmarker.shell.catalog_layer import catalog_layer
from imgmarker.shell.guard import guarded


class OverlayLayers:
    """Mixin of :class:`~imgmarker.shell.workspace.Workspace` (its session, view, frames,
    registry, catalogs, visible and selected)."""

    def current_meta(self):
        return self.frames.meta(self.session.current.name, self.frame)

    def frame_marks(self) -> list[Any]:
        return [m for m in self.session.marks() if m.frame == self.frame]

    @guarded
    def refresh_overlays(self) -> None:
        entry = self.session.current
        meta = self.current_meta()
        shape = meta.shape if meta is not None else (self.view.image_size() or (0, 0))[::-1]
        wcs = meta.wcs if meta is not None else None
        marks = self.frame_marks()
        self.selected &= {m.id for m in marks}
        overlay_visible = {spec.name: self.visible.get(spec.name, spec.default_visible)
                           for spec in self.registry.overlays}
        overlay_visible["catalogs"] = False  # catalogs are drawn from arrays below, not as objects
        context = OverlayContext(image_name=entry.name, frame=self.frame, shape=tuple(shape), wcs=wcs, marks=marks,
                                 visible=overlay_visible, selected=frozenset(self.selected),
                                 experiment=self.experiment)
        primitives, problems = draw_overlays(self.registry, context)
        for problem in problems:
            self.message.emit(problem)
        markers = [p for p in primitives if isinstance(p, Marker) and p.kind == "mark"]
        self.view.set_layer("marks", markers)
        self.view.set_layer_visible("marks", self.visible["marks"])
        self.view.set_layer("overlays", [p for p in primitives if isinstance(p, Marker) and p.kind != "mark"])
        shapes: dict[str, list] = {}
        for p in primitives:
            if not isinstance(p, Marker):
                shapes.setdefault(p.kind or "overlays", []).append(p)
        for name in set(self._shape_layers) | set(shapes):
            self.view.set_shapes(name, shapes.get(name, []))
        self._shape_layers = set(shapes)
        for catalog in self.experiment.catalogs:
            name = f"catalog:{catalog.name}"
            if catalog.name not in self.catalogs.names() or meta is None:
                self.view.remove_layer(name)
                continue
            sources = self.catalogs.sources(catalog.name, entry.name, wcs, meta.shape, self.frame)
            self.view.set_layer(name, catalog_layer(sources, catalog))
            self.view.set_layer_visible(name, self.visible[name])

    def toggle_visible(self, name: str) -> bool:
        self.visible[name] = not self.visible.get(name, True)
        self.session.set_setting("visible", self.visible)
        if name == "labels":
            self.view.set_labels_visible(self.visible[name])
        elif name == "marks" or name.startswith("catalog:"):
            self.view.set_layer_visible(name, self.visible[name])
        else:
            self.refresh_overlays()
        self.message.emit(f"{name.replace('catalog:', 'catalog ')}: {'shown' if self.visible[name] else 'hidden'}")
        return self.visible[name]

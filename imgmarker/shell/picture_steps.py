"""What follows a picture onto the screen, mixed into the workspace: the preview level the
view draws (built when it is wanted), the WCS a first render left for later, the
block-mean overview replacing the quick one of a huge frame, and the imports warmed
after the first picture. The work runs on :class:`~imgmarker.shell.followups.FollowUps`.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from typing import Any

from imgmarker.kernel.display.frame_jobs import mean_overview_job, meta_job
from imgmarker.kernel.display.large import is_large
from imgmarker.kernel.display.prefetch import Priority
from imgmarker.kernel.display.preview import level_for, reduce_mean

SKY_REMEMBERED = 48  # fewer than the session remembers (64), so a name noted here is still known there
WARM_MODULES = ("astropy.wcs", "astropy.wcs.utils")  # sky positions, soon after the first picture


def view_levels(view: Any) -> Any:
    """A function of a frame's (width, height) giving the preview level the view will draw
    for it, from the view's state now (a worker must not ask the widget itself)."""
    dpr = view.devicePixelRatioF()
    width, height = max(view.width(), 1), max(view.height(), 1)
    shown, scale = view.image_size(), view.scale

    def level(size: tuple[int, int]) -> int:
        fit = min(width / size[0], height / size[1])
        return level_for((scale if tuple(size) == shown else fit) * dpr, size)

    return level


class PictureSteps:
    """Mixed into :class:`~imgmarker.shell.workspace.Workspace`."""

    def sky_learned(self, name: str, *, ask: bool = False) -> bool:
        """Whether the session has (or is) learning the frames' WCS of image ``name``
        (a render job opened it through the session); without ``ask``, note that it has."""
        learned = self._sky_learned
        if ask:
            return name in learned
        learned[name] = True
        learned.move_to_end(name)
        while len(learned) > SKY_REMEMBERED:  # as many as the session's own sky cache holds, and more
            learned.popitem(last=False)
        return True

    def _after_display(self, entry: Any, rendered: Any, key: tuple, meta: Any) -> None:
        self._preview_if_needed()
        if meta is not None and meta.wcs_pending:
            self.followups.submit(("wcs", key), meta_job(entry, self.frame, registry=self.registry, store=self.frames,
                                                         max_pixels=self.experiment.images.max_pixels,
                                                         opener=self.session.open_image),
                                  lambda new, key=key: self._wcs_arrived(key, new))
        elif not self.sky_learned(entry.name, ask=True):  # so a mark's sky position never opens the file here
            self.followups.submit(("sky", entry.name), lambda: self.session.open_image(entry).close(),
                                  lambda _none: None)
            self.sky_learned(entry.name)
        if not self.pace.flipping():  # while flipping: once the key is let go
            self.refine_shown()
        # imports a campaign needs, once a picture shows it needs them (a WCS, catalogues):
        # an import holds the interpreter, and every key press meanwhile waits for it
        if not self.followups.warmed and (meta is None or meta.wcs_pending or self.experiment.catalogs):
            self.followups.warm(WARM_MODULES + (("scipy.spatial",) if self.experiment.catalogs else ()))

    def refine_shown(self) -> None:
        """Replace the sampled overview on the screen: by the whole frame rendered if the
        budget holds it (a quick picture of a held key), else by block means."""
        key = self._shown_key
        rendered = self.bridge.cache.get(key) if key is not None else None
        if rendered is None or not rendered.sampled or self.view.state != "image":
            return
        entry = self.session.current
        if not is_large(rendered.full_size[::-1]):
            self.bridge.cache.discard(key)  # the render job replaces it, in the view too (see _display)
            self.bridge.prefetcher.request(key, self._job(entry, self.frame), Priority.CURRENT)
        else:
            self.followups.submit(("mean", key), mean_overview_job(
                entry, self.frame, self.display, rendered, registry=self.registry, renderer=self.renderer,
                max_pixels=self.experiment.images.max_pixels), lambda refined, key=key: self._refined(key, refined))

    def _refined(self, key: tuple, refined: Any) -> None:
        """Swap in the block-mean overview of a large frame (zoom, pan and detail stay)."""
        self.bridge.cache.put(key, refined)
        if key != self._shown_key or self.view.state != "image":
            return
        detail = self.view.detail()
        self.view.set_image(refined.rgba, self.session.current.name, factor=refined.factor, size=refined.full_size)
        self._shown_sampled = False
        if detail is not None:
            self.view.set_detail(detail[3], detail[1], detail[2], detail[0])

    def _wcs_arrived(self, key: tuple, meta: Any) -> None:
        if meta is not None:
            self.note_wcs(meta)
        if key == self._shown_key:
            self.refresh_overlays()

    def _preview_if_needed(self) -> None:
        """Build, off the GUI thread, the reduction the view draws at this zoom if it lacks it."""
        key, size = self._shown_key, self.view.image_size()
        rendered = self.bridge.cache.get(key) if key is not None else None
        if rendered is None or size is None or rendered.factor != 1 or self.view.state != "image":
            return
        factor = view_levels(self.view)(size)
        if factor <= 1 or factor in self.view.preview_factors():
            return

        def arrived(preview: Any) -> None:
            if key == self._shown_key:
                self.view.add_preview(preview, factor)
                held = self.bridge.cache.get(key)
                if held is rendered:  # keep it with the frame, counted in the budget
                    self.bridge.cache.put(key, replace(rendered, previews=rendered.previews + ((preview, factor),)))

        self.followups.submit(("preview", key, factor), lambda: reduce_mean(rendered.rgba, factor), arrived)

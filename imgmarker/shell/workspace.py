"""The marking workspace: turns input on the view and the side panel into session
actions, and session state into what the view and panel show.

Every action goes through the session first (stored before it is shown); the
workspace only redraws from what the session returns. Rendering runs on the
prefetcher's worker thread, so navigation never waits for a file.
"""

from __future__ import annotations

import logging
import sys
from collections import OrderedDict
from typing import Any

from PyQt6.QtCore import QObject, QTimer, pyqtSignal

from imgmarker.kernel.catalogs.campaign_catalogs import CatalogSet
from imgmarker.kernel.annotations.names import readable_name
from imgmarker.kernel.display.frame_jobs import FrameStore, region_job, render_job
from imgmarker.kernel.imaging.images import ImageReadError
from imgmarker.kernel.display.pipeline import DisplaySettings, Renderer
from imgmarker.kernel.display.prefetch import FrameCache, Priority
from imgmarker.shell.cursor_readout import CursorReadout
from imgmarker.shell.detail_loader import DetailLoader
from imgmarker.shell.followups import FollowUps
from imgmarker.shell.guard import guarded
from imgmarker.shell.marking import MarkingActions
from imgmarker.shell.overlay_layers import OverlayLayers
from imgmarker.shell.pace import Pace
from imgmarker.shell.picture_steps import WARM_MODULES, PictureSteps, view_levels
from imgmarker.shell.prefetch_bridge import PrefetchBridge

log = logging.getLogger("imgmarker.shell")

DEFAULT_CACHE_MB = 192  # the whole budget: pictures, raw pixels, levels and renders in progress
NEIGHBOUR_DELAY_MS = 30  # after showing a cached image, wait this long before prefetching around it
FOLLOW_UP_DELAY_MS = 15  # and this long before the follow-ups of a picture (previews, WCS, sky)
PLACEHOLDER_DELAY_MS = 100  # a picture later than this gets the "loading" placeholder painted meanwhile


class Workspace(MarkingActions, CursorReadout, PictureSteps, OverlayLayers, QObject):
    message = pyqtSignal(str)  # what the status line should say (refusals, confirmations)
    readout = pyqtSignal(str)  # cursor position, pixel value, sky position
    changed = pyqtSignal()  # image, state or progress changed: refresh title etc.
    failure = pyqtSignal(str, str)  # message, traceback
    label_edit_requested = pyqtSignal(object)  # the Mark whose label was double-clicked
    storage = pyqtSignal(str)  # "stored" once every action so far is on the disk, else "saving…"
    _durable = pyqtSignal()  # from the store's syncing thread

    def __init__(self, session: Any, view: Any, panel: Any, *, cache_mb: int | None = None):
        super().__init__()
        self.session = session
        session.seen_later = True  # see refresh_state
        self.view = view
        self.panel = panel
        self.experiment = session.experiment
        self.registry = session.registry
        cache_mb = int(cache_mb or session.get_setting("cache_mb", DEFAULT_CACHE_MB))
        self.budget = FrameCache(0)  # one bound: pictures, raw pixels, levels, renders in progress
        self.renderer = Renderer(self.registry, cache=self.budget)
        self.frames = FrameStore(self.budget)  # raw pixels for the cursor readout
        self.bridge = PrefetchBridge(self.budget)  # rendered pictures
        self.set_cache_mb(cache_mb)
        self.bridge.finished.connect(self._rendered)
        self.detail = DetailLoader(view, self)
        self.followups = FollowUps(self)
        self.followups.warmed = all(name in sys.modules for name in WARM_MODULES)
        self.pace = Pace()  # held keys: render where the user will be
        self._sky_learned: OrderedDict[str, bool] = OrderedDict()  # see PictureSteps.sky_learned
        self.display = self._initial_display()
        self.frame = self.experiment.display.frame
        self.selected: set[int] = set()
        self.cursor: tuple[float, float] | None = None
        saved = session.get_setting("visible", {}) or {}
        self.visible: dict[str, bool] = {"marks": True, "labels": True}
        self.catalogs = self._load_catalogs()
        for catalog in self.experiment.catalogs:
            self.visible[f"catalog:{catalog.name}"] = catalog.visible
        for spec in self.registry.overlays:
            if spec.name not in ("marks", "catalogs"):
                self.visible[spec.name] = spec.default_visible
        self.visible.update({k: bool(v) for k, v in saved.items() if k in self.visible})
        self._shape_layers: set[str] = set()
        self._neighbour_timer = QTimer(self)
        self._neighbour_timer.setSingleShot(True)
        self._neighbour_timer.setInterval(NEIGHBOUR_DELAY_MS)
        self._neighbour_timer.timeout.connect(self._prefetch_neighbours)
        self._placeholder_timer = QTimer(self, singleShot=True, interval=PLACEHOLDER_DELAY_MS)
        self._placeholder_timer.timeout.connect(self.view.update)
        self.left_group = str(session.get_setting("left_click_group", self.experiment.controls.left_click_group))
        if self.left_group not in self.experiment.group_names:
            self.left_group = self.experiment.left_click_group.name
        self.sexagesimal = bool(session.get_setting("sexagesimal", True))
        self.show_galactic = bool(session.get_setting("show_galactic", False))
        self._wcs_notes: set[str] = set()
        self._shown_key: tuple | None = None
        self._shown_sampled = False  # the picture on the screen is a quick overview (see refine_shown)
        self._state_pending = False  # the panel waits for the picture being rendered
        self._closed = False
        self._storage_text = ""
        if hasattr(session.store, "on_durable"):
            session.store.on_durable = lambda _number: self._durable.emit()
        self._durable.connect(self.note_storage)

        view.clicked.connect(self._clicked)
        view.double_clicked.connect(self._double_clicked)
        view.cursor_moved.connect(self._cursor_moved)
        view.item_drag_finished.connect(self._drag_finished)
        view.view_changed.connect(self._preview_if_needed)
        view.set_labels_visible(self.visible["labels"])
        middle = self.experiment.controls.middle_click
        view.move_cursor_on_centre = middle == "center-and-move-cursor"
        view.middle_click_centres = middle != "none"
        panel.category_toggled.connect(self.toggle_category)
        panel.comment_changed.connect(self.set_comment)
        panel.favorite_toggled.connect(self.toggle_favorite)
        panel.navigate.connect(self.navigate)
        panel.group_chosen.connect(self.set_left_group)
        panel.frame_chosen.connect(self.set_frame)
        panel.show_group(self.left_group)
        if len(session):  # start reading the first image while the rest of the window is built
            entry = session.current
            self.bridge.prefetcher.request(self._key(entry, self.frame), self._job(entry, self.frame, previews=()))

    # -- set-up ---------------------------------------------------------------------

    @property
    def cache_bytes(self) -> int:
        """The memory bound for everything held per image (pictures, raw pixels, levels)."""
        return self.budget.max_bytes

    def set_cache_mb(self, cache_mb: int) -> None:
        self.budget.max_bytes = int(cache_mb) * 1024 * 1024

    def _initial_display(self) -> DisplaySettings:
        base = DisplaySettings.from_display(self.experiment.display)
        saved = self.session.get_setting("display")
        if isinstance(saved, dict):
            try:
                candidate = base.replace(**{k: v for k, v in saved.items() if k in base.as_dict()})
                self.renderer.check(candidate)
                return candidate
            except Exception as exc:  # an uninstalled filter since last time: fall back, say so
                log.warning("saved display settings ignored: %s", exc)
        return base

    def _load_catalogs(self) -> CatalogSet:
        catalogs = CatalogSet.for_experiment(self.experiment, self.registry)
        for problem in [*catalogs.errors, *catalogs.problems[:20]]:
            log.warning("%s", problem)
        return catalogs

    def detach(self) -> None:
        """Let go of the view and stop background work, so a workspace built on changed
        settings can take over the same view (zoom and pan stay)."""
        view = self.view
        for signal, slot in ((view.clicked, self._clicked), (view.double_clicked, self._double_clicked),
                             (view.cursor_moved, self._cursor_moved), (view.view_changed, self._preview_if_needed),
                             (view.item_drag_finished, self._drag_finished)):
            try:
                signal.disconnect(slot)
            except TypeError:
                pass
        self.close()

    def retry(self, keys: list) -> None:
        """Forget the read errors of ``keys`` (render keys) and show the current image again."""
        for key in keys:
            self.bridge.prefetcher.forget_error(key)
        self.show_current()

    def close(self) -> None:
        self._closed = True
        if getattr(self.session.store, "on_durable", None) is not None:
            self.session.store.on_durable = None
        self._neighbour_timer.stop()
        self.panel.flush_comment()
        self.detail.close()
        self.followups.close()
        self.bridge.close()
        self.renderer.close()

    # -- showing the current image ------------------------------------------------------

    def _key(self, entry: Any, frame: int) -> tuple:
        return (entry.name, frame, self.display)

    def _job(self, entry: Any, frame: int, previews: Any = None, keep_levels: bool = True, quick: bool = False):
        """A render job; ``previews=()`` marks one the user waits for: only the picture;
        ``quick``: first a picture at the view's reduction, of the block centres (a held
        key's picture, seen for a moment, or the first picture of a step to an image not
        rendered yet: the whole frame follows, see :meth:`PictureSteps.refine_shown`)."""
        urgent = previews == ()
        job = render_job(entry, frame, self.display, registry=self.registry, renderer=self.renderer,
                         store=self.frames, max_pixels=self.experiment.images.max_pixels,
                         previews=view_levels(self.view) if previews is None else previews,
                         lazy_wcs=not self.followups.warmed,
                         # through the session it learns the frames' WCS for marks, off the GUI thread
                         # (for a picture the user waits for, that is a follow-up: see PictureSteps)
                         opener=self.session.open_image if self.followups.warmed and not urgent else None,
                         keep_levels=keep_levels, overview=view_levels(self.view) if quick else None)
        if self.followups.warmed and not urgent:
            self.sky_learned(entry.name)
        return self.pace.timed(job)

    @guarded
    def show_current(self, *, keep_picture: bool = False) -> None:
        entry = self.session.current
        key = self._key(entry, self.frame)
        cache, prefetcher = self.bridge.cache, self.bridge.prefetcher
        flipping = self.pace.flipping()
        ahead = self.session.index + (flipping or 1)
        if 0 <= ahead < len(self.session):  # the one shown and the one Next shows stay in the budget
            self.budget.protect({key, self._key(self.session.entries[ahead], self.experiment.display.frame)})
        rendered = cache.get(key)
        if rendered is not None:
            self._display(entry, rendered)
            self.view.repaint()  # the picture first; then the title, the panel and the seen mark written
            # Let the new picture reach the screen before the worker competes for the CPU.
            self._neighbour_timer.setInterval(NEIGHBOUR_DELAY_MS)
            if flipping:
                self._look_ahead(flipping)
            self._neighbour_timer.start()
        else:
            error = prefetcher.error(key)
            if error is not None:
                self._show_error(entry, error)
                if not flipping:
                    self._neighbour_timer.stop()
                    self._prefetch_neighbours()
            else:
                if not keep_picture:  # painted only if the picture is late: no grey flash, no paint in its way
                    self.view.show_placeholder(readable_name(entry.name), repaint=False)
                    self._placeholder_timer.start()
                    self._shown_key = None
                if flipping:  # by the time it is rendered the user is further on: render there
                    self._look_ahead(flipping)
                    self._neighbour_timer.start()  # this one, if the key is let go here
                else:  # this image alone: the neighbours wait until its picture is on the screen
                    self._neighbour_timer.stop()
                    # a step to another image keeps no levels: they are for the next stretch change
                    job = self._job(entry, self.frame, previews=(), keep_levels=keep_picture,
                                    quick=not keep_picture)
                    # asked for once this key press is handled: a worker started now would
                    # fight the rest of the handler for the interpreter
                    # (unless the user has moved on meanwhile: keys queued together, a held key)
                    QTimer.singleShot(0, lambda: None if self._closed or self._key(self.session.current, self.frame)
                                      != key else prefetcher.schedule([(key, job, Priority.CURRENT)]))
                    self._state_pending = True  # the panel follows the picture: the worker has the CPU
                    return
        self.refresh_state()

    def _render_first(self, position: int) -> None:
        """A picture not rendered yet is asked for before the rest of the key press is
        handled (the step stored, the panel): the worker reads it meanwhile."""
        session = self.session
        if self.pace.flipping() or not 0 <= position < len(session):
            return
        entry = session.entries[position]
        key = self._key(entry, self.experiment.display.frame)
        if key not in self.bridge.cache and self.bridge.prefetcher.error(key) is None:
            self.bridge.prefetcher.request(key, self._job(entry, key[1], previews=(), keep_levels=False, quick=True),
                                           Priority.CURRENT)

    def _look_ahead(self, direction: int) -> None:
        """While a navigation key is held, render the images the user will reach when the
        render is done (one render per image shown, instead of renders that arrive late)."""
        session, frame = self.session, self.experiment.display.frame
        position = min(max(session.index + direction * self.pace.steps(), 0), len(session) - 1)  # ends stop it
        jobs = []
        if 0 <= position < len(session):  # one at a time: the budget holds it, the one shown and one in the making
            entry = session.entries[position]
            key = self._key(entry, frame)
            if key not in self.bridge.cache:
                jobs.append((key, self._job(entry, frame, keep_levels=False, quick=True), Priority.CURRENT))
        self._neighbour_timer.setInterval(max(NEIGHBOUR_DELAY_MS, int(1500 * self.pace.interval)))
        self.bridge.prefetcher.schedule(jobs)

    def _prefetch_neighbours(self) -> None:
        if self._closed:
            return
        self.refine_shown()  # a quick picture from a held key, now that the key is let go
        session = self.session
        jobs = []
        current = session.current
        jobs.append((self._key(current, self.frame), self._job(current, self.frame), Priority.CURRENT))
        unseen = session.peek_next_unseen()
        wanted = [(session.index + 1, Priority.NEXT), (session.index - 1, Priority.PREVIOUS)]
        if unseen is not None and unseen.position not in (session.index + 1, session.index - 1):
            wanted.append((unseen.position, Priority.NEXT_UNSEEN))
        frame = self.experiment.display.frame
        for position, priority in wanted:
            if 0 <= position < len(session):
                entry = session.entries[position]
                jobs.append((self._key(entry, frame), self._job(entry, frame), priority))
        self.bridge.prefetcher.schedule([j for j in jobs if j[0] not in self.bridge.cache])

    def _rendered(self, outcome: Any) -> None:
        if self._closed:  # an answer that was on its way when the window closed
            return
        entry = self.session.current
        if outcome.key != self._key(entry, self.frame):
            return
        pending, self._state_pending = self._state_pending, False
        if outcome.ok:
            self._display(entry, outcome.array)
            if pending:  # the picture first; then the title, the panel and the seen mark written
                self.view.repaint()
                if self._shown_sampled and not self.pace.flipping():
                    self.refine_shown()  # the whole frame at once, not after the follow-ups' delay
            if not self.pace.flipping():  # then the neighbours, once the picture has been painted
                self._neighbour_timer.setInterval(NEIGHBOUR_DELAY_MS)
                self._neighbour_timer.start()
        else:
            self._show_error(entry, outcome.error)
        if pending:
            self.refresh_state()

    def _show_error(self, entry: Any, error: BaseException) -> None:
        reason = error.reason if isinstance(error, ImageReadError) else f"{type(error).__name__}: {error}"
        self.view.show_error(readable_name(entry.name), reason)
        self._shown_key = None
        self.panel.show_frames([], 0)
        self.message.emit(f"{readable_name(entry.name)}: {reason}")

    @guarded
    def _display(self, entry: Any, rendered: Any) -> None:
        """``rendered``: a :class:`~imgmarker.kernel.display.frame_jobs.RenderedFrame`."""
        key = self._key(entry, self.frame)
        if self._shown_key != key or (self._shown_sampled and not rendered.sampled):  # or the full picture
            self._shown_sampled = rendered.sampled
            self.view.set_image(rendered.rgba, entry.name, previews=rendered.previews,
                                factor=rendered.factor, size=rendered.full_size, opaque=rendered.opaque)
            self._shown_key = key
            if rendered.factor > 1:  # a large frame: full resolution for what is in view
                frame, display, limits = self.frame, self.display, rendered.limits
                self.detail.set_source(key, lambda region, factor: region_job(
                    entry, frame, display, region, factor, limits, registry=self.registry,
                    renderer=self.renderer, max_pixels=self.experiment.images.max_pixels))
            else:
                self.detail.clear()
        meta = self.frames.meta(entry.name, self.frame)
        if meta is not None:
            self.panel.show_frames(list(meta.names), min(self.frame, len(meta.names) - 1))
            self.note_wcs(meta)
        self.refresh_overlays()
        # after the picture is painted: the follow-ups would compete with the paint for the CPU
        QTimer.singleShot(FOLLOW_UP_DELAY_MS, lambda: self._after_display(entry, rendered, key, meta)
                          if key == self._shown_key and not self._closed else None)

    def note_wcs(self, meta: Any) -> None:
        """Say once per file and frame why its WCS gives no sky positions."""
        if meta.wcs_note and meta.wcs_note not in self._wcs_notes:
            self._wcs_notes.add(meta.wcs_note)
            log.warning("%s", meta.wcs_note)
            self.message.emit(meta.wcs_note)

    # -- state shown around the image -----------------------------------------------------

    def note_storage(self) -> None:
        """Say "stored" only when every committed action is durable (on the disk)."""
        store = self.session.store
        if hasattr(store, "durable"):
            text = "stored" if store.durable >= store.committed else "saving…"
            if text != self._storage_text:  # a label that does not change needs no repaint
                self._storage_text = text
                self.storage.emit(text)

    def refresh_state(self) -> None:
        self.session.store.settle()  # the seen mark of the step, written once its picture is up
        self.note_storage()
        self.panel.show_state(self.session.image_state())
        progress = self.session.progress
        self.panel.show_progress(f"{progress.seen} of {progress.total} seen, {progress.marked} marked, "
                                 f"{progress.remaining} to go")
        self.changed.emit()

    def title(self) -> str:
        session = self.session
        entry = session.current
        state = session.image_state()
        progress = session.progress
        seen = " ✓" if state.seen else ""
        pass_note = "" if entry.pass_index == 1 else " (again)"
        return (f"{readable_name(entry.name)}{pass_note}{seen} — {session.index + 1} / {len(session)} — "
                f"{progress.seen}/{progress.total} seen — {self.experiment.name} — imgmarker")

    # -- navigation -----------------------------------------------------------------------

    @guarded
    def navigate(self, where: str) -> None:
        self.panel.flush_comment()
        session = self.session
        before = session.index
        self.pace.note_navigation({"next": 1, "previous": -1}.get(where, 0))
        if where in ("next", "previous"):
            self._render_first(before + (1 if where == "next" else -1))
        if where == "next":
            session.next()
        elif where == "previous":
            session.previous()
        elif where == "next_unseen":
            if session.next_unseen() is None:
                self.message.emit("every image has been seen")
                return
        if session.index == before and where != "next_unseen":
            self.message.emit("this is the last image" if where == "next" else "this is the first image")
            return
        self.frame = self.experiment.display.frame
        self.selected.clear()
        self.show_current()

    @guarded
    def go_to(self, index: int) -> None:
        self.panel.flush_comment()
        self.pace.note_navigation(0)  # a jump, not a held key
        self.session.go_to(index)
        self.frame = self.experiment.display.frame
        self.selected.clear()
        self.show_current()

    @guarded
    def set_frame(self, frame: int) -> None:
        meta = self.current_meta()
        count = len(meta.names) if meta is not None else 1
        frame = frame % max(count, 1)
        if frame != self.frame:
            self.frame = frame
            self.selected.clear()
            self.show_current(keep_picture=True)

    def step_frame(self, step: int) -> None:
        self.set_frame(self.frame + step)

    # -- image-level state ----------------------------------------------------------------

    @guarded
    def toggle_category(self, name: str) -> None:
        categories = self.session.toggle_category(name)
        self.message.emit("categories: " + (", ".join(categories) if categories else "none"))
        self.refresh_state()

    @guarded
    def set_comment(self, text: str) -> None:
        self.session.set_comment(text)

    @guarded
    def toggle_favorite(self) -> None:
        favorite = self.session.toggle_favorite()
        self.message.emit("favourite" if favorite else "not a favourite")
        self.refresh_state()

    # -- display settings -----------------------------------------------------------------

    @guarded
    def set_display(self, **changes: Any) -> None:
        candidate = self.display.replace(**changes)
        self.renderer.check(candidate)
        self.display = candidate
        self.session.set_setting("display", candidate.as_dict())
        self.show_current(keep_picture=True)

    def set_sexagesimal(self, on: bool) -> None:
        self.sexagesimal = on
        self.session.set_setting("sexagesimal", on)

    def set_show_galactic(self, on: bool) -> None:
        self.show_galactic = bool(on)
        self.session.set_setting("show_galactic", self.show_galactic)

"""From frame data to pictures: the display pipeline, rendering off the GUI thread,
the byte-bounded cache and prefetcher, zoomed-out previews, huge-image overviews and the
overlay drawing primitives. Qt-free: the shell only turns the results into pixels.

May import: imaging.
"""

from imgmarker.lazy import exports

__all__, __getattr__, __dir__ = exports(__name__, {
    "pipeline": ["DisplaySettings", "PipelineError", "Renderer"],
    "filter_checks": ["FilterError"],
    "prefetch": ["FrameCache", "Prefetcher", "Priority"],
    "frame_jobs": ["FrameStore", "RenderedFrame", "region_job", "render_job"],
    "overlay": ["Line", "Marker", "OverlayContext", "Text", "draw_overlays"],
})

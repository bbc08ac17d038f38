"""Hook specifications: the one door through which built-in and third-party plugins
extend imgmarker.

Registry hooks take no arguments and return one record or a list of records
(:mod:`imgmarker.kernel.plugins.records`); the kernel checks them and rejects duplicate names.
Event hooks are called with keyword arguments after the event is stored; their return
value is ignored and an exception in one plugin is reported without stopping the others.
Hooks evolve only by gaining arguments, so existing plugins keep working.
"""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("imgmarker")


# -- registries ---------------------------------------------------------------


@hookspec
def imgmarker_readers() -> Any:
    """Image readers offered by the plugin: a ``ReaderSpec`` or a list of them."""


@hookspec
def imgmarker_filters() -> Any:
    """Display filters (intervals, stretches, spatial filters, colormaps): a ``FilterSpec``
    or a list of them."""


@hookspec
def imgmarker_catalog_readers() -> Any:
    """Catalog readers: a ``CatalogReaderSpec`` or a list of them."""


@hookspec
def imgmarker_overlays() -> Any:
    """Overlays drawn over the image: an ``OverlaySpec`` or a list of them."""


@hookspec
def imgmarker_writers() -> Any:
    """Output writers: a ``WriterSpec`` or a list of them."""


@hookspec
def imgmarker_config_schema() -> Any:
    """JSON Schema fragments for the plugin's configuration sections under ``plugins:``
    in the experiment: a ``ConfigSchema`` or a list of them."""


# -- session lifecycle events ---------------------------------------------------


@hookspec
def imgmarker_session_started(session: Any) -> None:
    """A session has opened its store and is ready; ``session`` is the public
    :class:`imgmarker.kernel.campaign.session.Session`."""


@hookspec
def imgmarker_image_shown(session: Any, image: Any) -> None:
    """The session moved to ``image`` (an image entry of the campaign)."""


@hookspec
def imgmarker_mark_added(session: Any, mark: Any) -> None:
    """``mark`` (a stored mark record) was added."""


@hookspec
def imgmarker_mark_removed(session: Any, mark: Any) -> None:
    """``mark`` (the record as it was) was removed."""


@hookspec
def imgmarker_session_closed(session: Any) -> None:
    """The session is closing; outputs have been written."""

"""Shared fixtures; test images come from :mod:`datamakers`."""

from __future__ import annotations

import pytest


@pytest.fixture
def registry():
    """Registry of the installed (built-in) plugins."""
    from imgmarker.kernel.plugins import create_plugin_host

    return create_plugin_host(autoload=False).registry

"""Shared test set-up: headless Qt, the sample data folder beside the checkout, and the
registry of built-in plugins. Test images come from :mod:`datamakers`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data``; required in CI, skipped elsewhere when absent."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{SHARED_DATA} is missing; CI runs with ../shared beside the checkout")
        pytest.skip(f"{SHARED_DATA} not present")
    return SHARED_DATA


@pytest.fixture
def registry():
    """Registry of the installed (built-in) plugins."""
    from imgmarker.kernel.plugins.host import create_plugin_host

    return create_plugin_host(autoload=False).registry


@pytest.fixture
def host():
    """A plugin host with a fake ``.npy`` reader (see :mod:`session_fakes`)."""
    from session_fakes import fake_host

    return fake_host()


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """What the program caches for the user (schema verdicts) goes to a temporary folder."""
    monkeypatch.setenv("IMGMARKER_CACHE_DIR", str(tmp_path / "cache"))

from __future__ import annotations

import pytest

from session_fakes import fake_host


@pytest.fixture
def host():
    return fake_host()

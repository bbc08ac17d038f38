from __future__ import annotations

import pytest

from fakes import fake_host


@pytest.fixture
def host():
    return fake_host()

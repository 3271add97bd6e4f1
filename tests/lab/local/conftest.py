"""Fixtures for the local-backend tests."""

import pytest

from npkit.lab.backends.local import LocalBackend
from npkit.lab.config import LocalConfig

from .support import lab_id


@pytest.fixture
def lab():
    """A running local lab, removed afterwards whatever happens."""
    backend = LocalBackend(LocalConfig(lab_id("f")))
    backend.up()
    try:
        yield backend
    finally:
        backend.down()

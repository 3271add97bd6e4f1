"""Shared fixtures for the lab tests."""

import pytest


@pytest.fixture
def dump():
    """`npkit.loading.dump`: the lab never writes YAML itself; it asks the loading layer."""
    from npkit.loading import dump

    return dump

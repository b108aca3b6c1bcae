"""Fixtures for bulletins: the shared demo data (tests/conftest.py), larger rounds."""

from __future__ import annotations

import pytest


@pytest.fixture
def demo_size() -> tuple[int, int]:
    """The shared ``demo`` (tests/conftest.py) with 150 responses a round."""
    return 150, 7

"""Fixtures of the provider registry's tests: registry files written on the fly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def registry_csv(tmp_path) -> Callable[..., Path]:
    """``registry_csv(text, encoding="utf-8", name="reg.csv")`` writes a registry file."""

    def _write(text: str, encoding: str = "utf-8", name: str = "reg.csv") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return _write

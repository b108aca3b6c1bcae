"""Tests that need a program or file from a Debian package: skipped on a developer's
machine without it, never skipped in CI (``CI`` set), where ``.ci/run`` installs it and
its absence must fail the run instead of hiding the test."""

from __future__ import annotations

import os

import pytest


def needs(missing: bool, what: str) -> pytest.MarkDecorator:
    """``@needs(shutil.which("nginx") is None, "nginx")``: skip when ``missing``, except in CI."""
    return pytest.mark.skipif(
        missing and not os.environ.get("CI"), reason=f"{what} is not installed"
    )

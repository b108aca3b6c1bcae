"""Fixtures of the plan indicators' tests: plan files written on the fly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.plans.plan_data import PLAN


@pytest.fixture
def write(tmp_path) -> Callable[..., Path]:
    """``write(text, name="plan.yaml")`` writes a file under a fresh folder."""
    folder = tmp_path / "plans"
    folder.mkdir()

    def _write(text: str, name: str = "plan.yaml", encoding: str = "utf-8") -> Path:
        path = folder / name
        path.write_bytes(text.encode(encoding))
        return path

    return _write


@pytest.fixture
def plan_path(write) -> Path:
    return write(PLAN, "test-plan.yaml")


@pytest.fixture
def values_csv(tmp_path) -> Callable[..., Path]:
    """``values_csv("test-plan,beds,2023H2,70,统计局", ...)`` writes a values file with
    the English header (or ``header=``) and returns its path."""

    def _write(*rows: str, header: str = "plan,indicator,period,value,note") -> Path:
        path = tmp_path / "values.csv"
        path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
        return path

    return _write

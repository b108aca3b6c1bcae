"""analysis/ stays pure: numpy and scipy only (architecture, "What we take" 5).

statsmodels is the tests' oracle for the drivers' regression, never a dependency of
the package (it is in the ``test`` extra only)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "analysis"
ALLOWED = {"numpy", "scipy", "__future__", "collections", "dataclasses", "math",
           "typing"}  # fmt: skip


def test_analysis_imports_nothing_else():
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in ALLOWED, f"{path.name} imports {name}"

"""analysis/ stays pure: numpy, scipy and statsmodels only (architecture, "What we take" 5)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "analysis"
ALLOWED = {"numpy", "scipy", "statsmodels", "__future__", "collections", "dataclasses", "math",
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

"""Every library the application imports is installed by ``pip install .`` (no test extra).

A module imported by surveyapp/, analysis/ or reports/ but declared only in the test
extra works in CI and breaks a new user's ``surveyapp demo`` (it happened with pypdf).
"""

from __future__ import annotations

import ast
import re
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("surveyapp", "analysis", "reports")


def _imported_top_levels() -> set[str]:
    names: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.Import):
                    names.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - set(PACKAGES) - {"__future__"}


def _runtime_closure() -> set[str]:
    """Distributions pulled in by surveyapp's own requirements, without extras."""
    seen: set[str] = set()
    todo = ["surveyapp"]
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        seen.add(key)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:  # e.g. tomli, only for older Pythons
            continue
        for req in requires:
            if "extra ==" in req:
                continue
            todo.append(re.split(r"[ ;<>=!~\[(]", req, maxsplit=1)[0])
    return seen


def test_application_imports_are_runtime_requirements():
    closure = _runtime_closure()
    providers = metadata.packages_distributions()
    missing = {
        module: providers.get(module, ["?"])
        for module in _imported_top_levels()
        if not any(re.sub(r"[-_.]+", "-", d).lower() in closure for d in providers.get(module, []))
    }
    assert missing == {}, f"imported but not in install_requires: {missing}"

"""``pip install .`` (not editable) must carry every data file the application reads.

An editable install reads the files from the checkout, so a file missing from the
package data goes unnoticed until someone deploys a wheel: the questionnaires once did.
The wheel is built here and its file list compared with the checkout's data files.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow

#: Data files the application or the bulletin reads at run time (globs from the root).
DATA = (
    "questionnaires/*.yaml",
    "questionnaires/ratings/*.yaml",
    "plans/*.yaml",
    "surveyapp/translations/*/LC_MESSAGES/*.mo",
    "reports/translations/*/LC_MESSAGES/*.mo",
    "surveyapp/workdays/data/*.csv",
    "surveyapp/credit/*.yaml",
    "surveyapp/migrations/versions/*.py",
    "surveyapp/templates/*.html",
    "surveyapp/*/templates/**/*.html",
    "surveyapp/static/**/*.*",
)


def test_the_wheel_carries_every_data_file(tmp_path):
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps",
         "-q", "-w", str(tmp_path)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = tmp_path.glob("surveyapp-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        path.relative_to(ROOT).as_posix()
        for pattern in DATA
        for path in ROOT.glob(pattern)
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert len(expected) > 50
    assert sorted(expected - names) == []

"""``surveyapp analyze`` computes what its output shows, on one BLAS thread."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

from surveyapp.analyze.files import analyze_files, load_questionnaire_file
from surveyapp.analyze.render import render
from surveyapp.analyze.threads import _SETTERS, _function, blas_threads, single_blas_thread

RESULTS = Path(__file__).resolve().parents[1] / "analysis" / "results"
QA = str(Path(__file__).resolve().parent / "data" / "ref_a.yaml")


def test_without_items_the_table_is_the_same():
    q = load_questionnaire_file(QA)
    kw = {"strata": "district", "by": [["district"]]}
    full, _ = analyze_files(
        q, str(RESULTS / "responses_A.csv"), str(RESULTS / "margins_A.csv"), **kw
    )
    lean, _ = analyze_files(
        q, str(RESULTS / "responses_A.csv"), str(RESULTS / "margins_A.csv"), items=False, **kw
    )
    assert full.items and lean.items == ()
    assert all(g.items == () for g in lean.groups) and all(g.items for g in full.groups)
    assert render(lean, "table", q) == render(full, "table", q)
    assert dataclasses.replace(full.index) == lean.index and full.drivers == lean.drivers


@pytest.fixture
def restore_threads():
    before = blas_threads()
    yield before
    if before is not None:
        _function(_SETTERS)(before)


def test_one_blas_thread(restore_threads, monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    if restore_threads is None:  # numpy without its bundled OpenBLAS: nothing is changed
        assert single_blas_thread() is False and blas_threads() is None
        return
    assert single_blas_thread()
    assert blas_threads() == 1


def test_the_users_blas_threads_are_left_alone(restore_threads, monkeypatch):
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    assert not single_blas_thread()
    assert blas_threads() == restore_threads


def test_analyze_imports_no_statsmodels():
    import subprocess

    code = (
        "import sys; from surveyapp.cli.analyze import analyze;"
        "from click.testing import CliRunner;"
        f"r = CliRunner().invoke(analyze, ['--questionnaire', {QA!r}, '--responses',"
        f" {str(RESULTS / 'responses_A.csv')!r}]); assert r.exit_code == 0, r.output;"
        "print('statsmodels' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

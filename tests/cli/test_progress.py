"""Progress bars of long commands: drawn on a terminal, nothing printed otherwise."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import click
from click.testing import CliRunner

import surveyapp.cli.analyze as analyze_cli
import surveyapp.cli.responses as responses_cli
from surveyapp.cli.progress import progress_bar, shows_progress

RESULTS = Path(__file__).resolve().parents[1] / "analysis" / "results"
QA = str(Path(__file__).resolve().parents[1] / "analyze" / "data" / "ref_a.yaml")


class FakeTty(io.StringIO):
    """A terminal as far as ``isatty`` tells (which, closed, raises as a real one does)."""

    def isatty(self) -> bool:
        super().isatty()  # ValueError once closed
        return True


def test_a_terminal_shows_counts_percent_and_time_left(monkeypatch):
    made = {}
    real = click.progressbar

    def spy(**kwargs):
        made.update(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(click, "progressbar", spy)
    tty = FakeTty()
    with progress_bar("importing", stream=tty) as report:
        report(0, 2000)
        report(1000, 2000)
        report(2000, 2000)
    text = tty.getvalue()
    assert shows_progress(tty)
    assert "importing" in text and "1000/2000" in text and "2000/2000" in text
    assert "50%" in text and "100%" in text
    assert made["show_eta"] and made["show_pos"] and made["file"] is tty


def test_reports_going_backwards_or_past_the_end_are_ignored():
    tty = FakeTty()
    with progress_bar("x", stream=tty) as report:
        report(5, 10)
        report(3, 10)
        report(50, 10)
    assert "10/10" in tty.getvalue() and "11/10" not in tty.getvalue()


def test_no_terminal_no_output():
    plain = io.StringIO()
    assert not shows_progress(plain)
    with progress_bar("importing", stream=plain) as report:
        report(0, 10)
        report(10, 10)
    assert plain.getvalue() == ""


def test_disabled_on_a_terminal_prints_nothing():
    tty = FakeTty()
    with progress_bar("analysing", stream=tty, enabled=False) as report:
        report(1, 2)
    assert tty.getvalue() == ""


def test_a_closed_stream_is_no_terminal():
    closed = FakeTty()
    closed.close()
    assert not shows_progress(closed)


class Recorder:
    """Stands for :func:`progress_bar` in a command: records every report."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int]] = []

    @contextlib.contextmanager
    def __call__(self, label: str, **kwargs):
        self.label = label
        yield lambda done, total: self.calls.append((label, done, total))

    def check_complete(self) -> None:
        assert self.calls, "no progress reported"
        done = [d for _, d, _ in self.calls]
        assert done == sorted(done)
        _, last, total = self.calls[-1]
        assert last == total > 0


def _import_file(tmp_path: Path, n: int) -> Path:
    header = ["respondent_id", "district", "age_group", "gender", "period"]
    from surveyapp.questionnaire import builtin_dir, load_questionnaire

    q = load_questionnaire(builtin_dir() / "logistics.yaml")
    lines = [",".join([*header, *q.answer_ids])]
    for i in range(n):
        lines.append(
            ",".join([f"P{i}", "思茅区", "60+", "男", "2026Q3"] + ["4"] * len(q.answer_ids))
        )
    path = tmp_path / "paper.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_and_export_report_their_rows(cli, tmp_path, monkeypatch):
    rec = Recorder()
    monkeypatch.setattr(responses_cli, "progress_bar", rec)
    cli("questionnaires", "load")
    made = cli("rounds", "create", "--questionnaire", "logistics", "--period", "2026Q3",
               "--code", "log-p", "--opens", "2026-07-01", "--closes", "2099-01-01")  # fmt: skip
    assert made.exit_code == 0, made.output
    result = cli("responses", "import", str(_import_file(tmp_path, 2500)), "--round", "log-p")
    assert result.exit_code == 0, result.output
    assert result.output == "2500 response(s) imported into log-p\n"  # no bar: not a terminal
    rec.check_complete()
    assert rec.calls[-1][1:] == (2500, 2500) and len(rec.calls) >= 3
    rec.calls.clear()
    exported = cli("responses", "export", "--round", "log-p")
    assert exported.exit_code == 0 and exported.output.startswith("\ufeffrespondent_id")
    rec.check_complete()
    assert (999, 2500) in [c[1:] for c in rec.calls] and rec.calls[-1][1:] == (2500, 2500)


def test_the_real_bar_prints_nothing_through_clirunner(cli, tmp_path):
    """CliRunner's streams are no terminal: the output is exactly the command's own."""
    cli("questionnaires", "load")
    cli("rounds", "create", "--questionnaire", "logistics", "--period", "2026Q3",
        "--code", "log-q", "--opens", "2026-07-01", "--closes", "2099-01-01")  # fmt: skip
    result = cli("responses", "import", str(_import_file(tmp_path, 3)), "--round", "log-q")
    assert result.output == "3 response(s) imported into log-q\n"


def test_analyze_of_a_large_file_reports_its_steps(monkeypatch):
    rec = Recorder()
    monkeypatch.setattr(analyze_cli, "progress_bar", rec)
    args = ["--questionnaire", QA, "--responses", str(RESULTS / "responses_A.csv"),
            "--format", "json"]  # fmt: skip
    plain = CliRunner().invoke(analyze_cli.analyze, args, catch_exceptions=False)
    assert plain.exit_code == 0
    rec.check_complete()
    assert [c[1:] for c in rec.calls] == [(0, 2), (1, 2), (2, 2)]
    json.loads(plain.output)  # nothing but the document on standard output


def test_analyze_bar_only_for_a_large_file(monkeypatch):
    seen = []

    @contextlib.contextmanager
    def spy(label, *, stream=None, enabled=True):
        seen.append(enabled)
        yield lambda done, total: None

    monkeypatch.setattr(analyze_cli, "progress_bar", spy)
    args = ["--questionnaire", QA, "--responses", str(RESULTS / "responses_A.csv")]
    CliRunner().invoke(analyze_cli.analyze, args, catch_exceptions=False)
    monkeypatch.setattr(analyze_cli, "LARGE_FILE", 1)
    CliRunner().invoke(analyze_cli.analyze, args, catch_exceptions=False)
    assert seen == [False, True]


def _round_of(cli, tmp_path: Path, code: str, n: int) -> None:
    cli("questionnaires", "load")
    made = cli("rounds", "create", "--questionnaire", "logistics", "--period", "2026Q3",
               "--code", code, "--opens", "2026-07-01", "--closes", "2099-01-01")  # fmt: skip
    assert made.exit_code == 0, made.output
    result = cli("responses", "import", str(_import_file(tmp_path, n)), "--round", code)
    assert result.exit_code == 0, result.output


def test_xlsx_and_sav_exports_report_their_rows(cli, tmp_path, monkeypatch):
    _round_of(cli, tmp_path, "log-x", 6200)
    rec = Recorder()
    monkeypatch.setattr(responses_cli, "progress_bar", rec)
    out = tmp_path / "r.xlsx"
    result = cli("responses", "export", "--round", "log-x", "--format", "xlsx", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.output == f"6200 response(s) written to {out}\n"  # no bar: not a terminal
    rec.check_complete()
    steps = [c[1:] for c in rec.calls]
    assert steps[:2] == [(1000, 6200), (2000, 6200)] and steps[-1] == (6200, 6200)
    rec.calls.clear()
    out = tmp_path / "r.sav"
    result = cli("responses", "export", "--round", "log-x", "--format", "sav", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.output == f"6200 response(s) written to {out}\n"
    rec.check_complete()
    # the bar is drawn before the string widths' pass, then a block of 5,000 at a time
    assert [c[1:] for c in rec.calls][:3] == [(0, 6200), (5000, 6200), (6200, 6200)]


def test_xlsx_and_sav_bars_on_a_terminal_and_not_elsewhere(cli, tmp_path, monkeypatch):
    _round_of(cli, tmp_path, "log-t", 2100)
    tty: list[FakeTty] = []  # empty: the real helper on CliRunner's streams (no terminal)

    def bar(label, **kwargs):
        return progress_bar(label, stream=tty[-1]) if tty else progress_bar(label, **kwargs)

    monkeypatch.setattr(responses_cli, "progress_bar", bar)
    for fmt in ("xlsx", "sav"):
        tty.clear()
        out = tmp_path / f"plain.{fmt}"
        plain = cli("responses", "export", "--round", "log-t", "--format", fmt, "--out", str(out))
        assert plain.output == f"2100 response(s) written to {out}\n"  # CliRunner: no tty
        tty.append(FakeTty())
        out = tmp_path / f"tty.{fmt}"
        shown = cli("responses", "export", "--round", "log-t", "--format", fmt, "--out", str(out))
        assert shown.exit_code == 0, shown.output
        assert shown.output == f"2100 response(s) written to {out}\n"  # the bar is elsewhere
        text = tty[-1].getvalue()
        assert "exporting" in text and "2100/2100" in text and "100%" in text, text
        assert out.stat().st_size > 0

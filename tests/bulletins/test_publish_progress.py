"""``bulletin publish --due`` reports its periods to the progress bar."""

from __future__ import annotations

import contextlib

import surveyapp.cli.bulletin as bulletin_cli


def test_publish_due_reports_its_periods(cli, demo, monkeypatch):
    calls: list[tuple[int, int]] = []

    @contextlib.contextmanager
    def recorder(label, **kwargs):
        yield lambda done, total: calls.append((done, total))

    monkeypatch.setattr(bulletin_cli, "progress_bar", recorder)
    result = cli("bulletin", "publish", "--due")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{demo['previous']}: published edition 1")
    assert calls[0] == (0, 1) and calls[-1] == (1, 1)
    calls.clear()
    assert cli("bulletin", "publish", "--due").output.strip() == "no period is due"
    assert calls == []  # nothing due: no bar

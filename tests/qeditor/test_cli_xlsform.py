"""``surveyapp questionnaires import-xlsform``: YAML out, notes on stderr, exit 2 on bad input."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from surveyapp.cli import main
from surveyapp.questionnaire import load_questionnaire
from tests.qeditor.xlsforms import SETTINGS, SURVEY, xlsform_bytes


@pytest.fixture
def run():
    runner = CliRunner()

    def _run(*args: str):
        return runner.invoke(
            main, ["questionnaires", "import-xlsform", *args], catch_exceptions=False
        )

    return _run


def test_writes_a_valid_questionnaire_and_lists_notes(run, tmp_path):
    source = tmp_path / "kobo.xlsx"
    source.write_bytes(xlsform_bytes())
    out = tmp_path / "kobo.yaml"
    result = run(str(source), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"已写入 {out}（kobo_catering；3 条说明） / wrote {out} (kobo_catering; 3 note(s))" in (
        result.stdout
    )
    assert (
        "说明 / note: 第 12 行：不支持类型 'calculate' / row 12: type 'calculate' is not supported"
        in result.stderr
    )
    q = load_questionnaire(out)
    assert [i.id for i in q.items] == ["hyg_clean", "hyg_safe", "svc_attitude"]


def test_yaml_to_stdout(run, tmp_path):
    source = tmp_path / "kobo.xlsx"
    source.write_bytes(xlsform_bytes())
    result = run(str(source))
    assert result.exit_code == 0
    assert "id: kobo_catering" in result.stdout and "note:" not in result.stdout


def test_sector_option(run, tmp_path):
    source = tmp_path / "kobo.xlsx"
    source.write_bytes(xlsform_bytes(settings={k: v for k, v in SETTINGS.items() if k != "sector"}))
    refused = run(str(source))
    assert refused.exit_code == 2
    assert refused.stderr.count("\n") == 1 and "no sector" in refused.stderr
    assert refused.stderr.index("没有行业") < refused.stderr.index("no sector")  # Chinese first
    result = run(str(source), "--sector", "lodging")
    assert result.exit_code == 0 and "sector: lodging" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"type,name\n", "not an .xlsx workbook"),
        (xlsform_bytes(survey=[("text", "x", "X", "X", "")]), "no rating questions"),
        (
            xlsform_bytes(
                survey=[*SURVEY, ("select_one sat5", "hyg_clean", "又一个", "Again", "")]
            ),
            # the sheet row, not the YAML path of the converted text (issue 14)
            "duplicate question names: survey row 15: name 'hyg_clean' (id 'hyg_clean') is "
            "used already on row 4",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(run, tmp_path, content, message):
    source = tmp_path / "form.xlsx"
    source.write_bytes(content)
    out = tmp_path / "out.yaml"
    result = run(str(source), "--out", str(out))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {source}: ") and message in result.stderr
    assert result.stderr.count("\n") == 1
    assert not out.exists()


def test_missing_file(run, tmp_path):
    result = run(str(tmp_path / "nosuch.xlsx"))
    assert result.exit_code == 2 and "No such file or directory" in result.stderr

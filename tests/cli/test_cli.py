"""The ``surveyapp`` command: each subcommand on a real database, bad input exits 2."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from surveyapp.cli import main
from surveyapp.extensions import db
from surveyapp.models import AuditLog, QuestionnaireVersion, Response
from surveyapp.questionnaire import builtin_dir


@pytest.fixture
def cli(app, database_url):
    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(
            main, ["--database-url", database_url, *args], input=input, catch_exceptions=False
        )

    return run


def _responses(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response))


def test_validate_shipped_questionnaires(cli):
    result = cli("questionnaires", "validate")
    assert result.exit_code == 0, result.output
    assert "6 个文件中 6 个有效 / 6 of 6 file(s) valid" in result.output  # Chinese first


def test_validate_bad_file_exits_2_with_line(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    text = (
        (builtin_dir() / "catering.yaml").read_text("utf-8").replace("weight: 0.", "weight: -0.", 1)
    )
    bad.write_text(text, "utf-8")
    result = cli("questionnaires", "validate", str(bad))
    assert result.exit_code == 2
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "weight: -0." in ln)
    assert f"bad.yaml:{line}:" in result.output and "weight" in result.output


def test_load_is_idempotent_and_versions_changes(cli, app, tmp_path):
    first = cli("questionnaires", "load")
    assert first.exit_code == 0 and first.output.count("published") == 6
    again = cli("questionnaires", "load")
    assert again.output.count("unchanged") == 6
    edited = tmp_path / "catering.yaml"
    source = (builtin_dir() / "catering.yaml").read_text("utf-8")
    edited.write_text(source.replace("餐饮服务满意度", "餐饮服务质量满意度", 1), "utf-8")
    assert "餐饮服务质量满意度" in edited.read_text("utf-8")
    result = cli("questionnaires", "load", str(edited))
    assert result.exit_code == 0
    assert "catering v2: published (v1 is frozen" in result.output
    with app.app_context():
        rows = db.session.scalars(
            select(QuestionnaireVersion).where(QuestionnaireVersion.qid == "catering")
        ).all()
        assert sorted(r.version for r in rows) == [1, 2]
        assert len({r.content_hash for r in rows}) == 2


def test_rounds_create_list_close(cli):
    cli("questionnaires", "load")
    made = cli(
        "rounds",
        "create",
        "--questionnaire",
        "catering",
        "--period",
        "2026Q3",
        "--code",
        "cat-q3",
        "--target",
        "思茅区=400",
    )
    assert made.exit_code == 0, made.output
    # China days, the last one included (not "– 2026-10-01", the first instant after)
    assert (
        "round cat-q3 opened: catering v1, 2026Q3, 2026-07-01 – 2026-09-30 "
        "(China time, last day included)" in made.output
    )
    listed = cli("rounds", "list")
    assert (
        "cat-q3\tcatering v1\t2026Q3\t2026-07-01..2026-09-30\tclosed\t0 responses" in listed.output
    )
    dup = cli(
        "rounds", "create", "--questionnaire", "catering", "--period", "2026Q3", "--code", "cat-q3"
    )
    assert dup.exit_code == 2 and "exists already" in dup.output
    bad = cli("rounds", "create", "--questionnaire", "catering", "--period", "Q3-2026")
    assert bad.exit_code == 2 and "period 'Q3-2026'" in bad.output
    unknown = cli("rounds", "create", "--questionnaire", "nosuch", "--period", "2026Q3")
    assert unknown.exit_code == 2 and "not published" in unknown.output
    closed = cli("rounds", "close", "cat-q3")
    assert closed.exit_code == 0
    assert cli("rounds", "close", "cat-q3").exit_code == 2


def test_round_commands_are_audited_as_cli(cli, app, tmp_path):
    cli("questionnaires", "load")
    cli("rounds", "create", "--questionnaire", "catering", "--period", "2026Q4", "--code", "cat-a")
    assert (
        cli("rounds", "invite", "cat-a", "--count", "2", "--out", str(tmp_path / "t.csv")).exit_code
        == 0
    )
    cli("rounds", "close", "cat-a")
    with app.app_context():
        rows = db.session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
        seen = [(r.actor, r.action, r.target) for r in rows]
    assert seen == [
        ("cli", "round.create", "round:cat-a"),
        ("cli", "round.invitations", "round:cat-a"),
        ("cli", "round.close", "round:cat-a"),
    ]


def test_invite_writes_tokens(cli, tmp_path):
    cli("questionnaires", "load")
    cli(
        "rounds",
        "create",
        "--questionnaire",
        "domestic",
        "--period",
        "2026Q4",
        "--code",
        "dom",
        "--require-token",
    )
    out = tmp_path / "tokens.csv"
    result = cli("rounds", "invite", "dom", "--count", "5", "--out", str(out))
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
    assert len(rows) == 5 and all(r["url"].endswith(f"/s/dom?t={r['token']}") for r in rows)


def _export(cli, code) -> str:
    result = cli("responses", "export", "--round", code)
    assert result.exit_code == 0
    return result.output


def test_import_export_round_trip(cli, app, tmp_path):
    cli("questionnaires", "load")
    cli(
        "rounds",
        "create",
        "--questionnaire",
        "logistics",
        "--period",
        "2026Q3",
        "--code",
        "log-a",
        "--opens",
        "2026-07-01",
        "--closes",
        "2099-01-01",
    )
    api_client = app.test_client()
    detail = api_client.get("/api/v1/questionnaires/logistics").get_json()
    item_ids = [i["id"] for d in detail["dimensions"] for i in d["items"]] + ["overall"]
    header = [
        "respondent_id",
        "district",
        "age_group",
        "gender",
        "period",
        *item_ids,
        "suggestions",
    ]
    lines = [",".join(header)]
    for n in range(5):
        scores = [str((n + k) % 5 + 1) if k != 2 else "" for k in range(len(item_ids))]
        lines.append(",".join([f"P{n}", "思茅区", "60+", "男", "2026Q3", *scores, f"建议{n}"]))
    src = tmp_path / "paper.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("responses", "import", str(src), "--round", "log-a")
    assert result.exit_code == 0, result.output
    assert "5 response(s) imported" in result.output
    exported = _export(cli, "log-a")
    assert exported.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    assert [r["respondent_id"] for r in rows] == [f"P{n}" for n in range(5)]
    for n, row in enumerate(rows):
        for k, item in enumerate(item_ids):
            assert row[item] == ("" if k == 2 else str((n + k) % 5 + 1))
        assert (
            row["suggestions"] == f"建议{n}"
            and row["channel"] == "paper"
            and row["period"] == "2026Q3"
        )
    again = cli("responses", "import", str(src), "--round", "log-a")
    assert again.exit_code == 2 and "was imported into this round before" in again.output
    assert _responses(app) == 5


def test_import_reports_every_bad_row_and_imports_nothing(cli, app, tmp_path):
    cli("questionnaires", "load")
    cli("rounds", "create", "--questionnaire", "logistics", "--period", "2026Q3", "--code", "log-b")
    detail = app.test_client().get("/api/v1/questionnaires/logistics").get_json()
    item_ids = [i["id"] for d in detail["dimensions"] for i in d["items"]] + ["overall"]
    header = ["respondent_id", "district", "age_group", "gender", "period", *item_ids]
    good = ["A", "思茅区", "18-29", "女", "2026Q3", *["4"] * len(item_ids)]
    bad_score = ["B", "思茅区", "18-29", "女", "2026Q3", *["4"] * (len(item_ids) - 1), "7"]
    bad_district = ["C", "上海", "18-29", "女", "2026Q3", *["4"] * len(item_ids)]
    repeat = ["A", "思茅区", "18-29", "女", "2026Q3", *["4"] * len(item_ids)]
    src = tmp_path / "bad.csv"
    src.write_text(
        "\n".join(",".join(r) for r in [header, good, bad_score, bad_district, repeat]), "utf-8"
    )
    result = cli("responses", "import", str(src), "--round", "log-b")
    assert result.exit_code == 2
    assert f"{src}: row 3, column overall: must be an integer from 1 to 5" in result.output
    assert f"{src}: row 4, column district: unknown option" in result.output
    assert f"{src}: row 5, column respondent_id: 'A' repeats row 2" in result.output
    assert "nothing imported (3 problem(s))" in result.output
    assert _responses(app) == 0
    missing = tmp_path / "missing.csv"
    missing.write_text("respondent_id,district\nA,思茅区\n", "utf-8")
    result = cli("responses", "import", str(missing), "--round", "log-b")
    assert result.exit_code == 2 and "row 1, column age_group: column is missing" in result.output
    assert cli("responses", "import", str(tmp_path / "none.csv"), "--round", "log-b").exit_code == 2
    assert cli("responses", "import", str(src), "--round", "nope").exit_code == 2


def test_demo_seeds_every_sector(cli, app):
    result = cli("demo", "--no-serve", "--per-round", "40")
    assert result.exit_code == 0, result.output
    assert "seeded 480 responses in 12 rounds" in result.output
    assert _responses(app) == 480
    listed = cli("rounds", "list").output
    assert listed.count("\topen\t40 responses") == 6 and listed.count("\tclosed\t40 responses") == 6
    from surveyapp.demo import previous_quarter
    from surveyapp.rounds.service import current_quarter

    assert f"bulletin {previous_quarter(current_quarter())}: published edition 1" in result.output
    from surveyapp.models import Bulletin

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Bulletin)) >= 1
        first = db.session.scalars(select(Bulletin).order_by(Bulletin.edition)).first()
        review = first.inputs["suggestions_review"]
    # the demo evaluator approved the demo's own suggestions: the section is shown
    assert any(r["approved"] > 0 for r in review.values())
    second = cli("demo", "--no-serve", "--per-round", "40")
    assert "nothing added" in second.output and _responses(app) == 480


def test_demo_prints_accounts_that_sign_in_to_the_dashboard(cli, app):
    import re

    result = cli("demo", "--no-serve", "--per-round", "40")
    accounts = dict(re.findall(r"sign in as +\w+ +(\S+) / (\S+)", result.output))
    assert set(accounts) == {"demo-admin", "demo-evaluator", "demo-bureau", "demo-viewer"}
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    reply = client.post(
        "/login", data={"username": "demo-bureau", "password": accounts["demo-bureau"]}
    )
    assert reply.status_code == 302
    page = client.get("/dashboard").get_data(as_text=True)
    assert "餐饮" in page and "住宿" not in page  # the bureau sees its own sector only
    # a second start gives new passwords; the old one no longer works
    again = dict(re.findall(r"sign in as +\w+ +(\S+) / (\S+)", cli("demo", "--no-serve").output))
    assert again["demo-admin"] != accounts["demo-admin"]


def test_analyze_and_import_name_the_same_row_for_the_same_cell(cli, app, tmp_path):
    """Issue 14: one bad cell, one row number, whichever command reads the file (rows as
    a spreadsheet shows them: the header is row 1)."""
    cli("questionnaires", "load")
    cli("rounds", "create", "--questionnaire", "logistics", "--period", "2026Q3", "--code", "log-c")
    detail = app.test_client().get("/api/v1/questionnaires/logistics").get_json()
    item_ids = [i["id"] for d in detail["dimensions"] for i in d["items"]] + ["overall"]
    header = ["respondent_id", "district", "age_group", "gender", "period", *item_ids]
    rows = [[f"R{n}", "思茅区", "18-29", "女", "2026Q3", *["4"] * len(item_ids)] for n in range(4)]
    rows[2][-1] = "7"  # spreadsheet row 4: outside the 1-5 scale
    src = tmp_path / "one-bad-cell.csv"
    src.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", "utf-8")
    imported = cli("responses", "import", str(src), "--round", "log-c")
    assert imported.exit_code == 2 and f"{src}: row 4, column overall" in imported.output
    questionnaire = Path(__file__).resolve().parents[2] / "questionnaires" / "logistics.yaml"
    analysed = cli("analyze", "--questionnaire", str(questionnaire), "--responses", str(src))
    assert analysed.exit_code == 2 and f"{src}, row 4, column overall" in analysed.output

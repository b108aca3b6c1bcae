"""``surveyapp bulletin``: drafts to a file; empty periods refused in one line, exit 2."""

from __future__ import annotations

from surveyapp.extensions import db
from surveyapp.models import Round


def test_draft_to_file(cli, demo, tmp_path, pdf_text):
    out = tmp_path / "draft.pdf"
    result = cli("bulletin", "--period", demo["current"], "--sector", "catering", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"written to {out}" in result.output
    pages = pdf_text(out.read_bytes())
    assert "草稿（未发布）" in pages[0] and "餐饮服务" in pages[1]


def test_period_without_rounds_is_refused(cli, tmp_path):
    out = tmp_path / "none.pdf"
    result = cli("bulletin", "--period", "2020Q1", "--out", str(out))
    assert result.exit_code == 2
    assert result.stderr == "error: period 2020Q1 has no survey round: nothing to report\n"
    assert not out.exists()


def test_period_with_rounds_but_no_response_is_refused(cli, make_round, tmp_path):
    make_round("catering", code="cat-empty", period="2019Q2")
    result = cli("bulletin", "--period", "2019Q2", "--out", str(tmp_path / "x.pdf"))
    assert result.exit_code == 2
    assert result.stderr == "error: period 2019Q2 has no response yet: nothing to report\n"
    published = cli("bulletin", "publish", "--period", "2019Q2")
    assert published.exit_code == 2 and published.stderr.count("\n") == 1


def test_bad_arguments_exit_2_with_one_line(cli, tmp_path):
    for args in (
        ["bulletin", "--period", "2026-3", "--out", str(tmp_path / "x.pdf")],
        ["bulletin", "--period", "2026Q3"],
        ["bulletin", "publish"],
        [
            "bulletin",
            "--period",
            "2026Q3",
            "--out",
            str(tmp_path / "x.pdf"),
            "--font",
            str(tmp_path / "no.ttc"),
        ],
    ):
        result = cli(*args)
        assert result.exit_code == 2, args
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr


def test_unknown_sector_is_named(cli, demo, tmp_path, app):
    result = cli(
        "bulletin",
        "--period",
        demo["current"],
        "--sector",
        "laundry",
        "--out",
        str(tmp_path / "x.pdf"),
    )
    assert result.exit_code == 2
    assert "no round for sector 'laundry'" in result.stderr
    with app.app_context():
        assert db.session.query(Round).count() == 12


def test_margins_file(cli, demo, tmp_path):
    from surveyapp.demo import margins_csv, population_margins

    good = tmp_path / "margins.csv"
    good.write_text(margins_csv(population_margins()), encoding="utf-8")
    out = tmp_path / "m.pdf"
    args = ["bulletin", "--period", demo["current"], "--sector", "lodging", "--out", str(out)]
    assert cli(*args, "--margins", str(good)).exit_code == 0 and out.exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("variable,category,population\ndistrict,思茅区,-5\n", encoding="utf-8")
    result = cli(*args, "--margins", str(bad))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "bad.csv" in result.stderr and "population" in result.stderr

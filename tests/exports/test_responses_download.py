"""``/dashboard/rounds/<code>/responses.<fmt>``: who may download, what comes out (the
same file as the command line's export, open answers masked), the audit row, and no
temporary file left behind."""

from __future__ import annotations

import csv
import io
import tempfile

import pandas as pd
import pyreadstat
import pytest
from sqlalchemy import select

from surveyapp.catalog import questionnaire_of
from surveyapp.extensions import db
from surveyapp.models import AuditLog
from surveyapp.responses.exporter import export_csv
from surveyapp.responses.formats import export_xlsx
from surveyapp.rounds.service import get_round

FORMATS = ("csv", "xlsx", "sav")


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """Temporary files of the views go to a folder of this test, to check it stays empty."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _audit_rows(app) -> list[AuditLog]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditLog).where(AuditLog.action == "responses.export").order_by(AuditLog.id)
            )
        )


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("evaluator", 200), ("bureau", 200), ("other_bureau", 403), ("viewer", 403)],
)
def test_who_may_download(app, as_role, round_code, fmt, role, status):
    response = as_role(role).get(f"/dashboard/rounds/{round_code}/responses.{fmt}")
    response.close()  # the binary formats are sent from an open (already unlinked) file
    assert response.status_code == status
    rows = _audit_rows(app)
    if status == 200:
        assert [(r.actor, r.target, r.details) for r in rows] == [
            (
                {"bureau": "shangwu", "admin": "root", "evaluator": "eva"}[role],
                f"round:{round_code}",
                {"format": fmt},
            )
        ]
    else:
        assert rows == [], "a refused download is not recorded as one"


def test_anonymous_is_sent_to_the_login_page(app, round_code):
    response = app.test_client().get(f"/dashboard/rounds/{round_code}/responses.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _audit_rows(app) == []


def test_unknown_round_is_404(app, as_role):
    assert as_role("admin").get("/dashboard/rounds/no-such-round/responses.csv").status_code == 404
    assert _audit_rows(app) == []


def test_xlsx_is_streamed_and_equals_the_command_line_export(app, as_role, round_code, tmp_path):
    response = as_role("admin").get(f"/dashboard/rounds/{round_code}/responses.xlsx")
    assert response.is_streamed
    with app.app_context():
        export_xlsx(db.session, get_round(db.session, round_code), tmp_path / "cli.xlsx")
    assert response.get_data() == (tmp_path / "cli.xlsx").read_bytes()


def test_csv_is_streamed_and_equals_the_command_line_export(app, as_role, round_code):
    response = as_role("bureau").get(f"/dashboard/rounds/{round_code}/responses.csv")
    assert response.is_streamed
    body = response.get_data()
    with app.app_context():
        expected = "".join(export_csv(db.session, get_round(db.session, round_code))).encode(
            "utf-8"
        )
    assert body == expected and body.startswith("\ufeff".encode())
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith(
        f'attachment; filename="responses-{round_code}.csv"'
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [r["suggestions"] for r in rows] == [
        "请联系我 138****5678",
        "希望增加无障碍通道",
        "服务很好",
    ]


@pytest.mark.parametrize("fmt", ("xlsx", "sav"))
def test_binary_downloads_read_back_masked_and_leave_no_file(
    app, as_role, round_code, private_tmp, tmp_path, fmt
):
    response = as_role("evaluator").get(f"/dashboard/rounds/{round_code}/responses.{fmt}?lang=en")
    assert response.status_code == 200 and response.is_streamed
    with app.app_context():
        overall = questionnaire_of(get_round(db.session, round_code).questionnaire_version).overall
    saved = tmp_path / f"download.{fmt}"
    saved.write_bytes(response.get_data())
    response.close()
    assert list(private_tmp.iterdir()) == [], "the temporary export must not stay on disk"
    if fmt == "xlsx":
        frame = pd.read_excel(saved, sheet_name="responses")
        codebook = pd.read_excel(saved, sheet_name="codebook")
        label = codebook.loc[codebook["column"] == "overall", "label"].item()
    else:
        frame, meta = pyreadstat.read_sav(str(saved))
        label = meta.column_names_to_labels["overall"]
        assert meta.original_variable_types["submitted_at"] == "DATETIME27.6"
    assert label == overall.text.en, "labels in the page's language (?lang=en)"
    assert frame["suggestions"].tolist() == [
        "请联系我 138****5678",
        "希望增加无障碍通道",
        "服务很好",
    ]
    assert len(frame) == 3


def test_a_round_too_big_for_excel_is_refused_before_streaming(
    app, as_role, round_code, monkeypatch
):
    from surveyapp.responses import formats

    monkeypatch.setattr(formats, "XLSX_MAX_ROWS", 2)  # the fixture's round has 3 responses
    response = as_role("admin").get(f"/dashboard/rounds/{round_code}/responses.xlsx")
    assert response.status_code == 409
    assert "1,048,575" in response.get_data(as_text=True) and "CSV" in response.get_data(
        as_text=True
    )
    assert as_role("admin").get(f"/dashboard/rounds/{round_code}/responses.csv").status_code == 200

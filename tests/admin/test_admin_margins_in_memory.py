"""The margins upload is parsed from its bytes: no temporary file is written."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from surveyapp.admin.margins import MarginsRejected, parse_margins
from surveyapp.demo import margins_csv, population_margins
from surveyapp.questionnaire import load_questionnaire
from tests.admin.conftest import csrf

CATERING = Path(__file__).resolve().parents[2] / "questionnaires" / "catering.yaml"


@pytest.fixture
def no_temp_files(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a temporary file was written")

    for name in ("mkstemp", "NamedTemporaryFile", "TemporaryFile", "mkdtemp"):
        monkeypatch.setattr(tempfile, name, refuse)


def test_parse_margins_reads_the_bytes(no_temp_files):
    q = load_questionnaire(str(CATERING))
    good = margins_csv(population_margins())
    assert parse_margins(good.encode("utf-8-sig"), q, []) == population_margins()
    with pytest.raises(MarginsRejected) as caught:
        parse_margins(good.replace("326040", "-1").encode(), q, [])
    assert caught.value.key == "margins_err_not_positive" and caught.value.column == "population"
    assert caught.value.row == 2  # the first data row; the header is row 1


def test_the_upload_page_stores_margins_without_a_temporary_file(
    no_temp_files, app, admin, make_round
):
    code = make_round("catering", code="cat-in-memory")
    token = csrf(admin, f"/admin/rounds/{code}")
    content = margins_csv(population_margins()).encode()
    fields = {"csrf_token": token, "file": FileStorage(io.BytesIO(content), "margins.csv")}
    boundary, body = encode_multipart(MultiDict(fields))
    reply = admin.post(
        f"/admin/rounds/{code}/margins",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert reply.status_code == 302, reply.get_data(as_text=True)[:500]

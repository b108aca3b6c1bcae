"""The plan values upload (/plans/values/upload) and ``surveyapp plans values import``
given bad files: each refused with its row and column named (a 400 page, an exit 2),
nothing stored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import PlanValue
from tests.bad_files import assert_cli_refuses, bad_files, post_file
from tests.plans_web.conftest import PUER, csrf_of

URL = "/plans/values/upload"
HEADER = "plan,indicator,period,value,note"
GOOD = f"{PUER},catering-revenue,2019,40,统计公报"


def _file(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


CASES = {
    **bad_files(HEADER, GOOD),
    "a word for a number": (_file(f"{PUER},catering-revenue,2019,many,x"), ("row 2", "value")),
    "NaN": (_file(f"{PUER},catering-revenue,2019,nan,x"), ("row 2", "value")),
    "infinity": (_file(f"{PUER},catering-revenue,2019,-inf,x"), ("row 2", "value")),
    "a number too large": (_file(f"{PUER},catering-revenue,2019,1e400,x"), ("row 2", "value", "1e400")),
    "an unknown plan": (_file("no-such-plan,catering-revenue,2019,4,x"), ("row 2", "plan")),
    "an unknown indicator": (_file(f"{PUER},no-such,2019,4,x"), ("row 2", "indicator")),
    "a period in the wrong format": (_file(f"{PUER},catering-revenue,2019-06-30,4,x"), ("row 2", "period")),
    "a key twice": (_file(GOOD, GOOD), ("row 3", "indicator")),
    "an unknown column": (
        f"{HEADER},extra\n{GOOD},1\n".encode(), ("row 1", "extra")
    ),
    "a NUL in the note": (_file(GOOD + "\x00"), ("row 2", "note")),
    "no note": (_file(f"{PUER},catering-revenue,2019,40,"), ("row 2", "note")),
}  # fmt: skip


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(PlanValue)) or 0


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_upload_is_a_400_naming_row_and_column(app, as_role, case):
    content, words = CASES[case]
    client = as_role("bureau")
    token = csrf_of(client.get(URL).get_data(as_text=True))
    response = post_file(client, URL, content, csrf_token=token)
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page
    for word in words:
        assert word in page, (case, word)
    assert _count(app) == 0


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_file_on_the_command_line_is_exit_2(app, cli, tmp_path, case):
    content, words = CASES[case]
    assert_cli_refuses(cli, tmp_path, content, words, "plans", "values", "import")
    assert _count(app) == 0


def test_an_upload_up_to_the_limit_is_read_and_over_it_refused(app, as_role):
    """The page says 2 MB: a file of 1 MB is read (its problems named), one over 2 MB is
    refused with the page's own notice, not the bare 413."""
    from surveyapp.plans_web.routes import MAX_UPLOAD

    client = as_role("bureau")
    token = csrf_of(client.get(URL).get_data(as_text=True))
    row = f"{PUER},catering-revenue,2019,40,{'x' * 600}\n"
    medium = (HEADER + "\n" + row * (1024 * 1024 // len(row))).encode()
    response = post_file(client, URL, medium, csrf_token=token)
    assert response.status_code == 400 and "row 2, column note" in response.get_data(as_text=True)
    big = (HEADER + "\n" + row * (MAX_UPLOAD // len(row) + 2)).encode()
    response = post_file(client, URL, big, csrf_token=token)
    page = response.get_data(as_text=True)
    assert response.status_code in (400, 413) and "2 MB" in page
    assert _count(app) == 0


def test_many_problems_are_listed_in_a_bounded_page(app, as_role):
    client = as_role("bureau")
    token = csrf_of(client.get(URL).get_data(as_text=True))
    rows = [f"{PUER},catering-revenue,{1000 + i},many,x" for i in range(5_000)]
    response = post_file(client, URL, _file(*rows), csrf_token=token)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "row 2," in page and "row 5001," not in page
    assert len(page) < 200_000
    assert _count(app) == 0


def test_a_good_file_with_a_bom_is_stored(app, as_role):
    client = as_role("bureau")
    token = csrf_of(client.get(URL).get_data(as_text=True))
    response = post_file(client, URL, b"\xef\xbb\xbf" + _file(GOOD), csrf_token=token)
    assert response.status_code == 302
    assert _count(app) == 1

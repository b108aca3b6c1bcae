"""The communities upload (/dashboard/circle/communities) and ``surveyapp circle
communities import`` given bad files: each refused with its row and column named (a 400
page, an exit 2), the stored communities left as they were."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveyapp.circle.communities import import_communities
from surveyapp.extensions import db
from surveyapp.models.circle import CircleCommunity
from tests.auth.helpers import csrf_of
from tests.bad_files import assert_cli_refuses, bad_files, post_file
from tests.circle.test_circle_stored import COMMUNITIES

HEADER = "community,district,population,lat,lon"
GOOD = "新社区,思茅区,800,22.78,100.97"
URL = "/dashboard/circle/communities"


CASES = {
    **bad_files(HEADER, GOOD),
    "a word for a number": (f"{HEADER}\n新社区,思茅区,many,22.78,100.97\n".encode(), ("row 2", "population")),
    "a negative population": (f"{HEADER}\n新社区,思茅区,-5,22.78,100.97\n".encode(), ("row 2", "population")),
    "NaN": (f"{HEADER}\n新社区,思茅区,800,nan,100.97\n".encode(), ("row 2", "lat")),
    "infinity": (f"{HEADER}\n新社区,思茅区,inf,22.78,100.97\n".encode(), ("row 2", "population")),
    "a latitude out of range": (f"{HEADER}\n新社区,思茅区,800,95,100.97\n".encode(), ("row 2", "lat")),
    "a longitude out of range": (f"{HEADER}\n新社区,思茅区,800,22.78,200\n".encode(), ("row 2", "lon")),
    "a community twice": (f"{HEADER}\n{GOOD}\n{GOOD}\n".encode(), ("row 3", "community")),
    "an unknown CRS": (f"{HEADER},crs\n{GOOD},BD09\n".encode(), ("row 2", "crs")),
}  # fmt: skip


@pytest.fixture
def stored(app, write_csv):
    with app.app_context():
        import_communities(db.session, write_csv(COMMUNITIES), name="c.csv")


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(CircleCommunity)) or 0


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_upload_is_a_400_naming_row_and_column(app, as_role, stored, case):
    content, words = CASES[case]
    client = as_role("bureau")
    token = csrf_of(client.get(URL).get_data(as_text=True))
    response = post_file(client, URL, content, "bad.csv", csrf_token=token)
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page
    assert "Traceback" not in page
    for word in words:
        assert word in page, (case, word)
    assert _count(app) == 3


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_file_on_the_command_line_is_exit_2(app, cli, stored, tmp_path, case):
    content, words = CASES[case]
    assert_cli_refuses(cli, tmp_path, content, words, "circle", "communities", "import")
    assert _count(app) == 3


def test_an_upload_over_the_limit_is_refused_before_reading(app, as_role, stored):
    from surveyapp.circle_web.routes import MAX_UPLOAD

    client = as_role("bureau")
    token = csrf_of(client.get(URL).get_data(as_text=True))
    big = (HEADER + "\n" + (GOOD + "\n") * (MAX_UPLOAD // len(GOOD) + 2)).encode()
    response = post_file(client, URL, big, "big.csv", csrf_token=token)
    assert response.status_code in (400, 413)
    assert "Traceback" not in response.get_data(as_text=True)
    assert _count(app) == 3


def test_many_problems_are_listed_in_a_bounded_page(app, as_role, stored):
    """A file of thousands of bad rows: the page names the first problems and how many
    more there are, not a page of every one."""
    client = as_role("bureau")
    token = csrf_of(client.get(URL).get_data(as_text=True))
    rows = "".join(f"社区{i},思茅区,many,22.78,100.97\n" for i in range(20_000))
    content = f"{HEADER}\n{rows}".encode()
    response = post_file(client, URL, content, "bad.csv", csrf_token=token)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "row 2," in page and "row 20001," not in page
    assert len(page) < 200_000
    assert _count(app) == 3


def test_a_good_file_with_a_bom_or_in_gbk_is_stored(app, as_role, stored):
    client = as_role("bureau")
    token = csrf_of(client.get(URL).get_data(as_text=True))
    for content in (f"\ufeff{HEADER}\n{GOOD}\n".encode(), f"{HEADER}\n{GOOD}\n".encode("gbk")):
        response = post_file(client, URL, content, "ok.csv", csrf_token=token)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert _count(app) == 1


def test_a_formula_cell_is_a_name_stored_as_given_and_exported_quoted(app, as_role, stored):
    """A spreadsheet formula is text to us: stored as typed, written with a quote in front
    in the export (no spreadsheet runs it), and the export imports as the same name."""
    client = as_role("bureau")
    token = csrf_of(client.get(URL).get_data(as_text=True))
    content = f"{HEADER}\n=cmd|' /C calc'!A0,思茅区,800,22.78,100.97\n".encode()
    response = post_file(client, URL, content, "f.csv", csrf_token=token)
    assert response.status_code == 200
    exported = client.get("/dashboard/circle/communities.csv").get_data(as_text=True)
    assert "\r\n'=cmd|' /C calc'!A0,思茅区,800," in exported
    again = post_file(client, URL, exported.encode(), "again.csv", csrf_token=token)
    assert again.status_code == 200
    with app.app_context():
        assert db.session.scalars(select(CircleCommunity.name)).all() == ["=cmd|' /C calc'!A0"]

"""Markup in an answer is stored as typed and shown as text wherever the survey renders it."""

from __future__ import annotations

from surveyapp.extensions import db
from surveyapp.models import Response
from tests.api.test_submit import _payload

SCRIPT = "<script>alert('x')</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'


def _last_textarea(page) -> str:
    [name] = page.textareas
    return name


def test_script_in_the_open_answer_is_escaped_when_the_page_comes_back(make_round, survey, stored):
    code = make_round("catering")
    s = survey(code)
    s.open()
    s.walk(submit=False)
    name = _last_textarea(s.page)
    overall = next(n for n in s.page.radios if n.startswith("a_"))
    # the required overall rating left out: the last page comes back with the text in it
    s.send("submit", {name: SCRIPT + ATTRIBUTE, overall: ""})
    assert s.response.status_code == 400
    html = s.response.get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(" in html
    assert s.page.textareas[name] == SCRIPT + ATTRIBUTE  # shown back exactly, as text

    # going back carries it in a hidden input: escaped inside the attribute too
    s.send("back", {overall: "5"})
    html = s.response.get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert s.page.hidden_value(name) == SCRIPT + ATTRIBUTE

    s.send("next")
    s.send("submit")
    assert s.response.status_code == 303
    [row] = stored(code)
    assert row.open_answers == {name.removeprefix("o_"): SCRIPT + ATTRIBUTE}  # stored as typed


def test_script_through_the_api_is_stored_as_text(app, client, make_round, keyed):
    code = make_round("catering")
    body = _payload(app, code, open={"suggestions": SCRIPT})
    reply = client.post(f"/api/v1/rounds/{code}/responses", json=body, headers=keyed)
    assert reply.status_code == 201
    assert reply.headers["Content-Type"].startswith("application/json")
    with app.app_context():
        row = db.session.scalars(db.select(Response)).one()
        assert row.open_answers == {"suggestions": SCRIPT}

"""The load benchmark's own logic: reading the survey pages, the mix, the reconciliation.

The harness decides what "nothing lost" means for the published figures, so its parts
are tested here against the real survey pages and the app's own hashing, and one tiny
run (10 clients, 3 s, SQLite) checks the whole path end to end so it cannot rot.
"""

from __future__ import annotations

import random
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from bench.load.__main__ import packed_sizes, parse_args, reconcile_mix, run_one
from bench.load.mix import EXPECTED, MixResult
from bench.load.resident import (
    DEVICE_COOKIE,
    FORM_TYPE,
    CookieJar,
    answer,
    device_hash,
    device_id,
    parse_page,
    resend,
)
from bench.submit.common import submission_bodies
from surveyapp.extensions import db
from surveyapp.models import Response
from surveyapp.questionnaire import builtin_dir, load_questionnaire
from surveyapp.responses.submit import client_hash


def _walk(client, code: str, rng: random.Random) -> list:
    """Answer every page of ``code`` the way a load client does; the replies."""
    replies = [client.get(f"/s/{code}")]
    page = parse_page(replies[-1].get_data(as_text=True))
    while page is not None:
        replies.append(
            client.post(f"/s/{code}", data=urlencode(answer(page, rng)), content_type=FORM_TYPE)
        )
        page = (
            parse_page(replies[-1].get_data(as_text=True))
            if replies[-1].status_code == 200
            else None
        )
    return replies


def test_a_load_client_walks_the_real_survey_to_the_end(app, make_round, client):
    code = make_round("catering")
    replies = _walk(client, code, random.Random(5))
    assert [r.status_code for r in replies] == [200] * 7 + [303]
    assert replies[-1].headers["Location"].split("?")[0].endswith(f"/s/{code}/thanks")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_page_reading_sees_progress_choices_and_kept_answers(make_round, client):
    code = make_round("catering")
    first = parse_page(client.get(f"/s/{code}").get_data(as_text=True))
    assert (first.page, first.pages, first.action) == (1, 7, "next")
    assert set(first.choices) == {"r_district", "r_age_group", "r_gender"}
    names = {name for name, _ in first.fields}
    assert {"csrf_token", "page", "started"} <= names
    sent = answer(first, random.Random(1))
    second = parse_page(
        client.post(f"/s/{code}", data=urlencode(sent), content_type=FORM_TYPE).get_data(
            as_text=True
        )
    )
    assert second.page == 2
    kept = dict(second.fields)
    for name in first.choices:  # earlier answers travel as hidden inputs
        assert kept[name] == dict(sent)[name]
    assert parse_page("<p>谢谢</p>") is None


def test_resend_repeats_the_answers_a_page_shows():
    html = (
        '<form id="survey"><button class="default-action" type="submit" name="go" '
        'value="submit"></button><input type="hidden" name="page" value="6">'
        '<input type="radio" name="a_overall" value="1"><input type="radio" name="a_overall" '
        'value="2" checked><textarea name="o_s">\n请保留&lt;我&gt;</textarea></form>'
    )
    page = parse_page(html)
    assert resend(page) == [
        ("page", "6"),
        ("a_overall", "2"),
        ("o_s", "请保留<我>"),
        ("go", "submit"),
    ]


def test_answers_stay_on_the_scale_and_skip_only_optional_items():
    page = SimpleNamespace(
        fields=[("page", "1")],
        texts=["o_x"],
        action="next",
        choices={
            "a_req": ["1", "2", "3", "4", "5"],
            "a_opt": ["1", "2", "3", "4", "5", "na"],
            "r_age": ["", "18-29", "60+"],
        },
    )
    seen = {"a_req": set(), "a_opt": set(), "r_age": set()}
    for seed in range(300):
        sent = dict(answer(page, random.Random(seed)))
        for name in seen:
            seen[name].add(sent[name])
        assert sent["go"] == "next" and sent["page"] == "1"
    assert seen["a_req"] <= {"1", "2", "3", "4", "5"} and len(seen["a_req"]) >= 3
    assert "na" in seen["a_opt"]
    assert seen["r_age"] == {"18-29", "60+"}


def test_cookie_jar_keeps_replaces_and_forgets():
    jar = CookieJar()
    jar.update(["session=abc; HttpOnly; Path=/", "sv_device=d1; Max-Age=100; Path=/s/"])
    assert jar.header() == (("Cookie", "session=abc; sv_device=d1"),)
    jar.update(["session=xyz; Path=/", "sv_device=; Max-Age=0; Path=/s/"])
    assert jar.values == {"session": "xyz"}


def test_device_hash_is_the_apps_own(app, client, make_round):
    code = make_round("catering")
    reply = client.get(f"/s/{code}")
    jar = CookieJar()
    jar.update(reply.headers.getlist("Set-Cookie"))
    device = device_id(jar.get(DEVICE_COOKIE))
    assert device and 16 <= len(device) <= 64
    round_ = SimpleNamespace(salt="a-round-salt")
    assert device_hash("a-round-salt", device) == client_hash(round_, "dev", device)
    assert device_id("garbage") is None and device_id(None) is None


@pytest.fixture
def loaded_round(make_round, client, database_url, keyed):
    """A round with one survey response and one API response, and what their replies said."""
    code = make_round("catering")
    replies = _walk(client, code, random.Random(2))
    assert replies[-1].status_code == 303
    cookie = client.get_cookie(DEVICE_COOKIE, path="/s/").value
    q = load_questionnaire(builtin_dir() / "catering.yaml")
    body = submission_bodies(q.definition, 1, seed=4)[0]
    api = client.post(
        f"/api/v1/rounds/{code}/responses",
        data=body,
        content_type="application/json",
        headers=keyed,
    )
    assert api.status_code == 201
    return database_url, code, cookie, api.get_json()["id"], packed_sizes(q.definition)


def test_reconciliation_passes_only_when_replies_and_rows_match(loaded_round):
    url, code, cookie, api_id, sizes = loaded_round

    def check(mix):
        return reconcile_mix([mix], url, sizes, code)

    recon, whole, unknown = check(MixResult(1, api_ids=[api_id], survey_devices=[cookie]))
    assert recon.ok and whole == (2, 2) and unknown == 0
    lost_reply = MixResult(1, api_ids=[], survey_devices=[cookie])  # a row without a 201
    assert check(lost_reply)[0].extra == 1
    no_row = MixResult(1, api_ids=[api_id, "f" * 32], survey_devices=[cookie])  # a 201 not stored
    assert check(no_row)[0].missing == 1
    twice = MixResult(1, api_ids=[api_id], survey_devices=[cookie, cookie])
    assert check(twice)[0].dup_replied == 1
    assert not any(check(m)[0].ok for m in (lost_reply, no_row, twice))


@pytest.mark.slow
def test_tiny_end_to_end_run_reconciles():
    """Fresh SQLite database, gunicorn with two gthread workers, 10 clients for 3 s."""
    args = parse_args(
        [
            "--db",
            "sqlite",
            "--clients",
            "10",
            "--seconds",
            "3",
            "--baseline-seconds",
            "1",
            "--warmup",
            "1",
            "--workers",
            "2",
            "--threads",
            "2",
            "--quiet-wait",
            "0",
            "--pool",
            "20",
            "--no-arrivals",
            "--out",
            "-",
        ]
    )
    result = run_one("sqlite", args, log=lambda _m: None)
    assert result.ok, (result.recon.line(), result.mix.unexpected(), result.log_problems)
    assert result.recon.replied > 0 and result.rows_whole[0] == result.rows_whole[1] > 0
    assert result.mix.kinds["survey_get"].requests > 0
    assert result.mix.kinds["api_submit"].statuses[201] > 0
    assert set(result.mix.kinds) <= set(EXPECTED)
    assert set(result.baseline.statuses) == {200}

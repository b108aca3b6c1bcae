"""Every route, as anonymous and as each role, against ONE table of expected statuses.

A route missing from :data:`EXPECTED` fails the suite, so a new route cannot ship
without someone deciding who may open it.  Entries that no longer match a route fail
too.  The walk runs with CSRF off: this test is about roles (CSRF has its own tests).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Round
from tests.auth import helpers

# the wired app (accounts and dashboard) and the account factory
app = helpers.app
make_user = helpers.make_user

WHO = ("anonymous", "admin", "evaluator", "bureau", "viewer")


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(WHO, status)


def signed_in(status: int, anonymous: int = 302, **per_role: int) -> dict[str, int]:
    """``status`` for every role unless given in ``per_role``; anonymous → login."""
    out = {"anonymous": anonymous} | dict.fromkeys(WHO[1:], status)
    out.update(per_role)
    return out


def only(roles: tuple[str, ...], status: int, other: int = 403) -> dict[str, int]:
    return {"anonymous": 302} | {r: status if r in roles else other for r in WHO[1:]}


#: (method, endpoint) → expected status per visitor.  Public routes are listed too.
EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "static"): everyone(200),
    ("GET", "public.index"): everyone(200),
    ("GET", "public.healthz"): everyone(200),
    ("GET", "public.readyz"): everyone(200),
    ("GET", "survey.survey"): everyone(200),
    ("POST", "survey.survey_post"): everyone(400),  # empty form: errors shown
    ("GET", "survey.thanks"): everyone(200),
    ("POST", "api.post_response"): everyone(401),  # a channel key only: no session counts
    ("GET", "api.show_round"): everyone(200),
    ("GET", "api.list_questionnaires"): everyone(200),
    ("GET", "api.show_questionnaire"): everyone(200),
    # rating a provider (issue 16): the walk's code names a round, not a provider
    ("GET", "rate.rate"): everyone(404),
    ("POST", "rate.rate_post"): everyone(404),
    ("GET", "rate.thanks"): everyone(404),
    ("POST", "api.post_rating"): everyone(401),  # a channel key only
    ("GET", "api.post_rating"): everyone(405),
    ("GET", "rate.qr"): only(("admin", "bureau"), 404),  # no such provider
    ("GET", "rate.poster"): only(("admin", "bureau"), 404),
    ("GET", "api.openapi_json"): everyone(200),
    # bearer token only: the walk's session cookies never authenticate the read API
    ("GET", "api.indices"): everyone(401),
    ("GET", "api.export_responses"): everyone(401),
    ("GET", "tokens.index"): signed_in(200),
    ("POST", "tokens.create"): signed_in(400),  # empty form
    ("GET", "tokens.revoke"): everyone(405),
    ("POST", "tokens.revoke"): signed_in(404),  # no such token
    ("GET", "bulletins.index"): everyone(200),
    ("GET", "bulletins.download"): everyone(404),  # no bulletin published in this test
    ("GET", "bulletins_manage.manage"): only(("admin", "evaluator"), 200),
    ("POST", "bulletins_manage.preview"): only(("admin", "evaluator"), 400),  # no period chosen
    ("GET", "bulletins_manage.preview"): everyone(405),
    ("POST", "bulletins_manage.publish"): only(("admin", "evaluator"), 400),
    ("GET", "bulletins_manage.publish"): everyone(405),
    ("GET", "bulletins_moderation.queue"): only(("admin", "evaluator"), 200),
    ("POST", "bulletins_moderation.decide_view"): only(("admin", "evaluator"), 400),  # no round
    ("GET", "auth.login"): {"anonymous": 200} | dict.fromkeys(WHO[1:], 302),
    ("POST", "auth.login"): {"anonymous": 400} | dict.fromkeys(WHO[1:], 302),
    ("GET", "auth.logout"): everyone(405),
    ("POST", "auth.logout"): everyone(302),
    ("GET", "auth.change_password"): signed_in(200),
    ("POST", "auth.change_password"): signed_in(400),
    ("GET", "auth.logout_everywhere_view"): everyone(405),
    ("POST", "auth.logout_everywhere_view"): signed_in(302),
    ("GET", "auth.users"): only(("admin",), 200),
    ("POST", "auth.create_user_view"): only(("admin",), 400),  # empty form
    ("GET", "auth.unlock"): everyone(405),
    ("POST", "auth.unlock"): only(("admin",), 302),
    ("GET", "qeditor.index"): only(("admin",), 200),
    ("GET", "qeditor.new"): only(("admin",), 200),
    ("GET", "qeditor.edit"): only(("admin",), 200),
    ("GET", "qeditor.show_version"): only(("admin",), 200),
    ("POST", "qeditor.validate"): only(("admin",), 400),  # nothing to check
    ("GET", "qeditor.validate"): everyone(405),
    ("POST", "qeditor.publish"): only(("admin",), 400),
    ("GET", "qeditor.publish"): everyone(405),
    ("POST", "qeditor.import_xlsform"): only(("admin",), 400),  # no workbook
    ("GET", "qeditor.import_xlsform"): everyone(405),
    ("GET", "admin.rounds"): only(("admin",), 200),
    ("GET", "admin.new_round"): only(("admin",), 200),
    ("POST", "admin.create"): only(("admin",), 400),  # no questionnaire version
    ("GET", "admin.round_detail"): only(("admin",), 200),
    ("POST", "admin.upload_margins"): only(("admin",), 400),  # no file
    ("GET", "admin.upload_margins"): everyone(405),
    ("POST", "admin.clear_margins"): only(("admin",), 302),
    ("GET", "admin.clear_margins"): everyone(405),
    ("POST", "admin.upload_auxiliaries"): only(("admin",), 400),  # no file
    ("GET", "admin.upload_auxiliaries"): everyone(405),
    ("POST", "admin.clear_auxiliaries"): only(("admin",), 302),
    ("GET", "admin.clear_auxiliaries"): everyone(405),
    ("GET", "admin.confirm_close"): only(("admin",), 200),
    ("POST", "admin.close"): only(("admin",), 400),  # not confirmed: the round stays open
    ("GET", "admin.confirm_remove"): only(("admin",), 200),
    ("POST", "admin.remove"): only(("admin",), 400),  # not confirmed: the round stays
    ("GET", "admin.qr"): only(("admin",), 200),
    ("GET", "admin.poster"): only(("admin",), 200),
    ("POST", "admin.invitations"): only(("admin",), 400),  # no number given
    ("GET", "admin.invitations"): everyone(405),
    ("GET", "admin.keys"): only(("admin",), 200),
    ("POST", "admin.create_channel_key"): only(("admin",), 400),  # no name
    ("POST", "admin.revoke_channel_key"): only(("admin",), 404),  # no such key
    ("GET", "admin.revoke_channel_key"): everyone(405),
    ("GET", "dashboard.index"): signed_in(200),
    ("GET", "dashboard.indices_csv"): signed_in(200),
    ("GET", "dashboard.indices_xlsx"): signed_in(200),
    # responses (microdata): viewers get aggregates only; the walk's bureau has catering
    # the anomaly panel: viewers see aggregates only; evaluators read, bureaus and
    # admins decide held waves (no wave 1 in the walk: the panel says so, 303 back to it)
    ("GET", "dashboard.anomalies"): only(("admin", "evaluator", "bureau"), 200),
    ("GET", "dashboard.anomaly_panel"): only(("admin", "evaluator", "bureau"), 200),
    ("POST", "dashboard.decide"): only(("admin", "bureau"), 303),
    ("GET", "dashboard.decide"): everyone(405),
    ("GET", "exports.responses_csv"): only(("admin", "evaluator", "bureau"), 200),
    ("GET", "exports.responses_xlsx"): only(("admin", "evaluator", "bureau"), 200),
    ("GET", "exports.responses_sav"): only(("admin", "evaluator", "bureau"), 200),
    # public provider pages (issue 16): no provider in the walk; a bureau may hide a
    # comment (role first, then 404), only a provider account replies
    ("GET", "directory.index"): everyone(200),
    ("GET", "directory.provider"): everyone(404),
    ("POST", "directory.hide"): only(("bureau",), 404),
    ("GET", "directory.hide"): everyone(405),
    ("POST", "directory.reply"): only(("provider",), 404),
    ("GET", "directory.reply"): everyone(405),
    # provider registry by hand (issue 16): admins all, bureaus their sectors, merge admin only
    ("GET", "admin.providers"): only(("admin", "bureau"), 200),
    ("GET", "admin.new_provider"): only(("admin", "bureau"), 200),
    ("POST", "admin.create_provider_view"): only(("admin", "bureau"), 400),  # empty form
    ("GET", "admin.edit_provider_page"): only(("admin", "bureau"), 404),  # no provider 1
    ("POST", "admin.save_provider"): only(("admin", "bureau"), 404),
    ("POST", "admin.close_provider_view"): only(("admin", "bureau"), 404),
    ("GET", "admin.close_provider_view"): everyone(405),
    ("GET", "admin.merge_page"): only(("admin",), 404),
    ("POST", "admin.merge"): only(("admin",), 404),
    # a sector's providers, lowest first (the walk's bureau has catering)
    ("GET", "dashboard.provider_sectors"): signed_in(200),
    ("GET", "dashboard.provider_board"): signed_in(200),
    ("GET", "dashboard.provider_board_csv"): signed_in(200),
    ("GET", "dashboard.provider_board_xlsx"): signed_in(200),
    # ratings held for review: bureaus (their sectors) and admins; the probe names no
    # decision (400 before the wave is looked up)
    ("GET", "dashboard.provider_held"): only(("admin", "bureau"), 200),
    ("POST", "dashboard.provider_held_decide"): only(("admin", "bureau"), 400),
    ("GET", "dashboard.provider_held_decide"): everyone(405),
    # the 15-minute circle (issue 19): signed-in roles read; admins and bureaus upload the
    # communities; no community stored in the walk, so the pages built on them are 404
    ("GET", "circle_web.static"): everyone(404),  # the walk asks for css/app.css
    ("GET", "circle_web.index"): signed_in(200),
    ("GET", "circle_web.missing"): signed_in(404),
    ("GET", "circle_web.map_page"): signed_in(404),
    ("GET", "circle_web.map_svg"): signed_in(404),
    ("GET", "circle_web.coverage_export"): signed_in(404),
    ("GET", "circle_web.missing_export"): signed_in(404),
    ("GET", "circle_web.suggest"): signed_in(404),
    ("POST", "circle_web.suggest_candidates"): signed_in(404),
    ("GET", "circle_web.communities"): only(("admin", "bureau"), 200),
    ("POST", "circle_web.communities_upload"): only(("admin", "bureau"), 400),  # no file
    ("GET", "circle_web.communities_export"): signed_in(200),
    # public without a token; a session cookie adds nothing
    ("GET", "api.list_providers"): everyone(200),
    ("GET", "api.provider_scores"): everyone(404),  # no provider with that id
    # complaints (issue 17): residents' form and status, bureaus' cases, public publicity
    ("GET", "complaints_web.static"): everyone(404),  # the walk asks for css/app.css
    ("GET", "complaints_web.new"): everyone(200),
    ("POST", "complaints_web.new_post"): everyone(400),  # empty form: errors shown
    ("GET", "complaints_web.status"): everyone(200),
    ("POST", "complaints_web.status"): everyone(400),  # no receipt code
    ("GET", "complaints_web.cases"): only(("admin", "evaluator", "bureau"), 200),
    ("GET", "complaints_web.case"): only(("admin", "evaluator", "bureau"), 404),  # no case 1
    ("POST", "complaints_web.step"): only(("admin", "evaluator", "bureau"), 404),
    ("GET", "complaints_web.step"): everyone(405),
    ("POST", "complaints_web.assign"): only(("admin", "evaluator", "bureau"), 404),
    ("GET", "complaints_web.assign"): everyone(405),
    ("GET", "complaints_web.publicity_page"): everyone(200),
    ("POST", "complaints_web.publish"): only(("admin", "evaluator"), 400),  # no period
    ("GET", "complaints_web.publish"): everyone(405),
    ("GET", "complaints_web.edition_file"): everyone(404),  # nothing published
    ("POST", "complaints_web.explain"): only(("admin", "evaluator", "bureau"), 400),
    ("GET", "complaints_web.explain"): everyone(405),
    ("POST", "complaints_web.decide_explanation"): only(("admin", "evaluator"), 404),
    ("GET", "complaints_web.decide_explanation"): everyone(405),
    ("GET", "complaints_web.warnings"): everyone(200),
    ("POST", "complaints_web.warn"): only(("admin", "evaluator", "bureau"), 400),  # empty form
    # a provider explains its own publicity line; staff match free-text complaints (#17)
    ("GET", "complaints_web.own_explanation_page"): only(("provider",), 404),
    ("POST", "complaints_web.explain_own"): only(("provider",), 404),
    ("GET", "complaints_web.unmatched_list"): only(("admin", "evaluator", "bureau"), 200),
    ("GET", "complaints_web.match_page"): only(("admin", "evaluator", "bureau"), 404),
    ("POST", "complaints_web.match"): only(("admin", "evaluator", "bureau"), 404),
    # supervision pages (issue 18): admins and bureaus; no plan 1, the walk's key names no provider
    ("GET", "supervision_web.static"): everyone(404),  # the walk asks for css/app.css
    ("GET", "supervision_web.index"): only(("admin", "bureau"), 200),
    ("GET", "supervision_web.plan"): only(("admin", "bureau"), 404),
    ("POST", "supervision_web.enter_result"): only(("admin", "bureau"), 404),
    ("GET", "supervision_web.enter_result"): everyone(405),
    ("POST", "supervision_web.publish"): only(("admin", "bureau"), 404),
    ("GET", "supervision_web.publish"): everyone(405),
    ("GET", "supervision_web.proposals"): only(("admin", "bureau"), 200),
    ("POST", "supervision_web.warn"): only(("admin", "bureau"), 404),
    ("GET", "supervision_web.warn"): everyone(405),
    ("POST", "supervision_web.dismiss"): only(("admin", "bureau"), 404),
    ("GET", "supervision_web.dismiss"): everyone(405),
    # published inspection results (一公开): public; nothing published in the walk
    ("GET", "inspections_public.editions"): everyone(200),
    ("GET", "inspections_public.edition_file"): everyone(404),
    ("POST", "api.post_complaint"): everyone(401),  # a channel key only
    ("GET", "api.post_complaint"): everyone(405),
    # credit pages (issue 18): admins and bureaus (own sectors); nothing recorded, no provider
    ("GET", "credit_web.static"): everyone(404),  # the walk asks for css/app.css
    ("GET", "credit_web.index"): only(("admin", "bureau"), 200),
    ("GET", "credit_web.sector_page"): only(("admin", "bureau"), 200),
    ("GET", "credit_web.classes_csv"): only(("admin", "bureau"), 404),  # no classes recorded
    ("GET", "credit_web.classes_xlsx"): only(("admin", "bureau"), 404),
    ("GET", "credit_web.provider"): only(("admin", "bureau"), 404),  # no such provider
    ("POST", "credit_web.override"): only(("admin", "bureau"), 404),
    ("GET", "credit_web.override"): everyone(405),
    ("POST", "credit_web.repair"): only(("admin", "bureau"), 404),
    ("GET", "credit_web.repair"): everyone(405),
    ("GET", "api.credit_classes"): everyone(401),  # a bearer token only
    ("GET", "api.provider_credit_record"): everyone(404),  # the walk's code is a round's
    # plan indicators (issue 19): staff read; bureaus (own sectors) and admins enter
    ("GET", "plans_web.static"): everyone(404),  # the walk asks for css/app.css
    ("GET", "plans_web.index"): signed_in(200),
    ("GET", "plans_web.plan_page"): signed_in(404),  # the walk's plan id names no plan
    ("GET", "plans_web.indicator_page"): signed_in(404),
    ("POST", "plans_web.enter"): only(("admin", "bureau"), 404),
    ("GET", "plans_web.upload_form"): only(("admin", "bureau"), 200),
    ("POST", "plans_web.upload"): only(("admin", "bureau"), 400),  # no file
    ("GET", "api.plans_status"): everyone(401),  # a bearer token only
    ("POST", "api.post_plan_value"): everyone(401),
    ("GET", "api.post_plan_value"): everyone(405),
}


def _url(rule, values: dict[str, object]) -> str:
    from flask import url_for

    args = {name: values[name] for name in rule.arguments}
    return url_for(rule.endpoint, **args)


def _walk(app):
    """(method, endpoint, url) of every rule; GET for a path that has no GET rule (405)."""
    paths_with_get: set[str] = set()
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods:
            paths_with_get.add(rule.rule)
    for rule in app.url_map.iter_rules():
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        if "GET" not in methods and rule.rule not in paths_with_get:
            methods.append("GET")
        for method in methods:
            yield method, rule


@pytest.fixture
def walk_setup(app, make_user, publish, make_round):
    code = make_round("catering", code="catering-walk")
    ids = {
        "admin": make_user("root", "admin"),
        "evaluator": make_user("eva", "evaluator"),
        "bureau": make_user("shangwu", "bureau", sectors=["catering"]),
        "viewer": make_user("view", "viewer"),
    }
    target = make_user("target", "viewer")
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        assert db.session.scalar(select(Round.id).where(Round.code == code))
    values = {
        "code": code,
        "qid": "catering",
        "version": 1,
        "bulletin_id": 1,
        "filename": "css/app.css",
        "user_id": target,
        "token_id": 1,
        "key_id": 1,
        "action": "archive",
        "wave_id": 1,
        "rating_id": 1,
        "provider_id": 1,
        "sector_code": "catering",
        "key": "91350100M000100Y43",
        "complaint_id": 1,
        "explanation_id": 1,
        "edition": 1,
        "fmt": "pdf",
        "plan_id": 1,
        "indicator_id": "no-such-indicator",
    }
    return ids, values


def test_every_route_is_in_the_table(app, walk_setup):
    seen = {(method, rule.endpoint) for method, rule in _walk(app)}
    missing = sorted(seen - set(EXPECTED))
    assert not missing, f"routes without an expected status per role: {missing}"
    stale = sorted(set(EXPECTED) - seen)
    assert not stale, f"expectations for routes that do not exist: {stale}"


def test_route_role_matrix(app, walk_setup):
    ids, values = walk_setup
    failures = []
    with app.test_request_context():
        plan = [(method, rule.endpoint, _url(rule, values)) for method, rule in _walk(app)]
    for who in WHO:
        for method, endpoint, url in plan:
            expected = EXPECTED.get((method, endpoint))
            if expected is None:
                continue  # reported by test_every_route_is_in_the_table
            client = app.test_client()
            if who != "anonymous":
                helpers.sign_in_as(app, client, ids[who])  # the current session version, every time
            # a form post with nothing a view would accept: the role check decides
            data = {"probe": "1"} if method == "POST" else None
            response = client.open(url, method=method, data=data)
            response.close()  # static files are streamed from an open file
            if response.status_code != expected[who]:
                failures.append(
                    f"{method} {url} as {who}: {response.status_code}, expected {expected[who]}"
                )
    assert not failures, "\n".join(failures)

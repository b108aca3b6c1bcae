"""Hiding comments (a sector bureau, with a reason, audited) and replies (the provider's
own account, once); a provider account never changes a rating."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditLog, Rating
from surveyapp.models.provider_page import CommentReply, HiddenComment
from tests.auth.helpers import csrf_of, sign_in_as
from tests.directory.conftest import CODES


def _page(client, key: str = CODES[0]) -> str:
    return client.get(f"/providers/{key}?lang=zh").get_data(as_text=True)


def _post(client, url: str, page: str, **data):
    """Post as the page's form would (its CSRF token; none when the page has no form and
    the test switched CSRF off)."""
    token = {"csrf_token": csrf_of(page)} if 'name="csrf_token"' in page else {}
    return client.post(url, data={**token, **data})


def _rating(app, rid: int) -> tuple:
    with app.app_context():
        r = db.session.get(Rating, rid)
        return (r.provider_id, r.sector, r.overall, r.answers, r.comment, r.created_at)


def test_a_bureau_hides_a_comment_of_its_sector_with_a_reason(
    app, add_provider, add_ratings, refresh, make_user
):
    pid = add_provider(CODES[0], "甲")
    rid, kept = add_ratings(pid, [1, 5], comments=["服务员骂人，差评", "很好"])
    refresh()
    bureau = make_user("shangwu", "bureau", sectors=["catering"])
    client = app.test_client()
    sign_in_as(app, client, bureau)
    page = _page(client)
    assert page.count('name="reason"') == 2  # a hide form under each comment
    assert "private" in client.get(f"/providers/{CODES[0]}").headers["Cache-Control"]
    url = f"/providers/{CODES[0]}/comments/{rid}/hide"
    assert _post(client, url, page, reason="  ").status_code == 400  # a reason is required
    before = _rating(app, rid)
    response = _post(client, url, page, reason="辱骂性内容")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#c{rid}")
    assert _post(client, url, page, reason="again").status_code == 409
    public = _page(app.test_client())
    assert "服务员骂人" not in public and "很好" in public
    assert "1 条评论已被行业主管部门隐藏" in public
    with app.app_context():
        hidden = db.session.get(HiddenComment, rid)
        assert (hidden.reason, hidden.hidden_by) == ("辱骂性内容", "shangwu")
        (row,) = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "provider.comment.hide")
        )
        assert row.target == f"rating:{rid}" and row.details["reason"] == "辱骂性内容"
    assert _rating(app, rid) == before  # hidden, never deleted or changed
    assert kept


def test_a_bureau_of_another_sector_cannot_hide(app, add_provider, add_ratings, refresh, make_user):
    pid = add_provider(CODES[0], "甲")
    (rid,) = add_ratings(pid, [1], comments=["差"])
    refresh()
    other = make_user("lvyou", "bureau", sectors=["lodging"])
    app.config["WTF_CSRF_ENABLED"] = False  # no form on its page to take a token from
    client = app.test_client()
    sign_in_as(app, client, other)
    page = _page(client)
    assert 'name="reason"' not in page
    url = f"/providers/{CODES[0]}/comments/{rid}/hide"
    assert _post(client, url, page, reason="不喜欢").status_code == 403
    evaluator = make_user("eva", "evaluator")
    sign_in_as(app, client, evaluator)
    assert _post(client, url, page, reason="x").status_code == 403
    with app.app_context():
        assert db.session.get(HiddenComment, rid) is None


def test_a_provider_replies_once_to_its_own_comments_only(
    app, add_provider, add_ratings, refresh, provider_user
):
    mine = add_provider(CODES[0], "甲")
    theirs = add_provider(CODES[1], "乙")
    (rid,) = add_ratings(mine, [2], comments=["菜凉了"])
    (other_rid,) = add_ratings(theirs, [2], comments=["太吵"])
    refresh()
    owner = provider_user("jia", mine)
    client = app.test_client()
    sign_in_as(app, client, owner)
    page = _page(client)
    assert 'name="text"' in page and 'name="reason"' not in page
    url = f"/providers/{CODES[0]}/comments/{rid}/reply"
    before = _rating(app, rid)
    reply = "抱歉，已改进。联系我们 13900001111"
    assert _post(client, url, page, text=reply).status_code == 303
    public = _page(app.test_client())
    assert "抱歉，已改进" in public and "13900001111" not in public  # replies are masked too
    assert _post(client, url, page, text="再说一次").status_code == 409
    assert _rating(app, rid) == before  # a reply never changes the rating
    # another provider's comment: refused, through its own page or this one
    other_url = f"/providers/{CODES[1]}/comments/{other_rid}/reply"
    assert 'name="text"' not in _page(client, CODES[1])  # no form there
    assert _post(client, other_url, page, text="不是我们").status_code == 403
    assert _post(client, f"/providers/{CODES[0]}/comments/{other_rid}/reply", page,
                 text="x").status_code == 404  # fmt: skip
    with app.app_context():
        replies = db.session.scalars(select(CommentReply)).all()
        assert [(r.rating_id, r.written_by) for r in replies] == [(rid, "jia")]
        assert (
            db.session.scalar(
                select(AuditLog.target).where(AuditLog.action == "provider.comment.reply")
            )
            == f"rating:{rid}"
        )


def test_a_provider_account_cannot_hide_or_change_ratings(
    app, add_provider, add_ratings, refresh, provider_user
):
    pid = add_provider(CODES[0], "甲")
    (rid,) = add_ratings(pid, [1], comments=["差评"])
    refresh()
    owner = provider_user("jia", pid)
    client = app.test_client()
    sign_in_as(app, client, owner)
    page = _page(client)
    before = _rating(app, rid)
    assert _post(client, f"/providers/{CODES[0]}/comments/{rid}/hide", page,
                 reason="不好").status_code == 403  # fmt: skip
    # whatever it posts anywhere, the stored rating stays as it is
    from flask import url_for
    from werkzeug.routing import BuildError

    candidates = (rid, CODES[0], "archive", "catering")
    posted = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in ("auth.logout", "directory.reply"):
            continue
        url = None
        for value in candidates:
            try:
                with app.test_request_context():
                    url = url_for(rule.endpoint, **dict.fromkeys(rule.arguments, value))
                break
            except (BuildError, ValueError):
                continue
        if url is not None:
            _post(client, url, page, overall="5", comment="改好评", reason="x", text="x")
            posted += 1
    assert posted > 10
    assert _rating(app, rid) == before
    with app.app_context():
        assert db.session.scalar(select(Rating.comment).where(Rating.id == rid)) == "差评"


def test_provider_accounts_need_a_provider(app, add_provider):
    import pytest

    from surveyapp.accounts.service import AccountError, create_user

    pid = add_provider(CODES[0], "甲")
    with app.app_context():
        with pytest.raises(AccountError, match="provider"):
            create_user(db.session, "nobody", "provider", "correct horse battery")
        with pytest.raises(AccountError, match="provider"):
            create_user(db.session, "vw", "viewer", "correct horse battery", provider_id=pid)
        user, _ = create_user(
            db.session, "jia", "provider", "correct horse battery", provider_id=pid
        )
        assert not user.may_see_sector("catering")  # no survey data for a provider

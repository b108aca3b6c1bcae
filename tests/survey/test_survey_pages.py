"""Language, text size, invitations, closed rounds, headers: the survey around the questions."""

from __future__ import annotations

from datetime import timedelta

from surveyapp.extensions import db
from surveyapp.models import Invitation
from surveyapp.models.base import utcnow
from surveyapp.rounds.service import close_round, get_round, issue_invitations

FIRST = lambda name, options: options[0]  # noqa: E731


def test_chinese_by_default_english_by_link(client, make_round, survey):
    code = make_round("catering")
    s = survey(code)
    s.open()
    assert s.page.html_lang == "zh-CN"
    html = s.response.get_data(as_text=True)
    assert "餐饮服务满意度调查" in html and "第 1 页，共 7 页" in html
    assert "Catering service satisfaction survey" not in html

    s.open("?lang=en")
    html = s.response.get_data(as_text=True)
    assert s.page.html_lang == "en"
    assert "Catering service satisfaction survey" in html
    assert "Page 1 of 7" in html
    assert "Which county or district do you live in?" in html
    assert s.page.labels["r_age_group-3"] == "60 or over"
    assert "Simao District" in html
    # the choice is remembered for the next pages
    s.send("next", {"r_district": "思茅区", "r_age_group": "60+", "r_gender": "女"})
    html = s.response.get_data(as_text=True)
    assert "Food safety and hygiene" in html and "Page 2 of 7" in html
    assert "Don&#39;t know / not applicable" in html or "Don't know / not applicable" in html
    # and errors come in English too
    s.send("next", {"a_hyg_fresh": "7"})
    assert s.page.errors == {"a_hyg_fresh": "Error: must be an integer from 1 to 5"}


def test_language_switch_mid_survey_keeps_page_and_answers(make_round, survey):
    code = make_round("catering")
    s = survey(code)
    s.open()
    s.send("next", {"r_district": "思茅区", "r_age_group": "60+", "r_gender": "女"})
    assert ("go", "stay") in s.page.buttons
    s.send("stay", {"a_hyg_fresh": "4"}, url=f"/s/{code}?lang=en")  # the "English" button
    assert s.response.status_code == 200
    assert s.page.html_lang == "en"
    assert s.page.progress == (2, 7)
    assert s.page.checked == {"a_hyg_fresh": "4"}
    assert dict(s.page.hidden)["r_gender"] == "女"
    assert s.page.errors == {}
    s.send("stay", url=f"/s/{code}?lang=zh")
    assert s.page.html_lang == "zh-CN"
    assert s.page.checked == {"a_hyg_fresh": "4"}


def test_large_text_toggle_works_without_javascript(client, make_round, survey):
    code = make_round("catering")
    s = survey(code)
    s.open()
    assert "text-large" not in s.page.html_class
    s.open("?size=large")
    assert "text-large" in s.page.html_class
    s.open()  # remembered in a cookie
    assert "text-large" in s.page.html_class
    s.send("stay", {"r_gender": "男"}, url=f"/s/{code}?size=normal")
    assert "text-large" not in s.page.html_class
    assert s.page.checked == {"r_gender": "男"}
    home = client.get("/?size=large")
    assert b'class="text-large"' in home.data


def test_security_headers_and_no_inline_code(client, make_round):
    code = make_round("catering")
    response = client.get(f"/s/{code}")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    html = response.get_data(as_text=True)
    assert "<script" not in html and "style=" not in html and "<style" not in html
    assert "googleapis" not in html and "//cdn" not in html
    with client.get("/static/css/app.css") as css:
        assert css.status_code == 200
        assert b"@font-face" not in css.data and b"@import" not in css.data
        assert len(css.data) < 16_000
    assert len(response.data) < 40_000


def test_every_input_is_labelled(make_round, survey):
    code = make_round("catering")
    s = survey(code)
    s.open()
    for name in s.page.radios:
        for i in range(len(s.page.radios[name])):
            assert s.page.labels.get(f"{name}-{i}"), name
    s.walk(FIRST, submit=False)
    assert s.page.labels.get("o_suggestions")


def test_unknown_round_is_404(client):
    response = client.get("/s/no-such-round")
    assert response.status_code == 404
    assert "未找到该调查" in response.get_data(as_text=True)
    assert client.get("/s/no-such-round/thanks").status_code == 404


def test_closed_round_is_410_on_get_and_post(app, make_round, survey, stored):
    code = make_round("catering")
    s = survey(code)
    s.open()
    s.walk(FIRST, submit=False)
    with app.app_context():
        close_round(db.session, get_round(db.session, code))
        db.session.commit()
    s.send("submit")
    assert s.response.status_code == 410
    assert "本轮调查已结束" in s.response.get_data(as_text=True)
    assert stored(code) == []
    again = s.client.get(f"/s/{code}")
    assert again.status_code == 410
    assert "本轮调查已结束" in again.get_data(as_text=True)


def test_round_not_open_yet_is_410(client, make_round):
    code = make_round(
        "catering", opens_at=utcnow() + timedelta(days=3), closes_at=utcnow() + timedelta(days=30)
    )
    response = client.get(f"/s/{code}")
    assert response.status_code == 410
    assert "本轮调查尚未开始" in response.get_data(as_text=True)


def _tokens(app, code, n):
    with app.app_context():
        tokens = issue_invitations(db.session, get_round(db.session, code), n)
        db.session.commit()
    return tokens


def test_invitation_token_accepted_once_then_refused(app, make_round, survey, stored):
    code = make_round("catering", require_token=True)
    [token] = _tokens(app, code, 1)

    first = survey(code, app.test_client())
    first.open(f"?t={token}")
    assert "token" not in first.page.text_inputs  # carried, not asked
    assert first.page.hidden_value("token") == token
    first.walk(FIRST)
    assert first.response.status_code == 303
    [row] = stored(code)
    assert row.invitation_id is not None
    with app.app_context():
        assert db.session.get(Invitation, row.invitation_id).used_at is not None

    # the same link forwarded to another phone (other address, other browser): told on
    # the first page, before answering anything
    other = app.test_client()
    other.environ_base.update(REMOTE_ADDR="198.51.100.9", HTTP_USER_AGENT="other phone")
    second = survey(code, other)
    second.open(f"?t={token}")
    assert second.page.errors == {"token": "错误：该邀请码已经使用过"}
    assert second.page.progress[0] == 1
    second.send("next", {"r_district": "思茅区", "r_age_group": "60+", "r_gender": "女"})
    assert second.response.status_code == 400
    assert second.page.progress[0] == 1
    assert second.page.errors == {"token": "错误：该邀请码已经使用过"}
    assert len(stored(code)) == 1


def test_invitation_used_between_first_page_and_submit_is_refused_at_submit(
    app, make_round, survey, stored
):
    code = make_round("catering", require_token=True)
    [token] = _tokens(app, code, 1)
    late = survey(code, app.test_client())
    late.open(f"?t={token}")
    late.walk(FIRST, submit=False)  # past the first page with a good code
    first = survey(code, app.test_client())
    first.open(f"?t={token}")
    first.walk(FIRST)
    assert first.response.status_code == 303
    late.send("submit")
    assert late.response.status_code == 409
    assert "您已参与过本轮调查" in late.response.get_data(as_text=True)
    assert len(stored(code)) == 1


def test_round_requiring_token_asks_for_it(app, make_round, survey, stored):
    code = make_round("catering", require_token=True)
    [token] = _tokens(app, code, 1)
    s = survey(code)
    s.open()
    assert "token" in s.page.text_inputs
    assert s.page.labels["token"] == "邀请码"
    answers = {"r_district": "思茅区", "r_age_group": "60+", "r_gender": "女"}
    s.send("next", answers)
    assert s.response.status_code == 400
    assert s.page.errors == {"token": "错误：本轮调查需要邀请码"}
    assert s.page.checked == answers

    # a wrong code is refused on page 1, not after the last page
    s.send("next", {"token": "ZZZZ-ZZZZ"})
    assert s.response.status_code == 400
    assert s.page.progress[0] == 1
    assert s.page.errors == {"token": "错误：邀请码无效"}
    assert s.page.text_inputs["token"] == "ZZZZ-ZZZZ"
    assert s.page.checked == answers
    assert stored(code) == []

    # a wrong code in the letter's link: said on opening the page
    other = survey(code, app.test_client())
    other.open("?t=ZZZZ-ZZZZ")
    assert other.page.errors == {"token": "错误：邀请码无效"}

    # typed by hand, in lower case with spaces: accepted
    s.send("next", {"token": f"  {token.lower()} "})
    s.walk(FIRST)
    assert s.response.status_code == 303
    assert len(stored(code)) == 1


def test_thanks_page_after_redirect(make_round, survey):
    code = make_round("catering")
    s = survey(code)
    s.open()
    s.walk(FIRST)
    assert s.response.status_code == 303
    page = s.client.get(s.response.headers["Location"] + "&lang=en")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Thank you!" in text and "Catering service satisfaction survey" in text
    assert "2026 Q4" in text and "2026Q4" not in text


def test_thanks_page_without_a_submission_does_not_say_submitted(client, make_round, survey):
    code = make_round("catering")
    for url in (f"/s/{code}/thanks", f"/s/{code}/thanks?r=forged", f"/s/{code}/thanks?r="):
        page = client.get(url)
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "感谢您的参与" not in text and "已提交" not in text
        assert "未收到您的答卷" in text and f'href="/s/{code}"' in text

    # a receipt of another round does not count either
    other = make_round("lodging", code="lodge-test")
    s = survey(other)
    s.open()
    s.walk(FIRST)
    receipt = s.response.headers["Location"].split("?r=", 1)[1]
    text = client.get(f"/s/{code}/thanks?r={receipt}").get_data(as_text=True)
    assert "感谢您的参与" not in text


def test_survey_pages_show_the_period_in_words(make_round, survey):
    code = make_round("catering")
    s = survey(code)
    s.open()
    html = s.response.get_data(as_text=True)
    assert "2026年第四季度" in html and "2026Q4" not in html


def test_radio_groups_are_fieldsets_with_the_question_as_legend(make_round, survey):
    code = make_round("catering")
    s = survey(code)
    s.open()
    s.send("next", {"r_district": "思茅区", "r_age_group": "60+", "r_gender": "女"})
    html = s.response.get_data(as_text=True)
    assert html.count("<fieldset") == html.count("<legend") == 4  # the four hygiene items
    assert '<legend class="question-text">食材的新鲜程度</legend>' in html
    assert s.page.radios["a_hyg_fresh"] == ["1", "2", "3", "4", "5", "na"]
    assert s.page.labels["a_hyg_fresh-0"] == "非常不满意"
    assert s.page.labels["a_hyg_fresh-5"] == "不了解/不适用"
    assert ("go", "back") in s.page.buttons and ("go", "next") in s.page.buttons
    s.walk(FIRST, submit=False)
    # the required overall item offers no "don't know"
    assert "na" not in s.page.radios["a_overall"]
    assert ("go", "submit") in s.page.buttons


def test_round_districts_limit_the_choices(make_round, survey, stored):
    code = make_round("catering", districts=["思茅区", "澜沧拉祜族自治县"])
    s = survey(code)
    s.open()
    assert s.page.radios["r_district"] == ["思茅区", "澜沧拉祜族自治县"]
    s.send("next", {"r_district": "墨江哈尼族自治县", "r_age_group": "60+", "r_gender": "女"})
    assert s.response.status_code == 400
    assert s.page.errors == {"r_district": "错误：不是可选的选项"}
    assert stored(code) == []


def test_start_stamp_of_another_round_is_not_used(app, make_round, survey, stored):
    other = make_round("lodging")
    code = make_round("catering")
    s = survey(other)
    s.open()
    foreign = s.page.hidden_value("started")
    s = survey(code, app.test_client())
    s.open()
    s.send(
        "next", {"started": foreign, "r_district": "思茅区", "r_age_group": "60+", "r_gender": "女"}
    )
    assert s.page.hidden_value("started") != foreign
    assert s.page.hidden_value("started").startswith(f"{code}.")


def test_survey_pages_are_not_cached_by_shared_proxies(client, make_round):
    code = make_round("catering")
    assert "private" in client.get(f"/s/{code}").headers["Cache-Control"]


def test_district_link_preselects_the_district(client, make_round, survey):
    """A district's QR poster links ``/s/<code>?d=<district>``: that district is answered
    in advance (the resident can change it); a district not in the round is ignored."""
    code = make_round("catering")
    s = survey(code)
    s.open("?d=思茅区")
    assert s.page.data().get("r_district") == "思茅区"
    s.open("?d=不存在区")
    assert not s.page.data().get("r_district")
    s.open()
    assert not s.page.data().get("r_district")

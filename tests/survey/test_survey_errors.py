"""Wrong or missing answers: the error sits next to the question, nothing is lost or stored."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from surveyapp.survey import routes

FIRST = lambda name, options: options[0]  # noqa: E731


def test_missing_required_answer_on_first_page_blocks_moving_on(make_round, survey, stored):
    code = make_round("catering")
    s = survey(code)
    s.open()
    s.send("next", {"r_district": "思茅区", "r_age_group": "60+"})  # gender left out
    assert s.response.status_code == 400
    assert s.page.progress[0] == 1
    assert s.page.errors == {"r_gender": "错误：此题为必答题"}
    assert s.page.checked == {"r_district": "思茅区", "r_age_group": "60+"}
    html = s.response.get_data(as_text=True)
    # the message is inside the question's fieldset, which points at it
    fieldset = html[html.index('id="q-r_gender"') - 60 : html.index("r_gender-0")]
    assert 'aria-describedby="r_gender-error"' in fieldset
    assert 'id="r_gender-error"' in fieldset
    assert "有 1 道题需要补充或修改" in html
    assert stored(code) == []


def test_missing_required_overall_on_submit_shows_error_and_keeps_answers(
    make_round, survey, stored
):
    code = make_round("catering")
    s = survey(code)
    s.open()
    sent = s.walk(FIRST, lambda name: "希望多些小份菜", submit=False)
    s.pending.pop("a_overall")
    s.send("submit")
    assert s.response.status_code == 400
    assert s.page.errors == {"a_overall": "错误：此题为必答题"}
    assert s.page.textareas == {"o_suggestions": "希望多些小份菜"}
    carried = dict(s.page.hidden)
    for name, value in sent.items():
        if name not in ("a_overall", "o_suggestions"):
            assert carried[name] == value
    assert stored(code) == []

    # answering it now sends the whole survey
    s.send("submit", {"a_overall": "4"})
    assert s.response.status_code == 303
    assert len(stored(code)) == 1


def test_out_of_scale_value_is_shown_on_its_own_page(make_round, survey, stored):
    code = make_round("catering")
    s = survey(code)
    s.open()
    s.walk(FIRST, submit=False)
    s.pending["a_hyg_kitchen"] = "9"  # a tampered POST: not on the 1..5 scale
    s.send("submit")
    assert s.response.status_code == 400
    # back on the hygiene page (page 2), the error under that item
    assert s.page.progress[0] == 2
    assert s.page.errors == {"a_hyg_kitchen": "错误：须为 1 到 5 之间的整数"}
    assert s.page.checked["a_hyg_fresh"] == "1"
    assert "a_hyg_kitchen" not in s.page.checked
    assert dict(s.page.hidden)["a_overall"] == "1"
    assert dict(s.page.hidden)["r_district"] == "思茅区"
    assert stored(code) == []

    # fixing it and walking on keeps everything else
    s.send("next", {"a_hyg_kitchen": "5"})
    assert s.response.status_code == 200
    while s.page.progress[0] < s.page.progress[1]:
        s.send("next")
        assert s.response.status_code == 200, s.page.errors
    s.send("submit")
    assert s.response.status_code == 303
    assert len(stored(code)) == 1


def test_out_of_scale_on_current_page_and_unknown_option(make_round, survey, stored):
    code = make_round("catering")
    s = survey(code)
    s.open()
    s.send("next", {"r_district": "北京市", "r_age_group": "18-29", "r_gender": "女"})
    assert s.response.status_code == 400
    assert s.page.errors == {"r_district": "错误：不是可选的选项"}
    s.send("next", {"r_district": "思茅区"})
    s.send("next", {"a_hyg_fresh": "0", "a_hyg_staff": "3"})
    assert s.response.status_code == 400
    assert s.page.errors == {"a_hyg_fresh": "错误：须为 1 到 5 之间的整数"}
    assert s.page.checked == {"a_hyg_staff": "3"}
    assert stored(code) == []


def test_too_long_suggestion_is_refused_with_the_limit(make_round, survey, stored):
    code = make_round("catering")
    s = survey(code)
    s.open()
    s.walk(FIRST, submit=False)
    assert s.page.maxlength["o_suggestions"] == 1000
    s.pending["o_suggestions"] = "长" * 1001
    s.send("submit")
    assert s.response.status_code == 400
    assert s.page.errors == {"o_suggestions": "错误：不能超过 1000 个字"}
    assert s.page.textareas["o_suggestions"] == "长" * 1001
    assert stored(code) == []


def test_back_keeps_answers_without_checking(make_round, survey):
    code = make_round("catering")
    s = survey(code)
    s.open()
    s.send("next", {"r_district": "思茅区", "r_age_group": "60+", "r_gender": "男"})
    s.send("back", {"a_hyg_fresh": "2"})  # page 2 half answered
    assert s.response.status_code == 200
    assert s.page.progress[0] == 1
    assert s.page.checked == {"r_district": "思茅区", "r_age_group": "60+", "r_gender": "男"}
    s.send("next")
    assert s.page.checked == {"a_hyg_fresh": "2"}


def test_csrf_failure_rerenders_with_answers_kept(make_round, survey, stored):
    code = make_round("catering")
    s = survey(code)
    s.open()
    s.walk(FIRST, lambda name: "服务很好", submit=False)
    s.send("submit", {"csrf_token": "expired-or-forged"})
    assert s.response.status_code == 400
    html = s.response.get_data(as_text=True)
    assert "页面已过期，请重新提交" in html
    assert s.page.progress == (7, 7)
    assert s.page.checked == {"a_overall": "1"}
    assert s.page.textareas == {"o_suggestions": "服务很好"}
    assert dict(s.page.hidden)["a_hyg_fresh"] == "1"
    assert stored(code) == []
    # the page came back with a good token: submitting again works
    s.send("submit")
    assert s.response.status_code == 303
    assert len(stored(code)) == 1


def test_post_without_session_cookie_fails_csrf_kindly(app, make_round, survey, stored):
    code = make_round("catering")
    s = survey(code)
    s.open()
    s.client.delete_cookie("session")
    s.send("next", {"r_district": "思茅区", "r_age_group": "60+", "r_gender": "男"})
    assert s.response.status_code == 400
    assert "页面已过期" in s.response.get_data(as_text=True)
    assert s.page.checked == {"r_district": "思茅区", "r_age_group": "60+", "r_gender": "男"}


def test_database_down_on_submit_gives_503_and_keeps_everything(
    monkeypatch, make_round, survey, stored
):
    code = make_round("catering")
    s = survey(code)
    s.open()
    s.walk(FIRST, lambda name: "请保留我的回答", submit=False)

    def down(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(routes, "submit_response", down)
    s.send("submit")
    assert s.response.status_code == 503
    assert s.response.headers["Retry-After"].isdigit()
    assert "系统繁忙，请稍后再试，您的答案不会丢失" in s.response.get_data(as_text=True)
    assert s.page.checked == {"a_overall": "1"}
    assert s.page.textareas == {"o_suggestions": "请保留我的回答"}
    assert dict(s.page.hidden)["r_gender"] == "男"
    assert stored(code) == []

    monkeypatch.undo()
    s.send("submit")
    assert s.response.status_code == 303
    assert len(stored(code)) == 1


def test_database_down_before_the_page_is_built_gives_503(monkeypatch, client, make_round):
    code = make_round("catering")

    def down(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("could not connect"))

    monkeypatch.setattr(routes, "get_round", down)
    response = client.get(f"/s/{code}")
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert "系统繁忙" in response.get_data(as_text=True)


def test_forged_start_stamp_is_not_trusted(make_round, survey, stored):
    code = make_round("catering")
    s = survey(code)
    s.open()
    started = s.page.hidden_value("started")
    forged = "catering-test.AAAAAA." + started.rsplit(".", 1)[1]
    s.send(
        "next", {"started": forged, "r_district": "思茅区", "r_age_group": "60+", "r_gender": "男"}
    )
    assert s.page.hidden_value("started") != forged  # replaced by a fresh server stamp
    s.walk(FIRST)
    [row] = stored(code)
    assert row.duration_seconds is not None and row.duration_seconds < 60

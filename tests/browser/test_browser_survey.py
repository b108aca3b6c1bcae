"""A resident answers the survey on a phone: every sector, both languages, JavaScript off.

Each survey is answered in a fresh phone context by tapping the choice labels, then the
stored response is read back from the SQLite file and compared with what was tapped.
"""

from __future__ import annotations

import uuid

import pytest
from browser_checks import body_font_px, overflow_problems, tap_target_problems
from survey_driver import (
    NEXT,
    Answers,
    answer_page,
    answer_survey,
    is_last_page,
    press,
    response_count,
    stored_response,
    tap_choice,
)

pytestmark = pytest.mark.browser

SECTORS = ["catering", "lodging", "supermarket", "elderly_care", "domestic", "logistics"]
THANKS = {"zh": "感谢您的参与！", "en": "Thank you!"}
REQUIRED = {"zh": "此题为必答题", "en": "this question is required"}


def _check_stored(server, sector: str, answers: Answers, before: int) -> None:
    code = server.round_code(sector)
    assert response_count(server.database, code) == before + 1
    stored = stored_response(server.database, code, sector, answers.marker)
    expected = answers.expected(sector)
    assert stored["answers"] == expected["answers"]
    assert stored["profile"] == expected["profile"]
    assert stored["open"] == expected["open"]
    assert stored["channel"] == "web"
    assert stored["started_at"] is not None and stored["duration_seconds"] > 0


@pytest.mark.parametrize(("sector", "lang"), [*((s, "zh") for s in SECTORS), ("lodging", "en")])
def test_answer_whole_survey(new_phone, server, screenshots, sector, lang):
    page = new_phone(locale="en-GB" if lang == "en" else "zh-CN")
    code = server.round_code(sector)
    before = response_count(server.database, code)
    page.goto(f"/s/{code}" + ("?lang=en" if lang == "en" else ""))
    assert page.locator("html").get_attribute("lang") == ("en" if lang == "en" else "zh-CN")
    if sector == "catering":
        page.screenshot(path=screenshots / f"survey-{sector}-{lang}-page1.png", full_page=True)

    answers = Answers(marker=f"bt-{uuid.uuid4().hex[:12]}")
    pages = answer_survey(page, answers, salt=sector + lang)

    assert pages >= 3
    assert page.url.split("?")[0].endswith(f"/s/{code}/thanks")
    assert page.locator("h1").inner_text() == THANKS[lang]
    page.screenshot(path=screenshots / f"thanks-{sector}-{lang}.png")
    _check_stored(server, sector, answers, before)


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_missing_answer_shown_next_to_question(new_phone, server, screenshots, js):
    sector = "elderly_care" if js else "domestic"
    code = server.round_code(sector)
    before = response_count(server.database, code)
    page = new_phone(js=js)
    page.goto(f"/s/{code}")
    answers = Answers(marker=f"bt-{uuid.uuid4().hex[:12]}")

    # First page: leave the age question out.
    answer_page(page, answers, skip=("r_age_group",))
    press(page)
    _assert_error_at(page, "r_age_group", "zh")
    for name, value in answers.fields.items():  # the other answers are still ticked
        assert page.locator(f"input[name='{name}'][value='{value}']").is_checked()
    if not js:
        page.screenshot(path=screenshots / "survey-error-js-off.png", full_page=True)
    answer_page(page, answers, skip=tuple(answers.fields))
    press(page)
    assert page.locator(".field-error").count() == 0

    # Middle pages, then the last page without the (required) overall rating.
    while not is_last_page(page):
        answer_page(page, answers)
        press(page)
    overall = page.locator("fieldset.question input[type=radio]").first.get_attribute("name")
    answer_page(page, answers, skip=(overall,))
    press(page)
    _assert_error_at(page, overall, "zh")
    textarea = page.locator("textarea")
    assert textarea.input_value() == answers.fields[textarea.get_attribute("name")]
    for name, value in answers.fields.items():  # earlier pages travel as hidden fields
        kept = page.locator(
            f"input[type=hidden][name='{name}'], input[name='{name}']:checked,"
            f" textarea[name='{name}']"
        )
        assert kept.count() == 1 and kept.input_value() == value, name

    answers.fields[overall] = tap_choice(page, overall, 0)
    press(page)
    assert page.url.split("?")[0].endswith(f"/s/{code}/thanks")
    _check_stored(server, sector, answers, before)


def _assert_error_at(page, name: str, lang: str) -> None:
    """The error message sits inside the question, between its text and its choices."""
    assert "错误" in page.title() or "Error" in page.title()
    assert page.locator("#error-summary").is_visible()
    group = page.locator(f"#q-{name}")
    error = group.locator(".field-error")
    assert error.is_visible(), f"no error shown at {name}"
    assert REQUIRED[lang] in error.inner_text()
    assert group.get_attribute("aria-describedby") == error.get_attribute("id")
    legend, message = group.locator("legend").bounding_box(), error.bounding_box()
    first_choice = group.locator(".choice").first.bounding_box()
    assert legend["y"] + legend["height"] <= message["y"] + 1
    assert message["y"] + message["height"] <= first_choice["y"] + 1
    assert page.locator(f"#error-summary a[href='#q-{name}']").count() == 1
    assert page.locator(".field-error").count() == 1  # nothing else is marked


def test_large_text_toggle_without_javascript(new_phone, server, screenshots):
    page = new_phone(js=False)
    code = server.round_code("supermarket")
    page.goto(f"/s/{code}")
    normal = body_font_px(page)
    assert normal >= 18
    district = tap_choice(page, "r_district", 2)

    with page.expect_navigation():
        page.get_by_role("button", name="大字模式").tap()
    large = body_font_px(page)
    assert large >= 1.2 * normal, f"large text is {large}px against {normal}px"
    assert page.locator("html.text-large").count() == 1
    assert page.locator("input[name='r_district']:checked").get_attribute("value") == district
    assert page.locator(".progress-text").inner_text().startswith("第 1 页")
    assert tap_target_problems(page) == []
    assert overflow_problems(page) == []
    page.screenshot(path=screenshots / "survey-large-text.png", full_page=True)

    answer_page(page, Answers(marker="unused"), skip=("r_district",))
    press(page)  # the choice is remembered on the next page
    assert body_font_px(page) == large
    with page.expect_navigation():
        page.get_by_role("button", name="标准字号").tap()
    assert body_font_px(page) == normal
    assert page.locator(NEXT).is_visible()

    page.goto("/bulletins")  # the same preference on the public pages, as a plain link
    assert body_font_px(page) == normal
    with page.expect_navigation():
        page.get_by_role("link", name="大字模式").tap()
    assert body_font_px(page) == large

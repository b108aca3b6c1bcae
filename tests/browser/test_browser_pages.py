"""Elderly-friendly and accessible, measured on every public page on a 360x640 phone.

Each page ("scene") is opened once per module in a phone context of its own and then
measured by one test per property: text size, contrast, tap targets, labels, no
horizontal scrolling at 100 % and 200 % zoom, and an axe-core scan.

200 % zoom: Chrome's page zoom on a phone halves the CSS viewport and doubles the
device pixel ratio, so a 360x640 phone at 200 % lays pages out in a 180x320 CSS-pixel
viewport.  The zoom test resizes the scene's viewport to that (layout depends on the
CSS width only) and checks that nothing is wider than the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from browser_checks import (
    MIN_CONTRAST,
    MIN_TEXT_PX,
    PHONE,
    PHONE_ZOOM_200,
    axe_violations,
    contrast,
    label_problems,
    overflow_problems,
    tap_target_problems,
    text_size_problems,
)
from survey_driver import NEXT, Answers, answer_page, is_last_page, press, tap_choice

pytestmark = pytest.mark.browser


def _survey_start(page: Any, server: Any) -> None:
    page.goto(f"/s/{server.round_code('catering')}")


def _survey_rating(page: Any, server: Any) -> None:
    _survey_start(page, server)
    answer_page(page, Answers("unused"))
    press(page)
    name = page.locator("fieldset.question input[type=radio]").first.get_attribute("name")
    tap_choice(page, name, 3)  # one answer ticked: its highlighted style is measured too


def _survey_errors(page: Any, server: Any) -> None:
    _survey_start(page, server)
    press(page)  # nothing answered: every question of the page shows its error


def _survey_last(page: Any, server: Any) -> None:
    page.goto(f"/s/{server.round_code('logistics')}")
    while not is_last_page(page):
        answer_page(page, Answers("unused"))
        press(page)


def _bulletins(page: Any, server: Any) -> None:
    server.bulletin()
    page.goto("/bulletins")


SCENES: dict[str, Callable[[Any, Any], None]] = {
    "home": lambda page, server: page.goto("/"),
    "survey-start": _survey_start,
    "survey-rating": _survey_rating,
    "survey-errors": _survey_errors,
    "survey-last": _survey_last,
    "survey-english": lambda page, server: page.goto(f"/s/{server.round_code('lodging')}?lang=en"),
    "survey-large-text": lambda page, server: page.goto(
        f"/s/{server.round_code('elderly_care')}?size=large"
    ),
    "thanks": lambda page, server: page.goto(f"/s/{server.round_code('catering')}/thanks"),
    "closed-round": lambda page, server: page.goto(f"/s/catering-{server.previous}".lower()),
    "bulletins": _bulletins,
}


@pytest.fixture(scope="module")
def scenes(module_phones, server, screenshots) -> Callable[[str], Any]:
    """``scenes(name)``: the page of that scene, opened once and photographed: the
    phone's screen (``NAME.png``) and the whole page (``NAME-full.png``)."""
    opened: dict[str, Any] = {}

    def get(name: str):
        if name not in opened:
            page = module_phones.open()
            SCENES[name](page, server)
            page.screenshot(path=screenshots / f"{name}.png")  # the phone's screen
            page.screenshot(path=screenshots / f"{name}-full.png", full_page=True)
            opened[name] = page
        return opened[name]

    return get


@pytest.fixture(params=list(SCENES))
def scene(request, scenes):
    return scenes(request.param)


def test_scenes_show_what_they_should(scenes):
    assert scenes("survey-errors").locator(".field-error").count() >= 2
    assert scenes("survey-rating").locator("input[type=radio]:checked").count() == 1
    assert scenes("survey-last").locator("textarea").count() >= 1
    assert scenes("survey-last").locator(NEXT).get_attribute("value") == "submit"
    assert scenes("survey-large-text").locator("html.text-large").count() == 1
    assert scenes("survey-english").locator("html").get_attribute("lang") == "en"
    assert scenes("closed-round").locator("h1").inner_text() == "本轮调查已结束"
    assert scenes("bulletins").locator("a[href$='.pdf']").count() >= 1


def test_text_at_least_18px(scene):
    assert text_size_problems(scene) == [], f"text below {MIN_TEXT_PX}px"


def test_contrast_at_least_4_5(scene, results, request):
    bad, worst = contrast(scene)
    results.record(f"lowest text contrast {worst:.2f}:1 on {request.node.callspec.id}")
    assert bad == [], f"text below {MIN_CONTRAST}:1"


def test_tap_targets_at_least_44px(scene):
    assert tap_target_problems(scene) == []


def test_every_field_labelled(scene):
    assert label_problems(scene) == []


def test_no_horizontal_scrolling(scene):
    assert overflow_problems(scene) == []


def test_no_horizontal_scrolling_at_200_percent_zoom(scene, screenshots, request):
    scene.set_viewport_size(PHONE_ZOOM_200)
    try:
        problems = overflow_problems(scene)
        scene.screenshot(path=screenshots / f"{request.node.callspec.id}-zoom200.png")
    finally:
        scene.set_viewport_size(PHONE)
    assert problems == []


def test_axe_no_serious_or_critical_violations(scene, axe):
    assert axe_violations(scene, axe) == []

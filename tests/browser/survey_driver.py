"""Answering the survey the way a resident does: tapping labels, typing, pressing buttons.

:class:`Answers` records what was chosen, under the form's field names (``r_district``,
``a_hyg_fresh``, ``o_suggestion``), so a test can compare it with the stored response
read straight from the SQLite file (:func:`stored_response`).
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from surveyapp.questionnaire import builtin_dir, load_questionnaire
from surveyapp.responses.codec import unpack_answers, unpack_profile

NEXT = ".nav .button-primary"  # "下一页" / "Next", "提交问卷" / "Submit" on the last page
BACK = ".nav .button-secondary"


@dataclass
class Answers:
    """What the resident chose, by field name; open answers carry a unique marker."""

    marker: str
    fields: dict[str, str] = field(default_factory=dict)

    def expected(self, sector: str) -> dict[str, dict[str, Any]]:
        """The stored form of these answers: ``{"answers", "profile", "open"}``."""
        q = load_questionnaire(builtin_dir() / f"{sector}.yaml")
        answers: dict[str, Any] = {aid: None for aid in q.answer_ids}
        profile: dict[str, Any] = {r.id: None for r in q.respondent}
        open_answers: dict[str, Any] = {}
        for name, value in self.fields.items():
            kind, key = name[:2], name[2:]
            if kind == "a_":
                answers[key] = None if value == "na" else int(value)
            elif kind == "r_":
                profile[key] = value
            elif kind == "o_":
                open_answers[key] = value
        return {"answers": answers, "profile": profile, "open": open_answers or None}


def pick(name: str, count: int, salt: str = "") -> int:
    """A fixed but varied choice for each question (sometimes "don't know")."""
    return zlib.crc32(f"{salt}{name}".encode()) % count


def tap_choice(page: Any, name: str, index: int) -> str:
    """Tap the label of choice ``index`` of radio group ``name``; return its value."""
    radio = page.locator(f"input[type=radio][name='{name}']").nth(index)
    page.locator(f"label[for='{radio.get_attribute('id')}']").tap()
    assert radio.is_checked(), f"tapping the label did not check {name}[{index}]"
    return radio.get_attribute("value")


_QUESTIONS = """() => ({
  groups: [...document.querySelectorAll('fieldset.question')].map((g) => {
    const radios = [...g.querySelectorAll('input[type=radio]')];
    return {name: radios[0].name, ids: radios.map((r) => r.id), values: radios.map((r) => r.value)};
  }),
  selects: [...document.querySelectorAll('select.select')].map((s) => ({
    name: s.name, values: [...s.options].map((o) => o.value).filter(Boolean)})),
  texts: [...document.querySelectorAll('textarea')].map((t) => t.name),
})"""

_CENTRE = """(id) => {
  const label = document.querySelector(`label[for="${id}"]`);
  label.scrollIntoView({block: 'center'});
  const r = label.getBoundingClientRect();
  return [r.left + r.width / 2, r.top + r.height / 2];
}"""


def tap_label(page: Any, input_id: str) -> None:
    """A finger on the middle of the label of ``input_id`` (scrolled into view first).

    The same touch as ``locator.tap()``, without its per-call waiting for the element to
    be stable, which the survey's static pages do not need.
    """
    x, y = page.evaluate(_CENTRE, input_id)
    page.touchscreen.tap(x, y)


_CHECKED = """(names) => Object.fromEntries(names.map((n) => {
  const on = document.querySelector(`input[name="${n}"]:checked`);
  return [n, on ? on.value : null];
}))"""


def answer_page(page: Any, answers: Answers, *, skip: tuple[str, ...] = (), salt: str = "") -> None:
    """Answer every question on the current page except the field names in ``skip``."""
    found = page.evaluate(_QUESTIONS)
    tapped = {}
    for group in found["groups"]:
        name = group["name"]
        if name in skip:
            continue
        index = pick(name, len(group["ids"]), salt)
        tap_label(page, group["ids"][index])
        tapped[name] = group["values"][index]
    if tapped:
        checked = page.evaluate(_CHECKED, list(tapped))
        assert checked == tapped, "tapping the labels did not check those choices"
        answers.fields.update(tapped)
    for select in found["selects"]:
        name = select["name"]
        if name in skip:
            continue
        value = select["values"][pick(name, len(select["values"]), salt)]
        page.locator(f"select[name='{name}']").select_option(value)
        answers.fields[name] = value
    for name in found["texts"]:
        if name in skip:
            continue
        text = f"希望服务更好 {answers.marker}"
        area = page.locator(f"textarea[name='{name}']")
        area.tap()
        area.fill(text)
        answers.fields[name] = text


def press(page: Any, selector: str = NEXT) -> None:
    """Tap a button that submits the form and wait for the next page."""
    with page.expect_navigation():
        page.locator(selector).tap()


def is_last_page(page: Any) -> bool:
    return page.locator(NEXT).get_attribute("value") == "submit"


def answer_survey(page: Any, answers: Answers, salt: str = "") -> int:
    """Answer every page from the current one and submit; return the pages answered."""
    pages = 0
    while True:
        answer_page(page, answers, salt=salt)
        pages += 1
        last = is_last_page(page)
        press(page)
        if last:
            return pages


def response_count(database: Path, round_code: str) -> int:
    with sqlite3.connect(database) as conn:
        return conn.execute(
            "SELECT count(*) FROM response JOIN survey_round ON survey_round.id = response.round_id"
            " WHERE survey_round.code = ?",
            (round_code,),
        ).fetchone()[0]


def stored_response(database: Path, round_code: str, sector: str, marker: str) -> dict[str, Any]:
    """The response of ``round_code`` whose open answer carries ``marker``, decoded."""
    q = load_questionnaire(builtin_dir() / f"{sector}.yaml")
    with sqlite3.connect(database) as conn:
        rows = conn.execute(
            "SELECT response.answers, response.profile, response.open_answers, response.channel,"
            " response.started_at, response.duration_seconds"
            " FROM response JOIN survey_round ON survey_round.id = response.round_id"
            " WHERE survey_round.code = ? AND response.open_answers LIKE ?",
            (round_code, f"%{marker}%"),
        ).fetchall()
    assert len(rows) == 1, f"expected one stored response marked {marker}, found {len(rows)}"
    answers, profile, open_answers, channel, started_at, duration = rows[0]
    return {
        "answers": unpack_answers(q, answers),
        "profile": unpack_profile(q, profile),
        "open": json.loads(open_answers) if open_answers else None,
        "channel": channel,
        "started_at": started_at,
        "duration_seconds": duration,
    }

"""The honeypot: invisible to people, a filled one is thanked and not stored."""

from __future__ import annotations

from html.parser import HTMLParser

from surveyapp.security import HONEYPOT_FIELD


class _Trap(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.stack: list[dict] = []
        self.input: dict | None = None
        self.container: dict | None = None
        self.label_for: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "label" and a.get("for"):
            self.label_for.append(a["for"])
        if tag == "input" and a.get("name") == HONEYPOT_FIELD:
            self.input = a
            self.container = next((s for s in reversed(self.stack) if s.get("aria-hidden")), None)
        if tag not in ("input", "br", "img", "meta", "link"):
            self.stack.append(a)

    def handle_endtag(self, tag):
        if self.stack and tag not in ("input",):
            self.stack.pop()


def test_every_page_has_a_trap_people_cannot_reach(make_round, survey):
    code = make_round("catering")
    s = survey(code)
    s.open()
    pages = s.page.progress[1]
    for number in range(1, pages + 1):
        trap = _Trap(s.response.get_data(as_text=True))
        assert trap.input is not None, f"page {number}"
        assert trap.input["type"] == "text" and trap.input["value"] == ""
        assert trap.input["tabindex"] == "-1" and trap.input["autocomplete"] == "off"
        assert trap.container is not None and trap.container["aria-hidden"] == "true"
        assert "visually-hidden" in trap.container["class"].split()
        assert trap.input["id"] in trap.label_for
        if number < pages:
            choices = {**s.page.radios, **s.page.selects}
            s.send(
                "next", {name: [o for o in options if o][0] for name, options in choices.items()}
            )
            assert s.response.status_code == 200


def test_filled_trap_is_thanked_and_not_stored(make_round, survey, stored, client):
    code = make_round("catering")
    s = survey(code)
    s.open()
    s.walk(submit=False)
    s.send("submit", {HONEYPOT_FIELD: "http://cheap-pills.example"})
    assert s.response.status_code == 303
    assert s.response.headers["Location"].split("?")[0].endswith(f"/s/{code}/thanks")
    assert stored(code) == []
    # the same browser is not marked as having answered: nothing of it was kept
    assert "您已参与过本轮调查" not in client.get(f"/s/{code}").get_data(as_text=True)


def test_filled_trap_is_logged_without_what_was_typed(
    app, make_app, make_round, survey, stored, access_log
):
    wired = make_app()
    code = make_round("catering")
    s = survey(code, wired.test_client())
    s.open()
    s.walk(submit=False)
    s.send("submit", {HONEYPOT_FIELD: "http://cheap-pills.example"})
    assert s.response.status_code == 303 and stored(code) == []
    [event] = access_log.events("honeypot")
    assert event["round"] == code and event["request_id"]
    assert not any("cheap-pills" in line for line in access_log.formatted)


def test_empty_or_blank_trap_is_an_ordinary_submission(make_round, survey, stored):
    code = make_round("catering")
    s = survey(code)
    s.open()
    s.walk(submit=False)
    s.send("submit", {HONEYPOT_FIELD: "  "})
    assert s.response.status_code == 303
    assert len(stored(code)) == 1

"""Helpers for driving the survey pages like a browser with JavaScript off.

:class:`FormPage` reads a survey page with :mod:`html.parser` and gives back what a
browser would send for it (hidden inputs, checked radios, selected options, text);
the ``survey`` fixture walks the pages of a round through the Flask test client.
"""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Response
from surveyapp.rounds.service import get_round


class FormPage(HTMLParser):
    """The ``<form id="survey">`` of a page, and the field errors shown in it."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.html = html
        self.hidden: list[tuple[str, str]] = []
        self.radios: dict[str, list[str]] = {}
        self.checked: dict[str, str] = {}
        self.selects: dict[str, list[str]] = {}
        self.selected: dict[str, str] = {}
        self.textareas: dict[str, str] = {}
        self.maxlength: dict[str, int] = {}
        self.text_inputs: dict[str, str] = {}
        self.buttons: list[tuple[str, str]] = []
        self.errors: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self.html_lang: str | None = None
        self.html_class: str = ""
        self.progress: tuple[int, int] | None = None
        self.ids: list[str] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._error: str | None = None
        self._label: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "html":
            self.html_lang = a.get("lang")
            self.html_class = a.get("class", "")
        elif tag == "input":
            kind, name = a.get("type", "text"), a.get("name")
            if not name:
                return
            if kind == "hidden":
                self.hidden.append((name, a.get("value", "")))
            elif kind == "radio":
                self.radios.setdefault(name, []).append(a.get("value", ""))
                if "checked" in a:
                    self.checked[name] = a.get("value", "")
            else:
                self.text_inputs[name] = a.get("value", "")
        elif tag == "select":
            self._select = a.get("name")
            self.selects[self._select] = []
        elif tag == "option" and self._select:
            self.selects[self._select].append(a.get("value", ""))
            if "selected" in a:
                self.selected[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.textareas[self._textarea] = ""
            if "maxlength" in a:
                self.maxlength[a["name"]] = int(a["maxlength"])
        elif (
            tag == "button"
            and a.get("type") == "submit"
            and "default-action" not in a.get("class", "")
        ):
            self.buttons.append((a.get("name", ""), a.get("value", "")))
        elif tag == "p" and "field-error" in a.get("class", ""):
            self._error = a["id"].removesuffix("-error")
            self.errors[self._error] = ""
        elif tag == "label" and a.get("for"):
            self._label = a["for"]
            self.labels[self._label] = ""
        elif tag == "progress":
            self.progress = (int(a["value"]), int(a["max"]))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # HTML drops one newline right after <textarea>, as browsers do
            text = self.textareas[self._textarea]
            self.textareas[self._textarea] = text.removeprefix("\r\n").removeprefix("\n")
            self._textarea = None
        elif tag == "p":
            self._error = None
        elif tag == "label":
            self._label = None

    def handle_data(self, data):
        if self._textarea:
            self.textareas[self._textarea] += data
        if self._error:
            self.errors[self._error] += data
        if self._label:
            self.labels[self._label] += data

    @property
    def csrf_token(self) -> str:
        return dict(self.hidden)["csrf_token"]

    def hidden_value(self, name: str) -> str | None:
        return dict(self.hidden).get(name)

    def data(self) -> dict[str, str]:
        """What a browser sends for this form as it is shown (without a button)."""
        out = dict(self.hidden)
        out.update(self.checked)
        for name, options in self.selects.items():
            out[name] = self.selected.get(name, options[0] if options else "")
        for name, text in self.textareas.items():
            out[name] = text
        out.update(self.text_inputs)
        return out

    @property
    def questions(self) -> list[str]:
        """Names of the answerable fields shown on this page."""
        return [*self.radios, *self.selects, *self.textareas]


class Survey:
    """A resident's browser on ``/s/<code>``: one test client, its cookies, its pages."""

    def __init__(self, client, code: str):
        self.client = client
        self.code = code
        self.url = f"/s/{code}"
        self.response = None
        self.page: FormPage | None = None
        self.pending: dict[str, str] = {}

    def open(self, query: str = ""):
        self.response = self.client.get(self.url + query)
        self.page = FormPage(self.response.get_data(as_text=True))
        return self.response

    def send(self, go: str, changes: dict[str, str] | None = None, *, url: str | None = None):
        assert self.page is not None
        data = self.page.data()
        data.update(self.pending)
        self.pending = {}
        data.update(changes or {})
        data["go"] = go
        self.response = self.client.post(url or self.url, data=data)
        self.page = FormPage(self.response.get_data(as_text=True))
        return self.response

    def walk(
        self,
        choose: Callable[[str, list[str]], str] = lambda name, options: options[0],
        text: Callable[[str], str] = lambda name: "",
        *,
        submit: bool = True,
    ) -> dict:
        """Answer every page with ``choose(name, options)`` / ``text(name)``; return what was sent.

        Stops after posting the last page (the caller checks the response), or with
        ``submit=False`` on the last page, answered but not sent.
        """
        sent: dict[str, str] = {}
        assert self.page is not None and self.page.progress is not None
        start, pages = self.page.progress
        for number in range(start, pages + 1):
            assert self.page.progress == (number, pages), self.response.get_data(as_text=True)[
                :2000
            ]
            changes = {}
            for name, options in {**self.page.radios, **self.page.selects}.items():
                changes[name] = choose(name, [o for o in options if o])
            for name in self.page.textareas:
                changes[name] = text(name)
            sent.update(changes)
            if number == pages and not submit:
                self.pending = changes
                return sent
            go = "submit" if number == pages else "next"
            assert (("go", go)) in self.page.buttons
            self.send(go, changes)
            if number < pages:
                assert self.response.status_code == 200, self.page.errors
        return sent


@pytest.fixture
def survey(client) -> Callable[..., Survey]:
    """``survey(code)`` is a fresh browser on that round (``client=`` for another one)."""

    def _make(code: str, browser=None) -> Survey:
        return Survey(browser or client, code)

    return _make


@pytest.fixture
def stored(app) -> Callable[[str], list[Response]]:
    """``stored(code)`` lists the responses of a round, straight from the database."""

    def _stored(code: str) -> list[Response]:
        with app.app_context():
            round_ = get_round(db.session, code)
            rows = list(db.session.scalars(select(Response).where(Response.round_id == round_.id)))
            for row in rows:
                db.session.expunge(row)
            return rows

    return _stored

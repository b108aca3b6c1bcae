"""What a resident's browser does on the survey pages, without JavaScript.

The survey keeps no state on the server: each page carries the earlier answers as
hidden inputs, the CSRF token sits in the signed ``session`` cookie, and the device
cookie ``sv_device`` decides "one response per device".  To take part in that flow a
load client must read each page's form, answer what it shows, send back everything a
browser would send, and keep the cookies.  This module does the reading and answering
(regular expressions over the app's own markup: cheap enough for hundreds of clients in
one process); sending is the caller's business (asyncio in ``bench.load``, ``http.client``
in the PostgreSQL outage test).
"""

from __future__ import annotations

import hashlib
import hmac
import html
import random
import re
from dataclasses import dataclass, field

from itsdangerous import URLSafeSerializer

from bench.submit.common import SUGGESTIONS

DEVICE_COOKIE = "sv_device"
FORM_TYPE = "application/x-www-form-urlencoded"

_FORM = re.compile(r'<form id="survey".*?</form>', re.S)
_INPUT = re.compile(r"<input\b([^>]*)>")
_SELECT = re.compile(r"<select\b([^>]*)>(.*?)</select>", re.S)
_OPTION = re.compile(r"<option\b([^>]*)>")
_TEXTAREA = re.compile(r"<textarea\b([^>]*)>(.*?)</textarea>", re.S)
_DEFAULT_ACTION = re.compile(r'<button class="default-action"[^>]*name="go" value="(\w+)"')
_PROGRESS = re.compile(r'<progress[^>]*max="(\d+)" value="(\d+)"')
_ATTR = re.compile(r'([\w:-]+)(?:="([^"]*)")?')


def _attrs(raw: str) -> dict[str, str]:
    return {k: html.unescape(v or "") for k, v in _ATTR.findall(raw)}


@dataclass
class SurveyPage:
    """The ``<form id="survey">`` of one page as a browser would submit it."""

    fields: list[tuple[str, str]]  # hidden and text inputs, as shown (earlier answers, CSRF)
    choices: dict[str, list[str]]  # radio groups and selects: name -> option values
    texts: list[str]  # textarea names
    action: str  # "next", or "submit" on the last page
    page: int  # 1-based, from the progress bar
    pages: int
    checked: dict[str, str] = field(default_factory=dict)  # choices already made (kept answers)
    written: dict[str, str] = field(default_factory=dict)  # textarea contents shown


def parse_page(text: str) -> SurveyPage | None:
    """The survey form of ``text``; None when the page has none (a notice, thanks)."""
    m = _FORM.search(text)
    if m is None:
        return None
    form = m.group(0)
    fields: list[tuple[str, str]] = []
    choices: dict[str, list[str]] = {}
    checked: dict[str, str] = {}
    for raw in _INPUT.findall(form):
        a = _attrs(raw)
        name, kind = a.get("name"), a.get("type", "text")
        if not name:
            continue
        if kind == "radio":
            choices.setdefault(name, []).append(a.get("value", ""))
            if "checked" in a:
                checked[name] = a.get("value", "")
        elif kind in ("hidden", "text"):
            fields.append((name, a.get("value", "")))
    for raw, body in _SELECT.findall(form):
        name = _attrs(raw).get("name")
        if name:
            options = [_attrs(o) for o in _OPTION.findall(body)]
            choices[name] = [o.get("value", "") for o in options]
            chosen = next((o.get("value", "") for o in options if "selected" in o), None)
            if chosen:
                checked[name] = chosen
    texts, written = [], {}
    for raw, body in _TEXTAREA.findall(form):
        name = _attrs(raw).get("name")
        if name:
            texts.append(name)
            written[name] = html.unescape(body).removeprefix("\r\n").removeprefix("\n")
    action = _DEFAULT_ACTION.search(form)
    progress = _PROGRESS.search(form)
    pages, page = (int(progress.group(1)), int(progress.group(2))) if progress else (0, 0)
    return SurveyPage(
        fields, choices, texts, action.group(1) if action else "next", page, pages, checked, written
    )


def answer(
    page: SurveyPage, rng: random.Random, centre: float | None = None
) -> list[tuple[str, str]]:
    """Everything a browser sends for ``page`` answered at random, with the ``go`` button.

    Ratings cluster around ``centre`` (one per resident: people are consistently
    satisfied or not); "not applicable" is picked now and then; every other choice is
    uniform.  Suggestions are written by about one resident in three.
    """
    centre = rng.uniform(2.5, 4.8) if centre is None else centre
    data = list(page.fields)
    for name, options in page.choices.items():
        values = [v for v in options if v]
        ratings = sorted(int(v) for v in values if v.isdigit())
        if ratings and len(ratings) >= len(values) - 1:  # a rating, maybe with "na"
            if len(ratings) < len(values) and rng.random() < 0.05:
                data.append((name, next(v for v in values if not v.isdigit())))
            else:
                value = max(ratings[0], min(ratings[-1], round(rng.gauss(centre, 0.8))))
                data.append((name, str(value)))
        elif values:
            data.append((name, rng.choice(values)))
    for name in page.texts:
        data.append((name, rng.choice(SUGGESTIONS) if rng.random() < 0.35 else ""))
    data.append(("go", page.action))
    return data


def resend(page: SurveyPage) -> list[tuple[str, str]]:
    """What a browser sends when the resident presses the button again on a kept page."""
    data = list(page.fields) + list(page.checked.items()) + list(page.written.items())
    return [*data, ("go", page.action)]


class CookieJar:
    """The cookies one browser keeps for the app (one host, paths ignored: all are ours)."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def update(self, set_cookies: list[str]) -> None:
        for line in set_cookies:
            pair, *attrs = line.split(";")
            name, _, value = pair.strip().partition("=")
            gone = any(
                a.strip().lower() in ("max-age=0", "expires=thu, 01 jan 1970 00:00:00 gmt")
                for a in attrs
            )
            if gone or not value:
                self.values.pop(name, None)
            else:
                self.values[name] = value

    def header(self) -> tuple[tuple[str, str], ...]:
        if not self.values:
            return ()
        return (("Cookie", "; ".join(f"{k}={v}" for k, v in self.values.items())),)

    def get(self, name: str) -> str | None:
        return self.values.get(name)


def device_id(cookie_value: str | None) -> str | None:
    """The random device id inside the app's signed ``sv_device`` cookie.

    The cookie is signed, not encrypted: its payload can be read without the secret
    (the signature is not checked here; the server checks it).
    """
    if not cookie_value:
        return None
    _valid, payload = URLSafeSerializer("unused").loads_unsafe(cookie_value)
    return payload if isinstance(payload, str) else None


def device_hash(salt: str, device: str) -> str:
    """The ``device_hash`` column the app stores for ``device`` in a round with ``salt``.

    Mirrors :func:`surveyapp.responses.submit.client_hash` (tested against it), so the
    reconciliation can find a resident's row without the app telling the client its id.
    """
    return hmac.new(salt.encode(), f"dev:{device}".encode(), hashlib.sha256).hexdigest()

"""A scripted resident for the review tests: a fresh cookie, every page answered."""

from __future__ import annotations

import random

from tests.survey.conftest import FormPage


def scripted_resident(
    wired,
    code: str,
    rng: random.Random,
    *,
    ip: str,
    user_agent: str = "stuffing-script/1.0",
    suggestion: str = "",
) -> int:
    """One resident with a fresh cookie (a new test client) answers every page at
    random from ``ip``, writing ``suggestion`` in every text box; the status of the last
    reply (303 when the response was taken)."""
    browser = wired.test_client()
    browser.environ_base.update(REMOTE_ADDR=ip, HTTP_USER_AGENT=user_agent)
    page = FormPage(browser.get(f"/s/{code}").get_data(as_text=True))
    while True:
        data = page.data()
        for name, options in {**page.radios, **page.selects}.items():
            data[name] = rng.choice([o for o in options if o])
        for name in page.textareas:
            data[name] = suggestion
        last = page.progress[0] == page.progress[1]
        data["go"] = "submit" if last else "next"
        reply = browser.post(f"/s/{code}", data=data)
        if last or reply.status_code != 200:
            return reply.status_code
        page = FormPage(reply.get_data(as_text=True))

"""Texts looked up in the catalogs, Flask-Babel's locale from the page's language, and
dates, numbers and percentages formatted by Babel."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import flask_babel
import pytest
from flask import render_template_string

from reports import Texts
from surveyapp.i18n import (
    bilingual,
    both,
    format_date,
    format_number,
    format_percent,
    has_text,
    t,
    translations,
)
from surveyapp.questionnaire.messages import DOMAIN, texts, zh_word


def test_a_text_in_each_language_with_its_placeholders():
    assert t("thanks_title", "zh") == "感谢您的参与！"
    assert t("thanks_title", "en") == "Thank you!"
    assert t("survey_progress", "en", page=2, pages=5) == "Page 2 of 5"
    assert t("survey_progress", "zh", page=2, pages=5) == "第 2 页，共 5 页"
    assert t("thanks_title", "fr") == "感谢您的参与！"  # any other language: Chinese
    assert both("rounds_err_bad_code") == (
        t("rounds_err_bad_code", "zh"),
        t("rounds_err_bad_code", "en"),
    )
    assert bilingual("survey_progress", page=1, pages=2) == "第 1 页，共 2 页 / Page 1 of 2"


def t_q(kind: str, lang: str) -> str:
    return translations(lang, DOMAIN).gettext(kind)


def test_schema_words_in_chinese_from_their_context_in_the_catalog():
    assert zh_word("a whole number") == "整数"
    assert zh_word("a whole number or text") == "整数 或 文本"  # alternatives one by one
    assert zh_word("a colour") == "a colour"  # unknown: the English itself
    assert texts("empty") == (t_q("empty", "zh"), t_q("empty", "en"))  # a kind, not the word


def test_error_codes_without_a_text_are_told_apart():
    assert has_text("not_json")
    assert not has_text("bad_request")


def test_the_bulletin_reads_its_own_catalog():
    assert Texts("zh")("summary") != Texts("en")("summary")
    assert Texts("en")("edition", n=3).count("3") == 1


def test_the_bulletin_dates_a_day_by_babel_in_its_catalog_pattern():
    from datetime import date

    assert Texts("zh").date(date(2026, 1, 5)) == "2026年1月5日"
    assert Texts("en").date(date(2026, 1, 5)) == "2026-01-05"


def test_reports_reads_its_catalogs_without_flask():
    code = (
        "import sys, reports; "
        "print(reports.Texts('en')('summary')); "
        "assert not any(m == 'flask' or m.startswith(('flask.', 'surveyapp')) for m in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == Texts("en")("summary")


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (1234567.84, 1, "1,234,567.8"),
        (0.35, 1, "0.3"),  # as Python rounds the float, the same as the CSV downloads
        (-1234.5, 0, "-1,234"),
        (12, 2, "12.00"),
        (999.96, 1, "1,000.0"),
    ],
)
def test_numbers_are_grouped_by_babel_as_before(value, digits, expected):
    assert format_number(value, digits, "zh") == expected
    assert format_number(value, digits, "en") == expected
    assert format_number(value, digits, "en") == f"{value:,.{digits}f}"


def test_percentages():
    assert format_percent(0.8534) == "85.3%"
    assert format_percent(0.8534, 0, "en") == "85%"
    assert format_percent(1.0, 1) == "100.0%"


def test_dates_are_china_time_in_each_language():
    instant = datetime(2026, 12, 31, 0, 0, tzinfo=UTC)
    assert format_date(instant, "zh") == "2026年12月31日 08:00"
    assert format_date(instant, "en") == "2026-12-31 08:00"
    assert format_date(datetime(2026, 1, 5, 16, 30, tzinfo=UTC), "zh") == "2026年1月6日 00:30"


@pytest.mark.parametrize(
    ("query", "locale", "text"),
    [
        ("", "zh_CN", "感谢您的参与！"),
        ("?lang=en", "en", "Thank you!"),
        ("?lang=xx", "zh_CN", "感谢您的参与！"),
    ],
)
def test_flask_babel_follows_the_page_language(app, query, locale, text):
    with app.test_request_context("/" + query):
        app.preprocess_request()
        chosen = flask_babel.get_locale()
        assert (
            chosen is not None
            and "_".join(filter(None, (chosen.language, chosen.territory))) == locale
        )
        assert str(flask_babel.get_timezone()) == "Asia/Shanghai"
        page = render_template_string("{{ _('thanks_title') }}|{{ gettext('thanks_title') }}")
    assert page == f"{text}|{text}"

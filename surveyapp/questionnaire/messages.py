"""The texts of questionnaire problems, Chinese with English (catalog ``questionnaire.po``).

Every check names its problem by a kind and the values the text needs; both languages
share the placeholders, so the editor shows "中文 / English" and the command line keeps
the English with the Chinese beside it.  Values that are themselves words (what a key
must be, what was found) are given in each language by :func:`pair`.
"""

from __future__ import annotations

from typing import Any

from surveyapp.i18n import N_, translations

__all__ = ["KINDS", "WORDS", "pair", "texts", "zh_word"]

DOMAIN = "questionnaire"

#: Every problem kind, each a message id of the ``questionnaire`` catalogs (the checks pass
#: kinds along as values, so the list marks them for extraction).
KINDS = (
    N_("required"),
    N_("unknown"),
    N_("unknown_close"),
    N_("must_be"),
    N_("max_above_min"),
    N_("max_span"),
    N_("label_count"),
    N_("unknown_sector"),
    N_("threshold_range"),
    N_("duplicate_option"),
    N_("duplicate_id"),
    N_("key_not_text"),
    N_("duplicate_key"),
    N_("not_utf8"),
    N_("empty"),
    N_("too_complex"),
    N_("yaml_error"),
    N_("yaml_syntax"),
    N_("yaml_tab"),
    N_("yaml_quote"),
    N_("yaml_indent"),
    N_("yaml_character"),
    N_("duplicate_version"),
)

#: The context of the English words a schema problem puts in its placeholders (what a
#: key must be, what was found): each is a message id of the ``questionnaire`` catalogs
#: in that context, its Chinese in the zh catalog (the en catalog repeats the English).
WORD = "schema word"


def pN_(context: str, english: str) -> str:  # noqa: N802 - gettext's marker, with a context
    """Mark a word of ``context`` for extraction."""
    return english


WORDS = (
    pN_("schema word", "text"),
    pN_("schema word", "non-empty text"),
    pN_("schema word", "a whole number"),
    pN_("schema word", "a number"),
    pN_("schema word", "true or false"),
    pN_("schema word", "a mapping"),
    pN_("schema word", "an empty mapping"),
    pN_("schema word", "a list"),
    pN_("schema word", "an empty list"),
    pN_("schema word", "empty"),
    pN_("schema word", "nothing"),
    pN_("schema word", "the document"),
    pN_("schema word", "text of lowercase letters, digits, '_' or '-'"),
    pN_("schema word", "a number greater than 0"),
    pN_("schema word", "non-empty text, or a mapping with 'zh' and/or 'en'"),
    pN_("schema word", "a list of labels"),
    pN_("schema word", "a list of labels, or a mapping with 'zh' and/or 'en' lists"),
    pN_("schema word", "a mapping with 'min', 'max' and 'labels'"),
    pN_("schema word", "a mapping with 'id' and 'text'"),
    pN_("schema word", "a non-empty list of items"),
    pN_("schema word", "a mapping with 'id', 'weight' and 'items'"),
    pN_("schema word", "a mapping with 'id', 'text' and 'satisfied_threshold'"),
    pN_("schema word", "non-empty text, or a mapping with 'value', 'zh' and 'en'"),
    pN_("schema word", "'choice'"),
    pN_("schema word", "a non-empty list of options"),
    pN_("schema word", "a mapping with 'id' and 'options'"),
    pN_("schema word", "a whole number of at least 1"),
    pN_("schema word", "a number from 0 to 100"),
    pN_("schema word", "a percentage from 0 to 100"),
    pN_("schema word", "a list of open questions"),
    pN_("schema word", "a mapping of keys to values"),
    pN_("schema word", "a non-empty list of dimensions"),
    pN_("schema word", "a list of respondent questions"),
)


def zh_word(english: str) -> str:
    """The Chinese of a placeholder word, or the English itself when none is known.

    Alternatives joined by " or " are translated one by one.
    """
    catalog = translations("zh", DOMAIN)

    def one(word: str) -> str:
        return str(catalog.pgettext(WORD, word))

    whole = one(english)
    if whole != english or " or " not in english:
        return whole
    return " 或 ".join(one(part) for part in english.split(" or "))


class pair:  # noqa: N801 - used like a small value, as str is
    """A placeholder value that reads differently in Chinese and English."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh = zh
        self.en = en


def texts(kind: str, /, **values: Any) -> tuple[str, str]:
    """The Chinese and English texts of a problem ``kind`` with its ``values``."""
    zh = translations("zh", DOMAIN).gettext(kind)
    en = translations("en", DOMAIN).gettext(kind)
    in_zh = {k: v.zh if isinstance(v, pair) else v for k, v in values.items()}
    in_en = {k: v.en if isinstance(v, pair) else v for k, v in values.items()}
    return zh.format(**in_zh), en.format(**in_en)

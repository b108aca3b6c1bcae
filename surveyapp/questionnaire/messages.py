"""The texts of questionnaire problems, Chinese with English (catalog ``questionnaire.po``).

Every check names its problem by a kind and the values the text needs; both languages
share the placeholders, so the editor shows "中文 / English" and the command line keeps
the English with the Chinese beside it.  Values that are themselves words (what a key
must be, what was found) are given in each language by :func:`pair`.
"""

from __future__ import annotations

from typing import Any

from surveyapp.i18n import N_, translations

__all__ = ["KINDS", "ZH_WORDS", "pair", "texts", "zh_word"]

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

#: Chinese for the English words a schema problem puts in its placeholders.
ZH_WORDS: dict[str, str] = {
    "text": "文本",
    "non-empty text": "非空文本",
    "a whole number": "整数",
    "a number": "数字",
    "true or false": "true 或 false",
    "a mapping": "映射（键: 值）",
    "an empty mapping": "空映射",
    "a list": "列表",
    "an empty list": "空列表",
    "empty": "空值",
    "nothing": "空值",
    "the document": "整个文件",
    "text of lowercase letters, digits, '_' or '-'": "由小写字母、数字、'_' 或 '-' 组成的文本",
    "a number greater than 0": "大于 0 的数字",
    "non-empty text, or a mapping with 'zh' and/or 'en'": "非空文本，或含 'zh' 和/或 'en' 的映射",
    "a list of labels": "标签列表",
    "a list of labels, or a mapping with 'zh' and/or 'en' lists": (
        "标签列表，或含 'zh' 和/或 'en' 列表的映射"
    ),
    "a mapping with 'min', 'max' and 'labels'": "含 'min'、'max' 和 'labels' 的映射",
    "a mapping with 'id' and 'text'": "含 'id' 和 'text' 的映射",
    "a non-empty list of items": "非空的题目列表",
    "a mapping with 'id', 'weight' and 'items'": "含 'id'、'weight' 和 'items' 的映射",
    "a mapping with 'id', 'text' and 'satisfied_threshold'": (
        "含 'id'、'text' 和 'satisfied_threshold' 的映射"
    ),
    "non-empty text, or a mapping with 'value', 'zh' and 'en'": (
        "非空文本，或含 'value'、'zh' 和 'en' 的映射"
    ),
    "'choice'": "'choice'",
    "a non-empty list of options": "非空的选项列表",
    "a mapping with 'id' and 'options'": "含 'id' 和 'options' 的映射",
    "a whole number of at least 1": "不小于 1 的整数",
    "a number from 0 to 100": "0 到 100 之间的数字",
    "a percentage from 0 to 100": "0 到 100 之间的百分比",
    "a list of open questions": "开放题列表",
    "a mapping of keys to values": "键值映射",
    "a non-empty list of dimensions": "非空的维度列表",
    "a list of respondent questions": "基本情况题列表",
}


def zh_word(english: str) -> str:
    """The Chinese of a placeholder word, or the English itself when none is known.

    Alternatives joined by " or " are translated one by one.
    """
    if english in ZH_WORDS:
        return ZH_WORDS[english]
    if " or " in english:
        return " 或 ".join(ZH_WORDS.get(part, part) for part in english.split(" or "))
    return english


class pair:  # noqa: N801 - used like a small value, as str is
    """A placeholder value that reads differently in Chinese and English."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh = zh
        self.en = en


def texts(kind: str, **values: Any) -> tuple[str, str]:
    """The Chinese and English texts of a problem ``kind`` with its ``values``."""
    zh = translations("zh", DOMAIN).gettext(kind)
    en = translations("en", DOMAIN).gettext(kind)
    in_zh = {k: v.zh if isinstance(v, pair) else v for k, v in values.items()}
    in_en = {k: v.en if isinstance(v, pair) else v for k, v in values.items()}
    return zh.format(**in_zh), en.format(**in_en)

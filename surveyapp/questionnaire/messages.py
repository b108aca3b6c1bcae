"""The texts of questionnaire problems, Chinese with English (``kind: (zh, en)``).

Every check names its problem by a kind and the values the text needs; both languages
share the placeholders, so the editor shows "中文 / English" and the command line keeps
the English with the Chinese beside it.  Values that are themselves words (what a key
must be, what was found) are given in each language by :func:`pair`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TEXTS", "ZH_WORDS", "pair", "texts", "zh_word"]

TEXTS: dict[str, tuple[str, str]] = {
    "required": ("缺少必填键 {keys}", "missing required key{plural} {keys}"),
    "unknown": ("未知的键 '{key}'", "unknown key '{key}'"),
    "unknown_close": (
        "未知的键 '{key}'（是否应为 '{close}'？）",
        "unknown key '{key}' (did you mean '{close}'?)",
    ),
    "must_be": ("{label} 应为{expected}（实际为 {got}）", "{label} must be {expected} (got {got})"),
    "max_above_min": (
        "'max' 必须大于 'min'（实际为 {low}..{high}）",
        "'max' must be greater than 'min' (got {low}..{high})",
    ),
    "max_span": (
        "'max' 最多为 'min' + {span}（实际为 {low}..{high}）",
        "'max' must be at most 'min' + {span} (got {low}..{high})",
    ),
    "label_count": (
        "'{name}' 应有 {points} 个标签，对应 {low}..{high} 的每一分（实际为 {count} 个）",
        "'{name}' must have {points} labels, one for each point of {low}..{high} (got {count})",
    ),
    "unknown_sector": (
        "未知的行业 '{sector}'（已知：{known}）",
        "unknown sector '{sector}' (known: {known})",
    ),
    "threshold_range": (
        "'satisfied_threshold' 应在总体满意度量表 {low}..{high} 之内（实际为 {threshold}）",
        "'satisfied_threshold' must be within the overall scale {low}..{high} (got {threshold})",
    ),
    "duplicate_option": (
        "选项 '{value}' 重复（与 options[{other}] 相同）",
        "duplicate option '{value}' (also options[{other}])",
    ),
    "duplicate_id": (
        "编号 '{value}' 重复（{where} 处已使用）",
        "duplicate id '{value}' (also used at {where})",
    ),
    "key_not_text": (
        "键 '{shown}' 必须是文本：请加上引号",
        "key '{shown}' must be text: put it in quotes",
    ),
    "duplicate_key": (
        "键 '{key}' 重复（第 {other} 行已有）",
        "duplicate key '{key}' (also on line {other})",
    ),
    "not_utf8": ("文件不是 UTF-8 编码的文本", "the file is not UTF-8 text"),
    "empty": ("文件是空的", "the file is empty"),
    "too_complex": (
        "YAML 被拒绝：{problem}；问卷远不需要这么多",
        "YAML refused: {problem}; a questionnaire needs far less",
    ),
    "yaml_error": ("YAML 错误：{detail}", "YAML error: {detail}"),
    "yaml_syntax": ("YAML 语法错误：{detail}", "YAML syntax error: {detail}"),
    "yaml_tab": (
        "YAML 语法错误：发现制表符；请用空格缩进，不要用制表符",
        "YAML syntax error: found a tab; indent with spaces, not tabs",
    ),
    "yaml_quote": (
        "YAML 语法错误：{detail}；含有 ':'、'?'、',' 或括号的文本请加上引号",
        "YAML syntax error: {detail}; put text containing ':', '?', ',' or brackets in quotes",
    ),
    "yaml_indent": (
        "YAML 语法错误：{detail}；请检查缩进",
        "YAML syntax error: {detail}; check the indentation",
    ),
    "yaml_character": (
        "YAML 语法错误：不可接受的字符 #x{code}",
        "YAML syntax error: unacceptable character #x{code}",
    ),
    "duplicate_version": (
        "问卷 '{qid}' 第 {version} 版也定义在 {other}",
        "questionnaire '{qid}' version {version} is also defined in {other}",
    ),
}

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
    zh, en = TEXTS[kind]
    in_zh = {k: v.zh if isinstance(v, pair) else v for k, v in values.items()}
    in_en = {k: v.en if isinstance(v, pair) else v for k, v in values.items()}
    return zh.format(**in_zh), en.format(**in_en)

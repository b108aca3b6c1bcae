"""The XLSForm import's notes in Chinese as well as English: one Chinese note for each
English one, at the same row, the nested parts (why a list is no scale, how one became
the scale) in the same language as their note."""

from __future__ import annotations

import pytest

from surveyapp.questionnaire.xlsform import XLSFormError, convert_xlsform
from tests.qeditor.test_xlsform_real_forms import AGREE, _survey
from tests.qeditor.test_xlsform_real_forms import _convert as convert_real
from tests.qeditor.xlsforms import xlsform_bytes


def test_every_note_has_its_chinese_twin():
    result = convert_xlsform(xlsform_bytes(), source="kobo.xlsx")
    assert len(result.notes_zh) == len(result.notes) > 0
    assert result.notes_in("en") == result.notes and result.notes_in("zh") == result.notes_zh
    assert "row 12: type 'calculate' is not supported" in result.notes
    assert "第 12 行：不支持类型 'calculate'" in result.notes_zh
    for zh, en in zip(result.notes_zh, result.notes, strict=True):
        assert zh != en and any("\u4e00" <= c <= "\u9fff" for c in zh)
        if en.startswith("row "):  # the same row
            assert zh.startswith("第 " + en.split(":")[0].removeprefix("row ") + " 行：")


def test_how_a_list_became_the_scale_is_said_in_each_language():
    result = convert_real(_survey("agree5"), AGREE)
    assert (
        "choices row 2: choice list 'agree5' is a known agreement scale: taken as the rating "
        "scale 1..5 (1 = 'strongly_disagree', 5 = 'strongly_agree')" in result.notes
    )
    assert (
        "choices 表第 2 行：选项列表 'agree5'：已知的同意度量表：作为评分量表 1..5"
        "（1 = 'strongly_disagree'，5 = 'strongly_agree'）" in result.notes_zh
    )


def test_a_refusal_is_said_in_both_languages_with_its_parts():
    with pytest.raises(XLSFormError) as refused:
        convert_real(_survey("quality"), [("quality", c, c) for c in ("poor", "fair", "good")])
    english, chinese = str(refused.value), refused.value.zh
    assert english.startswith("no rating questions besides 'overall'")
    assert chinese.startswith("除 'overall' 外没有评分题")
    assert "Choice lists found: 'quality' (3 choices): text codes" in english
    assert "找到的选项列表：'quality'（3 个选项）：文本编码不是已知的同意度或满意度量表" in chinese

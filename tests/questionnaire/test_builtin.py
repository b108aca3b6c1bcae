"""The questionnaires shipped in ``questionnaires/``."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from surveyapp.questionnaire import (
    SECTORS,
    builtin_dir,
    discover,
    load_questionnaire,
    validate_files,
)

REPO = Path(__file__).resolve().parents[2]
SHIPPED = sorted((REPO / "questionnaires").glob("*.yaml"))

PUER_DISTRICTS = [
    "思茅区",
    "宁洱哈尼族彝族自治县",
    "墨江哈尼族自治县",
    "景东彝族自治县",
    "景谷傣族彝族自治县",
    "镇沅彝族哈尼族拉祜族自治县",
    "江城哈尼族彝族自治县",
    "孟连傣族拉祜族佤族自治县",
    "澜沧拉祜族自治县",
    "西盟佤族自治县",
]
LABELS_ZH = ("非常不满意", "不满意", "一般", "满意", "非常满意")
LABELS_EN = ("Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied")


def test_builtin_dir_is_the_repository_folder():
    assert builtin_dir() == REPO / "questionnaires"
    assert discover() == SHIPPED
    assert [p.stem for p in SHIPPED] == sorted(SECTORS)


def test_all_shipped_files_are_valid():
    assert validate_files([builtin_dir()]) == []


def test_every_sector_has_a_questionnaire():
    assert {load_questionnaire(p).sector for p in SHIPPED} == set(SECTORS)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_questionnaire(path: Path):
    q = load_questionnaire(path)
    assert q.id == path.stem == q.sector
    assert q.version == 1
    assert q.goal == 80
    assert 4 <= len(q.dimensions) <= 6
    assert 12 <= len(q.items) <= 20
    assert math.isclose(sum(d.weight for d in q.dimensions), 1.0)
    assert q.title.zh and q.title.en and q.intro is not None

    for scale in [q.scale, q.overall.scale, *(item.scale for item in q.items)]:
        assert (scale.min, scale.max) == (1, 5)
        assert scale.labels == {"zh": LABELS_ZH, "en": LABELS_EN}

    assert q.overall.id == "overall"
    assert q.overall.satisfied_threshold == 4
    prefixes = []
    for dimension in q.dimensions:
        assert dimension.title.zh != dimension.title.en
        assert {item.id.split("_")[0] for item in dimension.items} == {
            dimension.items[0].id.split("_")[0]
        }, f"items of {dimension.id} do not share one prefix"
        prefixes.append(dimension.items[0].id.split("_")[0])
    assert len(set(prefixes)) == len(prefixes)
    for item in q.items:
        assert item.text.zh != item.text.en, item.id  # really translated
        assert len(item.text.zh) <= 30, item.id  # short enough to read on a phone

    assert q.respondent_ids == ("district", "age_group", "gender")
    district = q.respondent_question("district")
    assert list(district.values) == PUER_DISTRICTS
    assert district.options[0].label.en == "Simao District"
    assert district.options[1].label.en == "Ning'er County"
    assert all(o.label.en.endswith(("County", "District")) for o in district.options)
    assert q.respondent_question("age_group").values == ("18-29", "30-44", "45-59", "60+")
    gender = q.respondent_question("gender")
    assert [(o.value, o.label.en) for o in gender.options] == [("男", "Male"), ("女", "Female")]
    assert [o.id for o in q.open_questions] == ["suggestions"]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_file_says_which_plan_it_follows(path: Path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# 依据") and "方案" in first


def test_content_hashes_differ_between_sectors():
    hashes = {load_questionnaire(p).content_hash() for p in SHIPPED}
    assert len(hashes) == len(SHIPPED)

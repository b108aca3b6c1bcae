"""Rating forms: the shipped ones load, problems are named at their line, versions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveyapp.models.provider_rating import RatingFormVersion
from surveyapp.ratings.forms import (
    RatingFormError,
    form_version,
    forms_dir,
    load_form,
    read_form,
    stored_form,
)
from surveyapp.sectors import SECTORS

GOOD = """\
id: rating-test
sector: catering
title: {zh: 测试评价, en: Test rating}
items:
  - id: food
    text: {zh: 菜品, en: Food}
  - id: service
    text: {zh: 服务, en: Service}
  - id: overall
    text: {zh: 总体, en: Overall}
comment:
  max_length: 300
"""


def test_every_sector_ships_a_valid_form_with_overall():
    for sector in SECTORS:
        form = read_form(forms_dir() / f"{sector.code}.yaml")
        assert form.sector == sector.code
        assert 3 <= len(form.items) <= 6
        overall = [i for i in form.items if i.id == "overall"]
        assert overall and overall[0].required
        assert all(i.text.zh and i.text.en for i in form.items)


def test_a_good_form_loads():
    form = load_form(GOOD, "t.yaml")
    assert form.item_ids == ("food", "service", "overall")
    assert [i.required for i in form.items] == [False, False, True]
    assert form.comment_max == 300


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (("sector: catering", "sector: bakery"), 2, "unknown sector 'bakery'"),
        (("title: {zh: 测试评价, en: Test rating}", "title: {zh: 测试评价}"), 3, "title needs zh"),
        (("  - id: overall\n", "  - id: total\n"), 4, "has an item 'overall'"),
        (("  - id: service\n", "  - id: food\n"), 7, "item 'food' twice (first at line 5)"),
        (("    text: {zh: 服务, en: Service}", "    text: {zh: 服务, en: ''}"), 8, "text needs zh"),
        (("  max_length: 300", "  max_length: lots"), 12, "comment needs max_length"),
        (
            (
                "    text: {zh: 总体, en: Overall}",
                "    text: {zh: 总体, en: Overall}\n    required: false",
            ),
            11,
            "overall item is always required",
        ),
        (
            ("    text: {zh: 菜品, en: Food}", "    text: {zh: 菜品, en: Food}\n    stars: 10"),
            7,
            "unknown key 'stars'",
        ),
        (("id: rating-test", "id: Rating Test"), 1, "id must be lower-case"),
    ],
)
def test_each_problem_is_named_at_its_line(change, line, words):
    text = GOOD.replace(*change)
    assert text != GOOD
    with pytest.raises(RatingFormError) as refused:
        load_form(text, "t.yaml")
    assert any(p.startswith(f"t.yaml:{line}: ") and words in p for p in refused.value.problems), (
        refused.value.problems
    )


def test_too_few_and_too_many_items_are_refused_at_the_items_line():
    two = GOOD.replace("  - id: food\n    text: {zh: 菜品, en: Food}\n", "")
    with pytest.raises(RatingFormError) as refused:
        load_form(two, "t.yaml")
    assert "t.yaml:4: items must be a list of 3 to 6 items" in refused.value.problems
    extra = "".join(f"  - id: x{i}\n    text: {{zh: 项{i}, en: X{i}}}\n" for i in range(4))
    seven = GOOD.replace("comment:", extra.rstrip("\n") + "\ncomment:")
    with pytest.raises(RatingFormError) as refused:
        load_form(seven, "t.yaml")
    assert "t.yaml:4: items must be a list of 3 to 6 items" in refused.value.problems


def test_all_problems_are_reported_at_once_and_yaml_errors_have_their_line():
    text = GOOD.replace("sector: catering", "sector: bakery").replace(
        "max_length: 300", "max_length: 0"
    )
    with pytest.raises(RatingFormError) as refused:
        load_form(text, "t.yaml")
    assert len(refused.value.problems) == 2
    with pytest.raises(RatingFormError) as refused:
        load_form("id: a\nitems: [\n", "bad.yaml")
    assert refused.value.problems[0].startswith("bad.yaml:3: not YAML")
    with pytest.raises(RatingFormError) as refused:
        load_form("id: a\nid: b\n", "dup.yaml")
    assert any(p.startswith("dup.yaml:2:") for p in refused.value.problems)


def test_a_changed_form_is_a_new_version_and_the_same_content_is_not(session):
    form = load_form(GOOD, "t.yaml")
    first = form_version(session, form)
    assert first.version == 1
    # comments and layout do not count: same content, same version
    again = load_form(
        "# a comment\n" + GOOD.replace("{zh: 菜品, en: Food}", "{en: Food, zh: 菜品}")
    )
    assert form_version(session, again).version == 1
    changed = load_form(GOOD.replace("en: Food}", "en: Food and drink}"))
    assert form_version(session, changed).version == 2
    assert form_version(session, form).version == 1  # the old content keeps its number
    rows = session.scalars(select(RatingFormVersion).order_by(RatingFormVersion.version)).all()
    assert [(r.form_id, r.version) for r in rows] == [("rating-test", 1), ("rating-test", 2)]
    assert stored_form(session, "rating-test", 2).items[0].text.en == "Food and drink"
    assert stored_form(session, "rating-test", 3) is None

"""The bulletin's plan-progress section: indicators with status, value, target and
deadline, read back from the PDF; pinned in the bulletin's inputs, so a published
edition renders the same again after a value is corrected."""

from __future__ import annotations

import copy
from types import SimpleNamespace

from surveyapp.bulletins import prepare_bulletin, publish_bulletin, rederive_bulletin
from surveyapp.extensions import db
from surveyapp.plans import enter_value, load_plans, value_history

PUER = "puer-2023-quality"


def _enter(indicator: str, period: str, value: float, plan: str = PUER) -> None:
    enter_value(db.session, load_plans(), "cli", plan_id=plan, indicator_id=indicator,
                period=period, value=value, note="统计公报")  # fmt: skip


def _section(pages: list[str]) -> str:
    text = " ".join(pages)
    start = text.index("规划指标进展") if "规划指标进展" in text else text.index("Progress on plan")
    return text[start:]


def test_the_section_pinned_and_rendered_again_unchanged(app, demo, pdf_text):
    period = demo["previous"]  # closed: a final edition
    year = str(int(period[:4]) - 1)  # a year over by the period's end (its own is not)
    with app.app_context():
        # the demo's values: two years, the 2020 revenue corrected once
        history = value_history(db.session, PUER, "catering-revenue", "2020")
        assert [(r.value, r.entered_by) for r in history] == [(48.1, "demo"), (48.9, "demo")]
        _enter("catering-revenue", "2020", 50.5)  # ≥ 50 by 2020: achieved
        _enter("catering-enterprises-above-size", "2020", 8)  # < 10 by 2020: missed
        _enter("elderly-care-beds", year, 17.0, "shanghai-2025-life-services")
        _enter("dementia-care-beds", period[:4], 1.2, "shanghai-2025-life-services")
        b = publish_bulletin(db.session, period, sectors=["catering", "elderly_care"])
        db.session.commit()
        record = b.inputs["plan_progress"]
        assert record["period"] == period and record["tolerance_pp"] == 5.0
        rows = {(r["plan"], r["indicator"]): r for r in record["rows"]}
        # the bulletin's sectors' indicators and the city-wide ones, not lodging's
        shown = {"catering", "elderly_care"}
        assert set(rows) == {
            (p.id, i.id) for p in load_plans() for i in p.indicators
            if not i.entry_sectors or shown & set(i.entry_sectors)
        }  # fmt: skip
        assert (PUER, "lodging-revenue") not in rows and (PUER, "satisfaction-lodging") not in rows
        assert rows[PUER, "catering-revenue"]["status"] == "achieved"
        assert rows[PUER, "catering-enterprises-above-size"]["status"] == "missed"
        assert "entered_by" not in rows[PUER, "catering-revenue"]  # nothing personal
        section = _section(pdf_text(b.pdf))
        assert "2023年生活性服务业质量提升行动方案" in section
        assert "全市餐饮业总收入" in section and "≥ 50 亿元" in section
        assert "50.5 亿元（2020年）" in section and "已实现" in section
        assert "未按期实现" in section and "2020-12-31" in section and "住宿服务" not in section
        assert "养老床位总数" in section and f"17 万张（{year}年）" in section
        # the period's own year is not over by its end: the demo's 2024 value stands
        dementia = rows["shanghai-2025-life-services", "dementia-care-beds"]
        assert (dementia["value"], dementia["value_period"]) == (1.32, "2024")
        # the satisfaction of catering: the same number as the bulletin's analysis
        sat = rows[PUER, "satisfaction-catering"]
        assert sat["value_source"] == "computed" and sat["value_period"] == period

        # corrected after publication: the archived edition renders the same again …
        _enter("catering-revenue", "2020", 45.0)
        assert rederive_bulletin(db.session, b) == b.pdf
        # … while a new draft shows the correction
        fresh = prepare_bulletin(db.session, period, sectors=["catering", "elderly_care"])
        new_rows = {(r["plan"], r["indicator"]): r for r in fresh.inputs["plan_progress"]["rows"]}
        assert new_rows[PUER, "catering-revenue"]["value"] == 45.0
        assert new_rows[PUER, "catering-revenue"]["status"] == "missed"

        # an edition published before the section existed has none when rendered again
        old = copy.deepcopy(b.inputs)
        del old["plan_progress"]
        before = SimpleNamespace(inputs=old, edition=b.edition)
        assert "规划指标进展" not in " ".join(pdf_text(rederive_bulletin(db.session, before)))


def test_the_english_section(app, demo, pdf_text):
    with app.app_context():
        _enter("catering-revenue", "2020", 50.5)
        draft = prepare_bulletin(db.session, demo["previous"], lang="en", sectors=["catering"])
        section = _section(pdf_text(draft.render()))
        assert "Total revenue of the city's catering trade" in section
        assert "50.5 亿元 (2020)" in section and "achieved" in section
        assert "deadline passed, not achieved" not in section or "no data" in section

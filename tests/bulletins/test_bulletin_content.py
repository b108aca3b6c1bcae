"""A bulletin from the demo data: the summary page shows exactly the analysis numbers."""

from __future__ import annotations

import re

import numpy as np

import analysis
from analysis import Margins, QualityRules
from reports import fmt
from surveyapp.bulletins import prepare_bulletin
from surveyapp.extensions import db
from surveyapp.models import Round
from surveyapp.questionnaire.scoring import scoring_spec
from surveyapp.responses.matrix import load_round_matrix

NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def _numbers(text: str) -> list[str]:
    """Numbers as printed (sign and decimals kept; thousands separators removed)."""
    return NUMBER.findall(re.sub(r"(?<=\d),(?=\d{3})", "", text))


VERDICT = {"met": "达标", "not_met": "未达标", "inconclusive": "尚无定论"}


def test_summary_numbers_are_the_analysis_numbers(app, demo, pdf_text):
    with app.app_context():
        draft = prepare_bulletin(db.session, demo["current"])
        pdf = draft.render()
        inputs = draft.inputs
    pages = pdf_text(pdf)
    summary = pages[1]
    assert "一、总体情况" in summary and "主要发现" in summary

    expected: set[str] = {"80", "0.05"}
    for sector in draft.content.sectors:
        r, ch = sector.result, sector.change
        assert r is not None and ch is not None and not r.small_sample
        assert r is draft.results[sector.key]
        row = [
            fmt.count(r.n),
            fmt.score(r.index.estimate),
            fmt.ci(r.index.ci),
            VERDICT[r.index.goal_status],  # next to the index it judges
            fmt.pct(r.satisfaction_rate.estimate),
            fmt.ci(r.satisfaction_rate.ci),
            fmt.change(ch.index.change),
        ]
        sig = "显著" if ch.index.significant else "不显著"
        line = f"{sector.title} {' '.join(row)}（{sig}）"
        assert line in summary, line
        expected |= {*row, fmt.score(ch.index.before), fmt.score(ch.index.after)}
        expected |= {fmt.score(d.estimate) for d in r.dimensions}
        expected |= {fmt.score(g.index.estimate) for g in r.groups}
        expected |= {str(len(draft.content.sectors))}
    # every number on the summary page comes from the results (or is the goal, a
    # count of sectors, a date or a page number)
    body = summary.split("一、总体情况", 1)[1].split("第 2 页", 1)[0]
    allowed = {t for e in expected for t in _numbers(e)}
    decimals = [t for t in _numbers(body) if t.startswith(("+", "-")) or "." in t]
    assert len(decimals) >= 5 * len(draft.content.sectors)
    assert [t for t in decimals if t not in allowed] == []

    # the page count is the one printed in the footer, and every sector has a section
    assert all(f"共 {len(pages)} 页" in p for p in pages[1:])
    assert len(pages) >= 2 + len(draft.content.sectors) + 1
    for sector in draft.content.sectors:
        assert any(p.startswith(f"{draft.content.title}") and sector.title in p for p in pages[2:])

    # the stored inputs re-derive a sector's numbers with analysis.run
    record = next(r for r in inputs["rounds"] if r["role"] == "current")
    with app.app_context():
        round_ = db.session.get(Round, record["round_id"])
        q, matrix = load_round_matrix(db.session, round_)
        again = analysis.run(
            matrix,
            scoring_spec(q),
            margins=Margins(record["margins"]),
            strata=record["strata"],
            by=record["by"],
            min_n=inputs["analysis"]["min_n"],
            quality=QualityRules(),
            exclude_flagged=inputs["analysis"]["exclude_flagged"],
        )
    first = draft.results[record["questionnaire"]]
    assert np.isclose(again.index.estimate, first.index.estimate, rtol=0, atol=1e-12)
    assert again.quality is not None and again.quality.n_excluded == first.quality.n_excluded
    assert record["questionnaire_version"] == q.version


def test_sector_option_and_english(app, demo, pdf_text):
    with app.app_context():
        draft = prepare_bulletin(db.session, demo["current"], sectors=["catering"], lang="en")
        pages = pdf_text(draft.render())
    assert [s.key for s in draft.content.sectors] == ["catering"]
    assert "1. Summary" in pages[1] and "Catering" in pages[1]
    assert "2. Catering" in pages[2]
    assert "Appendix: Methodology" in " ".join(pages)

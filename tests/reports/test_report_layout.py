"""What a city needs of the printed bulletin: ranking order, metadata, Chinese line breaks."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

from pypdf import PdfReader
from reportlab.graphics.shapes import String
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

import reports
from reports.charts import Bar, ranked_last, ranking_chart
from reports.fonts import load_fonts

CLOSING = "，。、；：？！）」』】》”"


def _labels_top_down(drawing) -> list[str]:
    """Row labels of a ranking chart from the top row down (they end at the label column)."""
    rows = [s for s in drawing.contents if isinstance(s, String) and s.textAnchor == "end"]
    return [s.text for s in sorted(rows, key=lambda s: -s.y)]


def test_small_sample_districts_never_lead_a_ranking_chart():
    bars = [
        Bar("小样本县 (n=12)", 97.0, (80.0, 100.0), muted=True),
        Bar("思茅区 (n=300)", 84.0, (82.0, 86.0)),
        Bar("另一个小县 (n=9)", 91.0, (70.0, 100.0), muted=True),
        Bar("宁洱县 (n=120)", 76.0, (72.0, 80.0)),
    ]
    assert [b.label[:3] for b in ranked_last(bars)] == ["思茅区", "宁洱县", "小样本", "另一个"]
    drawing = ranking_chart(bars, goal=80, font="Helvetica")
    labels = _labels_top_down(drawing)
    assert labels[0].startswith("思茅区") and labels[1].startswith("宁洱县")
    assert labels[2].startswith("小样本") and labels[3].startswith("另一个")


def test_bulletin_district_chart_puts_small_samples_after_the_others(make_sector, monkeypatch):
    """The bulletin sorts by the index with small samples last, before drawing."""
    drawn: list[list[Bar]] = []
    real = reports.document.ranking_chart

    def spy(bars, **kwargs):
        drawn.append(list(bars))
        return real(bars, **kwargs)

    monkeypatch.setattr(reports.document, "ranking_chart", spy)
    sector = make_sector(n=90, seed=2)  # a small-sample district has the highest index
    from tests.reports.conftest import content

    reports.render_bulletin(content(sector), load_fonts(None))
    districts = [bars for bars in drawn if any("(n=" in b.label for b in bars)]
    assert districts, "no district chart drawn"
    bars = districts[0]
    muted = [b.muted for b in bars]
    assert any(muted) and not all(muted)  # the test data has both kinds
    assert muted == sorted(muted)  # every small sample after every ranked district
    ranked = [b.estimate for b in bars if not b.muted]
    assert ranked == sorted(ranked, reverse=True)


def test_pdf_metadata_has_the_issue_date_as_creation_date(make_sector, make_content):
    pdf = reports.render_bulletin(make_content(make_sector()), load_fonts(None))
    meta = PdfReader(io.BytesIO(pdf)).metadata
    china = timezone(timedelta(hours=8))
    assert meta.creation_date == datetime(2026, 10, 15, tzinfo=china)
    assert meta.modification_date == datetime(2026, 10, 15, tzinfo=china)
    # still reproducible: the same content gives the same bytes
    assert reports.render_bulletin(make_content(make_sector()), load_fonts(None)) == pdf


def _line_starts(text: str, width: float, font: str) -> list[str]:
    style = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK")
    para = Paragraph(text, style)
    para.wrap(width, 10_000)
    return ["".join(line[1])[:1] for line in para.blPara.lines]


def test_no_chinese_line_starts_with_closing_punctuation(make_sector, make_content):
    reports.render_bulletin(make_content(make_sector()), load_fonts(None))  # sets the rules
    font = load_fonts(None).name
    base = "餐饮服务满意度指数为八十二点三分较上期提高一点二分"
    bad = []
    for mark in CLOSING:
        for k in range(1, len(base)):
            text = base[:k] + mark + base[k:] + "（说明）" + base
            for width in range(40, 200, 7):
                starts = _line_starts(text, width, font)
                bad += [(mark, k, width) for s in starts[1:] if s in CLOSING]
    assert bad == []

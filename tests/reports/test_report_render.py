"""Rendering a bulletin from analysis results: fonts, escaping, small samples, pages."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

import reports
from reports import fmt
from tests.needs import needs

WQY = next((p for p in reports.DEFAULT_FONT_PATHS if Path(p).is_file()), None)


def _font_files(pdf: bytes) -> tuple[set[str], int]:
    """Base font names used on the pages, and how many embed a font program."""
    names: set[str] = set()
    embedded = 0
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]))
            descendants = font.get("/DescendantFonts")
            desc = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            if desc is not None and any(
                k in desc.get_object() for k in ("/FontFile2", "/FontFile3")
            ):
                embedded += 1
    return names, embedded


@needs(WQY is None, "fonts-wqy-microhei")
def test_truetype_font_is_embedded_and_chinese_extracts(make_sector, make_content, pdf_text):
    fonts = reports.load_fonts(WQY)
    assert fonts.embedded and fonts.path == WQY
    pdf = reports.render_bulletin(make_content(make_sector()), fonts)
    names, embedded = _font_files(pdf)
    assert embedded >= 1 and not any("STSong" in n for n in names)
    text = " ".join(pdf_text(pdf))
    assert "生活性服务业服务质量第三方监测公报" in text
    assert "餐饮服务" in text and "食品安全与卫生" in text and "思茅区" in text


def test_stsong_fallback_without_a_truetype_font(make_sector, make_content, pdf_text):
    fonts = reports.load_fonts(candidates=())
    assert fonts == reports.FontSet("STSong-Light", embedded=False)
    pdf = reports.render_bulletin(make_content(make_sector()), fonts)
    names, embedded = _font_files(pdf)
    assert embedded == 0 and any("STSong-Light" in n for n in names)
    assert "一、总体情况" in pdf_text(pdf)[1]


def test_a_configured_font_that_is_missing_or_not_embeddable_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        reports.load_fonts(tmp_path / "missing.ttc")
    bad = tmp_path / "fake.ttf"
    bad.write_bytes(b"OTTO not really a font")
    with pytest.raises(ValueError, match="cannot embed"):
        reports.load_fonts(bad)


def test_markup_in_a_suggestion_is_printed_literally(make_sector, make_content, pdf_text):
    evil = '<script>alert("x")</script> & <b>粗体</b> <font size=40>'
    pdf = reports.render_bulletin(make_content(make_sector(suggestions=(evil,))))
    text = " ".join(pdf_text(pdf))
    assert '<script>alert("x")</script>' in text
    assert "& <b>粗体</b> <font size=40>" in text


def test_summary_shows_the_numbers_of_the_result(make_sector, make_content, pdf_text):
    sector = make_sector()
    r = sector.result
    summary = pdf_text(reports.render_bulletin(make_content(sector)))[1]
    verdict = {"met": "达标", "not_met": "未达标", "inconclusive": "尚无定论"}[r.index.goal_status]
    # the index's verdict stands right of the index it judges, before the rate
    row = (
        f"餐饮服务 {fmt.count(r.n)} {fmt.score(r.index.estimate)} {fmt.ci(r.index.ci)} "
        f"{verdict} {fmt.pct(r.satisfaction_rate.estimate)} {fmt.ci(r.satisfaction_rate.ci)} "
        f"{fmt.change(sector.change.index.change)}"
    )
    assert row in summary


def test_small_sector_gets_a_notice_instead_of_numbers(make_sector, make_content, pdf_text):
    small = make_sector(n=12, seed=5)
    assert small.result.small_sample
    pages = pdf_text(reports.render_bulletin(make_content(small)))
    assert "样本不足" in pages[1]
    assert fmt.score(small.result.index.estimate) not in pages[1]
    section = pages[2]
    assert "样本量不足" in section and "不发布指数" in section
    assert fmt.ci(small.result.index.ci) not in section


def test_english_bulletin(make_sector, make_content, pdf_text):
    pages = pdf_text(reports.render_bulletin(make_content(make_sector(), lang="en")))
    assert "1. Summary" in pages[1] and "Key findings" in pages[1]
    assert f"Page 2 of {len(pages)}" in pages[1]


def test_empty_bulletin_is_refused(make_content):
    with pytest.raises(ValueError, match="no sector"):
        reports.render_bulletin(make_content())


@needs(shutil.which("pdftoppm") is None, "poppler-utils")
def test_every_page_renders_to_png(make_sector, make_content, tmp_path):
    pdf = reports.render_bulletin(make_content(make_sector(), make_sector(seed=2)))
    path = tmp_path / "b.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        ["pdftoppm", "-png", "-r", "30", str(path), str(tmp_path / "page")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    pngs = sorted(tmp_path.glob("page-*.png"))
    n_pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert len(pngs) == n_pages
    # cover, summary, two sector sections (one page or more each), appendix
    assert n_pages >= 5
    assert all(p.stat().st_size > 1000 for p in pngs)


def test_long_tables_repeat_their_header_on_every_page(make_sector, make_content, pdf_text):
    from dataclasses import replace

    base = make_content(make_sector())
    towns = {f"乡镇{i:03d}": 1000.0 + i for i in range(90)}
    content = replace(
        base,
        methodology=replace(base.methodology, margins={"district": towns}),
    )
    pages = pdf_text(reports.render_bulletin(content))
    with_rows = [p for p in pages if "乡镇0" in p]
    assert len(with_rows) >= 2
    assert all("变量 类别 总体数" in p for p in with_rows)


def test_categories_left_out_of_the_weighting_are_named(make_sector, make_content, pdf_text):
    from dataclasses import replace

    sector = replace(make_sector(), unweighted=(("district", "西盟佤族自治县"),))
    text = " ".join(pdf_text(reports.render_bulletin(make_content(sector))))
    assert "加权时未计入其总体数" in text and "西盟佤族自治县" in text

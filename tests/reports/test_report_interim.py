"""An interim edition (a round of the period still open) says so on its cover and on
every page (issue 14, item 3)."""

from __future__ import annotations

import dataclasses

import reports


def test_interim_edition_is_marked_on_the_cover_and_every_page(make_sector, make_content, pdf_text):
    content = dataclasses.replace(make_content(make_sector()), edition=7, interim=True)
    pages = pdf_text(reports.render_bulletin(content))
    assert "第 7 期 · 中期" in pages[0]
    assert "中期公报：本期仍有调查轮次在进行" in pages[0]
    assert all("中期 · 第 7 期" in p for p in pages[1:])
    english = dataclasses.replace(content, lang="en")
    pages = pdf_text(reports.render_bulletin(english))
    assert "No. 7 · Interim" in pages[0] and "Interim bulletin" in pages[0]
    assert all("Interim · No. 7" in p for p in pages[1:])


def test_a_final_edition_carries_no_interim_mark(make_sector, make_content, pdf_text):
    content = dataclasses.replace(make_content(make_sector()), edition=7)
    pages = pdf_text(reports.render_bulletin(content))
    assert not any("中期" in p for p in pages)

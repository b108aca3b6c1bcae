"""The indices table as CSV and XLSX: the page's numbers, the page's filters and roles."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest

from surveyapp.sectors import SECTORS, sector_name

HEADER = ["监测期", "行业", "轮次", "区县", "已收回", "目标样本", "样本量", "指数",
          "95% 置信区间下限", "95% 置信区间上限", "结论", "满意率", "满意率 95% 置信区间下限",
          "满意率 95% 置信区间上限", "满意率判定", "样本不足", "较上期变化", "变化 p 值"]  # fmt: skip


def _csv(response) -> list[dict[str, str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode()), "Excel needs the UTF-8 BOM to read Chinese"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _page_numbers(html: str, qid: str) -> dict[str, tuple[str, str, str]]:
    """district → (n, index, CI) as the page's district table shows them."""
    table = html[html.index(f'id="districts-{qid}-caption"') :]
    table = table[: table.index("</table>")]
    out = {}
    for row in re.findall(r"<tr[^>]*>\s*<th scope=\"row\">(.*?)</tr>", table, flags=re.S):
        name = row[: row.index("<")]
        cells = re.findall(r'<td[^>]*data-label="[^"]+">(.*?)</td>', row, flags=re.S)
        n = re.match(r"\d+", cells[0]).group(0)
        out[name] = (n, cells[1], cells[2])
    return out


def test_csv_numbers_equal_the_page(as_role, demo):
    client = as_role("evaluator")
    html = client.get("/dashboard?sector=catering").get_data(as_text=True)
    response = client.get("/dashboard/indices.csv?sector=catering")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv(response)
    whole, districts = rows[0], rows[1:]
    assert whole["区县"] == "全部" and whole["行业"] == sector_name("catering", "zh")
    assert whole["指数"] == re.search(r'class="index-value">([\d.]+)', html).group(1)
    ci = re.search(r"95% 置信区间 ([\d.]+)–([\d.]+)", html)
    assert (whole["95% 置信区间下限"], whole["95% 置信区间上限"]) == ci.groups()
    assert whole["监测期"] == demo["current"] and whole["已收回"] == "60"
    # the satisfaction rate as the card shows it; no rate goal in the demo: no verdict
    rate = re.search(
        r'class="card-rate">满意率 ([\d.]+)%.*?95% 置信区间 ([\d.]+)–([\d.]+)', html, re.S
    )
    assert (
        whole["满意率"],
        whole["满意率 95% 置信区间下限"],
        whole["满意率 95% 置信区间上限"],
    ) == (rate.groups())
    assert whole["满意率判定"] == ""
    page = _page_numbers(html, "catering")
    assert len(districts) == len(page) == 10
    for row in districts:
        n, index, interval = page[row["区县"]]
        assert row["样本量"] == n
        assert (row["指数"] or "—") == index
        shown = f"{row['95% 置信区间下限']}–{row['95% 置信区间上限']}" if row["指数"] else "—"
        assert shown == interval
        assert row["样本不足"] == "是"  # 60 responses over 10 districts


def test_filters_apply_to_the_download(as_role, demo):
    client = as_role("evaluator")
    rows = _csv(client.get(f"/dashboard/indices.csv?period={demo['previous']}&district=思茅区"))
    assert sorted(r["行业"] for r in rows) == sorted(s.name_zh for s in SECTORS)
    assert all(r["区县"] == "思茅区" and r["监测期"] == demo["previous"] for r in rows)
    assert client.get("/dashboard/indices.csv?period=1999Q1").status_code == 404


def test_bureau_downloads_only_its_sectors(as_role, demo):
    client = as_role("bureau")
    rows = _csv(client.get("/dashboard/indices.csv"))
    assert {r["行业"] for r in rows} == {sector_name("catering", "zh")}
    assert client.get("/dashboard/indices.csv?sector=lodging").status_code == 403
    assert client.get("/dashboard/indices.xlsx?sector=lodging").status_code == 403


@pytest.mark.parametrize("path", ["/dashboard/indices.csv", "/dashboard/indices.xlsx"])
def test_anonymous_is_sent_to_login(client, demo, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_xlsx_equals_the_csv(as_role, demo):
    client = as_role("evaluator")
    rows = _csv(client.get("/dashboard/indices.csv?sector=catering"))
    response = client.get("/dashboard/indices.xlsx?sector=catering")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert list(cells[0]) == HEADER
    assert len(cells) - 1 == len(rows)
    for got, want in zip(cells[1:], rows, strict=True):
        for key, value in zip(HEADER, got, strict=True):
            expected = want[key]
            if isinstance(value, float | int) and not isinstance(value, bool):
                assert value == float(expected), key  # a number, not text
            else:
                assert (value or "") == expected, key


def test_the_change_p_value_reads_the_same_on_the_page_and_in_the_csv(as_role, demo):
    """Issue 14: one rule for p-values (reports.fmt.p_value), never ``p = 0.000``."""
    client = as_role("evaluator")
    html = client.get("/dashboard?sector=catering").get_data(as_text=True)
    whole = _csv(client.get("/dashboard/indices.csv?sector=catering"))[0]
    p = whole["变化 p 值"]
    assert p and p != "0.000"
    assert ("p " + p if p.startswith("<") else "p = " + p) in html
    assert "p = 0.000" not in html

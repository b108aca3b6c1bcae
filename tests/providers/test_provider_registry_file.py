"""Reading a registry file: encodings, Chinese headers, and every bad row named."""

from __future__ import annotations

import pytest

from surveyapp.providers.coords import gcj02_to_wgs84
from surveyapp.providers.credit_code import check_character
from surveyapp.providers.registry_file import read_registry
from surveyapp.responses.importer import ImportFailed
from tests.providers.registry_data import HEADER, REAL_CODES, SAMPLE

A, B, C, D = REAL_CODES
ZH_HEADER = "统一社会信用代码,注册号,名称,行业,区县,地址,纬度,经度,坐标系,服务类型,状态"


def problems(path) -> list[tuple[int | None, str, str]]:
    with pytest.raises(ImportFailed) as info:
        read_registry(path)
    return [(p.row, p.column, p.message) for p in info.value.problems]


def test_the_sample_file_reads_with_its_chinese_headers():
    registry = read_registry(SAMPLE)
    assert registry.encoding == "utf-8" and registry.ignored == ()
    by_name = {r.name: r for r in registry.records}
    assert len(by_name) == 5
    tea = by_name["普洱茶香餐饮有限公司"]
    assert tea.sectors == ("catering",) and tea.service_types == ("早餐店", "中餐")
    # its coordinates are GCJ-02 in the file, stored WGS-84
    assert (tea.lat, tea.lon) == pytest.approx(gcj02_to_wgs84(22.786012, 100.977321))
    care = by_name["普洱康乐养老服务中心"]
    assert care.sectors == ("elderly_care", "domestic")  # the catalogue's order
    assert (care.lat, care.lon) == (22.7801, 100.9684)  # no crs: WGS-84
    noodles = by_name["思茅区李记米线店"]
    assert noodles.credit_code is None and noodles.registration_no == "530802600123456"
    assert noodles.sectors == ("catering",)  # 餐饮: the catalogue's short name
    assert by_name["澜沧县迎宾酒店"].status == "closed"


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_encodings_are_detected(registry_csv, encoding):
    text = f"{ZH_HEADER}\n{A},,普洱茶香餐饮有限公司,餐饮服务,思茅区,振兴大道,,,,早餐店,存续\n"
    registry = read_registry(registry_csv(text, encoding))
    assert registry.encoding == ("gb18030" if encoding.startswith("gb") else "utf-8")
    (record,) = registry.records
    assert (record.name, record.district, record.service_types) == (
        "普洱茶香餐饮有限公司",
        "思茅区",
        ("早餐店",),
    )
    assert record.status == "open"


def test_gb18030_only_characters(registry_csv):
    # 𠀀 (U+20000) is in GB18030, not in GBK
    path = registry_csv(f"name,sector,district,credit_code\n𠀀记,catering,思茅区,{A}\n", "gb18030")
    assert read_registry(path).records[0].name == "𠀀记"


def test_text_in_neither_encoding_names_its_row(registry_csv):
    path = registry_csv(f"name,sector,district,credit_code\nok,catering,思茅区,{A}\n")
    path.write_bytes(path.read_bytes() + b"\x81\x20bad,catering,x," + B.encode() + b"\n")
    [(row, column, message)] = problems(path)
    assert row == 3 and "not UTF-8 or GBK/GB18030" in message


def test_a_damaged_utf8_file_is_not_read_as_gbk(registry_csv):
    # row 4 of a UTF-8 file lost two bytes of 茶: the file no longer decodes as UTF-8,
    # but GB18030 decodes all of it (as mojibake), which must not be imported
    head = "credit_code,name,sector,district\n"
    good = "".join(f"{code},普洱茶香餐饮,catering,思茅城区\n" for code in (A, B))
    damaged = f"{C},普洱".encode() + "茶".encode()[:1] + "香餐饮,catering,思茅城区\n".encode()
    raw = (head + good).encode() + damaged
    assert raw.decode("gb18030")  # what the file would have been read as
    path = registry_csv("")
    path.write_bytes(raw)
    [(row, column, message)] = problems(path)
    assert row == 4 and "not UTF-8 or GBK/GB18030" in message


def test_headers_in_any_case_order_and_ignored_columns(registry_csv):
    text = f"District, NAME ,Sector,备注,Credit_Code,电话\n思茅区,甲,catering,x,{A},123\n"
    registry = read_registry(registry_csv(text))
    assert registry.ignored == ("备注", "电话")
    assert registry.records[0].credit_code == A


@pytest.mark.parametrize(
    ("header", "column", "says"),
    [
        ("credit_code,sector,district", "name", "missing"),
        ("credit_code,name,district", "sector", "missing"),
        ("credit_code,name,sector", "district", "missing"),
        ("name,sector,district", "credit_code", "registration_no"),
        ("credit_code,name,sector,district,lat", "lon", "missing"),
        ("credit_code,name,名称,sector,district", "名称", "same column as 'name'"),
    ],
)
def test_header_problems_are_row_1(registry_csv, header, column, says):
    found = problems(registry_csv(header + "\n"))
    assert any(r == 1 and c == column and says in m for r, c, m in found), found


def bad_row(cell_values: dict[str, str]) -> str:
    row = dict.fromkeys(HEADER.split(","), "")
    row.update({"credit_code": A, "name": "甲店", "sector": "catering", "district": "思茅区"})
    row.update(cell_values)
    return ",".join(row.values())


CORRUPT = A[:17] + ("4" if A[17] != "4" else "5")


@pytest.mark.parametrize(
    ("cells", "column", "says"),
    [
        ({"credit_code": CORRUPT}, "credit_code", "wrong check character"),
        ({"credit_code": A[:17]}, "credit_code", "has 17 characters"),
        ({"credit_code": A[:16] + "O" + A[17]}, "credit_code", "'O'"),
        ({"registration_no": "5308021234"}, "registration_no", "not both"),
        ({"credit_code": ""}, "credit_code", "needs a credit_code or a registration_no"),
        ({"registration_no": "9" * 65, "credit_code": ""}, "registration_no", "longer than 64"),
        ({"registration_no": C, "credit_code": ""}, "registration_no", "give it as credit_code"),
        ({"name": ""}, "name", "is empty"),
        ({"name": "店" * 201}, "name", "longer than 200"),
        ({"district": ""}, "district", "is empty"),
        ({"sector": ""}, "sector", "is empty"),
        ({"sector": "catering;cafe"}, "sector", "unknown sector 'cafe'"),
        ({"lat": "22.7"}, "lon", "give both"),
        ({"lon": "100.9"}, "lat", "give both"),
        ({"lat": "北纬22", "lon": "100.9"}, "lat", "not a number"),
        ({"lat": "100.9", "lon": "22.7"}, "lat", "swapped"),
        ({"lat": "22.7", "lon": "200"}, "lon", "outside -180..180"),
        ({"lat": "nan", "lon": "100"}, "lat", "outside"),
        ({"lat": "22.7", "lon": "100.9", "crs": "BD09"}, "crs", "not WGS84 or GCJ02"),
        ({"status": "maybe"}, "status", "not open or closed"),
        ({"service_types": "x" * 65}, "service_types", "longer than 64"),
    ],
)
def test_every_bad_row_kind_is_named_by_row_and_column(registry_csv, cells, column, says):
    good = bad_row({"credit_code": B})
    path = registry_csv(f"{HEADER}\n{good}\n{bad_row(cells)}\n")
    [(row, col, message)] = problems(path)
    assert (row, col) == (3, column) and says in message, message


def test_rows_are_the_files_own_line_numbers_and_columns_its_own_names(registry_csv):
    text = f"{ZH_HEADER}\n{A},,甲,catering,思茅区,,,,,,\n\n{A},,乙,catering,思茅区,,,,,,\n"
    [(row, column, message)] = problems(registry_csv(text))
    # the blank line 3 counts: the repeat is line 4, named by the file's own header
    assert (row, column) == (4, "统一社会信用代码") and "repeats row 2" in message


def test_repeated_registration_numbers_and_every_problem_at_once(registry_csv):
    text = (
        "registration_no,name,sector,district\n"
        "530802600123456,甲,catering,思茅区\n"
        "530802600123456,乙,lodging,思茅区\n"
        "530802600999999,,bar,\n"
    )
    found = problems(registry_csv(text))
    assert found == [
        (3, "registration_no", "'530802600123456' repeats row 2"),
        (4, "name", "is empty"),
        (4, "district", "is empty"),
        (4, "sector", found[3][2]),
    ]
    assert "unknown sector 'bar'" in found[3][2]


def test_lists_take_chinese_semicolons_and_codes_are_upper_cased(registry_csv):
    text = f"credit_code,name,sector,district,service_types\n{C.lower()},甲,domestic；elderly_care,思茅区,便利店；早餐店;便利店\n"
    (record,) = read_registry(registry_csv(text)).records
    assert record.credit_code == C
    assert record.sectors == ("elderly_care", "domestic")
    assert record.service_types == ("便利店", "早餐店")


def test_gcj02_rows_are_converted_and_wgs84_rows_kept(registry_csv):
    text = (
        "credit_code,name,sector,district,lat,lon,crs\n"
        f"{A},甲,catering,思茅区,22.786012,100.977321,gcj-02\n"
        f"{B},乙,catering,思茅区,22.786012,100.977321,\n"
    )
    gcj, wgs = read_registry(registry_csv(text)).records
    assert (wgs.lat, wgs.lon) == (22.786012, 100.977321)
    assert (gcj.lat, gcj.lon) == pytest.approx(gcj02_to_wgs84(22.786012, 100.977321), abs=1e-12)
    assert abs(gcj.lat - wgs.lat) > 1e-4  # hundreds of metres apart


def test_empty_files(registry_csv):
    assert problems(registry_csv("")) == [(1, "", "the file is empty")]
    assert problems(registry_csv("credit_code,name,sector,district\n")) == [
        (2, "", "the file has no data rows")
    ]


def test_a_formula_quote_of_our_own_csv_exports_is_taken_off(registry_csv):
    first17 = "92530802MA6K0000" + "1"
    code = first17 + check_character(first17)
    path = registry_csv(f"credit_code,name,sector,district\n{code},'-甲-,catering,思茅区\n")
    assert read_registry(path).records[0].name == "-甲-"

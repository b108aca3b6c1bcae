"""``surveyapp circle coverage``: files in, the spec's JSON out; bad input exits 2."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from analysis.circle import EARTH_RADIUS_M, haversine_m
from surveyapp.cli import main
from surveyapp.providers.coords import wgs84_to_gcj02

LAT0, LON0 = 22.78, 100.97
M_LAT = math.pi * EARTH_RADIUS_M / 180.0


def north(m: float) -> float:
    return m / M_LAT


def east(m: float) -> float:
    return m / (M_LAT * math.cos(math.radians(LAT0)))


def write(path, text: str, encoding: str = "utf-8"):
    path.write_bytes(text.encode(encoding))
    return str(path)


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args):
        result = runner.invoke(main, ["circle", "coverage", *args], catch_exceptions=False)
        return result

    return invoke


def places():
    """Three communities and three facilities near 思茅区 (WGS-84)."""
    communities = [
        ("甲小区", "思茅区", 1000, LAT0, LON0),
        ("乙小区", "思茅区", 3000, LAT0 + north(2000), LON0),
        ("丙小区", "宁洱县", 2000, LAT0, LON0 + east(5000)),
    ]
    facilities = [
        ("早餐A", "早餐店", LAT0 + north(400), LON0),  # 400 m from 甲
        ("便利B", "便利店;早餐店", LAT0, LON0 + east(5000) + east(300)),  # 300 m from 丙
        ("洗染C", "洗染", LAT0 + north(2000) + north(1200), LON0),  # 1,200 m from 乙
    ]
    return communities, facilities


def c_csv(tmp_path, rows=None, crs=None, name="C.csv"):
    rows = rows if rows is not None else places()[0]
    head = "community,district,population,lat,lon" + (",crs" if crs else "")
    lines = [head] + [
        f"{n},{d},{p},{lat!r},{lon!r}" + (f",{crs}" if crs else "") for n, d, p, lat, lon in rows
    ]
    return write(tmp_path / name, "\n".join(lines) + "\n")


def f_csv(tmp_path, rows=None, crs=None, name="F.csv"):
    rows = rows if rows is not None else places()[1]
    head = "facility,service_type,lat,lon" + (",crs" if crs else "")
    lines = [head] + [
        f"{n},{t},{lat!r},{lon!r}" + (f",{crs}" if crs else "") for n, t, lat, lon in rows
    ]
    return write(tmp_path / name, "\n".join(lines) + "\n")


def files(tmp_path):
    """The options naming the two files of :func:`places`."""
    return ["--communities", c_csv(tmp_path), "--facilities", f_csv(tmp_path)]


def test_json_has_the_spec_shape_and_values(run, tmp_path):
    result = run(*files(tmp_path), "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert list(doc) == ["radius_m", "distance", "types", "communities", "districts"]
    assert doc["radius_m"] == 1000 and doc["distance"] == "straight-line"
    assert doc["types"] == ["早餐店", "便利店", "洗染"]  # in F.csv's order
    first = doc["communities"][0]
    assert list(first) == ["community", "covered", "nearest_m"]
    assert first["community"] == "甲小区"
    assert first["covered"] == {"早餐店": True, "便利店": False, "洗染": False}
    assert first["nearest_m"]["早餐店"] == pytest.approx(400.0, abs=0.05)
    second = doc["communities"][1]
    assert second["covered"]["洗染"] is False
    assert second["nearest_m"]["洗染"] == pytest.approx(1200.0, abs=0.05)
    assert doc["districts"] == [
        {
            "district": "思茅区",
            "population": 4000,
            "coverage": {"早餐店": 0.25, "便利店": 0.0, "洗染": 0.0},
        },
        {
            "district": "宁洱县",
            "population": 2000,
            "coverage": {"早餐店": 1.0, "便利店": 1.0, "洗染": 0.0},
        },
    ]
    wider = json.loads(
        run(
            *files(tmp_path),
            "--format",
            "json",
            "--radius",
            "1201",
        ).stdout
    )
    assert wider["radius_m"] == 1201 and wider["communities"][1]["covered"]["洗染"] is True


def test_table_names_the_distance_and_the_missing(run, tmp_path):
    result = run(*files(tmp_path))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "straight-line" in out and "radius 1000 m" in out
    assert "思茅区" in out and "25.0%" in out
    assert "洗染: 3 (population 6,000)" in out


def test_types_option_reports_a_type_without_facility(run, tmp_path):
    result = run(
        *files(tmp_path),
        "--format",
        "json",
        "--types",
        "早餐店,美容美发",
    )
    doc = json.loads(result.stdout)
    assert doc["types"] == ["早餐店", "美容美发"]
    assert all(c["covered"]["美容美发"] is False for c in doc["communities"])
    assert all(c["nearest_m"]["美容美发"] is None for c in doc["communities"])
    assert "no facility of type '美容美发'" in result.stderr
    assert "not in --types" in result.stderr and "洗染 (1)" in result.stderr


def test_gcj02_files_are_converted_to_wgs84(run, tmp_path):
    communities, facilities = places()
    gcj_c = [(n, d, p, *wgs84_to_gcj02(lat, lon)) for n, d, p, lat, lon in communities]
    gcj_f = [(n, t, *wgs84_to_gcj02(lat, lon)) for n, t, lat, lon in facilities]
    # the offset is hundreds of metres here: unconverted, the answers would differ
    assert haversine_m(*communities[0][3:], *gcj_c[0][3:]) > 300
    wgs = json.loads(run(*files(tmp_path), "--format", "json").stdout)
    gcj = json.loads(
        run(
            "--communities",
            c_csv(tmp_path, gcj_c, crs="GCJ02", name="Cg.csv"),
            "--facilities",
            f_csv(tmp_path, gcj_f, crs="gcj-02", name="Fg.csv"),
            "--format",
            "json",
        ).stdout
    )
    assert gcj["districts"] == wgs["districts"]
    for a, b in zip(wgs["communities"], gcj["communities"], strict=True):
        assert a["covered"] == b["covered"]
        for t in a["nearest_m"]:
            assert b["nearest_m"][t] == pytest.approx(a["nearest_m"][t], abs=0.11)
    # a GCJ-02 facility read as WGS-84 lands elsewhere
    mixed = json.loads(
        run(
            "--communities",
            c_csv(tmp_path),
            "--facilities",
            f_csv(tmp_path, gcj_f, name="Fw.csv"),
            "--format",
            "json",
        ).stdout
    )
    assert mixed["communities"][0]["nearest_m"] != wgs["communities"][0]["nearest_m"]


def geojson_lines(*lines):
    features = [
        {
            "type": "Feature",
            "properties": {"highway": "footway"},
            "geometry": {"type": "LineString", "coordinates": [[lon, lat] for lat, lon in line]},
        }
        for line in lines
    ]
    features.append(
        {
            "type": "Feature",
            "properties": {},
            "geometry": {"type": "Point", "coordinates": [LON0, LAT0]},
        }
    )
    return json.dumps({"type": "FeatureCollection", "features": features})


def test_network_distance_via_geojson(run, tmp_path):
    # 甲 stands at A; the only way to the 早餐店 400 m north is round a 1.2 km loop
    a = (LAT0, LON0)
    w = (LAT0, LON0 - east(500))
    nw = (LAT0 + north(400), LON0 - east(500))
    shop = (LAT0 + north(400), LON0)
    roads = write(tmp_path / "roads.geojson", geojson_lines([a, w, nw, shop]))
    communities = [
        ("甲小区", "思茅区", 1000, *a),
        ("远小区", "思茅区", 500, LAT0 - north(900), LON0),
    ]
    facilities = [("早餐A", "早餐店", *shop)]
    args = [
        "--communities",
        c_csv(tmp_path, communities),
        "--facilities",
        f_csv(tmp_path, facilities),
        "--format",
        "json",
    ]
    line = json.loads(run(*args).stdout)
    result = run(*args, "--network", roads)
    assert result.exit_code == 0, result.output
    net = json.loads(result.stdout)
    assert line["distance"] == "straight-line" and net["distance"] == "network"
    assert line["communities"][0]["covered"]["早餐店"] is True
    assert net["communities"][0]["covered"]["早餐店"] is False
    assert net["communities"][0]["nearest_m"]["早餐店"] is None  # beyond the radius
    around = json.loads(run(*args, "--network", roads, "--radius", "1500").stdout)
    assert around["communities"][0]["nearest_m"]["早餐店"] == pytest.approx(1400.0, abs=0.2)
    # 远小区 is 900 m from the nearest node: straight-line for it, said in a note
    assert "1 community is farther than 200 m" in result.stderr
    assert "row 3 '远小区'" in result.stderr
    assert "1 feature(s) that are not lines ignored" in result.stderr
    table = run(*args[:-2], "--network", roads)
    assert "network" in table.stdout


def test_missing_csv_svg_and_suggestions(run, tmp_path):
    missing = tmp_path / "missing.csv"
    svg = tmp_path / "map.svg"
    result = run(
        *files(tmp_path),
        "--format",
        "json",
        "--missing-csv",
        str(missing),
        "--svg",
        str(svg),
        "--suggest",
        "洗染",
        "--k",
        "2",
    )
    assert result.exit_code == 0, result.output
    rows = missing.read_text("utf-8-sig").splitlines()
    assert rows[0] == "service_type,district,community,population,nearest_m,distance,row"
    assert "洗染,思茅区,乙小区,3000,1200.0,straight-line,3" in rows
    assert len(rows) == 1 + 1 + 2 + 3  # header; 早餐店: 乙; 便利店: 甲, 乙; 洗染: all three
    text = svg.read_text("utf-8")
    assert text.startswith("<svg") and text.count('r="4.5"') == 3
    doc = json.loads(result.stdout)
    s = doc["suggestions"]
    assert s["service_type"] == "洗染" and s["distance"] == "straight-line"
    # no site covers two communities (they are 2 km or more apart): the largest first
    assert [(x["site"], x["population"]) for x in s["sites"]] == [
        ("乙小区", 3000),
        ("丙小区", 2000),
    ]
    assert s["uncovered_population"] == 6000


def test_suggestions_from_a_candidates_file(run, tmp_path):
    sites = write(
        tmp_path / "S.csv",
        f"site,lat,lon\n远处,{LAT0 + 1.0},{LON0}\n两区之间,{LAT0 + north(1000)},{LON0}\n",
    )
    result = run(
        *files(tmp_path),
        "--suggest",
        "便利店",
        "--candidates",
        sites,
        "--k",
        "3",
        "--radius",
        "1001",
    )
    assert result.exit_code == 0, result.output
    assert "两区之间" in result.stdout and "+4,000 residents in 2 communities" in result.stdout
    assert "远处" not in result.stdout


# ---------------------------------------------------------------- bad input


def bad(result, *expected):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    for want in expected:
        assert any(want in line for line in lines), (want, lines)
    return lines


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "community,district,lat,lon\n甲,思茅区,22.78,100.97\n",
            ["C.csv: row 1, column population: the column is missing"],
        ),
        (
            "community,district,population,lat,lon\n甲,思茅区,-5,22.78,100.97\n",
            ["C.csv: row 2, column population: '-5' is not a whole number"],
        ),
        (
            "community,district,population,lat,lon\n甲,思茅区,12.5,22.78,100.97\n",
            ["row 2, column population: '12.5' is not a whole number"],
        ),
        (
            "community,district,population,lat,lon\n甲,思茅区,10,100.97,22.78\n",
            ["row 2, column lat: 100.97 is outside -90..90 (are lat and lon swapped?)"],
        ),
        (
            "community,district,population,lat,lon\n甲,思茅区,10,北纬,100.97\n",
            ["row 2, column lat: '北纬' is not a number"],
        ),
        (
            "community,district,population,lat,lon\n,思茅区,10,22.78,100.97\n",
            ["row 2, column community: is empty"],
        ),
        (
            "community,district,population,lat,lon,crs\n甲,思茅区,10,22.78,100.97,BD09\n",
            ["row 2, column crs: 'BD09' is not WGS84 or GCJ02"],
        ),
        (
            "community,district,population,lat,lon\n甲,思茅区,10,22.78,100.97\n"
            "乙,思茅区,10,22.78,100.97\n甲,思茅区,20,22.79,100.97\n",
            ["row 4, column community: the same community of the same district repeats row 2"],
        ),
        (
            "community,district,population,lat,lon\n甲,思茅区,10,22.78\n",
            ["C.csv: row 2: 4 fields where the header has 5"],
        ),
        ("community,district,population,lat,lon\n", ["C.csv: row 2: the file has no data rows"]),
        ("", ["C.csv: row 1: the file is empty"]),
        (
            "community,district,population,lat,lon,lat\n甲,思茅区,10,22.78,100.97,1\n",
            ["row 1, column lat: the column appears twice"],
        ),
    ],
)
def test_bad_communities_file(run, tmp_path, text, expected):
    path = write(tmp_path / "C.csv", text)
    bad(run("--communities", path, "--facilities", f_csv(tmp_path)), *expected)


def test_every_problem_on_its_own_line_and_both_files(run, tmp_path):
    c = write(
        tmp_path / "C.csv",
        "community,district,population,lat,lon\n甲,思茅区,x,22.78,100.97\n乙,,10,22.78,200\n",
    )
    f = write(tmp_path / "F.csv", "facility,service_type,lat,lon\n店,,22.78,100.97\n")
    lines = bad(
        run("--communities", c, "--facilities", f),
        "C.csv: row 2, column population: 'x' is not a number",
        "C.csv: row 3, column district: is empty",
        "C.csv: row 3, column lon: 200 is outside -180..180",
        "F.csv: row 2, column service_type: is empty",
    )
    assert len(lines) == 4


def test_bad_facilities_gbk_and_not_text(run, tmp_path):
    gbk = write(
        tmp_path / "F.csv",
        "facility,service_type,lat,lon\n早餐A,早餐店,22.78,100.97\n",
        encoding="gbk",
    )
    result = run("--communities", c_csv(tmp_path), "--facilities", gbk, "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["types"] == ["早餐店"]
    broken = tmp_path / "F2.csv"
    broken.write_bytes(b"facility,service_type,lat,lon\n\xff\xfe\xfd,x,1,2\n")
    bad(
        run("--communities", c_csv(tmp_path), "--facilities", str(broken)),
        "F2.csv: row 2: not UTF-8 or GBK/GB18030 text",
    )


def test_missing_file_and_bad_options(run, tmp_path):
    bad(
        run("--communities", str(tmp_path / "none.csv"), "--facilities", f_csv(tmp_path)),
        "none.csv: cannot read the file",
    )
    args = [*files(tmp_path)]
    bad(run(*args, "--radius", "0"), "--radius: 0 is not a walking distance")
    bad(run(*args, "--suggest", "电影院"), "--suggest: '电影院' is not a reported type")
    bad(run(*args, "--candidates", f_csv(tmp_path)), "--candidates goes with --suggest")
    sites = write(tmp_path / "S.csv", "site,lat\nA,22.78\n")
    bad(
        run(*args, "--suggest", "洗染", "--candidates", sites),
        "S.csv: row 1, column lon: the column is missing",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"type": "FeatureCollection", "features": [\n  {"type": "Feature",, }]}',
            "roads.geojson: row 2, column 22: not valid JSON",
        ),
        (
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "geometry": {
                                "type": "LineString",
                                "coordinates": [[100.97, 22.78], [100.97, 95]],
                            },
                        }
                    ],
                }
            ),
            "features[0].geometry.coordinates[1]: latitude 95 is outside -90..90",
        ),
        (
            json.dumps({"type": "LineString", "coordinates": [[100.97, 22.78]]}),
            "(the geometry).coordinates: a line needs a list of at least two positions",
        ),
        (
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "geometry": {"type": "Point", "coordinates": [100.97, 22.78]},
                        }
                    ],
                }
            ),
            "no LineString or MultiLineString: the network is empty",
        ),
        ("[1, 2]", "not GeoJSON"),
    ],
)
def test_bad_network_file(run, tmp_path, text, expected):
    roads = write(tmp_path / "roads.geojson", text)
    bad(
        run(*files(tmp_path), "--network", roads),
        expected,
    )


def test_chinese_headers_in_gbk_and_ignored_columns(run, tmp_path):
    c = write(
        tmp_path / "C.csv",
        f"社区,区县,人口,纬度,经度,备注\n甲小区,思茅区,1000,{LAT0},{LON0},新建\n",
        encoding="gbk",
    )
    f = write(
        tmp_path / "F.csv",
        f"设施,服务类型,纬度,经度,坐标系\n早餐A,早餐店,{LAT0 + north(400)},{LON0},WGS84\n",
    )
    result = run("--communities", c, "--facilities", f, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["communities"][0]["covered"] == {"早餐店": True}
    assert "C.csv: columns ignored: 备注" in result.stderr


def test_a_column_under_both_names_is_refused(run, tmp_path):
    c = write(
        tmp_path / "C.csv",
        f"community,district,population,lat,纬度,lon\n甲,思茅区,10,{LAT0},{LAT0},{LON0}\n",
    )
    bad(
        run("--communities", c, "--facilities", f_csv(tmp_path)),
        "C.csv: row 1, column 纬度: is the same column as 'lat' (lat)",
    )

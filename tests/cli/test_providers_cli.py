"""``surveyapp providers import|list|scores``: exit codes, one line per problem, the JSON."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Provider
from tests.providers.registry_data import REAL_CODES, SAMPLE, rating

A, B, C, D = REAL_CODES
PROVIDER_KEYS = ["id", "credit_code", "name", "district", "n", "satisfied", "raw_share",
                 "posterior_share", "ci", "published"]  # fmt: skip


def provider_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Provider))


def test_import_then_list(cli, app):
    result = cli("providers", "import", str(SAMPLE))
    assert result.exit_code == 0, result.output
    assert "5 new, 0 updated, 0 unchanged" in result.stdout
    again = cli("providers", "import", str(SAMPLE))
    assert "0 new, 0 updated, 5 unchanged" in again.stdout and provider_count(app) == 5
    table = cli("providers", "list")
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["id", "name", "sectors", "district", "status", "lat,lon"]
    assert len(lines) == 2 + 5 and any("普洱茶香餐饮有限公司" in line for line in lines)

    # columns line up on screen: a Chinese character is two columns wide
    def shown_width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    district_at = {
        shown_width(line[: line.index(f"  {d}  ") + 2])
        for line in lines[2:]
        for d in ("思茅区", "宁洱县", "澜沧县")
        if f"  {d}  " in line
    }
    assert (
        len(district_at) == 1 and shown_width(lines[0][: lines[0].index("district")]) in district_at
    )
    listed = json.loads(
        cli("providers", "list", "--sector", "elderly_care", "--format", "json").stdout
    )
    [care] = listed["providers"]
    assert care["name"] == "普洱康乐养老服务中心"
    assert care["sectors"] == ["elderly_care", "domestic"] and care["status"] == "open"
    assert (care["lat"], care["lon"]) == (22.7801, 100.9684)


def test_a_bad_file_exits_2_with_one_line_per_problem_and_stores_nothing(cli, app, tmp_path):
    bad = A[:17] + ("4" if A[17] != "4" else "5")
    path = tmp_path / "registry.csv"
    path.write_text(
        "统一社会信用代码,名称,行业,区县,纬度,经度\n"
        f"{B},好店,catering,思茅区,22.78,100.97\n"
        f"{bad},坏店,catering,思茅区,,\n"
        f"{C},,cafe,思茅区,100.97,22.78\n",
        encoding="gbk",
    )
    result = cli("providers", "import", str(path))
    assert result.exit_code == 2
    errors = result.stderr.splitlines()  # one line per problem, nothing else
    assert errors == [
        f"error: {path}: row 3, column 统一社会信用代码: " + errors[0].split(": ", 3)[3],
        f"error: {path}: row 4, column 名称: is empty",
        f"error: {path}: row 4, column 行业: " + errors[2].split(": ", 3)[3],
        f"error: {path}: row 4, column 纬度: 100.97 is outside -90..90 (are lat and lon swapped?)",
    ]
    assert "wrong check character" in errors[0] and "unknown sector 'cafe'" in errors[2]
    assert "Traceback" not in result.output and provider_count(app) == 0


def test_missing_file_and_bad_options_exit_2(cli, tmp_path):
    missing = cli("providers", "import", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    assert cli("providers", "list", "--sector", "cafe").exit_code == 2
    bad_day = cli("providers", "scores", "--as-of", "2026-13-01")
    assert bad_day.exit_code == 2 and "--as-of" in bad_day.stderr
    assert cli("providers", "scores", "--format", "xml").exit_code == 2


def test_ignored_columns_are_named_in_one_note(cli, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(f"credit_code,name,sector,district,电话,备注\n{A},甲,catering,思茅区,1,x\n")
    result = cli("providers", "import", str(path))
    assert result.exit_code == 0
    assert f"note: {path}: columns ignored: 电话, 备注" in result.stderr.splitlines()


def test_scores_json_has_the_spec_shape(cli, app):
    assert cli("providers", "import", str(SAMPLE)).exit_code == 0
    with app.app_context():
        ids = {p.name: p.id for p in db.session.scalars(select(Provider))}
        at = datetime(2026, 11, 1, 4, tzinfo=UTC)
        for i, stars in enumerate([5, 4, 4, 2, 5, 1]):
            db.session.add(rating(ids["思茅区李记米线店"], "catering", stars, at, device=str(i)))
        db.session.add(rating(ids["普洱茶香餐饮有限公司"], "catering", 5, at, device="x"))
        db.session.commit()
    result = cli("providers", "scores", "--sector", "catering", "--as-of", "2026-12-06",
                 "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert list(doc) == ["sectors"]
    [sector] = doc["sectors"]
    assert list(sector) == ["sector", "min_n", "prior", "providers"]
    assert sector["sector"] == "catering" and sector["min_n"] == 5
    assert list(sector["prior"]) == ["alpha", "beta", "method"]
    assert sector["prior"]["method"] == "beta-binomial ML"
    by_name = {p["name"]: p for p in sector["providers"]}
    noodles = by_name["思茅区李记米线店"]
    assert list(noodles) == PROVIDER_KEYS
    assert noodles["id"] == "530802600123456" and noodles["credit_code"] is None
    assert (noodles["n"], noodles["satisfied"], noodles["published"]) == (6, 4, True)
    assert noodles["raw_share"] == 4 / 6 and len(noodles["ci"]) == 2
    assert noodles["ci"][0] < noodles["posterior_share"] < noodles["ci"][1]
    tea = by_name["普洱茶香餐饮有限公司"]
    assert (tea["n"], tea["published"]) == (1, False)
    # the window ends with --as-of: a day before the ratings, nobody has any
    early = json.loads(
        cli("providers", "scores", "--as-of", "2026-10-31", "--format", "json").stdout
    )
    assert all(p["n"] == 0 for s in early["sectors"] for p in s["providers"])
    assert all(s["prior"] is None for s in early["sectors"])


def test_scores_table_is_lowest_first(cli, app):
    assert cli("providers", "import", str(SAMPLE)).exit_code == 0
    with app.app_context():
        ids = {p.name: p.id for p in db.session.scalars(select(Provider))}
        at = datetime(2026, 11, 1, 4, tzinfo=UTC)
        for name, stars in (("思茅区李记米线店", [5] * 6), ("普洱茶香餐饮有限公司", [1] * 6)):
            for i, s in enumerate(stars):
                db.session.add(rating(ids[name], "catering", s, at, device=f"{name}{i}"))
        db.session.commit()
    result = cli("providers", "scores", "--sector", "餐饮", "--as-of", "2026-12-06")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "ratings of 2025-12-07..2026-12-06 (China time)"
    assert lines[2].startswith("餐饮服务 catering: prior Beta(")
    rows = [line for line in lines if "思茅区" in line]
    assert "普洱茶香餐饮有限公司" in rows[0] and "思茅区李记米线店" in rows[1]


def test_an_import_racing_another_exits_2_and_stores_nothing(cli, app, tmp_path, monkeypatch):
    from surveyapp.providers import registry as registry_service

    path = tmp_path / "r.csv"
    path.write_text(
        f"credit_code,name,sector,district\n{A},甲,catering,思茅区\n{B},乙,catering,思茅区\n"
    )
    real_stored = registry_service._stored

    def stored_then_raced(session, records):
        found = real_stored(session, records)  # B is not stored yet: it will be inserted ...
        session.add(Provider(credit_code=B, name="乙", district="思茅区", service_types=[]))
        session.flush()  # ... but another import stores it first, in this transaction
        return found

    monkeypatch.setattr(registry_service, "_stored", stored_then_raced)
    result = cli("providers", "import", str(path))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "nothing imported" in result.stderr and provider_count(app) == 0


def test_the_window_is_a_setting(cli, app, monkeypatch):
    assert cli("providers", "import", str(SAMPLE)).exit_code == 0
    with app.app_context():
        pid = db.session.scalars(
            select(Provider.id).where(Provider.registration_no.is_not(None))
        ).one()
        for day, device in ((1, "a"), (20, "b")):  # 1 and 20 November, China time
            at = datetime(2026, 11, day, 4, tzinfo=UTC)
            db.session.add(rating(pid, "catering", 5, at, device=device))
        db.session.commit()
    monkeypatch.setenv("SURVEYAPP_PROVIDER_SCORE_WINDOW_MONTHS", "1")
    result = cli("providers", "scores", "--sector", "catering", "--as-of", "2026-12-06",
                 "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "ratings of 2026-11-07..2026-12-06" in result.stderr
    [sector] = json.loads(result.stdout)["sectors"]
    [noodles] = [p for p in sector["providers"] if p["id"] == "530802600123456"]
    assert noodles["n"] == 1  # 1 November is outside one month back from 6 December

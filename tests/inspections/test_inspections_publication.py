"""一公开: a draw's list published with its results, never before; results entered by
CSV or one at a time through the same check; editions immutable, corrections; and
migration 0022 up and down (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.inspections.publication import plans_of, publish_results, result_lines
from surveyapp.inspections.service import ResultChecker, enter_results, stored_plan
from surveyapp.models import AuditLog
from surveyapp.models.complaint import ImmutablePublicationError
from surveyapp.models.credit import CreditEvent
from surveyapp.models.supervision import InspectionResult, InspectionResultsEdition
from surveyapp.publications import PublicationError
from surveyapp.responses.importer import ImportProblem
from tests.credit.credit_data import add_providers, event

POOL = "inspector_id,name,conflicts,status\ni1,张三,,\ni2,李四,,\ni3,王五,,\n"
HEAD = "credit_code,inspected_on,result,findings\n"


def _csv(tmp_path, name, body):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return str(path)


@pytest.fixture
def drawn(cli, session, tmp_path):
    """A sealed catering plan for 2026Q4: the drawn providers' codes."""
    codes = add_providers(session, 6)
    for n, code in enumerate(codes):
        event(session, code, "penalty", date(2026, 5, 1), n)
        event(session, code, "abnormal", date(2026, 5, 1), 100 + n)  # class D, 800‰
    assert cli("inspections", "inspectors", "import", _csv(tmp_path, "p.csv", POOL)).exit_code == 0
    out = cli("inspections", "draw", "--sector", "catering", "--period", "2026Q4", "--seed", "7",
              "--as-of", "2026-12-06", "--format", "json")  # fmt: skip
    assert out.exit_code == 0, out.output
    return [d["id"] for d in json.loads(out.stdout.splitlines()[0])["drawn"]]


def _plan(session):
    return stored_plan(session, "catering", "2026Q4")


def test_publication_is_refused_until_every_result_is_in(cli, session, tmp_path, drawn):
    refused = cli("inspections", "publish", "--sector", "catering", "--period", "2026Q4")
    assert refused.exit_code == 2
    assert f"{len(drawn)} of {len(drawn)} drawn providers have no result yet" in refused.output
    rows = "".join(f"{k},2026-12-01,合格,\n" for k in drawn[:-1])
    assert cli("inspections", "results", "import", _csv(tmp_path, "r.csv", HEAD + rows),
               "--sector", "catering", "--period", "2026Q4").exit_code == 0  # fmt: skip
    (progress,) = plans_of(session, ["catering"])
    assert (progress.entered, progress.drawn, progress.complete) == (
        len(drawn) - 1,
        len(drawn),
        False,
    )
    with pytest.raises(PublicationError, match="1 of"):
        publish_results(session, _plan(session), "test")
    assert session.scalar(select(func.count()).select_from(InspectionResultsEdition)) == 0
    assert plans_of(session, ["retail"]) == []


def test_one_result_from_the_form_goes_through_the_csv_check(session, drawn):
    plan = _plan(session)
    checker = ResultChecker.of(session, plan, date(2026, 12, 6))
    problems: list[ImportProblem] = []
    bad = {"credit_code": drawn[0], "inspected_on": "2026-12-09", "result": "不合格",
           "findings": "", "inspectors": "i1;nobody"}  # fmt: skip
    assert checker.check(0, bad, problems) is None
    assert {p.column for p in problems} == {"inspected_on", "findings", "inspectors"}
    problems.clear()
    assert checker.check(0, {**bad, "credit_code": "X"}, problems) is None
    assert "credit_code" in {p.column for p in problems}
    good = {**bad, "inspected_on": "2026-12-02", "findings": "后厨卫生不达标", "inspectors": ""}
    draft = checker.check(0, good, [])
    assert draft is not None and len(draft.inspectors) == 2  # the drawn pair
    assert enter_results(session, plan, [draft], "web-user", via="form") == 1
    stored = session.scalar(select(InspectionResult))
    assert (stored.via, stored.provider_key, stored.entered_by) == ("form", drawn[0], "web-user")
    assert session.get(CreditEvent, stored.event_id).outcome == "不合格"
    assert session.scalar(select(AuditLog.action).where(AuditLog.action == "inspections.result"))
    again: list[ImportProblem] = []
    assert ResultChecker.of(session, plan, date(2026, 12, 6)).check(0, good, again) is None
    assert "entered already" in again[0].message


def test_published_list_with_results_is_immutable_and_corrected_by_a_new_edition(
    cli, session, tmp_path, drawn, pdf_text
):
    rows = "".join(f"{k},2026-12-01,合格,\n" for k in drawn[1:])
    rows += f"{drawn[0]},2026-12-02,不合格,后厨卫生不达标\n"
    assert cli("inspections", "results", "import", _csv(tmp_path, "r.csv", HEAD + rows),
               "--sector", "catering", "--period", "2026Q4").exit_code == 0  # fmt: skip
    out = tmp_path / "results.pdf"
    ok = cli("inspections", "publish", "--sector", "catering", "--period", "2026Q4",
             "--out", str(out))  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert "edition 1" in ok.output
    edition = session.scalar(select(InspectionResultsEdition))
    text_ = "".join(pdf_text(edition.pdf))
    assert "双随机抽查结果公示" in text_ and "后厨卫生不达标" in text_ and drawn[0] in text_
    assert "张三" in text_ or "李四" in text_ or "王五" in text_  # the inspectors, by name
    table = list(csv.DictReader(io.StringIO(edition.csv.decode("utf-8-sig"))))
    assert sorted(r["credit_code"] for r in table) == sorted(drawn)
    failed = next(r for r in table if r["credit_code"] == drawn[0])
    assert failed["result"] == "不合格" and failed["findings"] == "后厨卫生不达标"
    assert failed["inputs_sha256"] == _plan(session).inputs_sha256
    assert "class" not in table[0]  # risk classes stay internal
    assert out.read_bytes() == edition.pdf and out.with_suffix(".csv").read_bytes() == edition.csv
    again = cli("inspections", "publish", "--sector", "catering", "--period", "2026Q4")
    assert again.exit_code == 2 and "correction" in again.output
    fixed = cli("inspections", "publish", "--sector", "catering", "--period", "2026Q4",
                "--replaces", "1")  # fmt: skip
    assert fixed.exit_code == 0, fixed.output
    twice = cli("inspections", "publish", "--sector", "catering", "--period", "2026Q4",
                "--replaces", "1")  # fmt: skip
    assert twice.exit_code == 2 and "already replaced" in twice.output
    session.expire_all()
    first = session.scalar(
        select(InspectionResultsEdition).where(InspectionResultsEdition.edition == 1)
    )
    first.period = "2027Q1"
    with pytest.raises(ImmutablePublicationError):
        session.flush()
    session.rollback()
    with pytest.raises(ImmutablePublicationError):
        session.delete(first)
        session.flush()
    session.rollback()
    status = cli("inspections", "status")
    assert f"{len(drawn)}/{len(drawn)}  edition 2" in status.output


def test_unassigned_providers_are_listed_as_not_inspected(cli, session, tmp_path):
    codes = add_providers(session, 3)
    for n, code in enumerate(codes):
        event(session, code, "penalty", date(2026, 5, 1), n)
        event(session, code, "abnormal", date(2026, 5, 1), 100 + n)
    cli("inspections", "inspectors", "import", _csv(tmp_path, "p.csv", POOL[:-10]))  # 2 inspectors
    cli("inspections", "draw", "--sector", "catering", "--period", "2026Q3", "--seed", "1",
        "--as-of", "2026-09-06")  # fmt: skip
    plan = stored_plan(session, "catering", "2026Q3")
    # the next period: last period's pairs are barred, so no pair fits anyone
    cli("inspections", "draw", "--sector", "catering", "--period", "2026Q4", "--seed", "1",
        "--as-of", "2026-12-06")  # fmt: skip
    nxt = stored_plan(session, "catering", "2026Q4")
    assert plan is not None and nxt is not None and nxt.plan["unassigned"]
    lines = result_lines(session, nxt)
    assert all(line.outcome is None for line in lines)
    assert nxt.plan["drawn"] == []  # every provider was drawn with both inspectors in Q3
    edition = publish_results(session, nxt, "test")  # no result to wait for
    rows = edition.csv.decode("utf-8-sig").splitlines()[1:]
    assert len(rows) == 3 and all(",未检查," in r for r in rows)


TABLES = {"inspection_result", "inspection_results_edition", "warning_proposal_dismissal"}


def test_0022_up_and_down(fresh_database_url):
    app = create_app({"SECRET_KEY": "k" * 40, "DATABASE_URL": fresh_database_url})
    with app.app_context():
        upgrade(revision="0021")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO provider (id, credit_code, name, district, service_types, status,"
                " created_at, updated_at) VALUES (1, '91350100M000100Y43', 'x', 'd', '[]',"
                " 'open', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))  # fmt: skip
            conn.execute(text(
                "INSERT INTO credit_event (provider_id, kind, occurred_on, source, external_id,"
                " public, created_at) VALUES (1, 'penalty', '2026-01-01', 's', 'p1', false,"
                " CURRENT_TIMESTAMP)"))  # fmt: skip
        upgrade(revision="0022")
        names = set(inspect(db.engine).get_table_names())
        assert TABLES <= names
        signal = ("INSERT INTO credit_event (provider_id, kind, occurred_on, source, external_id,"
                  " public, created_at) VALUES (1, 'rating_signal', '2026-01-02', 'rating-signal',"
                  " 'x@2026-01-02', false, CURRENT_TIMESTAMP)")  # fmt: skip
        with db.engine.begin() as conn:
            conn.execute(text(signal))
            assert conn.execute(text("SELECT count(*) FROM credit_event")).scalar() == 2
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(text(signal.replace("rating_signal", "warning").replace("x@", "y@")))
        downgrade(revision="0021")
        assert not TABLES & set(inspect(db.engine).get_table_names())
        with db.engine.connect() as conn:  # the signal went with the kind, the rest stayed
            assert conn.execute(text("SELECT kind FROM credit_event")).scalars().all() == [
                "penalty"
            ]
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(text(signal))
        upgrade(revision="0022")
        indexes = {i["name"] for i in inspect(db.engine).get_indexes("credit_event")}
        assert "ix_credit_event_provider_kind_on" in indexes
        db.session.remove()
        db.engine.dispose()


def test_demo_publishes_last_quarters_draw_with_its_results(app):
    from surveyapp.demo import seed_providers
    from surveyapp.inspections.demo import seed_inspections
    from surveyapp.models.base import utcnow

    with app.app_context():
        seed_providers(db.session)
        number = seed_inspections(db.session, utcnow())
        assert number == 1 and seed_inspections(db.session, utcnow()) == 0  # once
        edition = db.session.scalar(select(InspectionResultsEdition))
        lines = edition.csv.decode("utf-8-sig").splitlines()[1:]
        assert lines and any(",不合格," in line for line in lines)
        assert edition.inputs["results"] == len(lines) - edition.inputs["unassigned"]
    assert "第 1 期" in app.test_client().get("/inspections").get_data(as_text=True)


def test_the_csv_names_other_inspectors_by_their_numbers(cli, session, tmp_path, drawn):
    head = "credit_code,inspected_on,result,findings,inspectors\n"
    bad = f"{drawn[0]},2026-12-01,合格,,i0;nobody\n{drawn[1]},2026-12-01,合格,,i1\n"
    out = cli("inspections", "results", "import", _csv(tmp_path, "b.csv", head + bad),
              "--sector", "catering", "--period", "2026Q4")  # fmt: skip
    assert out.exit_code == 2
    assert "row 2, column inspectors: not in the inspector pool: i0, nobody" in out.output
    assert "row 3, column inspectors: an inspection is done by at least two" in out.output
    good = f"{drawn[0]},2026-12-01,合格,,i1;i3\n"
    ok = cli("inspections", "results", "import", _csv(tmp_path, "g.csv", head + good),
             "--sector", "catering", "--period", "2026Q4")  # fmt: skip
    assert ok.exit_code == 0, ok.output
    row = session.scalar(select(InspectionResult))
    assert (row.inspectors, row.via) == (["i1", "i3"], "csv")
    (line,) = [x for x in result_lines(session, _plan(session)) if x.credit_code == drawn[0]]
    assert line.inspectors == ("张三（i1）", "王五（i3）")

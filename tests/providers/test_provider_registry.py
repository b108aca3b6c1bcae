"""Importing the registry into the database: all or nothing, updates audited, no duplicates."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from surveyapp.models import AuditLog, Practitioner, Provider, ProviderSector, Rating
from surveyapp.providers import registry as registry_service
from surveyapp.providers.registry import import_registry, list_providers
from surveyapp.providers.registry_file import read_registry
from tests.providers.registry_data import REAL_CODES, SAMPLE

A, B, C, D = REAL_CODES


def actions(session) -> list[str]:
    return list(session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_import_stores_every_provider_with_its_sectors_and_audits(session):
    outcome = import_registry(session, read_registry(SAMPLE), "pytest")
    assert (outcome.created, outcome.updated, outcome.unchanged) == (5, 0, 0)
    assert count(session, Provider) == 5
    care = session.scalars(select(Provider).where(Provider.name == "普洱康乐养老服务中心")).one()
    assert care.sectors == ["elderly_care", "domestic"]
    assert care.service_types == ["养老机构", "家政"] and care.status == "open"
    assert care.opened_on is not None and care.closed_on is None
    hotel = session.scalars(select(Provider).where(Provider.name == "澜沧县迎宾酒店")).one()
    assert hotel.status == "closed" and hotel.closed_on is not None and hotel.opened_on is None
    assert actions(session) == ["provider.create"] * 5 + ["provider.import"]
    record = session.scalars(select(AuditLog).where(AuditLog.action == "provider.import")).one()
    assert record.actor == "pytest" and record.details["created"] == 5


@pytest.fixture(params=["look-up", "scan"])
def stored_read(request, monkeypatch):
    """Both ways an import finds stored providers: by their codes (a small file) and by
    reading the whole registry (a large one)."""
    monkeypatch.setattr(registry_service, "_SCAN_FROM", 1 if request.param == "scan" else 10**9)


def test_reimport_updates_never_duplicates_and_audits_the_change(
    session, registry_csv, stored_read
):
    first = registry_csv(
        "credit_code,name,sector,district,address,status\n"
        f"{A},甲店,catering,思茅区,振兴大道1号,open\n"
        f"{B},乙店,lodging,宁洱县,正兴路,open\n"
    )
    import_registry(session, read_registry(first), "pytest")
    again = import_registry(session, read_registry(first), "pytest")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert actions(session).count("provider.update") == 0
    changed = registry_csv(
        "统一社会信用代码,名称,行业,区县,状态\n"
        f"{A},甲店（新址）,catering;lodging,思茅区,注销\n"
        f"{B},乙店,lodging,宁洱县,open\n"
        f"{C},丙店,domestic,思茅区,\n",
        name="changed.csv",
    )
    outcome = import_registry(session, read_registry(changed), "pytest")
    assert (outcome.created, outcome.updated, outcome.unchanged) == (1, 1, 1)
    assert count(session, Provider) == 3
    a = session.scalars(select(Provider).where(Provider.credit_code == A)).one()
    assert a.name == "甲店（新址）" and a.sectors == ["catering", "lodging"]
    assert a.address == "振兴大道1号"  # the file has no address column: kept
    assert a.status == "closed" and a.closed_on is not None
    update = session.scalars(select(AuditLog).where(AuditLog.action == "provider.update")).one()
    assert update.target == f"provider:{A}"
    assert update.details["changed"] == {
        "name": ["甲店", "甲店（新址）"],
        "sectors": [["catering"], ["catering", "lodging"]],
        "status": ["open", "closed"],
    }
    assert update.details["file"].endswith("changed.csv") and update.details["row"] == 2
    # reopened: the open day is the day it was recorded open again, the close day cleared
    reopen = registry_csv(
        f"credit_code,name,sector,district,status\n{A},甲店（新址）,catering;lodging,思茅区,open\n",
        name="r.csv",
    )
    import_registry(session, read_registry(reopen), "pytest")
    session.refresh(a)
    assert a.status == "open" and a.closed_on is None and isinstance(a.opened_on, date)


def test_registration_numbers_are_identities_too(session, registry_csv, stored_read):
    path = registry_csv("注册号,名称,行业,区县\n530802600123456,李记米线,餐饮,思茅区\n")
    import_registry(session, read_registry(path), "pytest")
    path2 = registry_csv(
        "注册号,名称,行业,区县\n530802600123456,李记米线店,餐饮,思茅区\n", name="2.csv"
    )
    outcome = import_registry(session, read_registry(path2), "pytest")
    assert outcome.updated == 1 and count(session, Provider) == 1
    # a credit code and a registration number are different identities
    path3 = registry_csv(
        f"统一社会信用代码,名称,行业,区县\n{D},李记米线,餐饮,思茅区\n", name="3.csv"
    )
    assert import_registry(session, read_registry(path3), "pytest").created == 1


def test_a_failure_while_writing_stores_nothing(session, registry_csv, monkeypatch):
    path = registry_csv(
        "credit_code,name,sector,district\n"
        f"{A},甲,catering,思茅区\n{B},乙,catering,思茅区\n{C},丙,catering,思茅区\n"
    )
    calls = []
    real_audit_row = registry_service.audit_row

    def failing_audit_row(*args, **kwargs):  # fails after the providers were inserted
        calls.append(args[1])
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real_audit_row(*args, **kwargs)

    monkeypatch.setattr(registry_service, "audit_row", failing_audit_row)
    with pytest.raises(RuntimeError):
        import_registry(session, read_registry(path), "pytest")
    assert count(session, Provider) == 0 and count(session, ProviderSector) == 0
    assert count(session, AuditLog) == 0


def test_list_by_sector(session):
    import_registry(session, read_registry(SAMPLE), "pytest")
    names = [p.name for p in list_providers(session, "catering")]
    assert names == ["思茅区李记米线店", "普洱茶香餐饮有限公司"]  # by district, then name
    assert len(list_providers(session)) == 5
    assert list_providers(session, "logistics") == []


@pytest.mark.parametrize(("credit_code", "registration_no"), [(A, "530802600123456"), (None, None)])
def test_the_database_holds_exactly_one_identifier(session, credit_code, registration_no):
    session.add(Provider(credit_code=credit_code, registration_no=registration_no, name="x",
                         district="思茅区", service_types=[], status="open"))  # fmt: skip
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_the_database_refuses_a_second_provider_with_one_code(session):
    for name in ("甲", "乙"):
        session.add(Provider(credit_code=A, name=name, district="思茅区", service_types=[]))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def _rating(provider_id, device, window, practitioner_id=None, overall=5):
    return Rating(provider_id=provider_id, practitioner_id=practitioner_id, sector="domestic",
                  form_id="domestic-rating", form_version=1, answers=bytes([overall]),
                  overall=overall, device_hash=device, window_start=window)  # fmt: skip


def test_one_rating_per_device_per_provider_per_window(session):
    provider = Provider(credit_code=A, name="甲家政", district="思茅区", service_types=[])
    session.add(provider)
    session.flush()
    worker = Practitioner(provider_id=provider.id, name="张阿姨", certificate_no="JZ-0001")
    session.add(worker)
    session.flush()
    june, july = date(2026, 6, 1), date(2026, 7, 1)
    session.add_all([
        _rating(provider.id, "d1", june),
        _rating(provider.id, "d1", july),  # the next window
        _rating(provider.id, "d2", june),  # another device
        _rating(provider.id, "d1", june, practitioner_id=worker.id),  # the practitioner
        _rating(provider.id, None, june),  # a kiosk without a device hash: never matched
        _rating(provider.id, None, june),
    ])  # fmt: skip
    session.commit()
    session.add(_rating(provider.id, "d1", june))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    session.add(_rating(provider.id, "d1", june, practitioner_id=worker.id))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    session.add(_rating(provider.id, "d3", june, overall=6))
    with pytest.raises(IntegrityError):  # 1..5 stars
        session.commit()
    session.rollback()
    assert count(session, Rating) == 6


def test_practitioners_keep_only_what_is_needed(session):
    provider = Provider(credit_code=A, name="甲家政", district="思茅区", service_types=[])
    session.add(provider)
    session.flush()
    session.add(Practitioner(provider_id=provider.id, name="张阿姨", certificate_no="JZ-1"))
    session.commit()
    # no phone or ID number column exists to fill
    assert {c.name for c in Practitioner.__table__.columns} == {
        "id", "provider_id", "name", "certificate_no", "status", "created_at", "updated_at"
    }  # fmt: skip
    session.add(Practitioner(provider_id=provider.id, name="李阿姨", certificate_no="JZ-1"))
    with pytest.raises(IntegrityError):  # one practitioner per certificate
        session.commit()
    session.rollback()
    session.add(Practitioner(provider_id=provider.id, name="王阿姨", status="fired"))
    with pytest.raises(IntegrityError):  # active or left
        session.commit()
    session.rollback()


def test_one_rating_per_device_per_sector_of_a_provider_per_window(session):
    provider = Provider(credit_code=A, name="甲超市", district="思茅区", service_types=[])
    session.add(provider)
    session.flush()
    june = date(2026, 6, 1)
    lodging = _rating(provider.id, "d1", june)
    lodging.sector = "lodging"
    session.add_all([_rating(provider.id, "d1", june), lodging])  # a rating in each sector
    session.commit()
    session.add(_rating(provider.id, "d1", june))  # the same sector again: refused
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    assert count(session, Rating) == 2


def test_reimporting_a_merged_duplicate_leaves_it_merged_and_names_the_row(session, registry_csv):
    from surveyapp.providers.manage import merge_providers

    first = registry_csv(
        "credit_code,registration_no,name,sector,district,status\n"
        f"{A},,甲店,catering,思茅区,open\n"
        ",530802600012345,甲店（个体）,lodging,思茅区,open\n"
    )
    import_registry(session, read_registry(first), "pytest")
    kept = session.scalar(select(Provider).where(Provider.credit_code == A))
    duplicate = session.scalar(
        select(Provider).where(Provider.registration_no == "530802600012345")
    )
    merge_providers(session, kept, duplicate, "pytest")
    session.commit()
    # the registry still lists the old number (deregistered, 注销) beside the credit code
    again = registry_csv(
        "统一社会信用代码,注册号,名称,行业,区县,状态\n"
        f"{A},,甲店,catering,思茅区,存续\n"
        ",530802600012345,甲店（个体）,lodging,宁洱县,注销\n",
        name="again.csv",
    )
    outcome = import_registry(session, read_registry(again), "pytest")
    assert outcome.merged == ((3, "530802600012345", A),)
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 1)
    session.expire_all()
    duplicate = session.scalar(
        select(Provider).where(Provider.registration_no == "530802600012345")
    )
    kept = session.get(Provider, kept.id)
    assert (duplicate.status, duplicate.merged_into_id, duplicate.district) == (
        "closed",
        kept.id,
        "思茅区",
    )  # never reopened, nothing of its row written
    assert (kept.status, kept.sectors) == ("open", ["catering", "lodging"])  # not closed by it
    log = session.scalars(select(AuditLog).where(AuditLog.action == "provider.import")).all()
    assert log[-1].details["merged"] == [{"row": 3, "code": "530802600012345", "kept": A}]
    # even when the file names only the duplicate, the kept provider is left alone
    only = registry_csv(
        "注册号,名称,行业,区县,状态\n530802600012345,甲店（个体）,lodging,宁洱县,open\n",
        name="only.csv",
    )
    assert import_registry(session, read_registry(only), "pytest").merged[0][2] == A
    session.expire_all()
    assert session.get(Provider, duplicate.id).status == "closed"


def test_the_import_command_notes_merged_rows(session, registry_csv, cli):
    from surveyapp.providers.manage import merge_providers

    first = registry_csv(
        f"credit_code,name,sector,district\n{A},甲店,catering,思茅区\n{B},乙店,catering,思茅区\n"
    )
    import_registry(session, read_registry(first), "pytest")
    kept, duplicate = (session.scalar(select(Provider).where(Provider.credit_code == c))
                       for c in (A, B))  # fmt: skip
    merge_providers(session, kept, duplicate, "pytest")
    session.commit()
    result = cli("providers", "import", str(first))
    assert result.exit_code == 0, result.output
    assert f"row 3: {B} was merged into {A}" in result.output
    assert "1 merged duplicate(s) left as merged" in result.output

"""The provider admin pages: add, edit, close, merge; audit rows; roles; CSRF."""

from __future__ import annotations

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import AuditLog, Provider, Rating
from tests.provider_admin.conftest import code, csrf


def _audits(app, action: str) -> list[AuditLog]:
    with app.app_context():
        return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))


def _form(token: str, **fields: str) -> dict[str, str]:
    base = {"csrf_token": token, "credit_code": "", "registration_no": "", "name": "",
            "sector": "catering", "district": "思茅区", "address": "", "lat": "", "lon": "",
            "crs": "WGS84", "service_types": ""}  # fmt: skip
    return base | fields


def test_an_admin_adds_a_provider_audited(app, client_as):
    admin = client_as("admin")
    token = csrf(admin, "/admin/providers/new")
    data = _form(token, credit_code=code(1), name="普洱茶餐厅", lat="22.78", lon="100.97",
                 service_types="早餐店;便利店")  # fmt: skip
    response = admin.post("/admin/providers/new", data=data)
    assert response.status_code == 303
    with app.app_context():
        provider = db.session.scalar(select(Provider).where(Provider.credit_code == code(1)))
        assert provider.name == "普洱茶餐厅" and provider.sectors == ["catering"]
        assert provider.service_types == ["早餐店", "便利店"] and provider.status == "open"
    (row,) = _audits(app, "provider.create")
    assert row.target == f"provider:{code(1)}" and row.actor == "admin-p"
    listed = admin.get("/admin/providers?q=普洱").get_data(as_text=True)
    assert "普洱茶餐厅" in listed


def test_a_wrong_check_character_is_refused_by_the_import_rule(app, client_as):
    admin = client_as("admin")
    token = csrf(admin, "/admin/providers/new")
    wrong = code(2)[:17] + ("0" if code(2)[17] != "0" else "1")
    response = admin.post("/admin/providers/new", data=_form(token, credit_code=wrong, name="甲"))
    assert response.status_code == 400
    assert "check character" in response.get_data(as_text=True)  # the import's own message
    response = admin.post(
        "/admin/providers/new", data=_form(token, credit_code=code(3), name="乙", lat="95", lon="1")
    )
    assert response.status_code == 400 and "outside" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Provider)) == 0
    assert not _audits(app, "provider.create")


def test_a_code_stored_already_is_refused(app, client_as, add_provider):
    add_provider(4)
    admin = client_as("admin")
    token = csrf(admin, "/admin/providers/new")
    response = admin.post("/admin/providers/new", data=_form(token, credit_code=code(4), name="x"))
    assert response.status_code == 400 and code(4) in response.get_data(as_text=True)


def test_edit_changes_fields_and_audits_before_and_after(app, client_as, add_provider):
    pid = add_provider(5, name="旧名")
    admin = client_as("admin")
    url = f"/admin/providers/{pid}"
    token = csrf(admin, url)
    data = _form(token, name="新名", sector="catering", district="宁洱哈尼族彝族自治县")
    data.pop("credit_code")  # the identifier is not the form's to change
    response = admin.post(url, data=data)
    assert response.status_code == 303
    with app.app_context():
        provider = db.session.get(Provider, pid)
        assert provider.name == "新名" and provider.credit_code == code(5)
    (row,) = _audits(app, "provider.update")
    assert row.details["changed"]["name"] == ["旧名", "新名"]
    assert row.details["changed"]["district"] == ["思茅区", "宁洱哈尼族彝族自治县"]


def test_close_with_a_date_audited(app, client_as, add_provider):
    pid = add_provider(6)
    admin = client_as("admin")
    url = f"/admin/providers/{pid}"
    token = csrf(admin, url)
    future = admin.post(f"{url}/close", data={"csrf_token": token, "confirm": "yes",
                                              "closed_on": "2999-01-01"})  # fmt: skip
    assert future.status_code == 400
    with app.app_context():
        opened = db.session.get(Provider, pid).opened_on
    response = admin.post(
        f"{url}/close",
        data={"csrf_token": token, "confirm": "yes", "closed_on": opened.isoformat()},
    )
    assert response.status_code == 303
    with app.app_context():
        provider = db.session.get(Provider, pid)
        assert provider.status == "closed" and provider.closed_on == opened
    (row,) = _audits(app, "provider.close")
    assert row.details == {"closed_on": opened.isoformat()}


def test_merge_moves_ratings_and_marks_the_duplicate(app, client_as, add_provider, rate):
    kept = add_provider(7, name="正本")
    dup = add_provider(8, name="重复", sector="lodging")
    rate(kept, [5, 4], devices=["a", "b"])
    rate(dup, [1, 2, 3], devices=["c", "d", "e"])
    rate(dup, [2], devices=["a"], days_ago=0.5)  # device a rated both: the later one stays
    admin = client_as("admin")
    page = admin.get(f"/admin/providers/{kept}/merge?duplicate={code(8)}")
    assert page.status_code == 200 and "重复" in page.get_data(as_text=True)
    token = csrf(admin, f"/admin/providers/{kept}/merge?duplicate={code(8)}")
    response = admin.post(
        f"/admin/providers/{kept}/merge",
        data={"csrf_token": token, "duplicate": code(8), "confirm": "yes"},
    )
    assert response.status_code == 303
    with app.app_context():
        stars = sorted(db.session.scalars(select(Rating.overall).where(Rating.provider_id == kept)))
        assert stars == [1, 2, 2, 3, 4]  # a's earlier 5 replaced by its later 2
        assert not db.session.scalar(select(func.count()).where(Rating.provider_id == dup))
        merged = db.session.get(Provider, dup)
        assert merged.merged_into_id == kept and merged.status == "closed"
        assert db.session.get(Provider, kept).sectors == ["catering", "lodging"]
    (row,) = _audits(app, "provider.merge")
    assert (
        row.details["moved"] == {"rating.provider_id": 4} and row.details["ratings_replaced"] == 1
    )
    again = admin.post(
        f"/admin/providers/{kept}/merge",
        data={"csrf_token": token, "duplicate": code(8), "confirm": "yes"},
    )
    assert again.status_code == 400  # merged already


def test_a_post_without_csrf_changes_nothing(app, client_as, add_provider):
    pid = add_provider(9, name="原名")
    dup = add_provider(10)
    admin = client_as("admin")
    posts = [
        ("/admin/providers/new", _form("", credit_code=code(11), name="x")),
        (f"/admin/providers/{pid}", _form("", name="改名")),
        (f"/admin/providers/{pid}/close", {"confirm": "yes", "closed_on": "2026-01-01"}),
        (f"/admin/providers/{pid}/merge", {"duplicate": code(10), "confirm": "yes"}),
    ]
    for url, data in posts:
        data.pop("csrf_token", None)
        assert admin.post(url, data=data).status_code == 400, url
    with app.app_context():
        provider = db.session.get(Provider, pid)
        assert provider.name == "原名" and provider.status == "open"
        assert db.session.get(Provider, dup).merged_into_id is None
        assert db.session.scalar(select(func.count()).select_from(Provider)) == 2
        assert not db.session.scalar(select(func.count()).select_from(AuditLog)
                                     .where(AuditLog.action.like("provider.%")
                                            & (AuditLog.actor == "admin-p")))  # fmt: skip


def test_a_bureau_manages_only_its_own_sectors_and_never_merges(app, client_as, add_provider):
    mine = add_provider(12, sector="catering")
    other = add_provider(13, sector="lodging")
    bureau = client_as("bureau")
    listed = bureau.get("/admin/providers").get_data(as_text=True)
    assert "店12" in listed and "店13" not in listed
    assert bureau.get(f"/admin/providers/{mine}").status_code == 200
    assert bureau.get(f"/admin/providers/{other}").status_code == 403
    assert bureau.get(f"/admin/providers/{mine}/merge").status_code == 403
    token = csrf(bureau, "/admin/providers/new")
    outside = bureau.post("/admin/providers/new",
                          data=_form(token, credit_code=code(14), name="x", sector="lodging"))  # fmt: skip
    assert outside.status_code == 400
    inside = bureau.post("/admin/providers/new", data=_form(token, credit_code=code(14), name="x"))
    assert inside.status_code == 303
    for role in ("evaluator", "viewer"):
        assert client_as(role).get("/admin/providers").status_code == 403
    assert app.test_client().get("/admin/providers").status_code == 302


def test_merge_moves_practitioners_and_drops_stored_scores(app, add_provider, rate):
    from surveyapp.models import Practitioner
    from surveyapp.models.base import utcnow
    from surveyapp.models.provider_page import PublishedScore
    from surveyapp.providers.manage import merge_providers
    from surveyapp.providers.published import ScoreSettings, refresh_published_scores
    from surveyapp.rounds.dates import china_today

    kept = add_provider(90, sector="domestic")
    dup = add_provider(91, sector="domestic")
    rate(dup, [5, 4, 5], sector="domestic")
    with app.app_context():
        db.session.add(Practitioner(provider_id=dup, name="李阿姨", certificate_no="JZ-001"))
        refresh_published_scores(db.session, china_today(utcnow()), ScoreSettings(12, 5))
        db.session.commit()
        outcome = merge_providers(
            db.session, db.session.get(Provider, kept), db.session.get(Provider, dup), "test"
        )
        db.session.commit()
        assert outcome.references["practitioner.provider_id"] == 1
        assert outcome.ratings_moved == 3
        worker = db.session.scalar(select(Practitioner))
        assert worker.provider_id == kept
        stored = db.session.scalars(select(PublishedScore.provider_id)).all()
        assert dup not in stored and kept in stored  # recounted at the next refresh

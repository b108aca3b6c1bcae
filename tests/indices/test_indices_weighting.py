"""Without population margins a round is analysed unweighted, and every output says so;
uploading margins changes the figures.  The demo's margins are the demo's only."""

from __future__ import annotations

import ast
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from surveyapp.api.tokens import create_token
from surveyapp.bulletins import prepare_bulletin, publish_bulletin
from surveyapp.extensions import db
from surveyapp.indices import AnalysisSettings, analyse_round, options_for
from surveyapp.models import Round, User
from tests.admin.conftest import csrf
from tests.conftest import pdf_text_of as pdf_text

UNWEIGHTED_ZH = "未加权：尚未上传总体结构"


def _index(html: str) -> str:
    return re.search(r'<p class="index-value">([^<\s]+)', html).group(1)


def _api(app, client, code: str) -> dict:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "eva"))
        _, token = create_token(db.session, user, "t", actor="cli")
        db.session.commit()
    reply = client.get(
        f"/api/v1/indices?round={code}", headers={"Authorization": f"Bearer {token}"}
    )
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return reply.get_json()


def _wait(app) -> None:
    from surveyapp.indices import indices_state

    assert indices_state(app).cache.wait_idle(timeout=120)


def test_a_city_without_margins_is_unweighted_everywhere_and_says_so(
    app, client, as_role, city, cli
):
    period, code = city["previous"], city["catering"]
    # the dashboard: a visible note, in Chinese and in English
    eva = as_role("evaluator")
    page = eva.get(f"/dashboard?period={period}&sector=catering").get_data(as_text=True)
    assert UNWEIGHTED_ZH in page
    english = eva.get(f"/dashboard?period={period}&sector=catering&lang=en").get_data(as_text=True)
    assert "unweighted: no population margins uploaded" in english
    # the API: the CLI JSON's shape
    body = _api(app, client, code)
    assert body["weighting"] == {"method": "none"}
    # the stored analysis: every design weight is 1
    with app.app_context():
        r = db.session.scalar(select(Round).where(Round.code == code))
        stored = analyse_round(db.session, r, options_for(AnalysisSettings(), r, "sector"))
        assert stored.result.weighting.method == "none"
        assert np.all(stored.result.weights == 1.0)
        assert stored.record["margins"] is None and stored.record["margins_source"] is None
        assert body["index"]["estimate"] == stored.result.index.estimate
        # the bulletin: its inputs and its methodology say so
        draft = prepare_bulletin(db.session, period)
        assert draft.inputs["margins"] is None
        assert set(draft.inputs["margins_by_round"].values()) == {"none"}
        assert all(res.weighting.method == "none" for res in draft.results.values())
        bulletin = publish_bulletin(db.session, period)
        db.session.commit()
        text = " ".join(pdf_text(bulletin.pdf))
    assert "未加权：尚未上传总体结构（总体数），每份问卷权重为 1" in text
    # surveyapp analyze --round: the table and the JSON
    table = cli("analyze", "--round", code)
    assert table.exit_code == 0, table.output
    assert "none 未加权 (no population margins 未使用总体结构)" in table.output
    doc = cli("analyze", "--round", code, "--format", "json")
    assert json.loads(doc.output)["weights"] == {"method": "none"}


def _upload(client, code: str, margins: dict[str, dict[str, float]]):
    text = "variable,category,population\n" + "".join(
        f"{v},{c},{p:g}\n" for v, cats in margins.items() for c, p in cats.items()
    )
    token = csrf(client, f"/admin/rounds/{code}")
    fields = {"csrf_token": token, "file": FileStorage(io.BytesIO(text.encode()), "m.csv")}
    boundary, body = encode_multipart(MultiDict(fields))
    return client.post(
        f"/admin/rounds/{code}/margins",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_uploading_margins_changes_the_figures_and_names_them(app, client, as_role, city):
    period, code = city["previous"], city["catering"]
    eva = as_role("evaluator")
    url = f"/dashboard?period={period}&sector=catering"
    before = eva.get(url).get_data(as_text=True)
    unweighted = _api(app, client, code)
    with app.app_context():
        r = db.session.scalar(select(Round).where(Round.code == code))
        q_districts = list(r.districts or [])
    # a skewed population: the first district holds most people
    districts = {d: (90_000 if i == 0 else 1_000) for i, d in enumerate(q_districts)}
    reply = _upload(as_role("admin"), code, {"district": districts})
    assert reply.status_code == 302, reply.get_data(as_text=True)
    eva.get(url)  # served stale while the refresh runs
    _wait(app)
    after = eva.get(url).get_data(as_text=True)
    assert UNWEIGHTED_ZH in before and UNWEIGHTED_ZH not in after
    assert _index(after) != _index(before)
    weighted = _api(app, client, code)
    assert weighted["weighting"]["method"] == "raking"
    assert weighted["weighting"]["margins_source"] == f"round {code}"
    assert weighted["weighting"]["margins_policy"] == "drop-absent"
    assert weighted["index"]["estimate"] != pytest.approx(unweighted["index"]["estimate"])


def test_no_module_but_the_demo_reaches_the_demos_margins():
    """The demo's population structure is imported by the demo command alone."""
    root = Path(__file__).resolve().parents[2] / "surveyapp"
    allowed = {root / "demo.py", root / "cli" / "demo.py"}
    offenders = []
    for path in root.rglob("*.py"):
        if path in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "surveyapp.demo":
                offenders.append(str(path.relative_to(root)))
            elif isinstance(node, ast.Import) and any(
                a.name == "surveyapp.demo" for a in node.names
            ):
                offenders.append(str(path.relative_to(root)))
    assert offenders == []

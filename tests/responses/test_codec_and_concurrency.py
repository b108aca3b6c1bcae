"""Packed answers round-trip; concurrent writers neither fail nor lose a response."""

from __future__ import annotations

import threading

import numpy as np
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Response
from surveyapp.questionnaire import builtin_dir, load_questionnaire
from surveyapp.responses.codec import (
    decode_many,
    pack_answers,
    pack_profile,
    unpack_answers,
    unpack_profile,
)


def test_pack_round_trip_and_bulk_decode():
    q = load_questionnaire(builtin_dir() / "supermarket.yaml")
    a = {aid: (i % 5) + 1 for i, aid in enumerate(q.answer_ids)}
    b = dict(a)
    b[q.answer_ids[1]] = None
    assert unpack_answers(q, pack_answers(q, a)) == a
    assert unpack_answers(q, pack_answers(q, b)) == b
    profile = {"district": "西盟佤族自治县", "age_group": "60+", "gender": None}
    assert unpack_profile(q, pack_profile(q, profile)) == profile
    matrix = decode_many([pack_answers(q, a), pack_answers(q, b)], len(q.answer_ids))
    assert matrix.shape == (2, len(q.answer_ids))
    assert np.isnan(matrix[1, 1]) and matrix[0, 1] == a[q.answer_ids[1]]
    assert matrix[0, 0] == 1.0


def test_concurrent_submissions_all_stored(app, make_round, keyed):
    code = make_round("catering")
    client = app.test_client()
    detail = client.get("/api/v1/questionnaires/catering").get_json()
    item_ids = [i["id"] for d in detail["dimensions"] for i in d["items"]] + ["overall"]
    statuses: list[int] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        local = app.test_client()
        for k in range(25):
            body = {
                "respondent": {"district": "思茅区", "age_group": "18-29", "gender": "男"},
                "answers": {aid: 3 for aid in item_ids},
                "device_id": f"w{n}-{k}",
            }
            reply = local.post(f"/api/v1/rounds/{code}/responses", json=body, headers=keyed)
            with lock:
                statuses.append(reply.status_code)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(201) == 200, sorted(set(statuses))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 200

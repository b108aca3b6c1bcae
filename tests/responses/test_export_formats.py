"""XLSX and SPSS exports read back (pandas, pyreadstat) equal to the stored answers, labels included."""

from __future__ import annotations

import pandas as pd
import pyreadstat
from click.testing import CliRunner
from sqlalchemy import select

from surveyapp.catalog import questionnaire_of
from surveyapp.cli import main
from surveyapp.demo import seed_demo
from surveyapp.extensions import db
from surveyapp.models import Response
from surveyapp.responses.codec import unpack_answers, unpack_profile
from surveyapp.rounds.service import get_round


def _stored(app, code):
    with app.app_context():
        round_ = get_round(db.session, code)
        q = questionnaire_of(round_.questionnaire_version)
        rows = db.session.scalars(
            select(Response).where(Response.round_id == round_.id).order_by(Response.id)
        ).all()
        return q, [
            (
                r.uid,
                unpack_profile(q, r.profile),
                unpack_answers(q, r.answers),
                r.open_answers or {},
            )
            for r in rows
        ]


def _seed(app):
    with app.app_context():
        seed_demo(db.session, per_round=40, seed=5)


def test_xlsx_and_sav_round_trip(app, database_url, tmp_path):
    _seed(app)
    code = "elderly_care-" + max(_periods(app)).lower()
    q, stored = _stored(app, code)
    runner = CliRunner()
    xlsx, sav = tmp_path / "r.xlsx", tmp_path / "r.sav"
    for fmt, path in (("xlsx", xlsx), ("sav", sav)):
        result = runner.invoke(
            main,
            [
                "--database-url",
                database_url,
                "responses",
                "export",
                "--round",
                code,
                "--format",
                fmt,
                "--out",
                str(path),
            ],
        )
        assert result.exit_code == 0, result.output
    sheet = pd.read_excel(xlsx, sheet_name="responses")
    codebook = pd.read_excel(xlsx, sheet_name="codebook")
    frame, meta = pyreadstat.read_sav(str(sav))
    assert len(sheet) == len(frame) == len(stored) == 40
    chosen = _dont_know(app, code)  # the items each resident answered "不了解/不适用"
    for i, (uid, profile, answers, open_answers) in enumerate(stored):
        assert sheet.loc[i, "respondent_id"] == uid == frame.loc[i, "respondent_id"]
        for qid, value in profile.items():
            assert sheet.loc[i, qid] == value
            options = q.respondent_question(qid).values
            assert (
                meta.variable_value_labels[qid][frame.loc[i, qid]]
                == value
                == options[int(frame.loc[i, qid]) - 1]
            )
        for aid, value in answers.items():
            if value is None:  # XLSX: its own label for "don't know", empty when skipped
                if aid in chosen[uid]:
                    assert sheet.loc[i, aid] == "不了解/不适用"
                else:
                    assert pd.isna(sheet.loc[i, aid])
                assert pd.isna(frame.loc[i, aid])
            else:
                assert sheet.loc[i, aid] == value == frame.loc[i, aid]
        text = open_answers.get("suggestions")
        assert (
            sheet.loc[i, "suggestions"] if not pd.isna(sheet.loc[i, "suggestions"]) else None
        ) == text
    item = q.items[0]
    assert meta.column_names_to_labels[item.id] == item.text.zh
    # 255 is "not answered", 254 "don't know", both declared user-missing: read back as
    # NaN above, labelled for SPSS users
    assert meta.variable_value_labels[item.id] == {
        1.0: "非常不满意",
        2.0: "不满意",
        3.0: "一般",
        4.0: "满意",
        5.0: "非常满意",
        254.0: "不了解/不适用",
        255.0: "未回答",
    }
    assert meta.missing_ranges == {} and meta.original_variable_types["submitted_at"].startswith(
        "DATETIME"
    )
    user_missing, meta_missing = pyreadstat.read_sav(str(sav), user_missing=True)
    assert meta_missing.missing_ranges[item.id] == [
        {"lo": 254.0, "hi": 254.0},
        {"lo": 255.0, "hi": 255.0},
    ]
    # the demo's residents chose "不了解/不适用" on some items and skipped others: both
    # kinds are in the data, each exported as its own code
    codes = {254: set(), 255: set()}
    for i, (uid, _profile, answers, _open) in enumerate(stored):
        for aid, value in answers.items():
            if value is None:
                raw = int(user_missing.loc[i, aid])
                codes[raw].add((uid, aid))
                assert (raw == 254) == (aid in chosen[uid])
    assert codes[254] and codes[255]
    submitted = [pd.Timestamp(at).tz_convert(None) for at in _submitted(app, code)]
    # SPSS time is a double of seconds since 1582: at 1.4e10 s its resolution is ~2 microseconds
    assert all(
        abs((pd.Timestamp(v) - at).total_seconds()) < 4e-6
        for v, at in zip(frame["submitted_at"], submitted, strict=True)
    )
    assert sheet["submitted_at"].tolist() == [at.isoformat() for at in _submitted(app, code)]
    assert codebook.loc[codebook["column"] == item.id, "label"].item() == item.text.zh


def test_binary_formats_need_a_file(app, database_url):
    _seed(app)
    code = "elderly_care-" + max(_periods(app)).lower()
    result = CliRunner().invoke(
        main,
        ["--database-url", database_url, "responses", "export", "--round", code, "--format", "sav"],
    )
    assert result.exit_code == 2 and "--format sav needs --out FILE" in result.output


def _dont_know(app, code):
    from surveyapp.responses.codec import dont_know_items

    with app.app_context():
        round_ = get_round(db.session, code)
        q = questionnaire_of(round_.questionnaire_version)
        rows = db.session.execute(
            select(Response.uid, Response.answers).where(Response.round_id == round_.id)
        ).all()
        return {uid: dont_know_items(q, blob) for uid, blob in rows}


def _submitted(app, code):
    with app.app_context():
        round_ = get_round(db.session, code)
        return db.session.scalars(
            select(Response.submitted_at)
            .where(Response.round_id == round_.id)
            .order_by(Response.id)
        ).all()


def _periods(app):
    from surveyapp.models import Round

    with app.app_context():
        return {r.period for r in db.session.scalars(select(Round))}

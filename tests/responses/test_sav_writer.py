"""The streaming .sav writer: bytecode compression by hand, files read back with
pyreadstat, and the round's export compared with the pyreadstat-written file it replaces."""

from __future__ import annotations

import csv
import io
import math
import shutil
import struct
import subprocess
from datetime import datetime

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from surveyapp.catalog import questionnaire_of
from surveyapp.extensions import db
from surveyapp.responses.codec import DONT_KNOW, MISSING
from surveyapp.responses.exporter import export_rows
from surveyapp.responses.formats import (
    NOT_ANSWERED,
    SPSS_EPOCH_OFFSET,
    codebook,
    dont_know_label,
    export_sav,
    sav_stream,
)
from surveyapp.responses.sav_writer import SavWriter, Variable, compress_units, numeric_codes
from surveyapp.responses.submit import Client, submit_response
from surveyapp.responses.validate import validate_submission
from surveyapp.rounds.service import get_round
from tests.api.test_submit import _payload
from tests.needs import needs

LONG = "意见" * 200  # 1,200 UTF-8 bytes: a very long string (five segments)


def _u8(*values: float) -> np.ndarray:
    return np.array(values, dtype="<f8").view("<u8")


# --- bytecode compression ------------------------------------------------------------------


def test_numeric_codes():
    values = np.array([0, 1, -99, -100, 151, 152, 2.5, np.nan, np.inf, -0.0])
    assert numeric_codes(values).tolist() == [100, 101, 1, 253, 251, 253, 253, 255, 253, 100]


def test_one_block_then_its_raw_units():
    spaces, text = (np.frombuffer(s, dtype="<u8")[0] for s in (b" " * 8, b"abcdefgh"))
    units = np.concatenate([_u8(1.0, 0.0, 1000.5, -99.0, 152.0), [spaces, text], _u8(0.0)]).astype(
        "<u8"
    )
    codes = np.array([101, 255, 253, 1, 253, 254, 253, 100], dtype=np.uint8)
    data, rest_units, rest_codes = compress_units(units, codes)
    assert data == bytes(codes) + struct.pack("<dd", 1000.5, 152.0) + b"abcdefgh"
    assert len(rest_units) == len(rest_codes) == 0


def test_blocks_without_raw_units_and_a_leftover():
    codes = np.array([101] * 8 + [253, 102] * 4 + [254, 253], dtype=np.uint8)
    units = _u8(*([0.0] * 8 + [7.5, 0.0] * 4 + [0.0, 9.5]))
    data, rest_units, rest_codes = compress_units(units, codes)
    assert data == bytes([101] * 8) + bytes([253, 102] * 4) + struct.pack("<4d", 7.5, 7.5, 7.5, 7.5)
    assert rest_codes.tolist() == [254, 253] and rest_units.tolist() == _u8(0.0, 9.5).tolist()


def test_data_of_a_small_file_continues_across_writes_and_is_padded_at_the_end():
    fh = io.BytesIO()
    with SavWriter(fh, [Variable("x"), Variable("s", width=3)]) as writer:
        writer.write([np.array([1.0, np.nan, 0.5]), ["ab", "", "xyz"]])
        writer.write([np.array([2.0]), ["c"]])
    data = fh.getvalue()[-40:]
    assert data == (
        bytes([101, 253, 255, 254, 253, 253, 102, 253])
        + b"ab      "
        + struct.pack("<d", 0.5)
        + b"xyz     "
        + b"c       "
    )
    assert struct.unpack_from("<i", fh.getvalue(), 80) == (4,)  # the case count, patched
    fh = io.BytesIO()
    with SavWriter(fh, [Variable("x")]) as writer:
        writer.write([np.array([1.0, 2.0, 3.0])])
    assert fh.getvalue()[-16:] == struct.pack("<ii", 999, 0) + bytes([101, 102, 103, 0, 0, 0, 0, 0])


# --- files read back -------------------------------------------------------------------------


def _read(path, **kwargs):
    return pyreadstat.read_sav(str(path), **kwargs)


def test_round_trip_of_every_kind_of_value(tmp_path):
    at = datetime(2026, 11, 25, 21, 30, 15, 250000)
    variables = [
        Variable("respondent_id", "答卷编号", width=6),
        Variable(
            "hyg_tableware",
            "餐具的清洗消毒",
            value_labels={1: "非常不满意", 5: "非常满意", 255: "未回答"},
            missing=(255.0,),
            measure="ordinal",
        ),
        Variable("duration", "用时", format="F8.1"),
        Variable("submitted_at", "提交时间", format="DATETIME27.6"),
        Variable("suggestions", "意见", width=len(LONG.encode())),
        Variable("empty", width=4),
    ]
    path = tmp_path / "kinds.sav"
    with open(path, "wb") as fh, SavWriter(fh, variables) as writer:
        writer.write(
            [
                ["r1", "编号"],
                np.array([1.0, 255.0]),
                np.array([12.5, np.nan]),
                np.array([at.timestamp() + SPSS_EPOCH_OFFSET, 1e6]),
                [LONG, ""],
                ["", ""],
            ]
        )
        writer.write(
            [["r3"], np.array([5.0]), np.array([-1e9]), np.array([np.nan]), ["短"], ["abcd"]]
        )
    frame, meta = _read(path)
    assert frame["respondent_id"].tolist() == ["r1", "编号", "r3"]
    assert frame["hyg_tableware"].tolist()[::2] == [1.0, 5.0] and math.isnan(
        frame["hyg_tableware"][1]
    )
    assert (
        frame["duration"][0] == 12.5
        and math.isnan(frame["duration"][1])
        and frame["duration"][2] == -1e9
    )
    assert frame["submitted_at"][0] == pd.Timestamp(at) and pd.isna(frame["submitted_at"][2])
    assert frame["suggestions"].tolist() == [LONG, "", "短"]
    assert frame["empty"].tolist() == ["", "", "abcd"]
    assert meta.number_rows == 3 and meta.file_encoding == "UTF-8"
    assert meta.column_names_to_labels["hyg_tableware"] == "餐具的清洗消毒"
    assert meta.variable_value_labels == {
        "hyg_tableware": {1.0: "非常不满意", 5.0: "非常满意", 255.0: "未回答"}
    }
    assert meta.original_variable_types == {
        "respondent_id": "A6",
        "hyg_tableware": "F8.0",
        "duration": "F8.1",
        "submitted_at": "DATETIME27.6",
        "suggestions": "A1200",
        "empty": "A4",
    }
    assert meta.variable_measure["hyg_tableware"] == "ordinal"
    kept, kept_meta = _read(path, user_missing=True)
    assert kept["hyg_tableware"][1] == 255.0
    assert kept_meta.missing_ranges == {"hyg_tableware": [{"lo": 255.0, "hi": 255.0}]}


def test_zero_cases_and_an_unseekable_file(tmp_path):
    path = tmp_path / "empty.sav"
    with open(path, "wb") as fh, SavWriter(fh, [Variable("x", "数"), Variable("s", width=300)]):
        pass
    frame, meta = _read(path)
    assert (
        len(frame) == 0
        and list(frame.columns) == ["x", "s"]
        and meta.original_variable_types["s"] == "A300"
    )

    class Pipe(io.RawIOBase):  # a download: written in order, cannot seek back
        def __init__(self):
            super().__init__()
            self.data = bytearray()

        def writable(self):
            return True

        def write(self, b):
            self.data += b
            return len(b)

    pipe = Pipe()
    with SavWriter(pipe, [Variable("x")]) as writer:
        writer.write([np.arange(20.0)])
    assert struct.unpack_from("<i", pipe.data, 80) == (-1,)
    (tmp_path / "pipe.sav").write_bytes(pipe.data)
    assert _read(tmp_path / "pipe.sav")[0]["x"].tolist() == list(range(20))


def test_too_long_text_is_cut_between_characters(tmp_path):
    path = tmp_path / "cut.sav"
    with open(path, "wb") as fh, SavWriter(fh, [Variable("s", width=7)]) as writer:
        writer.write([["一二三"]])  # 9 bytes: the third character does not fit
    assert _read(path)[0]["s"].tolist() == ["一二"]


def test_bad_dictionaries_are_refused():
    with pytest.raises(ValueError, match="unique"):
        SavWriter(io.BytesIO(), [Variable("a"), Variable("A")])
    with pytest.raises(ValueError, match="numbers only"):
        Variable("s", width=3, missing=(1.0,))
    with pytest.raises(ValueError, match="3 columns for 1 variables"):
        SavWriter(io.BytesIO(), [Variable("a")]).write([[1.0], [2.0], [3.0]])


# --- the round's export against the pyreadstat file it replaces -----------------------------


def _submit(app, code, i, **overrides):
    with app.app_context():
        round_ = get_round(db.session, code)
        clean = validate_submission(
            questionnaire_of(round_.questionnaire_version), _payload(app, code, **overrides)
        )
        submit_response(
            db.session,
            round_,
            clean,
            Client(device_id=f"sav-{i}", fingerprint=f"10.8.0.{i}|UA sav"),
        )


def _pyreadstat_export(session, round_, path, lang):
    """The pyreadstat export as it was (commit a4fa5de), from the CSV export's strings,
    plus the "don't know" code 254 declared since (labelled and user-missing, issue 14)."""
    q = questionnaire_of(round_.questionnaire_version)
    rows = export_rows(session, round_)
    columns = next(rows)
    frame = pd.DataFrame(list(rows), columns=columns, dtype=object)
    for question in q.respondent:
        codes = {v: i + 1 for i, v in enumerate(question.values)}
        frame[question.id] = np.array(
            [codes.get(v, MISSING) for v in frame[question.id]], dtype=np.uint8
        )
    for aid in q.answer_ids:  # one byte per answer, as the old export held them
        frame[aid] = np.array([int(v) if v else MISSING for v in frame[aid]], dtype=np.uint8)
    frame["duration"] = [float(v) if v else math.nan for v in frame["duration"]]
    frame["submitted_at"] = [
        datetime.fromisoformat(v).timestamp() + SPSS_EPOCH_OFFSET for v in frame["submitted_at"]
    ]
    missing = NOT_ANSWERED[lang]
    value_labels = {
        question.id: {i + 1: o.value for i, o in enumerate(question.options)} | {MISSING: missing}
        for question in q.respondent
    }
    for aid in q.answer_ids:
        scale = q.scale_of(aid)
        value_labels[aid] = {int(v): scale.label(v, lang) for v in scale.points} | {
            DONT_KNOW: dont_know_label(lang),
            MISSING: missing,
        }
    labels = {col: label for col, label, _ in codebook(q, lang)}
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels=[labels[c] for c in frame.columns],
        variable_value_labels=value_labels,
        missing_ranges={
            name: [DONT_KNOW, MISSING] if name in q.answer_ids else [MISSING]
            for name in value_labels
        },
        variable_format={"submitted_at": "DATETIME26.6", "duration": "F8.1"},
        variable_measure={name: "ordinal" for name in q.answer_ids},
        row_compress=True,
    )


#: the one difference on purpose: DATETIME26.6 is one column short for six decimals (PSPP
#: refuses it and shows the number of seconds)
WIDER_DATETIME = {"original_variable_types": {"submitted_at": "DATETIME27.6"}}
META = (
    "column_names",
    "column_labels",
    "original_variable_types",
    "readstat_variable_types",
    "variable_value_labels",
    "missing_ranges",
    "variable_measure",
    "variable_alignment",
    "file_encoding",
    "number_rows",
)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_export_matches_the_pyreadstat_file(app, make_round, tmp_path, lang):
    code = make_round("catering", code="catering-sav")
    texts = ["请联系我 138 1234 5678，菜太咸", "", LONG, "服务很好"]
    for i, text in enumerate(texts):
        answers = {
            aid: (None if (i + j) % 5 == 0 else 1 + (i + j) % 5)
            for j, aid in enumerate(_answer_ids(app, code))
        }
        _submit(
            app,
            code,
            i,
            open={"suggestions": text},
            answers=answers,
            respondent={"district": "江城哈尼族彝族自治县", "age_group": "60+", "gender": "男"}
            if i == 1
            else _payload(app, code)["respondent"],
        )
    old, new = tmp_path / "old.sav", tmp_path / "new.sav"
    with app.app_context():
        round_ = get_round(db.session, code)
        _pyreadstat_export(db.session, round_, old, lang)
        assert export_sav(db.session, round_, new, lang) == len(texts)
    for user_missing in (False, True):
        (old_frame, old_meta), (frame, meta) = (
            _read(p, user_missing=user_missing) for p in (old, new)
        )
        pd.testing.assert_frame_equal(frame, old_frame)
        for name in META:
            expected = getattr(old_meta, name)
            assert getattr(meta, name) == (
                expected | WIDER_DATETIME[name] if name in WIDER_DATETIME else expected
            ), name
    assert frame["suggestions"].tolist() == ["请联系我 138****5678，菜太咸", "", LONG, "服务很好"]
    assert meta.original_variable_types["suggestions"] == "A1200"
    assert frame["gender"].tolist() == [2.0, 1.0, 2.0, 2.0] and frame["district"][1] == 7.0
    assert (frame[_answer_ids(app, code)] == 255).sum().sum() > 0  # not answered: 255, user-missing


def test_empty_round_matches_the_pyreadstat_file_but_for_the_period_width(
    app, make_round, tmp_path
):
    """pyreadstat sized the period from the (absent) data, A1; it is known: A6."""
    code = make_round("catering", code="catering-sav0")
    old, new = tmp_path / "old.sav", tmp_path / "new.sav"
    with app.app_context():
        round_ = get_round(db.session, code)
        _pyreadstat_export(db.session, round_, old, "zh")
        assert export_sav(db.session, round_, new, "zh") == 0
    (old_frame, old_meta), (frame, meta) = _read(old), _read(new)
    assert len(frame) == len(old_frame) == 0
    for name in META:
        if name != "original_variable_types":
            assert getattr(meta, name) == getattr(old_meta, name), name
    assert meta.original_variable_types == (
        old_meta.original_variable_types
        | {"period": "A6"}
        | WIDER_DATETIME["original_variable_types"]
    )


def _answer_ids(app, code):
    with app.app_context():
        return list(questionnaire_of(get_round(db.session, code).questionnaire_version).answer_ids)


def test_the_streamed_file_is_the_written_file_but_for_the_case_count(app, make_round, tmp_path):
    code = make_round("catering", code="catering-sav-stream")
    for i, text in enumerate(["甲", LONG, ""]):
        _submit(app, code, i, open={"suggestions": text})
    with app.app_context():
        round_ = get_round(db.session, code)
        export_sav(db.session, round_, tmp_path / "file.sav")
        streamed = b"".join(sav_stream(db.session, round_))
    written = (tmp_path / "file.sav").read_bytes()
    assert struct.unpack_from("<i", written, 80) == (3,) and struct.unpack_from(
        "<i", streamed, 80
    ) == (-1,)
    # the header's creation date and time (bytes 92-108) may differ by a second
    for a, b in ((0, 80), (84, 92), (109, None)):
        assert streamed[a:b] == written[a:b]


@needs(shutil.which("pspp-convert") is None, "PSPP (apt-get install pspp)")
def test_pspp_reads_the_export(app, make_round, tmp_path):
    """A second reader besides ReadStat: GNU PSPP (its CSV output, value labels for codes)."""
    code = make_round("catering", code="catering-pspp")
    skipped = {aid: 4 for aid in _answer_ids(app, code)} | {"hyg_fresh": None}
    for i, text in enumerate(["甲", LONG, ""]):
        _submit(
            app, code, i, open={"suggestions": text}, **({"answers": skipped} if i == 2 else {})
        )
    with app.app_context():
        round_ = get_round(db.session, code)
        export_sav(db.session, round_, tmp_path / "r.sav")
        rows = list(export_rows(db.session, round_))
    subprocess.run(
        ["pspp-convert", "--labels", str(tmp_path / "r.sav"), str(tmp_path / "r.csv")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    with open(tmp_path / "r.csv", encoding="utf-8", newline="") as fh:
        got = list(csv.DictReader(fh))
    expected = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [r["suggestions"] for r in got] == ["甲", LONG, ""]
    assert [r["respondent_id"] for r in got] == [r["respondent_id"] for r in expected]
    assert [r["district"] for r in got] == [r["district"] for r in expected]  # the value label
    assert [r["hyg_fresh"] for r in got] == ["满意", "满意", "未回答"]
    # a date-time (PSPP's CSV gives whole seconds), the stored instant
    for r, e in zip(got, expected, strict=True):
        at = datetime.fromisoformat(e["submitted_at"]).replace(tzinfo=None)
        assert (
            0
            <= (at - datetime.strptime(r["submitted_at"], "%m/%d/%Y %H:%M:%S")).total_seconds()
            < 1
        )

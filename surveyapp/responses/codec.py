"""Packing answers into one byte per question, in the questionnaire version's order.

A byte holds a score 0..254 or 255 for "not answered"; every scale of the format
fits (max - min <= 10).  Bulk decoding joins the stored blobs and reinterprets
them as an ``n x k`` uint8 array, so a million responses decode in milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from surveyapp.questionnaire.model import Questionnaire

MISSING = 255


def pack_answers(q: Questionnaire, answers: Mapping[str, int | None]) -> bytes:
    return bytes(MISSING if answers.get(aid) is None else int(answers[aid]) for aid in q.answer_ids)


def unpack_answers(q: Questionnaire, blob: bytes) -> dict[str, int | None]:
    return {aid: (None if b == MISSING else b) for aid, b in zip(q.answer_ids, blob, strict=True)}


def pack_profile(q: Questionnaire, respondent: Mapping[str, str | None]) -> bytes:
    out = []
    for question in q.respondent:
        value = respondent.get(question.id)
        out.append(MISSING if value is None else question.values.index(value))
    return bytes(out)


def unpack_profile(q: Questionnaire, blob: bytes) -> dict[str, str | None]:
    return {
        question.id: (None if b == MISSING else question.values[b])
        for question, b in zip(q.respondent, blob, strict=True)
    }


def decode_many(blobs: Sequence[bytes], width: int) -> np.ndarray:
    """``n x width`` float64 array of the packed values, NaN where not answered."""
    if not blobs:
        return np.empty((0, width))
    raw = np.frombuffer(b"".join(blobs), dtype=np.uint8)
    if raw.size != len(blobs) * width:
        raise ValueError("stored answers do not match the questionnaire version's width")
    out = raw.reshape(len(blobs), width).astype(np.float64)
    out[raw.reshape(len(blobs), width) == MISSING] = np.nan
    return out

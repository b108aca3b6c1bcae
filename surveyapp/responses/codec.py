"""Packing answers into one byte per question, in the questionnaire version's order.

A byte holds a score 0..253, 254 for "don't know / not applicable" (不了解/不适用,
an answer the resident chose) or 255 for "not answered"; every scale of the format
fits (max - min <= 10).  Bulk decoding joins the stored blobs and reinterprets
them as an ``n x k`` uint8 array, so a million responses decode in milliseconds.

The analysis treats both codes alike, as missing (:func:`decode_many` gives NaN), and
so do the CSV export (an empty cell, as the analysis contract defines) and the read
API (``null``); the XLSX and SPSS exports keep them apart
(:mod:`surveyapp.responses.formats`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np

from surveyapp.questionnaire.model import Questionnaire

MISSING = 255  # not answered
DONT_KNOW = 254  # "不了解/不适用" chosen: no score, but an answer


def pack_answers(
    q: Questionnaire, answers: Mapping[str, int | None], dont_know: Collection[str] = ()
) -> bytes:
    """The answer bytes; ``dont_know`` are the items answered "don't know" (their score
    in ``answers`` is None)."""

    def code(aid: str) -> int:
        value = answers.get(aid)
        if value is not None:
            return int(value)
        return DONT_KNOW if aid in dont_know else MISSING

    return bytes(code(aid) for aid in q.answer_ids)


def unpack_answers(q: Questionnaire, blob: bytes) -> dict[str, int | None]:
    """Scores by item; None for "not answered" and "don't know" alike."""
    return {aid: (None if b >= DONT_KNOW else b) for aid, b in zip(q.answer_ids, blob, strict=True)}


def dont_know_items(q: Questionnaire, blob: bytes) -> set[str]:
    """The items of one stored response answered "don't know / not applicable"."""
    return {aid for aid, b in zip(q.answer_ids, blob, strict=True) if b == DONT_KNOW}


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
    """``n x width`` float64 array of the packed values, NaN where not answered or
    answered "don't know" (the analysis treats both as missing)."""
    if not blobs:
        return np.empty((0, width))
    raw = np.frombuffer(b"".join(blobs), dtype=np.uint8)
    if raw.size != len(blobs) * width:
        raise ValueError("stored answers do not match the questionnaire version's width")
    out = raw.reshape(len(blobs), width).astype(np.float64)
    out[raw.reshape(len(blobs), width) >= DONT_KNOW] = np.nan
    return out

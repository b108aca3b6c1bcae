"""Checking a submission against its questionnaire version.

The survey form and the JSON API both turn what they receive into the same plain
mapping and call :func:`validate_submission`; every problem is collected (not just
the first) and keyed by its field path, e.g. ``answers.hyg_safe``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from surveyapp.i18n import t
from surveyapp.questionnaire.model import Questionnaire

CHANNELS = ("web", "miniprogram", "kiosk", "phone", "paper")
MAX_TOKEN = 64
MAX_DEVICE_ID = 128
#: ``started_at`` values that can be a time (a kiosk's clock reset to 1970 still is);
#: within them every database stores the value and every later subtraction is in range.
STARTED_AT_RANGE = (datetime(1900, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC))


@dataclass(frozen=True)
class FieldError:
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "en") -> str:
        return t(self.code, lang, **self.params)


class InvalidSubmission(ValueError):
    """One or more fields are wrong; nothing was stored."""

    def __init__(self, fields: dict[str, FieldError]):
        super().__init__(", ".join(f"{k}: {v.message()}" for k, v in fields.items()))
        self.fields = fields

    def messages(self, lang: str = "en") -> dict[str, str]:
        return {key: err.message(lang) for key, err in self.fields.items()}


@dataclass(frozen=True)
class CleanSubmission:
    respondent: dict[str, str | None]
    answers: dict[str, int | None]
    open: dict[str, str]
    started_at: datetime | None
    channel: str
    token: str | None
    device_id: str | None
    #: optional items answered "不了解/不适用" (no score in ``answers``), stored as their
    #: own code (:data:`surveyapp.responses.codec.DONT_KNOW`)
    dont_know: frozenset[str] = frozenset()


def _score(value: Any, lo: int, hi: int) -> int | FieldError | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return FieldError("not_integer", {"min": lo, "max": hi})
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            return FieldError("not_integer", {"min": lo, "max": hi})
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        return FieldError("not_integer", {"min": lo, "max": hi})
    if not lo <= value <= hi:
        return FieldError("out_of_range", {"min": lo, "max": hi})
    return value


def _parse_started(value: Any) -> datetime | FieldError | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return FieldError("bad_datetime")
    else:
        return FieldError("bad_datetime")
    if parsed.tzinfo is None:
        return FieldError("bad_datetime")
    try:  # year 1 at +08:00 is year 0 in UTC, which no datetime holds
        parsed = parsed.astimezone(UTC)
    except OverflowError:
        return FieldError("bad_datetime")
    if not STARTED_AT_RANGE[0] <= parsed < STARTED_AT_RANGE[1]:
        return FieldError("bad_datetime")
    return parsed


def _mapping(
    payload: Mapping[str, Any], key: str, errors: dict[str, FieldError]
) -> Mapping[str, Any]:
    value = payload.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        errors[key] = FieldError("not_object")
        return {}
    return value


def validate_submission(
    q: Questionnaire,
    payload: Mapping[str, Any],
    *,
    channel: str | None = None,
    dont_know: Collection[str] = (),
) -> CleanSubmission:
    """Return the clean submission or raise :class:`InvalidSubmission` listing every bad field.

    ``channel`` is the channel of the source when it is known for certain (the API's
    channel key): the submission gets it, and a ``channel`` in the body that says
    otherwise is an error (``channel_mismatch``); one that agrees changes nothing.
    ``dont_know`` are the items the survey page's "不了解/不适用" was chosen for: only
    optional items without a score (a required item stays ``required``).
    """
    errors: dict[str, FieldError] = {}
    if not isinstance(payload, Mapping):
        raise InvalidSubmission({"body": FieldError("not_object")})
    respondent_in = _mapping(payload, "respondent", errors)
    answers_in = _mapping(payload, "answers", errors)
    open_in = _mapping(payload, "open", errors)

    respondent: dict[str, str | None] = {}
    for question in q.respondent:
        value = respondent_in.get(question.id)
        if value is None or value == "":
            respondent[question.id] = None
            if question.required:
                errors[f"respondent.{question.id}"] = FieldError("required")
        elif not isinstance(value, str) or value not in question.values:
            errors[f"respondent.{question.id}"] = FieldError("unknown_option")
        else:
            respondent[question.id] = value
    for key in respondent_in:
        if key not in q.respondent_ids:
            errors[f"respondent.{key}"] = FieldError("unknown_field")

    answers: dict[str, int | None] = {}
    required = {item.id for item in q.items if item.required}
    if q.overall.required:
        required.add(q.overall.id)
    for aid in q.answer_ids:
        scale = q.scale_of(aid)
        result = _score(answers_in.get(aid), scale.min, scale.max)
        if isinstance(result, FieldError):
            errors[f"answers.{aid}"] = result
        elif result is None and aid in required:
            errors[f"answers.{aid}"] = FieldError("required")
        else:
            answers[aid] = result
    for key in answers_in:
        if key not in q.answer_ids:
            errors[f"answers.{key}"] = FieldError("unknown_field")
    for key in dont_know:
        if key not in q.answer_ids:
            errors[f"answers.{key}"] = FieldError("unknown_field")
        elif answers_in.get(key) not in (None, "") or key in required:
            errors.setdefault(f"answers.{key}", FieldError("required"))

    open_answers: dict[str, str] = {}
    for oq in q.open_questions:
        value = open_in.get(oq.id)
        if value is None or (isinstance(value, str) and not value.strip()):
            if oq.required:
                errors[f"open.{oq.id}"] = FieldError("required")
            continue
        if not isinstance(value, str):
            errors[f"open.{oq.id}"] = FieldError("not_text")
        elif len(value) > oq.max_length:
            errors[f"open.{oq.id}"] = FieldError("too_long", {"max": oq.max_length})
        else:
            open_answers[oq.id] = value.strip().replace("\x00", "")
    for key in open_in:
        if key not in {oq.id for oq in q.open_questions}:
            errors[f"open.{key}"] = FieldError("unknown_field")

    started = _parse_started(payload.get("started_at"))
    if isinstance(started, FieldError):
        errors["started_at"] = started
        started = None
    claimed = payload.get("channel") or None
    if channel is not None:
        if claimed is not None and claimed != channel:
            errors["channel"] = FieldError("channel_mismatch", {"channel": channel})
    else:
        channel = claimed or "web"
        if channel not in CHANNELS:
            errors["channel"] = FieldError("bad_channel")
    token = payload.get("token") or None
    if token is not None and (not isinstance(token, str) or len(token) > MAX_TOKEN):
        errors["token"] = FieldError("token_unknown")
    device_id = payload.get("device_id") or None
    if device_id is not None and (not isinstance(device_id, str) or len(device_id) > MAX_DEVICE_ID):
        errors["device_id"] = FieldError("too_long", {"max": MAX_DEVICE_ID})

    if errors:
        raise InvalidSubmission(errors)
    return CleanSubmission(
        respondent=respondent,
        answers=answers,
        open=open_answers,
        started_at=started,
        channel=channel,
        token=token,
        device_id=device_id,
        dont_know=frozenset(dont_know),
    )

"""Forms of the rounds admin pages (Flask-WTF: every one carries a CSRF token).

The fields are plain text and are read by :func:`read_round_form`, not by WTForms
validators, so that every error gets our bilingual wording next to its field (a
WTForms ``DateField`` would say only "Not a valid date value.").  What the values
mean (a period, a unique code, known districts) is checked by the rounds service,
the same checks the command line gets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectMultipleField, StringField
from wtforms.validators import Length

from surveyapp.i18n import both
from surveyapp.rounds.dates import DateError, closes_after, day_start, parse_day
from surveyapp.rounds.service import MAX_TARGET

#: Invitations one web request may make (the CSV of 100,000 is about 6 MB).
MAX_WEB_INVITATIONS = 100_000


class PickVersionForm(FlaskForm):
    """Step one: which published questionnaire version (a GET form, no CSRF needed)."""

    class Meta:
        csrf = False

    version = StringField()


class RoundForm(FlaskForm):
    """Step two: the round itself.  Per-district targets are read from ``target-N``."""

    version = HiddenField()
    period = StringField(validators=[Length(max=16)])
    code = StringField(validators=[Length(max=40)])
    opens = StringField(validators=[Length(max=10)])
    closes = StringField(validators=[Length(max=10)])
    districts = SelectMultipleField(choices=[], validate_choice=False)
    default_target = StringField(validators=[Length(max=12)])
    require_token = BooleanField()
    parallel = BooleanField()


class MarginsForm(FlaskForm):
    file = FileField()


class InvitationsForm(FlaskForm):
    count = StringField(validators=[Length(max=12)])


class CloseForm(FlaskForm):
    """Closing, deleting or archiving needs ``confirm=yes`` as well as the CSRF token: a
    stray POST (or a crawler following forms) cannot end or remove a round."""

    confirm = HiddenField()


class ChannelKeyForm(FlaskForm):
    """A new channel key; what the values mean is checked by :func:`create_key`."""

    name = StringField(validators=[Length(max=200)])
    channel = StringField(validators=[Length(max=16)])
    rounds = SelectMultipleField(choices=[], validate_choice=False)
    trusted_stamps = BooleanField()


Errors = dict[str, list[tuple[str, str]]]


@dataclass
class RoundInput:
    """The form read into the values :func:`create_round` takes."""

    period: str = ""
    code: str | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    districts: list[str] = field(default_factory=list)
    targets: dict[str, int] = field(default_factory=dict)
    require_token: bool = False
    parallel: bool = False


def parse_count(raw: str | None, maximum: int) -> int | None:
    """A whole number from 1 to ``maximum`` (``1,000`` allowed); ``None`` for empty input."""
    text = (raw or "").strip().replace(",", "").replace("，", "")
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= maximum:
        raise ValueError(text)
    return int(text)


def target_field(index: int) -> str:
    return f"target-{index}"


def read_round_form(
    form: RoundForm, options: list[str], raw_targets: dict[str, str]
) -> tuple[RoundInput, Errors]:
    """The typed values and the errors of what could not even be read.

    ``options`` are the questionnaire's districts (the order of the ``target-N``
    inputs); ``raw_targets`` maps those input names to what was typed.
    """
    errors: Errors = {}
    values = RoundInput(
        require_token=bool(form.require_token.data), parallel=bool(form.parallel.data)
    )
    values.period = (form.period.data or "").strip().upper()
    if not values.period:
        errors.setdefault("period", []).append(both("rounds_err_required"))
    values.code = (form.code.data or "").strip() or None
    days: dict[str, date | None] = {}
    for name in ("opens", "closes"):
        try:
            days[name] = parse_day(getattr(form, name).data)
        except DateError:
            days[name] = None
            errors.setdefault(name, []).append(both("rounds_err_not_date"))
    # China days (surveyapp.rounds.dates): opens at 00:00 of the first day, open until
    # 23:59:59 of the closing day; a blank date is the period's own (the service's
    # default), and the order is checked by the service
    opens, closes = days["opens"], days["closes"]
    values.opens_at = day_start(opens) if opens else None
    values.closes_at = closes_after(closes) if closes else None
    chosen = [d for d in options if d in set(form.districts.data or [])]
    unknown = [d for d in form.districts.data or [] if d not in options]
    values.districts = chosen + unknown  # unknown ones: the service names them
    if options and not values.districts:
        errors.setdefault("districts", []).append(both("rounds_err_no_district"))
    try:
        default = parse_count(form.default_target.data, MAX_TARGET)
    except ValueError:
        default = None
        errors.setdefault("default_target", []).append(
            both("rounds_err_not_integer", max=f"{MAX_TARGET:,}")
        )
    for index, district in enumerate(options):
        name = target_field(index)
        try:
            own = parse_count(raw_targets.get(name), MAX_TARGET)
        except ValueError:
            errors.setdefault(name, []).append(
                both("rounds_err_not_integer", max=f"{MAX_TARGET:,}")
            )
            continue
        if district in chosen and (own or default):
            values.targets[district] = own or default  # type: ignore[assignment]
    return values, errors

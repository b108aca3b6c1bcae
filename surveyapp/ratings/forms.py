"""The per-sector rating forms: ``questionnaires/ratings/<sector>.yaml``, read, checked
and versioned.

A form has an ``id``, its ``sector`` (a code of :mod:`surveyapp.sectors`), a ``title``
in Chinese and English, 3 to 6 ``items`` rated 1 to 5 stars (``id``, ``text`` {zh, en},
``required``), one of which is ``overall`` (always required: a rating is *satisfied*
when it is 4 or 5 stars), and an optional ``comment`` (``max_length``).  The file is
read by :class:`surveyapp.questionnaire.reading.Document`, so every problem names its
line, and all problems are reported at once.

Versions: :func:`form_version` publishes the form on its first use; a changed form
(another SHA-256 of its canonical JSON: comments and layout of the YAML do not count)
becomes the next version, and a rating records the version it was made with.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from surveyapp.models.base import DbSession
from surveyapp.models.provider_rating import RatingFormVersion
from surveyapp.questionnaire.files import builtin_dir
from surveyapp.questionnaire.model import Text
from surveyapp.questionnaire.reading import LinedFileError, read_lined
from surveyapp.sectors import SECTORS

__all__ = [
    "MAX_ITEMS",
    "MIN_ITEMS",
    "OVERALL",
    "STARS",
    "FormVersion",
    "RatingForm",
    "RatingFormError",
    "forms_dir",
    "form_version",
    "load_form",
    "read_form",
    "shipped_form",
]

OVERALL = "overall"
_MEMO = "surveyapp.rating_forms"
STARS = (1, 2, 3, 4, 5)
MIN_ITEMS, MAX_ITEMS = 3, 6
MAX_COMMENT = 2000
_ID = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
_ITEM_ID = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_KEYS = ("id", "sector", "title", "items", "comment")
_ITEM_KEYS = ("id", "text", "required")


class RatingFormError(ValueError):
    """A rating form that cannot be used; ``problems`` are ``file:line: what`` lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class RatingItem:
    id: str
    text: Text
    required: bool


@dataclass(frozen=True)
class RatingForm:
    """A checked rating form; :meth:`definition` is what a version stores."""

    id: str
    sector: str
    title: Text
    items: tuple[RatingItem, ...]
    comment_max: int | None

    def definition(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sector": self.sector,
            "title": self.title.to_dict(),
            "items": [
                {"id": i.id, "text": i.text.to_dict(), "required": i.required} for i in self.items
            ],
            "comment": None if self.comment_max is None else {"max_length": self.comment_max},
        }

    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON (computed once per form: it is frozen)."""
        return _digest(self)

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items)

    @classmethod
    def from_definition(cls, data: dict[str, Any]) -> RatingForm:
        comment = data.get("comment")
        return cls(
            id=data["id"],
            sector=data["sector"],
            title=Text(**data["title"]),
            items=tuple(
                RatingItem(i["id"], Text(**i["text"]), bool(i["required"])) for i in data["items"]
            ),
            comment_max=comment["max_length"] if comment else None,
        )


@cache
def _digest(form: RatingForm) -> str:
    canonical = json.dumps(form.definition(), sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"))  # fmt: skip
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class FormVersion:
    """A published form version as plain values: what a rating is stored with."""

    form: RatingForm
    version: int


def _text(value: Any) -> Text | None:
    if isinstance(value, dict) and set(value) == {"zh", "en"}:
        zh, en = value["zh"], value["en"]
        if isinstance(zh, str) and isinstance(en, str) and zh.strip() and en.strip():
            return Text(zh.strip(), en.strip())
    return None


def load_form(text: str, source: str = "form") -> RatingForm:
    """Read and check a rating form; every problem is reported with its line at once."""
    try:
        doc, problems = read_lined(text, source)
    except LinedFileError as exc:
        raise RatingFormError(exc.problems) from None

    def problem(path: tuple[str | int, ...], what: str) -> None:
        problems.append(f"{source}:{doc.line(path)}: {what}")

    data = doc.data
    if not isinstance(data, dict):
        raise RatingFormError([f"{source}:1: a rating form is a mapping ({', '.join(_KEYS)})"])
    for key in data:
        if key not in _KEYS:
            problem((key,), f"unknown key {key!r} ({', '.join(_KEYS)})")
    form_id = data.get("id")
    if not isinstance(form_id, str) or not _ID.match(form_id):
        problem(("id",), "id must be lower-case letters, digits, - or _ (at most 64)")
    sector = data.get("sector")
    codes = [s.code for s in SECTORS]
    if sector not in codes:
        problem(("sector",), f"unknown sector {sector!r} (known: {', '.join(codes)})")
    title = _text(data.get("title"))
    if title is None:
        problem(("title",), "title needs zh and en text")
    items: list[RatingItem] = []
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not MIN_ITEMS <= len(raw_items) <= MAX_ITEMS:
        problem(("items",), f"items must be a list of {MIN_ITEMS} to {MAX_ITEMS} items")
        raw_items = raw_items if isinstance(raw_items, list) else []
    seen: dict[str, int] = {}
    for i, entry in enumerate(raw_items):
        at = ("items", i)
        if not isinstance(entry, dict):
            problem(at, "an item is a mapping (id, text, required)")
            continue
        for key in entry:
            if key not in _ITEM_KEYS:
                problem((*at, key), f"unknown key {key!r} ({', '.join(_ITEM_KEYS)})")
        item_id = entry.get("id")
        if not isinstance(item_id, str) or not _ITEM_ID.match(item_id):
            problem((*at, "id"), "an item id is lower-case letters, digits or _ (at most 32)")
            continue
        if item_id in seen:
            problem((*at, "id"), f"item {item_id!r} twice (first at line {seen[item_id]})")
            continue
        seen[item_id] = doc.line((*at, "id"))
        text_ = _text(entry.get("text"))
        if text_ is None:
            problem((*at, "text"), "text needs zh and en text")
            continue
        required = entry.get("required", item_id == OVERALL)
        if not isinstance(required, bool):
            problem((*at, "required"), f"required is true or false, not {required!r}")
            continue
        if item_id == OVERALL and not required:
            problem((*at, "required"), "the overall item is always required")
            continue
        items.append(RatingItem(item_id, text_, required))
    if raw_items and OVERALL not in seen:
        problem(("items",), "every rating form has an item 'overall' (1-5 stars)")
    comment_max: int | None = None
    if "comment" in data:
        comment = data["comment"]
        length = comment.get("max_length") if isinstance(comment, dict) else None
        if isinstance(comment, dict):
            for key in comment:
                if key != "max_length":
                    problem(("comment", key), f"unknown key {key!r} (max_length)")
        if (
            isinstance(length, bool)
            or not isinstance(length, int)
            or not 1 <= length <= MAX_COMMENT
        ):
            where: tuple[str | int, ...] = (
                ("comment", "max_length") if length is not None else ("comment",)
            )
            problem(where, f"comment needs max_length, a whole number 1 to {MAX_COMMENT}")
        else:
            comment_max = length
    if problems:
        raise RatingFormError(problems)
    assert title is not None and isinstance(form_id, str) and isinstance(sector, str)
    return RatingForm(form_id, sector, title, tuple(items), comment_max)


def forms_dir() -> Path:
    """The shipped rating forms: ``questionnaires/ratings/``."""
    return builtin_dir() / "ratings"


def read_form(path: Path | str) -> RatingForm:
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RatingFormError([f"{path.name}:1: cannot be read as UTF-8 text ({exc})"]) from None
    return load_form(text, path.name)


@cache
def shipped_form(sector: str) -> RatingForm | None:
    """The shipped form of ``sector`` (read once per process), None when there is none."""
    path = forms_dir() / f"{sector}.yaml"
    return read_form(path) if path.is_file() else None


def item_label(sector: str, item: str, lang: str) -> str:
    """An item's text in ``lang`` from the sector's shipped form (the id when the form no
    longer has it)."""
    form = shipped_form(sector)
    found = next((i for i in form.items if i.id == item), None) if form is not None else None
    return found.text.get(lang) if found is not None else item


def form_version(
    session: DbSession, form: RatingForm, known: dict[tuple[str, str], int] | None = None
) -> FormVersion:
    """The published version of ``form``: the stored one with its content, else a new
    version (the next number of its id), committed.  Two workers publishing the same new
    content at once store it once (the unique index on (form id, hash) decides).

    ``known`` — the caller's memo of (form id, content hash) → version, one per app (a
    published version never changes): with it, a form already seen costs no query.
    """
    digest = form.content_hash()
    if known is not None and (form.id, digest) in known:
        return FormVersion(form, known[(form.id, digest)])
    version = _form_version(session, form, digest)
    if known is not None:
        known[(form.id, digest)] = version.version
    return version


def _form_version(session: DbSession, form: RatingForm, digest: str) -> FormVersion:
    for _ in range(2):
        found = session.scalar(
            select(RatingFormVersion.version).where(
                RatingFormVersion.form_id == form.id, RatingFormVersion.content_hash == digest
            )
        )
        if found is not None:
            return FormVersion(form, found)
        last = session.scalar(
            select(func.max(RatingFormVersion.version)).where(RatingFormVersion.form_id == form.id)
        )
        row = RatingFormVersion(
            form_id=form.id,
            version=(last or 0) + 1,
            sector=form.sector,
            content_hash=digest,
            definition=form.definition(),
        )
        session.add(row)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            continue
        return FormVersion(form, row.version)
    raise RuntimeError(f"rating form {form.id} could not be published")


def rating_forms_memo(app: Any) -> dict[tuple[str, str], int]:
    """The app's memo of published form versions for :func:`form_version` (a new app —
    a new database in tests — starts empty)."""
    return cast(dict[tuple[str, str], int], app.extensions.setdefault(_MEMO, {}))


def stored_form(session: DbSession, form_id: str, version: int) -> RatingForm | None:
    """A published version's form, to read its ratings in that version's item order."""
    data = session.scalar(
        select(RatingFormVersion.definition).where(
            RatingFormVersion.form_id == form_id, RatingFormVersion.version == version
        )
    )
    return None if data is None else RatingForm.from_definition(data)

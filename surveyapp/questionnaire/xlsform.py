"""Convert an XLSForm (the ODK / KoboToolbox spreadsheet) into our questionnaire YAML.

Many bureaus already have their questionnaires in KoboToolbox or ODK, and an XLSForm
is the file those tools export.  This module carries over what the two formats share
and names every row it cannot carry over, so nothing disappears without a word:

* ``select_one`` whose choice list is a rating scale → a rating item.  A list is a
  scale when its choice names are whole numbers forming a run such as 1..5 or 0..10;
  when its names or labels form a known agreement or satisfaction scale
  (``strongly_disagree`` … ``strongly_agree``, 非常不满意 … 非常满意; either order); or
  when the question says so (``appearance`` ``likert``: the sheet's order) — 3 to 11
  points, the last two ways with a note.  "Don't know" choices (a code such as 99
  outside the run, ``dont_know``, 不了解) are dropped with a note, because every survey
  page offers its own "don't know".  A list of whole numbers that is no run (1, 2, 4,
  5) keeps its question a respondent question, with a note; a refusal for want of
  rating questions names every list and why it was not taken.  The question named ``overall`` becomes the overall item; the other
  rating questions become items of the dimension of their innermost group
  (``begin group`` → a dimension: group name → id, group label → title).  The most
  used rating list becomes the top-level ``scale``; an item on another list gets a
  ``scale`` of its own.
* any other ``select_one`` → a respondent (profile) question with its options; so is
  one named ``district``, ``age_group`` or ``gender`` even when its choices are coded
  1, 2, 3 ... like a scale.
* ``text`` → an open question.
* ``label::Chinese (zh)`` / ``label::English (en)`` (or ``label::zh``, ``label::en``) →
  the ``zh`` / ``en`` texts; a plain ``label`` is in the settings' ``default_language``
  (without one: Chinese if it has Chinese characters, else English).  Labels in any
  other language (French, Russian …) never become Chinese or English: they are named
  in the notes, and used as a fallback text, with a note, only on rows with no zh or
  en label.  ``required`` yes/true → ``required: true``.
* nested groups are flattened (each named group with rating questions is a
  dimension), with a note; a duplicate question or choice name is refused, naming
  its sheet rows.
* settings: ``form_id`` → ``id``, ``form_title`` → ``title``, ``version`` → ``version``
  when it is a whole number; an optional ``sector`` column (our extension) → ``sector``.
* an optional ``weight`` column (our extension) on ``begin group`` and rating rows →
  the dimension and item weights (default 1; the loader renormalises).

Every other type (``integer``, ``select_multiple``, ``calculate``, ``geopoint``,
``note``, repeats, metadata such as ``start``) and the logic columns (``relevant``,
``constraint``, ``choice_filter`` ...) are reported in :attr:`Conversion.notes` as
``row N: ...``.  The YAML is meant to be reviewed (in the admin editor or an editor
of choice) and validated by :mod:`surveyapp.questionnaire.loader` before publishing;
this module never publishes.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import ParseError

import yaml
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from surveyapp.i18n import N_

from .messages import pair, texts

__all__ = ["MAX_CELL_CHARS", "MAX_ROWS", "Conversion", "XLSFormError", "convert_xlsform"]

#: Characters in one cell at most: a question's label is a sentence or two, and a
#: longer cell is refused rather than carried into the questionnaire and every page.
MAX_CELL_CHARS = 2000

#: Rows read from a sheet at most: an XLSForm is a few hundred rows; a bigger sheet is
#: refused rather than read into memory.
MAX_ROWS = 5000
MAX_SCALE_POINTS = 11  # the loader's largest span (min + 10)
#: Largest unpacked workbook: an XLSForm unpacks to well under a megabyte, and the
#: check keeps a small "zip bomb" upload from filling memory.
MAX_UNPACKED_BYTES = 32 * 1024 * 1024
MIN_SCALE_POINTS = 3  # two integer codes are a yes/no question, not a rating scale
#: Choice codes outside a rating run that mean "don't know", "refused" and the like.
MISSING_CODE_MIN = 77

#: Columns whose meaning (logic, computation) our format does not have.
LOGIC_COLUMNS = (
    "relevant",
    "constraint",
    "choice_filter",
    "calculation",
    "repeat_count",
    "trigger",
    "default",
    "read_only",
)
#: Columns of presentation our format has no place for (with or without a language).
PRESENTATION_COLUMNS = ("hint", "guidance_hint", "media", "image", "audio", "video")

#: Ids our format knows as respondent questions: a coded list (1 = 18-29, 2 = 30-44 ...)
#: under one of these names is a profile question, never a rating item.
PROFILE_IDS = frozenset({"district", "age_group", "gender"})
GENERAL_DIMENSION = {"id": "general", "title": {"zh": "综合", "en": "General"}}
OVERALL_ID = "overall"

_ID_BAD = re.compile(r"[^a-z0-9_-]+")
_ZIP_MAGIC = b"PK\x03\x04"


class XLSFormError(ValueError):
    """The workbook cannot be converted at all; the message says what to fix: ``str()``
    in English, :attr:`zh` in Chinese (a message id of the questionnaire catalogs)."""

    def __init__(self, kind: str, /, **values: Any) -> None:
        self.zh, english = texts(kind, **values)
        super().__init__(english)


@dataclass(frozen=True)
class Conversion:
    """The YAML text and one line for each row or value that was left out or changed."""

    yaml: str
    notes: tuple[str, ...] = ()  # in English (also at the top of the YAML)
    document: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    notes_zh: tuple[str, ...] = ()  # the same notes in Chinese

    def notes_in(self, lang: str) -> tuple[str, ...]:
        return self.notes if lang == "en" else self.notes_zh


# ------------------------------------------------------------------ reading sheets


def _language(spec: str) -> str:
    """``"Chinese (zh)"`` → ``zh``; ``"English"`` → ``en``; anything else lower-cased."""
    spec = spec.strip()
    found = re.search(r"\(\s*([A-Za-z_-]+)\s*\)\s*$", spec)
    code = (found.group(1) if found else spec).lower().replace("_", "-")
    if code in ("zh", "zho", "chi", "cmn", "chinese", "中文", "汉语") or code.startswith("zh-"):
        return "zh"
    if code in ("en", "eng", "english", "英文", "英语") or code.startswith("en-"):
        return "en"
    return code


def _column(header: Any) -> tuple[str, str | None] | None:
    """A header cell → ``(name, language)``: ``label::Chinese (zh)`` → ``("label", "zh")``."""
    if header is None:
        return None
    text = str(header).strip()
    if not text:
        return None
    found = re.fullmatch(r"([^:]+?)\s*::?\s*(.+)", text)  # one colon: the older spelling
    if found:
        return found.group(1).lower(), _language(found.group(2))
    return text.lower(), None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value)).strip()


@dataclass
class _Row:
    number: int  # the spreadsheet row, 1-based (the header is row 1)
    cells: dict[tuple[str, str | None], str]

    def get(self, name: str) -> str:
        return self.cells.get((name, None), "")

    def texts(self, name: str = "label") -> dict[str | None, str]:
        return {lang: v for (col, lang), v in self.cells.items() if col == name and v}


def _short(values: tuple[Any, ...], title: str, number: int) -> tuple[Any, ...]:
    """The row's values, or :class:`XLSFormError` for a cell over :data:`MAX_CELL_CHARS`."""
    for column, value in enumerate(values):
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            letter = _column_letter(column)
            raise XLSFormError(
                N_("xlsform_err_cell"), sheet=title, cell=f"{letter}{number}", max=MAX_CELL_CHARS
            )
    return values


def _column_letter(index: int) -> str:
    """0 -> ``A``, 25 -> ``Z``, 26 -> ``AA``: the spreadsheet's name of a column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _rows(sheet: Any, title: str) -> Iterator[_Row]:
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return
    columns = [_column(h) for h in _short(header, title, 1)]
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            raise XLSFormError(N_("xlsform_err_rows"), sheet=title, max=MAX_ROWS)
        values = _short(values, title, number)
        cells = {col: _cell(v) for col, v in zip(columns, values, strict=False) if col is not None}
        if any(cells.values()):
            yield _Row(number, cells)


def _workbook(data: bytes) -> Any:
    if not data.startswith(_ZIP_MAGIC):
        raise XLSFormError(N_("xlsform_err_not_xlsx"))
    import openpyxl  # imported here: only the import needs it

    _check_archive(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        # openpyxl names the broken part of the archive; the user only needs to know
        # that the file is not a workbook it can read
        raise XLSFormError(N_("xlsform_err_unreadable"), error=type(exc).__name__) from None
    return book


#: What reading a hostile archive can raise: a broken or lying zip (a member larger
#: than its header says fails its CRC), and XML with a DTD or entities (refused by
#: defusedxml) or that does not parse.
_UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, ParseError, DefusedXmlException)


def _check_archive(data: bytes) -> None:
    """Refuse a zip bomb and XML with a DTD or entities before openpyxl reads anything.

    The sizes are the ones the archive declares; :mod:`zipfile` never unpacks more than
    that, and reading every member here finds a member whose data says otherwise.  Every
    XML part is parsed with :mod:`defusedxml`, which refuses a ``<!DOCTYPE`` (and with it
    entity expansion, the "billion laughs", and external entities that read local files);
    an XLSForm from ODK, KoboToolbox or Excel has none.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            unpacked = sum(info.file_size for info in members)
            if unpacked > MAX_UNPACKED_BYTES:
                raise XLSFormError(N_("xlsform_err_too_big"), mb=MAX_UNPACKED_BYTES // 2**20)
            for info in members:
                with archive.open(info) as member:
                    if info.filename.lower().endswith((".xml", ".rels", ".vml")):
                        for _event, element in iterparse(member, forbid_dtd=True):
                            element.clear()  # only the check is wanted, not the tree
                    else:
                        while member.read(1 << 16):
                            pass
    except DefusedXmlException:
        raise XLSFormError(N_("xlsform_err_dtd")) from None
    except _UNREADABLE as exc:
        raise XLSFormError(N_("xlsform_err_unreadable"), error=type(exc).__name__) from None


# ------------------------------------------------------------------ texts and ids


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class _Languages:
    """What the label columns held beyond Chinese and English, for the notes: only zh
    and en become texts; another language is reported, and used as a fallback text (with
    a note) only where a row has no Chinese or English at all."""

    def __init__(self) -> None:
        self.other: dict[str, set[str]] = {}  # language -> sheets with such columns
        self.fallback: dict[str, list[tuple[str, int]]] = {}  # language -> (sheet, row), ...

    def seen(self, texts: dict[str | None, str], sheet: str) -> None:
        for lang in texts:
            if lang not in (None, "zh", "en"):
                self.other.setdefault(lang, set()).add(sheet)

    def used(self, lang: str, sheet: str, row: int) -> None:
        self.fallback.setdefault(lang, []).append((sheet, row))

    def notes(self, notes: _Notes) -> None:
        for lang, sheets in sorted(self.other.items()):
            names = [f"'{s}'" for s in sorted(sheets)]
            where = pair(*(sep.join(names) for sep in texts(N_("xlsform_and"))))
            notes.add(None, N_("xlsform_other_language"), lang=lang, where=where)
        for lang, rows in sorted(self.fallback.items()):
            said = [texts(N_("xlsform_sheet_row"), sheet=s, row=r) for s, r in rows[:8]]
            more = texts(N_("xlsform_more"), n=len(rows) - 8) if len(rows) > 8 else ("", "")
            seps = texts(N_("xlsform_list_sep"))
            shown = pair(*(seps[i].join(r[i] for r in said) + more[i] for i in (0, 1)))
            notes.add(None, N_("xlsform_fallback"), count=len(rows), shown=shown, lang=lang)


def _text(
    texts: dict[str | None, str],
    default_lang: str | None,
    where: tuple[_Languages, str, int] | None = None,
) -> str | dict[str, str] | None:
    """Our text (plain when both languages agree) from the label cells of one row.

    ``label::zh`` / ``label::en`` columns give the two texts; a plain ``label`` is in
    the settings' ``default_language`` (Chinese when it has Chinese characters, else
    English, when the form names none).  A label in any other language is never taken
    as Chinese or English: it is a fallback, reported through ``where`` (the
    languages seen, the sheet and row), only when the row has no zh or en text.
    """
    zh, en = texts.get("zh", ""), texts.get("en", "")
    plain = texts.get(None, "")
    plain_lang = default_lang or ("zh" if _CJK.search(plain) else "en")
    if plain and plain_lang == "zh" and not zh:
        zh = plain
    elif plain and plain_lang == "en" and not en:
        en = plain
    if where is not None:
        where[0].seen(texts, where[1])
    if not zh and not en:
        others = [(lang, v) for lang, v in texts.items() if lang not in ("zh", "en") and v]
        others.sort(key=lambda lv: lv[0] is not None)  # the plain label first
        if others:
            lang, value = others[0]
            lang = lang or plain_lang
            if where is not None:
                where[0].used(lang, where[1], where[2])
            return {"zh": value} if _CJK.search(value) else {"en": value}
    if zh and en:
        return zh if zh == en else {"zh": zh, "en": en}
    if zh or en:
        return {"zh": zh} if zh else {"en": en}
    return None


def _both(text: str | dict[str, str] | None, fallback: str) -> tuple[str, str]:
    if text is None:
        return fallback, fallback
    if isinstance(text, str):
        return text, text
    zh = text.get("zh") or text.get("en") or fallback
    return zh, text.get("en") or zh


#: The kinds of known scale (the note saying how a list became the rating scale).
SCALE_FAMILIES = {
    "agreement": N_("xlsform_family_agreement"),
    "satisfaction": N_("xlsform_family_satisfaction"),
    "rating": N_("xlsform_family_rating"),
}


def _said(kind: str, /, **values: Any) -> pair:
    """A part of a note in both languages (why a list is no scale, how it became one)."""
    return pair(*texts(kind, **values))


def _joined(parts: list[pair]) -> pair:
    """Parts of a message (each in both languages) joined by "; " (in Chinese "；")."""
    seps = texts(N_("xlsform_item_sep"))
    return pair(*(seps[i].join((p.zh, p.en)[i] for p in parts) for i in (0, 1)))


class _Notes(list):
    """The notes in English (the list) and in Chinese (:attr:`zh`), each at its row."""

    def __init__(self) -> None:
        super().__init__()
        self.zh: list[str] = []

    def add(self, row: int | None, kind: str, sheet: str = "survey", /, **values: Any) -> None:
        zh, en = texts(kind, **values)
        if row is not None:
            at = (
                texts(N_("xlsform_at_row"), row=row)
                if sheet == "survey"
                else texts(N_("xlsform_at_sheet_row"), sheet=sheet, row=row)
            )
            zh, en = at[0] + zh, at[1] + en
        self.append(en)
        self.zh.append(zh)


def _id(name: str, row: int, notes: _Notes, sheet: str = "survey") -> str:
    """Our id for an XLSForm name: lower case, other characters replaced by ``_``."""
    new = _ID_BAD.sub("_", name.lower()).strip("_")
    if new != name:
        notes.add(row, N_("xlsform_new_id"), sheet, name=name, new=new)
    return new


def _required(row: _Row, notes: _Notes) -> bool:
    value = row.get("required").lower()
    if value in ("", "no", "false", "false()", "0"):
        return False
    if value in ("yes", "true", "true()", "1"):
        return True
    notes.add(row.number, N_("xlsform_required"), value=row.get("required"))
    return False


def _weight(row: _Row, notes: _Notes) -> float | None:
    raw = row.get("weight")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if value > 0:
        return value
    notes.add(row.number, N_("xlsform_weight"), value=raw)
    return None


# ------------------------------------------------------------------ choice lists


@dataclass
class _Choice:
    row: int
    name: str
    text: str | dict[str, str] | None


@dataclass
class _List:
    name: str
    choices: list[_Choice]
    scale: dict[str, Any] | None = None  # set when the list is a rating scale
    dropped: list[_Choice] = field(default_factory=list)
    how: pair | None = None  # how a list without integer codes became a scale (for a note)
    reason: pair | None = None  # why the list is not a rating scale (notes, the refusal)
    used_by: list[str] = field(default_factory=list)  # the questions on it


def _integer(name: str) -> int | None:
    return int(name) if re.fullmatch(r"-?\d+", name) else None


def _key(text: str) -> str:
    """``"Strongly disagree"`` → ``strongly_disagree``: names and labels compared alike."""
    return re.sub(r"[^0-9a-z\u3400-\u9fff]+", "_", text.lower()).strip("_")


#: Text codes and labels of the agreement and satisfaction scales seen in ODK and
#: KoboToolbox forms: (family, rank), rank from most negative to most positive.
KNOWN_SCALE_TERMS: dict[str, tuple[str, int]] = {
    **{
        k: ("agreement", -2)
        for k in (
            "strongly_disagree",
            "totally_disagree",
            "completely_disagree",
            "非常不同意",
            "完全不同意",
        )
    },
    **{k: ("agreement", -1) for k in ("disagree", "somewhat_disagree", "不同意", "比较不同意")},
    **{
        k: ("agreement", 0)
        for k in (
            "neither_agree_nor_disagree",
            "neither_agree_or_disagree",
            "neutral",
            "neither",
            "undecided",
            "中立",
            "一般",
            "说不清",
        )
    },
    **{k: ("agreement", 1) for k in ("agree", "somewhat_agree", "同意", "比较同意")},
    **{
        k: ("agreement", 2)
        for k in ("strongly_agree", "totally_agree", "completely_agree", "非常同意", "完全同意")
    },
    **{
        k: ("satisfaction", -2)
        for k in ("very_dissatisfied", "very_unsatisfied", "extremely_dissatisfied", "非常不满意")
    },
    **{
        k: ("satisfaction", -1)
        for k in (
            "dissatisfied",
            "unsatisfied",
            "somewhat_dissatisfied",
            "不满意",
            "比较不满意",
            "不太满意",
        )
    },
    **{
        k: ("satisfaction", 0)
        for k in (
            "neither_satisfied_nor_dissatisfied",
            "neither_satisfied_or_dissatisfied",
            "neutral",
            "一般",
            "说不清",
        )
    },
    **{k: ("satisfaction", 1) for k in ("satisfied", "somewhat_satisfied", "满意", "比较满意")},
    **{k: ("satisfaction", 2) for k in ("very_satisfied", "extremely_satisfied", "非常满意")},
}
#: Text codes and labels meaning "don't know" or "no answer": left out of a rating list
#: (every survey page offers its own "don't know").
DONT_KNOW_TERMS = frozenset(
    {
        "dont_know",
        "don_t_know",
        "do_not_know",
        "dk",
        "not_applicable",
        "na",
        "n_a",
        "refused",
        "refuse",
        "prefer_not_to_say",
        "no_answer",
        "不知道",
        "不了解",
        "不适用",
        "不了解_不适用",
        "拒绝回答",
    }
)


def _terms(choice: _Choice) -> list[str]:
    """The choice's name and labels as :func:`_key` keys."""
    texts = [choice.name]
    if isinstance(choice.text, str):
        texts.append(choice.text)
    elif choice.text:
        texts += list(choice.text.values())
    return [_key(t) for t in texts if t]


def _known_rank(choice: _Choice, family: str | None) -> tuple[str, int] | None:
    """(family, rank) of a choice whose name or a label is a known scale term."""
    for term in _terms(choice):
        found = KNOWN_SCALE_TERMS.get(term)
        if found is not None and family in (None, found[0]):
            return found
        if family is None and term in ("neutral", "一般", "说不清"):
            return ("either", 0)
    return None


def _labels(choices: list[_Choice]) -> list[str] | dict[str, list[str]]:
    pairs = [_both(c.text, c.name) for c in choices]
    zh = [p[0] for p in pairs]
    en = [p[1] for p in pairs]
    return zh if zh == en else {"zh": zh, "en": en}


def _integer_scale(lst: _List) -> bool:
    """Whole-number codes forming a run (codes 77 and up outside it, and text codes such
    as ``dont_know``, are "don't know")."""
    choices = [c for c in lst.choices if not set(_terms(c)) & DONT_KNOW_TERMS]
    if not choices:
        return False
    found = [_integer(c.name) for c in choices]
    codes = [code for code in found if code is not None]
    if len(codes) != len(choices):
        return False
    by_code = dict(zip(codes, choices, strict=True))
    if len(by_code) != len(choices):
        lst.reason = _said(N_("xlsform_reason_twice"))
        return False
    run = sorted(by_code)
    shown = ", ".join(str(c) for c in run)
    dropped: list[_Choice] = []
    if run != list(range(run[0], run[-1] + 1)):
        kept = [c for c in run if 0 <= c < MISSING_CODE_MIN]
        if not kept or kept != list(range(kept[0], kept[-1] + 1)):
            lst.reason = _said(N_("xlsform_reason_no_run"), codes=shown)
            return False
        dropped = [by_code[c] for c in run if c not in kept]
        run = kept
    dropped += [c for c in lst.choices if c not in choices]
    if not MIN_SCALE_POINTS <= len(run) <= MAX_SCALE_POINTS:
        lst.reason = _said(
            N_("xlsform_reason_points"), n=len(run), min=MIN_SCALE_POINTS, max=MAX_SCALE_POINTS
        )
        return False
    labels = _labels([by_code[c] for c in run])
    lst.scale, lst.dropped = {"min": run[0], "max": run[-1], "labels": labels}, dropped
    return True


def _ordered_scale(lst: _List, how: pair, ordered: list[_Choice], dropped: list[_Choice]) -> None:
    """``ordered`` (most negative first) as the scale 1..k of ``lst``."""
    lst.scale = {"min": 1, "max": len(ordered), "labels": _labels(ordered)}
    lst.dropped = dropped
    lst.how = _said(
        N_("xlsform_scale_taken"),
        how=how,
        n=len(ordered),
        first=ordered[0].name,
        last=ordered[-1].name,
    )


def _text_scale(lst: _List) -> bool:
    """Text codes forming a known agreement or satisfaction scale, in either order."""
    kept = [c for c in lst.choices if not set(_terms(c)) & DONT_KNOW_TERMS]
    dropped = [c for c in lst.choices if c not in kept]
    family: str | None = None
    ranks: list[int] = []
    for choice in kept:
        found = _known_rank(choice, family)
        if found is None:
            lst.reason = _said(N_("xlsform_reason_text_codes"), choice=choice.name)
            return False
        if found[0] != "either":
            family = found[0]
        ranks.append(found[1])
    if not MIN_SCALE_POINTS <= len(kept) <= MAX_SCALE_POINTS:
        lst.reason = _said(
            N_("xlsform_reason_choices"), n=len(kept), min=MIN_SCALE_POINTS, max=MAX_SCALE_POINTS
        )
        return False
    if ranks == sorted(ranks) and len(set(ranks)) == len(ranks):
        ordered = kept
    elif ranks == sorted(ranks, reverse=True) and len(set(ranks)) == len(ranks):
        ordered = kept[::-1]
    else:
        lst.reason = _said(N_("xlsform_reason_order"))
        return False
    family_word = _said(SCALE_FAMILIES[family or "rating"])
    _ordered_scale(lst, _said(N_("xlsform_known_scale"), family=family_word), ordered, dropped)
    return True


def _likert_scale(lst: _List) -> None:
    """The form says the list is a rating scale (appearance ``likert``): its sheet order."""
    if lst.scale is not None:
        return
    kept = [c for c in lst.choices if not set(_terms(c)) & DONT_KNOW_TERMS]
    if MIN_SCALE_POINTS <= len(kept) <= MAX_SCALE_POINTS:
        dropped = [c for c in lst.choices if c not in kept]
        _ordered_scale(lst, _said(N_("xlsform_likert")), kept, dropped)


def _choice_lists(
    sheet: Any, default_lang: str | None, notes: _Notes, langs: _Languages
) -> dict[str, _List]:
    lists: dict[str, _List] = {}
    if sheet is None:
        return lists
    rows: dict[tuple[str, str], int] = {}
    duplicates: list[pair] = []
    for row in _rows(sheet, "choices"):
        list_name = row.get("list_name") or row.get("list name")
        name = row.get("name") or row.get("value")
        if not list_name or not name:
            notes.add(row.number, N_("xlsform_choice_unnamed"), "choices")
            continue
        if (list_name, name) in rows:
            duplicates.append(
                _said(
                    N_("xlsform_dup_choice"),
                    row=row.number,
                    name=name,
                    list=list_name,
                    first=rows[list_name, name],
                )
            )
            continue
        rows[list_name, name] = row.number
        lists.setdefault(list_name, _List(list_name, []))
        text = _text(row.texts(), default_lang, (langs, "choices", row.number))
        lists[list_name].choices.append(_Choice(row.number, name, text))
    if duplicates:
        raise XLSFormError(N_("xlsform_err_dup_choices"), items=_joined(duplicates))
    for lst in lists.values():
        if not _integer_scale(lst) and not lst.reason:  # integer codes: never by their labels
            _text_scale(lst)
    return lists


# ------------------------------------------------------------------ the survey sheet


def _flow(value: Any) -> Any:
    """Texts, label lists and options in flow style: one line each, as in our files."""
    if isinstance(value, dict):
        if set(value) <= {"zh", "en", "value"} and all(isinstance(v, str) for v in value.values()):
            return _FlowMap(value)
        return {k: _flow(v) for k, v in value.items()}
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return _FlowList(value)
        return [_flow(v) for v in value]
    return value


class _FlowMap(dict):
    pass


class _FlowList(list):
    pass


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key, as in the shipped questionnaires."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


_Dumper.add_representer(
    _FlowMap,
    lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True),
)
_Dumper.add_representer(
    _FlowList, lambda d, data: d.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)
)


@dataclass
class _Survey:
    """What the survey sheet holds, gathered row by row."""

    dimensions: dict[str, dict[str, Any]] = field(default_factory=dict)
    overall: dict[str, Any] | None = None
    respondent: list[dict[str, Any]] = field(default_factory=list)
    open_questions: list[dict[str, Any]] = field(default_factory=list)
    rating_lists: list[str] = field(default_factory=list)  # per rating question, in order


def _select_list(kind: str) -> tuple[str, str] | None:
    """``"select_one ratings or_other"`` → ``("ratings", "or_other")``; None otherwise."""
    found = re.fullmatch(r"select[_ ]one\s+(\S+)(?:\s+(.*))?", kind)
    if not found:
        return None
    return found.group(1), (found.group(2) or "")


def _respondent_question(
    qid: str, label: str | dict[str, str] | None, required: bool, lst: _List
) -> dict[str, Any]:
    options = []
    for choice in lst.choices:
        zh, en = _both(choice.text, choice.name)
        options.append({"value": choice.name, "zh": zh, "en": en})
    question: dict[str, Any] = {
        "id": qid,
        "type": "choice",
        "text": label or qid,
        "options": options,
    }
    if not required:  # ours are required unless they say otherwise
        question["required"] = False
    return question


def _read_survey(
    sheet: Any,
    lists: dict[str, _List],
    default_lang: str | None,
    notes: _Notes,
    langs: _Languages,
) -> _Survey:
    survey = _Survey()
    groups: list[tuple[str, dict[str, Any]]] = []  # (kind, dimension-to-be) per open group
    names: dict[str, int] = {}  # question id -> the row that first used it
    group_rows: dict[str, int] = {}  # group id -> the row of its first 'begin group'
    duplicates: list[pair] = []
    for row in _rows(sheet, "survey"):
        kind = re.sub(r"\s+", " ", row.get("type").lower())
        label = _text(row.texts(), default_lang, (langs, "survey", row.number))
        in_repeat = any(k == "repeat" for k, _ in groups)
        if kind in ("begin group", "begin_group", "begin repeat", "begin_repeat"):
            is_repeat = "repeat" in kind
            name = row.get("name")
            if is_repeat or in_repeat:
                notes.add(row.number, N_("xlsform_repeat"), kind=kind)
            group_id = _id(name, row.number, notes) if name and not (is_repeat or in_repeat) else ""
            dim: dict[str, Any] = {
                "id": group_id,
                "title": label or group_id,
                "weight": _weight(row, notes) or 1,
            }
            outer = [d["id"] for k, d in groups if k == "group" and d["id"]]
            if group_id and outer:
                notes.add(row.number, N_("xlsform_nested_group"), group=group_id, outer=outer[-1])
            if group_id and group_id in group_rows:
                notes.add(
                    row.number,
                    N_("xlsform_group_again"),
                    group=group_id,
                    first=group_rows[group_id],
                )
            group_rows.setdefault(group_id, row.number)
            groups.append(("repeat" if is_repeat else "group", dim))
            continue
        if kind in ("end group", "end_group", "end repeat", "end_repeat"):
            if groups:
                groups.pop()
            else:
                notes.add(row.number, N_("xlsform_end_unmatched"), kind=kind)
            continue
        if not kind:
            notes.add(row.number, N_("xlsform_no_type"))
            continue
        if in_repeat:
            notes.add(row.number, N_("xlsform_in_repeat"), kind=kind)
            continue
        select = _select_list(kind)
        if kind != "text" and select is None:
            notes.add(row.number, N_("xlsform_type"), kind=kind)
            continue
        name = row.get("name")
        if not name:
            notes.add(row.number, N_("xlsform_unnamed"), kind=kind)
            continue
        for column in LOGIC_COLUMNS + PRESENTATION_COLUMNS:
            if row.texts(column):
                notes.add(row.number, N_("xlsform_column"), column=column)
        qid = _id(name, row.number, notes)
        if qid in names:
            duplicates.append(
                _said(
                    N_("xlsform_dup_question"),
                    row=row.number,
                    name=name,
                    qid=qid,
                    first=names[qid],
                )
            )
            continue
        names[qid] = row.number
        required = _required(row, notes)
        if kind == "text":
            question: dict[str, Any] = {"id": qid, "text": label or qid}
            if required:
                question["required"] = True
            survey.open_questions.append(question)
            continue
        list_name, extra = select  # type: ignore[misc]
        if extra:
            notes.add(row.number, N_("xlsform_extra"), extra=extra)
        lst = lists.get(list_name)
        if lst is None:
            notes.add(row.number, N_("xlsform_no_list"), list=list_name)
            continue
        lst.used_by.append(qid)
        if "likert" in row.get("appearance").lower() and qid not in PROFILE_IDS:
            _likert_scale(lst)
        if lst.scale is None or qid in PROFILE_IDS:
            coded = all(_integer(c.name) is not None for c in lst.choices)
            if lst.scale is None and coded and qid not in PROFILE_IDS and len(lst.choices) > 2:
                notes.add(
                    row.number,
                    N_("xlsform_not_rating"),
                    qid=qid,
                    list=list_name,
                    reason=lst.reason or pair("", ""),
                )
            survey.respondent.append(_respondent_question(qid, label, required, lst))
            continue
        survey.rating_lists.append(list_name)
        item: dict[str, Any] = {"id": qid, "text": label or qid, "x-list": list_name}
        if qid == OVERALL_ID and survey.overall is None:
            item["required"] = required  # ours is required unless it says otherwise
            survey.overall = item
            continue
        if required:
            item["required"] = True
        weight = _weight(row, notes)
        if weight is not None:
            item["weight"] = weight
        named = [dim for kind_, dim in groups if kind_ == "group" and dim["id"]]
        if named:
            dim = named[-1]
        else:
            notes.add(
                row.number, N_("xlsform_outside_group"), qid=qid, dimension=GENERAL_DIMENSION["id"]
            )
            dim = {**GENERAL_DIMENSION, "weight": 1}
        entry = survey.dimensions.setdefault(dim["id"], {**dim, "items": []})
        entry["items"].append(item)
    if groups:
        notes.add(None, N_("xlsform_group_open"))
    if duplicates:
        raise XLSFormError(N_("xlsform_err_dup_questions"), items=_joined(duplicates))
    return survey


def _settings(sheet: Any) -> dict[str, str]:
    if sheet is None:
        return {}
    for row in _rows(sheet, "settings"):
        return {name: value for (name, lang), value in row.cells.items() if lang is None and value}
    return {}


def _version(raw: str, notes: _Notes) -> int:
    if not raw:
        return 1
    if raw.isdigit() and int(raw) >= 1:
        return int(raw)
    notes.add(None, N_("xlsform_version"), value=raw)
    return 1


def _lists_found(lists: dict[str, _List], survey: _Survey) -> pair:
    """Each choice list and why it gave no rating question (for the refusal)."""
    if not lists:
        return _said(N_("xlsform_lists_none"))
    why = []
    for lst in lists.values():
        if not lst.used_by:
            reason = _said(N_("xlsform_list_unused"))
        elif lst.scale is None:
            reason = lst.reason or _said(N_("xlsform_list_no_scale"))
        else:
            users = [repr(q) for q in lst.used_by if q in PROFILE_IDS or q == OVERALL_ID]
            shown = pair(*(sep.join(users) for sep in texts(N_("xlsform_list_sep"))))
            reason = _said(N_("xlsform_list_profile"), users=shown)
        why.append(_said(N_("xlsform_list_item"), list=lst.name, n=len(lst.choices), reason=reason))
    return _said(N_("xlsform_lists_found"), items=_joined(why))


def _finish_item(item: dict[str, Any], lists: dict[str, _List], top: str) -> dict[str, Any]:
    """Drop the internal list name; give an item on another list its own scale."""
    list_name = item.pop("x-list")
    if list_name != top:
        item["scale"] = lists[list_name].scale
    return item


def convert_xlsform(data: bytes, *, source: str = "", sector: str | None = None) -> Conversion:
    """Convert the XLSForm workbook ``data`` (the bytes of an .xlsx file).

    ``source`` is the file name (its stem is the id when the settings have no
    ``form_id``, as in pyxform); ``sector`` overrides the settings' ``sector``.  Raises
    :class:`XLSFormError` when the workbook cannot give a questionnaire at all; what
    is merely left out is listed in :attr:`Conversion.notes`.
    """
    book = _workbook(data)
    try:
        return _convert(book, source, sector)
    except _UNREADABLE as exc:  # read-only sheets are read while converting
        raise XLSFormError(N_("xlsform_err_unreadable"), error=type(exc).__name__) from None
    finally:
        book.close()  # a read-only workbook holds its archive open until closed


def _convert(book: Any, source: str, sector: str | None) -> Conversion:
    sheets = {name.strip().lower(): book[name] for name in book.sheetnames}
    if "survey" not in sheets:
        names = [f"'{name}'" for name in sheets]
        found = (
            pair(*(sep.join(names) for sep in texts(N_("xlsform_list_sep"))))
            if names
            else _said(N_("xlsform_no_sheets"))
        )
        raise XLSFormError(N_("xlsform_err_no_survey"), found=found)
    notes = _Notes()
    langs = _Languages()
    settings = _settings(sheets.get("settings"))
    default_lang = settings.get("default_language")
    default_lang = _language(default_lang) if default_lang else None
    if default_lang not in (None, "zh", "en"):
        notes.add(None, N_("xlsform_default_language"), lang=settings["default_language"])
    lists = _choice_lists(sheets.get("choices"), default_lang, notes, langs)
    survey = _read_survey(sheets["survey"], lists, default_lang, notes, langs)
    langs.notes(notes)

    for lst in lists.values():
        if lst.scale is not None and lst.name in survey.rating_lists:
            if lst.how:
                first = lst.choices[0].row
                notes.add(first, N_("xlsform_list_scale"), "choices", list=lst.name, how=lst.how)
            for choice in lst.dropped:
                notes.add(
                    choice.row,
                    N_("xlsform_choice_dropped"),
                    "choices",
                    choice=choice.name,
                    list=lst.name,
                    min=lst.scale["min"],
                    max=lst.scale["max"],
                )
    if not survey.dimensions:
        raise XLSFormError(
            N_("xlsform_err_no_rating"),
            min=MIN_SCALE_POINTS,
            max=MAX_SCALE_POINTS,
            lists=_lists_found(lists, survey),
        )

    stem = re.sub(r"\.[^.]*$", "", source.replace("\\", "/").rsplit("/", 1)[-1])
    raw_id = settings.get("form_id") or stem
    if not raw_id:
        raise XLSFormError(N_("xlsform_err_no_id"))
    qid = _id(raw_id, 2, notes, "settings")
    chosen_sector = sector or settings.get("sector")
    if not chosen_sector:
        raise XLSFormError(N_("xlsform_err_no_sector"))

    top = Counter(survey.rating_lists).most_common(1)[0][0]
    document: dict[str, Any] = {
        "id": qid,
        "version": _version(settings.get("version", ""), notes),
        "sector": chosen_sector,
        "title": settings.get("form_title") or qid,
        "scale": lists[top].scale,
    }
    if survey.overall is None:
        notes.add(None, N_("xlsform_no_overall"), overall=OVERALL_ID)
        document["overall"] = {"id": OVERALL_ID}
    else:
        document["overall"] = _finish_item(survey.overall, lists, top)
    document["dimensions"] = [
        {**dim, "items": [_finish_item(item, lists, top) for item in dim["items"]]}
        for dim in survey.dimensions.values()
    ]
    if survey.respondent:
        document["respondent"] = survey.respondent
    if survey.open_questions:
        document["open_questions"] = survey.open_questions

    named = f" {source.replace(chr(10), ' ')}" if source else ""
    header = [f"# Imported from the XLSForm{named}: review before publishing."]
    header += [f"#   {note}" for note in notes]
    body = yaml.dump(
        _flow(document), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100
    )
    return Conversion("\n".join(header) + "\n" + body, tuple(notes), document, tuple(notes.zh))

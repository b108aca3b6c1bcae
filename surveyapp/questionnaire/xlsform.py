"""Convert an XLSForm (the ODK / KoboToolbox spreadsheet) into our questionnaire YAML.

Many bureaus already have their questionnaires in KoboToolbox or ODK, and an XLSForm
is the file those tools export.  This module carries over what the two formats share
and names every row it cannot carry over, so nothing disappears without a word:

* ``select_one`` whose choice list is a rating scale (choice names are whole numbers
  forming a run such as 1..5 or 0..10; codes such as 99 "don't know" outside the run
  are dropped with a note, because every survey page offers its own "don't know")
  → a rating item.  The question named ``overall`` becomes the overall item; the other
  rating questions become items of the dimension of their innermost group
  (``begin group`` → a dimension: group name → id, group label → title).  The most
  used rating list becomes the top-level ``scale``; an item on another list gets a
  ``scale`` of its own.
* any other ``select_one`` → a respondent (profile) question with its options; so is
  one named ``district``, ``age_group`` or ``gender`` even when its choices are coded
  1, 2, 3 ... like a scale.
* ``text`` → an open question.
* ``label::Chinese (zh)`` / ``label::English (en)`` (or ``label::zh``, ``label::en``) →
  the ``zh`` / ``en`` texts; a plain ``label`` is the settings' ``default_language``,
  else it fills the missing one; ``required`` yes/true → ``required: true``.
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
    """The workbook cannot be converted at all; the message says what to fix."""


@dataclass(frozen=True)
class Conversion:
    """The YAML text and one line for each row or value that was left out or changed."""

    yaml: str
    notes: tuple[str, ...] = ()
    document: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


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
                f"the '{title}' sheet, cell {letter}{number}: more than {MAX_CELL_CHARS} "
                "characters; a label or choice is far shorter"
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
            raise XLSFormError(f"the '{title}' sheet has more than {MAX_ROWS} rows")
        values = _short(values, title, number)
        cells = {col: _cell(v) for col, v in zip(columns, values, strict=False) if col is not None}
        if any(cells.values()):
            yield _Row(number, cells)


def _workbook(data: bytes) -> Any:
    if not data.startswith(_ZIP_MAGIC):
        raise XLSFormError(
            "not an .xlsx workbook (Excel 2007 or newer); save an old .xls or a .csv as .xlsx"
        )
    import openpyxl  # imported here: only the import needs it

    _check_archive(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        # openpyxl names the broken part of the archive; the user only needs to know
        # that the file is not a workbook it can read
        raise XLSFormError(f"not a readable .xlsx workbook ({type(exc).__name__})") from None
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
                raise XLSFormError(
                    f"the workbook unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB; "
                    "an XLSForm is far smaller"
                )
            for info in members:
                with archive.open(info) as member:
                    if info.filename.lower().endswith((".xml", ".rels", ".vml")):
                        for _event, element in iterparse(member, forbid_dtd=True):
                            element.clear()  # only the check is wanted, not the tree
                    else:
                        while member.read(1 << 16):
                            pass
    except DefusedXmlException:
        raise XLSFormError(
            "the workbook's XML declares a DTD or entities, which an XLSForm never has; "
            "save it again from Excel, ODK or KoboToolbox"
        ) from None
    except _UNREADABLE as exc:
        raise XLSFormError(f"not a readable .xlsx workbook ({type(exc).__name__})") from None


# ------------------------------------------------------------------ texts and ids


def _text(texts: dict[str | None, str], default_lang: str | None) -> str | dict[str, str] | None:
    """Our text (plain when both languages agree) from the label cells of one row."""
    zh, en = texts.get("zh", ""), texts.get("en", "")
    plain = texts.get(None, "")
    if plain:
        if default_lang == "en" and not en:
            en = plain
        elif default_lang == "zh" and not zh:
            zh = plain
        elif not zh:
            zh = plain
        elif not en:
            en = plain
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


class _Notes(list):
    def add(self, row: int | None, message: str, sheet: str = "survey") -> None:
        where = (
            "" if row is None else (f"row {row}: " if sheet == "survey" else f"{sheet} row {row}: ")
        )
        self.append(where + message)


def _id(name: str, row: int, notes: _Notes, sheet: str = "survey") -> str:
    """Our id for an XLSForm name: lower case, other characters replaced by ``_``."""
    new = _ID_BAD.sub("_", name.lower()).strip("_")
    if new != name:
        notes.add(
            row,
            f"name '{name}' became id '{new}' (ids are lowercase letters, digits, '_' or '-')",
            sheet,
        )
    return new


def _required(row: _Row, notes: _Notes) -> bool:
    value = row.get("required").lower()
    if value in ("", "no", "false", "false()", "0"):
        return False
    if value in ("yes", "true", "true()", "1"):
        return True
    notes.add(row.number, f"required '{row.get('required')}' is not supported; not required")
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
    notes.add(row.number, f"weight '{raw}' is not a number greater than 0; weight 1 used")
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


def _integer(name: str) -> int | None:
    return int(name) if re.fullmatch(r"-?\d+", name) else None


def _as_scale(choices: list[_Choice]) -> tuple[dict[str, Any], list[_Choice]] | None:
    """The scale of a rating list and the "don't know" choices left out, or None."""
    codes = [_integer(c.name) for c in choices]
    if any(code is None for code in codes):
        return None
    by_code = dict(zip(codes, choices, strict=True))
    if len(by_code) != len(choices):
        return None
    run = sorted(by_code)
    dropped: list[_Choice] = []
    if run != list(range(run[0], run[-1] + 1)):
        kept = [c for c in run if 0 <= c < MISSING_CODE_MIN]
        if not kept or kept != list(range(kept[0], kept[-1] + 1)):
            return None
        dropped = [by_code[c] for c in run if c not in kept]
        run = kept
    if not MIN_SCALE_POINTS <= len(run) <= MAX_SCALE_POINTS:
        return None
    pairs = [_both(by_code[c].text, by_code[c].name) for c in run]
    zh = [p[0] for p in pairs]
    en = [p[1] for p in pairs]
    labels: list[str] | dict[str, list[str]] = zh if zh == en else {"zh": zh, "en": en}
    return {"min": run[0], "max": run[-1], "labels": labels}, dropped


def _choice_lists(sheet: Any, default_lang: str | None, notes: _Notes) -> dict[str, _List]:
    lists: dict[str, _List] = {}
    if sheet is None:
        return lists
    for row in _rows(sheet, "choices"):
        list_name = row.get("list_name") or row.get("list name")
        name = row.get("name") or row.get("value")
        if not list_name or not name:
            notes.add(row.number, "a choice without 'list_name' or 'name' is left out", "choices")
            continue
        lists.setdefault(list_name, _List(list_name, []))
        lists[list_name].choices.append(_Choice(row.number, name, _text(row.texts(), default_lang)))
    for lst in lists.values():
        found = _as_scale(lst.choices)
        if found is not None:
            lst.scale, lst.dropped = found
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
    question = {"id": qid, "type": "choice", "text": label or qid, "options": options}
    if not required:  # ours are required unless they say otherwise
        question["required"] = False
    return question


def _read_survey(
    sheet: Any, lists: dict[str, _List], default_lang: str | None, notes: _Notes
) -> _Survey:
    survey = _Survey()
    groups: list[tuple[str, dict[str, Any]]] = []  # (kind, dimension-to-be) per open group
    for row in _rows(sheet, "survey"):
        kind = re.sub(r"\s+", " ", row.get("type").lower())
        label = _text(row.texts(), default_lang)
        in_repeat = any(k == "repeat" for k, _ in groups)
        if kind in ("begin group", "begin_group", "begin repeat", "begin_repeat"):
            is_repeat = "repeat" in kind
            name = row.get("name")
            if is_repeat or in_repeat:
                notes.add(
                    row.number,
                    f"type '{kind}' is not supported; the questions inside are left out",
                )
            group_id = _id(name, row.number, notes) if name and not (is_repeat or in_repeat) else ""
            dim = {"id": group_id, "title": label or group_id, "weight": _weight(row, notes) or 1}
            groups.append(("repeat" if is_repeat else "group", dim))
            continue
        if kind in ("end group", "end_group", "end repeat", "end_repeat"):
            if groups:
                groups.pop()
            else:
                notes.add(row.number, f"'{kind}' without a matching begin is ignored")
            continue
        if not kind:
            notes.add(row.number, "a row without a type is left out")
            continue
        if in_repeat:
            notes.add(row.number, f"type '{kind}' inside a repeat is not supported")
            continue
        select = _select_list(kind)
        if kind != "text" and select is None:
            notes.add(row.number, f"type '{kind}' is not supported")
            continue
        name = row.get("name")
        if not name:
            notes.add(row.number, f"a '{kind}' question without a name is left out")
            continue
        for column in LOGIC_COLUMNS + PRESENTATION_COLUMNS:
            if row.texts(column):
                notes.add(row.number, f"column '{column}' is not supported; ignored")
        qid = _id(name, row.number, notes)
        required = _required(row, notes)
        if kind == "text":
            question: dict[str, Any] = {"id": qid, "text": label or qid}
            if required:
                question["required"] = True
            survey.open_questions.append(question)
            continue
        list_name, extra = select  # type: ignore[misc]
        if extra:
            notes.add(row.number, f"'{extra}' is not supported; ignored")
        lst = lists.get(list_name)
        if lst is None:
            notes.add(
                row.number, f"choice list '{list_name}' is not on the choices sheet; left out"
            )
            continue
        if lst.scale is None or qid in PROFILE_IDS:
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
                row.number,
                f"rating question '{qid}' is outside any group; put in dimension "
                f"'{GENERAL_DIMENSION['id']}'",
            )
            dim = {**GENERAL_DIMENSION, "weight": 1}
        entry = survey.dimensions.setdefault(dim["id"], {**dim, "items": []})
        entry["items"].append(item)
    if groups:
        notes.add(None, "a 'begin group' has no matching 'end group' (closed at the end)")
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
    notes.add(None, f"settings: version '{raw}' is not a whole number; version 1 used")
    return 1


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
        raise XLSFormError(f"not a readable .xlsx workbook ({type(exc).__name__})") from None
    finally:
        book.close()  # a read-only workbook holds its archive open until closed


def _convert(book: Any, source: str, sector: str | None) -> Conversion:
    sheets = {name.strip().lower(): book[name] for name in book.sheetnames}
    if "survey" not in sheets:
        found = ", ".join(f"'{name}'" for name in sheets) or "none"
        raise XLSFormError(f"the workbook has no 'survey' sheet (sheets: {found})")
    notes = _Notes()
    settings = _settings(sheets.get("settings"))
    default_lang = settings.get("default_language")
    default_lang = _language(default_lang) if default_lang else None
    lists = _choice_lists(sheets.get("choices"), default_lang, notes)
    survey = _read_survey(sheets["survey"], lists, default_lang, notes)

    for lst in lists.values():
        if lst.scale is not None and lst.name in survey.rating_lists:
            for choice in lst.dropped:
                notes.add(
                    choice.row,
                    f"choice '{choice.name}' of rating list '{lst.name}' is left out (outside "
                    f"the scale {lst.scale['min']}..{lst.scale['max']}; the survey offers its "
                    f"own 'don't know')",
                    "choices",
                )
    if not survey.dimensions:
        raise XLSFormError(
            "no rating questions besides 'overall': a select_one whose choice names are "
            f"whole numbers forming a run of {MIN_SCALE_POINTS} to {MAX_SCALE_POINTS} points "
            "(such as 1 to 5) is needed"
        )

    stem = re.sub(r"\.[^.]*$", "", source.replace("\\", "/").rsplit("/", 1)[-1])
    raw_id = settings.get("form_id") or stem
    if not raw_id:
        raise XLSFormError("no questionnaire id: add 'form_id' to the settings sheet")
    qid = _id(raw_id, 2, notes, "settings")
    chosen_sector = sector or settings.get("sector")
    if not chosen_sector:
        raise XLSFormError(
            "no sector: add a 'sector' column to the settings sheet (catering, lodging, "
            "supermarket, elderly_care, domestic, logistics) or choose one"
        )

    top = Counter(survey.rating_lists).most_common(1)[0][0]
    document: dict[str, Any] = {
        "id": qid,
        "version": _version(settings.get("version", ""), notes),
        "sector": chosen_sector,
        "title": settings.get("form_title") or qid,
        "scale": lists[top].scale,
    }
    if survey.overall is None:
        notes.add(
            None,
            f"no rating question named '{OVERALL_ID}': the standard overall question is used",
        )
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
    return Conversion("\n".join(header) + "\n" + body, tuple(notes), document)

"""Exports for spreadsheets and statistics packages: XLSX (Excel) and SPSS ``.sav``.

Both have the CSV export's columns (:func:`~surveyapp.responses.exporter.export_columns`)
and its open answers masked with :func:`~surveyapp.privacy.pii.mask_pii`; both read the
stored rows in batches (:func:`~surveyapp.responses.exporter.response_records`) and
format the packed answer bytes themselves, through tables built once per export, not
through the CSV's strings.

* XLSX: the worksheet XML is written here, streamed into the zip file a block of rows at
  a time (constant memory), and the zip itself can be sent while it is made
  (:class:`XlsxStream`, the web download).  XlsxWriter's constant-memory mode made the same file in
  222 s for a million responses, one Python call and one format lookup per cell (30
  million of them); a row built from precomputed cell strings takes a few microseconds.
  Texts are inline strings (no shared-strings table to hold in memory), numbers are
  numbers, and a second sheet is the codebook (question texts and scale labels).
  A "不了解/不适用" answer is that label as text (the codebook names it; a spreadsheet's
  AVERAGE skips it); "not answered" is an empty cell.
* ``.sav`` carries SPSS variable labels (the question texts), value labels (the scale
  points, the respondent options) and a real ``DATETIME`` for the submission time.  It is
  written by our own writer of the format (:mod:`surveyapp.responses.sav_writer`), a
  block of 5,000 responses at a time: answers are one byte each in the database and
  become numbers here ("not answered" is the code 255 and "不了解/不适用" the code 254,
  each labelled and declared user-missing, so SPSS and ``pyreadstat.read_sav`` treat
  both as missing, as the analysis does, and still tell them apart), with byte-code
  compression.  A .sav
  declares its string widths before the data, so a first, lighter pass finds the
  longest respondent id, channel and (masked) open answer.  pyreadstat, used until
  then, needs the whole round as one data frame: a million responses peaked at 404 MB
  (VmHWM), against the 300 MB goal; see bench/results/export.txt for the streamed
  writer's figures.  The web download streams it too (:func:`sav_stream`).
"""

from __future__ import annotations

import io
import zipfile
from array import array
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
from sqlalchemy import func, or_, select

from surveyapp.catalog import questionnaire_of
from surveyapp.i18n import t
from surveyapp.models import Response, Round
from surveyapp.models.base import DbSession
from surveyapp.privacy.pii import mask_pii
from surveyapp.questionnaire.model import Item, OverallItem, Questionnaire, Scale
from surveyapp.responses.codec import DONT_KNOW, MISSING
from surveyapp.responses.exporter import (
    PROGRESS_EVERY,
    Progress,
    export_columns,
    exported_count,
    response_records,
)
from surveyapp.responses.sav_writer import SavWriter, Variable

#: Largest number of data rows an Excel worksheet holds (1,048,576 rows less the header).
XLSX_MAX_ROWS = 1_048_575
_ROWS_PER_WRITE = 2000
#: zlib level of the XLSX parts.  A million responses (bench.export's round), measured on
#: the 2-core bench machine: level 1, 20.7 s CPU and 145 MB; level 6 (zlib's default),
#: 33.5 s CPU and 115 MB.  The sheet XML is repetitive, so level 1 already shrinks it
#: about 6x; the smaller file is not worth 60 % more time.
XLSX_COMPRESSLEVEL = 1
#: SPSS counts time in seconds from the start of the Gregorian calendar, 1582-10-14.
SPSS_EPOCH_OFFSET = 12_219_379_200.0
NOT_ANSWERED = {"zh": "未回答", "en": "not answered"}
#: what the codebook says of the "don't know" answer (its label is i18n's not_applicable)
NOT_SCORED = {"zh": "不计分，分析时按缺失处理", "en": "not scored, missing in the analysis"}
EMPTY_CELL = {"zh": "空 = 未回答", "en": "empty = not answered"}


def dont_know_label(lang: str) -> str:
    """不了解/不适用 / Don't know / not applicable: the label of :data:`DONT_KNOW`."""
    return t("not_applicable", lang)


def _scale_values(scale: Scale, optional: bool, lang: str) -> str:
    """The codebook's value labels of a rating item: its points, then, for an optional
    item, the "don't know" answer and the empty cell, each named."""
    parts = [f"{v} = {scale.label(v, lang)}" for v in scale.points]
    if optional:
        dk = dont_know_label(lang)
        note = NOT_SCORED.get(lang, NOT_SCORED["en"])
        parts += [f"{dk} = {note}", EMPTY_CELL.get(lang, EMPTY_CELL["en"])]
    return "; ".join(parts)


def codebook(q: Questionnaire, lang: str = "zh") -> list[tuple[str, str, str]]:
    """(column, label, value labels) for every exported column of ``q``."""
    rows = [("respondent_id", "Respondent id / 答卷编号", "")]
    for question in q.respondent:
        values = "; ".join(f"{i + 1} = {o.value}" for i, o in enumerate(question.options))
        rows.append((question.id, question.text.get(lang), values))
    rows.append(("period", "Period / 期次", ""))
    scored: list[Item | OverallItem] = [*q.items, q.overall]
    for item in scored:
        rows.append(
            (item.id, item.text.get(lang), _scale_values(item.scale, not item.required, lang))
        )
    rows += [(oq.id, oq.text.get(lang), "") for oq in q.open_questions]
    rows += [
        ("duration", "Completion time, seconds / 答题用时（秒）", ""),
        ("submitted_at", "Submitted at (UTC) / 提交时间", ""),
        ("channel", "Channel / 渠道", ""),
    ]
    return rows


# --- XLSX -------------------------------------------------------------------------------

# XML 1.0 forbids most control characters; a resident's text must not make the file
# unreadable, so they are dropped.  "\0" can therefore stand for the row number in a
# row's cells until one ``str.replace`` puts it in.
_XML_TEXT = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;", "\ufffe": None, "\uffff": None}
    | {chr(c): None for c in range(32) if c not in (9, 10, 13)}
)
_ROW = "\0"

_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/worksheets/sheet2.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="responses" sheetId="1" r:id="rId1"/>'
        '<sheet name="codebook" sheetId="2" r:id="rId2"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet2.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/styles" Target="styles.xml"/></Relationships>'
    ),
    # the smallest style sheet Excel accepts, plus a bold font (style 1) for the header
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    "</sheetView></sheetViews><sheetData>"
)
_SHEET_TAIL = "</sheetData></worksheet>"


def column_letter(index: int) -> str:
    """``0 → A``, ``25 → Z``, ``26 → AA``: the spreadsheet name of a 0-based column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text_cell(ref: str, text: str, style: str = "") -> str:
    """An inline-string cell; ``ref`` may hold the row placeholder."""
    return (
        f'<c r="{ref}" t="inlineStr"{style}><is><t xml:space="preserve">'
        f"{text.translate(_XML_TEXT)}</t></is></c>"
    )


def _header_row(cells: Sequence[str]) -> str:
    return (
        '<row r="1">'
        + "".join(_text_cell(f"{column_letter(i)}1", v, ' s="1"') for i, v in enumerate(cells))
        + "</row>"
    )


class _XlsxRows:
    """Turns one stored record into the ``<row>`` XML of the responses sheet.

    Every cell whose text comes from the questionnaire (options, scores, the period) is
    built once, here, with the row placeholder in its reference; a row is then a lookup
    per packed byte, the few free texts escaped, and one ``replace`` for the row number.
    """

    def __init__(self, q: Questionnaire, period: str, lang: str = "zh") -> None:
        header = export_columns(q)
        col = {name: column_letter(i) for i, name in enumerate(header)}
        self.profile = [
            self._table([_text_cell(f"{col[question.id]}{_ROW}", v) for v in question.values])
            for question in q.respondent
        ]
        # a score is a number; "don't know" its label as text (Excel's AVERAGE skips
        # it, as the analysis does); "not answered" an empty cell
        dont_know = dont_know_label(lang)
        self.answers = [
            self._table(
                [f'<c r="{col[aid]}{_ROW}"><v>{b}</v></c>' for b in range(DONT_KNOW)]
                + [_text_cell(f"{col[aid]}{_ROW}", dont_know)]
            )
            for aid in q.answer_ids
        ]
        self.id_ref = f"{col['respondent_id']}{_ROW}"
        self.period = _text_cell(f"{col['period']}{_ROW}", period)
        self.open = [(oq.id, f"{col[oq.id]}{_ROW}") for oq in q.open_questions]
        self.duration = f'<c r="{col["duration"]}{_ROW}"><v>'
        self.submitted_cell = _text_cell(f"{col['submitted_at']}{_ROW}", "%s")
        self.id_cell = _text_cell(self.id_ref, "%s")
        self.channel_ref = f"{col['channel']}{_ROW}"
        self.channels: dict[str, str] = {}

    @staticmethod
    def _table(cells: list[str]) -> list[str]:
        """256 entries, one per byte value: the cell, or nothing (not answered, or a code
        the questionnaire does not have)."""
        return cells + [""] * (256 - len(cells))

    def row(self, number: int, record: Sequence) -> str:
        uid, profile, answers, open_answers, duration, submitted, channel, external = record
        # uid is hex and the timestamp ASCII digits: only free texts need escaping
        rid = _text_cell(self.id_ref, external) if external else self.id_cell % uid
        parts = ['<row r="', _ROW, '">', rid]
        parts += map(list.__getitem__, self.profile, profile)
        parts.append(self.period)
        parts += map(list.__getitem__, self.answers, answers)
        if open_answers:
            for oid, ref in self.open:
                text = mask_pii(open_answers.get(oid) or "")
                if text:
                    parts.append(_text_cell(ref, text))
        if duration is not None:
            parts += (self.duration, repr(duration), "</v></c>")
        parts.append(self.submitted_cell % submitted.isoformat())
        cell = self.channels.get(channel)
        if cell is None:
            cell = self.channels[channel] = _text_cell(self.channel_ref, channel)
        parts.append(cell)
        parts.append("</row>")
        return "".join(parts).replace(_ROW, str(number))


class _Chunks(io.RawIOBase):
    """A write-only, unseekable file that keeps what is written until :meth:`take`.

    Given to ``zipfile`` it makes the XLSX a stream: zipfile then writes each member's
    sizes after its data (a data descriptor: general-purpose flag bit 3 of the zip
    format) instead of seeking back, and the bytes can be sent as soon as a block of rows is compressed.
    """

    def __init__(self) -> None:
        super().__init__()
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


def _sheet(
    zf: zipfile.ZipFile, name: str, header: Sequence[str], rows: Iterable[str]
) -> Iterator[None]:
    """Write one worksheet into the zip: the header row in bold, then ``rows`` (row XML,
    numbered from 2), encoded and compressed a block at a time; yields after each block."""
    with zf.open(name, "w") as out:
        out.write((_SHEET_HEAD + _header_row(header)).encode("utf-8"))
        block: list[str] = []
        for xml in rows:
            block.append(xml)
            if len(block) == _ROWS_PER_WRITE:
                out.write("".join(block).encode("utf-8", "replace"))
                block.clear()
                yield
        out.write(("".join(block) + _SHEET_TAIL).encode("utf-8", "replace"))
    yield


class XlsxStream:
    """The round as an XLSX file: iterating gives its bytes in pieces as they are made (a
    streamed download starts at once, memory stays flat); ``count`` is the number of
    responses written so far.

    Raises ``ValueError`` (while iterating) when the round has more responses than an
    Excel sheet has rows; the CSV and ``.sav`` exports have no such limit.
    """

    def __init__(
        self, session: DbSession, round_: Round, lang: str = "zh", progress: Progress | None = None
    ) -> None:
        self.session, self.round, self.lang = session, round_, lang
        self.count = 0
        self.progress = progress

    def _rows(self, maker: _XlsxRows) -> Iterator[str]:
        progress = self.progress
        total = exported_count(self.session, self.round) if progress is not None else 0
        for record in response_records(self.session, self.round):
            if self.count == XLSX_MAX_ROWS:
                raise ValueError(
                    f"the round has more than {XLSX_MAX_ROWS:,} responses, the most an Excel "
                    "sheet holds; export it as CSV or .sav"
                )
            self.count += 1
            yield maker.row(self.count + 1, record)
            if progress is not None and self.count % PROGRESS_EVERY == 0:
                progress(self.count, max(total, self.count))
        if progress is not None:
            progress(self.count, max(total, self.count))

    def __iter__(self) -> Iterator[bytes]:
        q = questionnaire_of(self.round.questionnaire_version)
        book = [
            (
                f'<row r="{number}">'
                + "".join(
                    _text_cell(f"{column_letter(i)}{number}", v) for i, v in enumerate(entry) if v
                )
                + "</row>"
            )
            for number, entry in enumerate(codebook(q, self.lang), start=2)
        ]
        sink = _Chunks()
        with zipfile.ZipFile(
            sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=XLSX_COMPRESSLEVEL
        ) as zf:
            for name, text in _XLSX_PARTS.items():
                zf.writestr(name, text)
            for _ in _sheet(
                zf,
                "xl/worksheets/sheet1.xml",
                export_columns(q),
                self._rows(_XlsxRows(q, self.round.period, self.lang)),
            ):
                yield sink.take()
            for _ in _sheet(zf, "xl/worksheets/sheet2.xml", ["column", "label", "values"], book):
                pass
        yield sink.take()


def export_xlsx(
    session: DbSession,
    round_: Round,
    path: Path,
    lang: str = "zh",
    progress: Progress | None = None,
) -> int:
    """Write the round to ``path`` as XLSX (see :class:`XlsxStream`); return the number
    of responses.  ``progress(responses written, responses)`` is called every 1,000."""
    stream = XlsxStream(session, round_, lang, progress)
    with open(path, "wb") as fh:
        for chunk in stream:
            fh.write(chunk)
    return stream.count


# --- SPSS .sav ---------------------------------------------------------------------------

_SAV_BLOCK = 5000  # responses per block handed to the .sav writer


def _sav_string_widths(session: DbSession, round_: Round, q: Questionnaire) -> dict[str, int]:
    """Width in bytes of each string variable: the longest value (at least 1).

    A .sav declares its string widths before the data, so they are found first: the
    respondent id and channel by SQL, the open answers by masking them once more, read
    only from the responses that have them (``.sav`` strings are fixed-width; an
    upper bound instead of the longest value would cost a byte per 8 bytes of width in
    every row).  A text longer than this (a response stored between the two passes) is
    cut at a character boundary by the writer.
    """
    in_round = Response.round_id == round_.id
    uid = session.scalar(select(func.max(func.length(Response.uid))).where(in_round)) or 1
    widths = {"respondent_id": uid, "channel": 1, "period": len(round_.period.encode("utf-8")) or 1}
    widths |= {oq.id: 1 for oq in q.open_questions}
    for (channel,) in session.execute(select(Response.channel).where(in_round).distinct()):
        widths["channel"] = max(widths["channel"], len(channel.encode("utf-8")))
    stmt = (
        select(Response.external_id, Response.open_answers)
        .where(in_round, or_(Response.external_id.is_not(None), Response.open_answers.is_not(None)))
        .execution_options(yield_per=_SAV_BLOCK)
    )
    for external, open_answers in session.connection().execute(stmt):
        if external:
            widths["respondent_id"] = max(widths["respondent_id"], len(external.encode("utf-8")))
        for oid, text in (open_answers or {}).items():
            if oid in widths and text:
                widths[oid] = max(widths[oid], len(mask_pii(text).encode("utf-8")))
    return widths


def _sav_variables(q: Questionnaire, lang: str, widths: dict[str, int]) -> list[Variable]:
    """The dictionary of the .sav export: the CSV's columns, with SPSS labels."""
    missing_label = NOT_ANSWERED.get(lang, NOT_ANSWERED["en"])
    labels = {col: label for col, label, _ in codebook(q, lang)}
    not_answered = (float(MISSING),)
    # "don't know" is a user-missing value of its own, labelled: SPSS leaves it out of
    # the statistics as the analysis does, and still tells it from "not answered"
    not_scored = (float(DONT_KNOW), float(MISSING))
    dont_know: dict[float, str] = {DONT_KNOW: dont_know_label(lang)}
    variables = [Variable("respondent_id", labels["respondent_id"], widths["respondent_id"])]
    for question in q.respondent:
        values: dict[float, str] = {i + 1: o.value for i, o in enumerate(question.options)}
        values[MISSING] = missing_label
        variables.append(
            Variable(question.id, labels[question.id], value_labels=values, missing=not_answered)
        )
    variables.append(Variable("period", labels["period"], widths["period"]))
    for aid in q.answer_ids:
        scale = q.scale_of(aid)
        labelled: dict[float, str] = {int(v): scale.label(v, lang) for v in scale.points}
        labelled |= dont_know | {MISSING: missing_label}
        variables.append(
            Variable(aid, labels[aid], value_labels=labelled, missing=not_scored, measure="ordinal")
        )
    variables += [Variable(oq.id, labels[oq.id], widths[oq.id]) for oq in q.open_questions]
    variables += [
        Variable("duration", labels["duration"], format="F8.1"),
        # microseconds: DATETIME27.6 (dd-mmm-yyyy hh:mm:ss.ffffff); the DATETIME26.6
        # pyreadstat was given is one column short, and PSPP shows it as a bare number
        Variable("submitted_at", labels["submitted_at"], format="DATETIME27.6"),
        Variable("channel", labels["channel"], widths["channel"]),
    ]
    return variables


def _sav_blocks(session: DbSession, round_: Round, q: Questionnaire) -> Iterator[list]:
    """The round's responses as blocks of columns in the order of :func:`_sav_variables`."""
    open_ids = [oq.id for oq in q.open_questions]
    n_profile, n_answers = len(q.respondent), len(q.answer_ids)
    nan = float("nan")

    def block(ids, profiles, answers, opens, durations, submitted, channels) -> list:
        n = len(ids)
        # Profile codes 0..k-1 become 1..k (SPSS habit, and what the codebook says); 255 stays.
        prof = np.frombuffer(profiles, dtype=np.uint8).reshape(n, n_profile).astype(np.float64)
        prof[prof != MISSING] += 1
        scores = np.frombuffer(answers, dtype=np.uint8).reshape(n, n_answers).astype(np.float64)
        return [
            ids,
            *prof.T,
            [round_.period] * n,
            *scores.T,
            *opens,
            np.frombuffer(durations, dtype=np.float64),
            np.frombuffer(submitted, dtype=np.float64),
            channels,
        ]

    def fresh() -> tuple:
        return [], bytearray(), bytearray(), [[] for _ in open_ids], array("d"), array("d"), []

    parts = fresh()
    ids, profiles, answers, opens, durations, submitted, channels = parts
    for uid, profile, packed, open_answers, duration, at, channel, external in response_records(
        session, round_
    ):
        ids.append(external or uid)
        profiles += profile
        answers += packed
        for texts, oid in zip(opens, open_ids, strict=True):
            texts.append(mask_pii((open_answers or {}).get(oid) or ""))
        durations.append(nan if duration is None else duration)
        submitted.append(at.timestamp() + SPSS_EPOCH_OFFSET)
        channels.append(channel)
        if len(ids) == _SAV_BLOCK:
            yield block(*parts)
            parts = fresh()
            ids, profiles, answers, opens, durations, submitted, channels = parts
    if ids:
        yield block(*parts)


def sav_stream(session: DbSession, round_: Round, lang: str = "zh") -> Iterator[bytes]:
    """The round as a .sav file, in pieces as they are made (the web download): a block
    of responses at a time, memory flat.  A stream cannot seek back, so the header's
    case count stays -1 ("unknown", which SPSS, PSPP and ReadStat accept)."""
    q = questionnaire_of(round_.questionnaire_version)
    sink = _Chunks()
    writer = SavWriter(sink, _sav_variables(q, lang, _sav_string_widths(session, round_, q)))
    yield sink.take()
    for columns in _sav_blocks(session, round_, q):
        writer.write(columns)
        yield sink.take()
    writer.close()
    yield sink.take()


def export_sav(
    session: DbSession,
    round_: Round,
    path: Path,
    lang: str = "zh",
    progress: Progress | None = None,
) -> int:
    """Write the round to ``path`` as an SPSS .sav file with variable and value labels;
    return the number of responses.

    Written by :class:`~surveyapp.responses.sav_writer.SavWriter` a block of responses
    at a time (constant memory), after a first pass for the string widths; the case
    count is put in the header at the end.  ``progress(responses written, responses)``
    is called after every block (5,000 responses).
    """
    q = questionnaire_of(round_.questionnaire_version)
    total = exported_count(session, round_) if progress is not None else 0
    if progress is not None:
        progress(0, total)  # the bar appears while the string widths are found
    variables = _sav_variables(q, lang, _sav_string_widths(session, round_, q))
    with open(path, "wb") as fh, SavWriter(fh, variables) as writer:
        for columns in _sav_blocks(session, round_, q):
            writer.write(columns)
            if progress is not None:
                progress(writer.cases, max(total, writer.cases))
    if progress is not None:
        progress(writer.cases, max(total, writer.cases))
    return writer.cases

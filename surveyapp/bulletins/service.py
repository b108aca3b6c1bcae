"""Bulletins: gather a period's numbers from the database, render them, publish them.

The numbers come from :func:`analysis.run`, once per round, exactly as for every other
consumer; :mod:`reports` lays them out.  Publishing stores the PDF with its SHA-256
and the exact inputs, so :func:`rederive_bulletin` can make the same file again.
"""

from __future__ import annotations

import hashlib
import io
import os
import platform
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import metadata
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import analysis
import reports
from analysis import AnalysisResult, QualityRules
from surveyapp.analyze.stored import RoundOptions, StoredRound, analyse_stored_round
from surveyapp.auth.service import audit
from surveyapp.i18n import CHINA_TZ
from surveyapp.models import Response, Round
from surveyapp.models.base import utcnow
from surveyapp.models.bulletin import Bulletin
from surveyapp.models.user import User
from surveyapp.privacy.pii import mask_pii
from surveyapp.questionnaire.model import Questionnaire

__all__ = [
    "BulletinError",
    "BulletinSettings",
    "Draft",
    "prepare_bulletin",
    "previous_period",
    "publish_bulletin",
    "publish_due",
    "rederive_bulletin",
    "settings_from_config",
]

#: Sectors in the order of the city's plan (二（一）1-6); others follow by id.
SECTOR_ORDER = ("elderly_care", "domestic", "catering", "lodging", "supermarket", "logistics")
SECTOR_LABELS = {
    "elderly_care": ("健康养老服务", "Elderly care"),
    "domestic": ("家政服务", "Domestic services"),
    "catering": ("餐饮服务", "Catering"),
    "lodging": ("住宿服务", "Lodging"),
    "supermarket": ("商场超市服务", "Shopping malls and supermarkets"),
    "logistics": ("商贸物流服务", "Commercial logistics"),
}
VARIABLE_LABELS = {
    "district": ("区县", "District"),
    "age_group": ("年龄组", "Age group"),
    "gender": ("性别", "Gender"),
}
DEFAULT_ISSUER = ("生活性服务业第三方监测评估机构", "Independent life-services monitoring body")
PERIOD_RE = re.compile(r"^\d{4}(Q[1-4]|M(0[1-9]|1[0-2])|H[12])?$")


class BulletinError(ValueError):
    """A bulletin cannot be made or published as asked; the message says why (one line)."""


@dataclass(frozen=True)
class BulletinSettings:
    """How bulletins are made; see :func:`settings_from_config`.

    ``margins`` are the population totals to weight to (``None``: the demo's
    :func:`surveyapp.demo.population_margins`), ``margins_source`` says where they came
    from; a round with margins of its own (uploaded by an admin) is weighted to those
    instead.  ``round_margins`` pins ``(margins, source)`` for given round ids (re-deriving a
    published bulletin uses the margins it was made with, even if a round's changed).  ``font_path`` is a TrueType font to embed (``None``: the usual system
    locations, then the built-in STSong).
    """

    title: str | None = None
    issuer: str | None = None
    font_path: str | None = None
    margins: Mapping[str, Mapping[str, float]] | None = None
    margins_source: str = "demo"
    round_margins: Mapping[int, tuple[Mapping[str, Mapping[str, float]], str]] | None = None
    strata: str | None = "district"
    group_by: str = "district"
    min_n: int = 30
    goal: float | None = None
    exclude_flagged: bool = True
    trend_periods: int = 4
    suggestions: int = 5


def read_margins_file(path: str) -> dict[str, dict[str, float]]:
    """MARGINS.csv in the analysis contract's format, checked as ``surveyapp analyze`` does."""
    from surveyapp.indices.margins_file import read_margins

    try:
        margins = read_margins(path).margins
    except (OSError, ValueError) as exc:
        raise BulletinError(f"margins file: {exc}") from None
    return {v: dict(c) for v, c in margins.totals.items()}


def settings_from_config(config: Mapping[str, Any], **overrides: Any) -> BulletinSettings:
    """Settings from the app config (``BULLETIN_TITLE``, ``BULLETIN_ISSUER``,
    ``BULLETIN_FONT``, ``MARGINS_FILE``, ``GOAL``), each also read from its
    ``SURVEYAPP_*`` environment variable when the config does not have it.
    Keyword arguments override both (``None`` values are ignored)."""

    def get(key: str) -> Any:
        value = config.get(key)
        if value in (None, ""):
            value = os.environ.get(f"SURVEYAPP_{key}") or None
        return value

    values: dict[str, Any] = {
        "title": get("BULLETIN_TITLE"),
        "issuer": get("BULLETIN_ISSUER"),
        "font_path": get("BULLETIN_FONT"),
    }
    margins_file = overrides.pop("margins_file", None) or get("MARGINS_FILE")
    if margins_file:
        values["margins"] = read_margins_file(str(margins_file))
        values["margins_source"] = str(margins_file)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return BulletinSettings(**values)


def previous_period(period: str) -> str:
    """The period before: 2026Q1 → 2025Q4, 2026M01 → 2025M12, 2026H1 → 2025H2, 2026 → 2025."""
    if not PERIOD_RE.match(period):
        raise BulletinError(f"period {period!r} must look like 2026Q3, 2026M09, 2026H1 or 2026")
    year = int(period[:4])
    if len(period) == 4:
        return str(year - 1)
    kind, n = period[4], int(period[5:])
    if n > 1:
        return f"{year}{kind}{n - 1:02d}" if kind == "M" else f"{year}{kind}{n - 1}"
    last = {"Q": "Q4", "M": "M12", "H": "H2"}[kind]
    return f"{year - 1}{last}"


def _sector_key(q: Questionnaire) -> tuple[int, str]:
    order = SECTOR_ORDER.index(q.sector) if q.sector in SECTOR_ORDER else len(SECTOR_ORDER)
    return order, q.id


def _label(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def _software() -> dict[str, str]:
    out = {"Python": platform.python_version()}
    for name in ("surveyapp", "numpy", "scipy", "statsmodels", "reportlab"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "unknown"
    return out


@dataclass
class Draft:
    """A bulletin ready to render: the content for :mod:`reports` and its exact inputs."""

    content: reports.BulletinContent
    inputs: dict[str, Any]
    fonts: reports.FontSet
    results: dict[str, AnalysisResult] = field(default_factory=dict)

    def render(self) -> bytes:
        return reports.render_bulletin(self.content, self.fonts)


class RoundAnalyser:
    """Analyses each round once with the bulletin's settings and keeps the results.

    The analysis itself is :func:`surveyapp.analyze.stored.analyse_stored_round`, the one
    path of ``surveyapp analyze --round`` too; this class turns the settings into its
    options (margins, strata, grouping, exclusions) and caches per round.  Shared by
    the bulletins and the dashboard, so both show the same numbers.
    """

    def __init__(self, session: Session, settings: BulletinSettings, lang: str) -> None:
        self.session = session
        self.settings = settings
        self.lang = lang
        self.cache: dict[int, StoredRound] = {}
        self.periods: dict[str, list[Round]] = {}
        if settings.margins is not None:
            self.margins: Mapping[str, Mapping[str, float]] = settings.margins
        else:
            from surveyapp.demo import population_margins

            self.margins = population_margins()
        # for the methodology text and the inputs; the rules applied are the stored
        # path's (surveyapp.analyze.stored), which also counts flags when not excluding
        self.quality = QualityRules() if settings.exclude_flagged else None

    def options(self, round_: Round, full: bool) -> RoundOptions:
        """The bulletin's settings as options of the one stored-round analysis."""
        s = self.settings
        pinned = (s.round_margins or {}).get(round_.id)
        margins, source = (self.margins, s.margins_source) if pinned is None else pinned
        return RoundOptions(
            margins=margins,
            margins_source=source,
            margins_override=pinned is not None,
            strata=s.strata,
            by=[[s.group_by]] if full else [],
            goal=s.goal,
            min_n=s.min_n,
            exclude_flagged=s.exclude_flagged,
            items=full,
            drivers=full,
            reliability=False,
            skip_missing_columns=True,
        )

    def analyse(self, round_: Round, role: str, full: bool) -> StoredRound:
        cached = self.cache.get(round_.id)
        if cached is not None and (not full or cached.record["full"]):
            return cached
        out = analyse_stored_round(self.session, round_, self.options(round_, full))
        out.record.update(role=role, full=full)
        self.cache[round_.id] = out
        return out

    def round_of(self, qid: str, period: str) -> Round | None:
        """The latest-closing round of questionnaire ``qid`` in ``period`` (one query per
        period: every sector of a bulletin asks for the same few periods)."""
        if period not in self.periods:
            stmt = (
                select(Round)
                .where(Round.period == period)
                .order_by(Round.closes_at.desc(), Round.id.desc())
            )
            self.periods[period] = list(self.session.scalars(stmt))
        for r in self.periods[period]:
            if r.questionnaire_version.qid == qid:
                return r
        return None

    def suggestions(self, round_: Round, q: Questionnaire) -> tuple[reports.Suggestion, ...]:
        if not q.open_questions or self.settings.suggestions <= 0:
            return ()
        qid = q.open_questions[0].id
        counts: Counter[str] = Counter()
        stmt = select(Response.open_answers).where(
            Response.round_id == round_.id, Response.open_answers.is_not(None)
        )
        for answers in self.session.scalars(stmt):
            text = answers.get(qid) if isinstance(answers, dict) else None
            if isinstance(text, str) and text.strip():
                # masked before anything is cut, so no partial number is printed (PIPL)
                counts[mask_pii(" ".join(text.split()))[:300]] += 1
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: self.settings.suggestions]
        return tuple(reports.Suggestion(text, n) for text, n in top)

    def sector(self, current: StoredRound) -> reports.SectorReport:
        q, lang, s = current.questionnaire, self.lang, self.settings
        change = None
        prev_period = previous_period(current.round.period)
        prev_round = self.round_of(q.id, prev_period)
        prev = self.analyse(prev_round, "previous", True) if prev_round is not None else None
        if prev is not None and prev.result is not None and current.result is not None:
            if not prev.result.small_sample:
                change = analysis.compare_periods(prev.result, current.result)
        trend: list[reports.TrendPoint] = []
        period = current.round.period
        periods = [period]
        for _ in range(s.trend_periods - 1):
            periods.insert(0, previous_period(periods[0]))
        for p in periods:
            r = current if p == period else None
            if r is None:
                found = self.round_of(q.id, p)
                r = self.analyse(found, "trend", False) if found is not None else None
            res = r.result if r is not None else None
            if res is None and p != period:
                continue
            trend.append(
                reports.TrendPoint(
                    p, None if res is None else res.index, bool(res and res.small_sample)
                )
            )
        group_labels: dict[str, str] = {}
        if s.group_by in q.respondent_ids:
            group_labels = {
                o.value: o.label.get(lang) for o in q.respondent_question(s.group_by).options
            }
        title = (
            _label(SECTOR_LABELS[q.sector], lang)
            if q.sector in SECTOR_LABELS
            else q.title.get(lang)
        )
        return reports.SectorReport(
            key=q.id,
            title=title,
            result=current.result,
            change=change,
            previous_period=prev_period if change is not None else None,
            trend=tuple(trend),
            dimension_labels={d.id: d.title.get(lang) for d in q.dimensions},
            group_labels=group_labels,
            suggestions=self.suggestions(current.round, q),
            n_received=current.matrix.n,
            unweighted=tuple(tuple(n) for n in current.record.get("unweighted", ())),
        )


def _appendix_margins(
    default: Mapping[str, Mapping[str, float]], analysed: Sequence[StoredRound]
) -> Mapping[str, Mapping[str, float]]:
    """The margins the methodology appendix names: the uploaded margins when every
    reported round was weighted to the same upload, else the configured ones."""
    own = [a.record.get("round_margins") for a in analysed if a.matrix.n]
    if own and all(m is not None and m == own[0] for m in own):
        return own[0]
    return default


def _rounds_of_period(session: Session, period: str, sectors: Sequence[str] | None) -> list[Round]:
    rounds = list(session.scalars(select(Round).where(Round.period == period).order_by(Round.id)))
    if sectors:
        wanted = set(sectors)
        known = {r.questionnaire_version.sector for r in rounds} | {
            r.questionnaire_version.qid for r in rounds
        }
        unknown = sorted(wanted - known)
        if unknown:
            raise BulletinError(
                f"period {period}: no round for sector {unknown[0]!r} "
                f"(sectors with rounds: {', '.join(sorted(known)) or 'none'})"
            )
        rounds = [
            r
            for r in rounds
            if r.questionnaire_version.sector in wanted or r.questionnaire_version.qid in wanted
        ]
    return rounds


def prepare_bulletin(
    session: Session,
    period: str,
    *,
    lang: str = "zh",
    sectors: Sequence[str] | None = None,
    settings: BulletinSettings | None = None,
    edition: int | None = None,
    replaces: int | None = None,
    issued: date | None = None,
    rounds: Sequence[Round] | None = None,
) -> Draft:
    """Gather and analyse every round of ``period`` (or the given ``rounds``).

    Raises :class:`BulletinError` when the period has no round or no response.
    """
    settings = settings or BulletinSettings()
    if lang not in ("zh", "en"):
        raise BulletinError(f"language {lang!r}: choose zh or en")
    previous_period(period)  # validates the period
    current = list(rounds) if rounds is not None else _rounds_of_period(session, period, sectors)
    if not current:
        raise BulletinError(f"period {period} has no survey round: nothing to report")
    fonts = reports.load_fonts(settings.font_path)
    g = RoundAnalyser(session, settings, lang)
    analysed = [g.analyse(r, "current", True) for r in current]
    if not any(a.matrix.n for a in analysed):
        raise BulletinError(f"period {period} has no response yet: nothing to report")
    analysed.sort(key=lambda a: _sector_key(a.questionnaire))
    reports_ = [g.sector(a) for a in analysed]
    goal = settings.goal
    if goal is None:
        goals = {a.result.goal for a in analysed if a.result is not None}
        goal = goals.pop() if len(goals) == 1 else analysis.DEFAULT_GOAL
    issued = issued or utcnow().astimezone(CHINA_TZ).date()
    title = settings.title or reports.Texts(lang)("default_title")
    issuer = settings.issuer or _label(DEFAULT_ISSUER, lang)
    software = _software()
    used_margins = {k: dict(v) for k, v in _appendix_margins(g.margins, analysed).items()}
    methodology = reports.Methodology(
        margins=used_margins,
        strata=settings.strata,
        group_by=settings.group_by,
        group_label=_label(VARIABLE_LABELS.get(settings.group_by, (settings.group_by,) * 2), lang),
        min_n=settings.min_n,
        goal=goal,
        quality=g.quality,
        exclude_flagged=settings.exclude_flagged,
        software=software,
        variable_labels={k: _label(v, lang) for k, v in VARIABLE_LABELS.items()},
    )
    content = reports.BulletinContent(
        title=title,
        issuer=issuer,
        period=period,
        issued=issued,
        lang="en" if lang == "en" else "zh",
        sectors=tuple(reports_),
        methodology=methodology,
        edition=edition,
        replaces=replaces,
    )
    inputs = {
        "period": period,
        "lang": lang,
        "sectors": [a.questionnaire.id for a in analysed],
        "rounds": [r.record for r in sorted(g.cache.values(), key=lambda r: r.round.id)],
        "current_round_ids": [a.round.id for a in analysed],
        "analysis": {
            "function": "analysis.run",
            "strata": settings.strata,
            "by": [settings.group_by],
            "min_n": settings.min_n,
            "goal": settings.goal,
            "exclude_flagged": settings.exclude_flagged,
            "quality_rules": None
            if g.quality is None
            else {
                "speeders": g.quality.speeders,
                "speed_fraction": g.quality.speed_fraction,
                "straightliners": g.quality.straightliners,
                "straightline_min_items": g.quality.straightline_min_items,
                "duplicates": g.quality.duplicates,
            },
            "change": "analysis.compare_periods, alpha 0.05",
            "trend_periods": settings.trend_periods,
        },
        "margins": {k: dict(v) for k, v in g.margins.items()},
        "margins_source": settings.margins_source,
        "margins_by_round": {
            a.round.code: a.record.get("margins_source", "none") for a in analysed
        },
        "title": title,
        "issuer": issuer,
        "issued": issued.isoformat(),
        "edition": edition,
        "replaces_edition": replaces,
        "suggestions": settings.suggestions,
        "font": {"name": fonts.name, "embedded": fonts.embedded, "path": fonts.path},
        "software": software,
    }
    results = {a.questionnaire.id: a.result for a in analysed if a.result is not None}
    return Draft(content, inputs, fonts, results)


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _latest_for(session: Session, period: str, lang: str) -> Bulletin | None:
    stmt = (
        select(Bulletin)
        .where(Bulletin.period == period, Bulletin.lang == lang)
        .order_by(Bulletin.edition.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def publish_bulletin(
    session: Session,
    period: str,
    *,
    lang: str = "zh",
    sectors: Sequence[str] | None = None,
    settings: BulletinSettings | None = None,
    replaces: int | None = None,
    now: datetime | None = None,
    actor: User | str = "cli",
    ip: str | None = None,
) -> Bulletin:
    """Render and store a new edition for ``period``, with its audit row; the caller commits.

    A period that already has a bulletin (in ``lang``) is only published again as a
    correction naming the edition it replaces (``replaces``, an edition number).
    ``actor`` is the signed-in user, or ``"cli"`` for the command line and cron: a
    publication cannot be undone, so who made it is always recorded.
    """
    now = now or utcnow()
    latest = _latest_for(session, period, lang)
    replaced: Bulletin | None = None
    if replaces is None and latest is not None:
        raise BulletinError(
            f"period {period} already has edition {latest.edition}; publishing again is a "
            f"correction: name the edition it replaces (--replaces {latest.edition})"
        )
    if replaces is not None:
        replaced = session.scalars(select(Bulletin).where(Bulletin.edition == replaces)).first()
        if replaced is None:
            raise BulletinError(f"there is no edition {replaces} to replace")
        if replaced.period != period or replaced.lang != lang:
            raise BulletinError(
                f"edition {replaces} is the {replaced.period} {replaced.lang} bulletin, not {period} {lang}"
            )
        successor = session.scalars(
            select(Bulletin).where(Bulletin.replaces_id == replaced.id)
        ).first()
        if successor is not None:
            raise BulletinError(
                f"edition {replaces} was already replaced by edition {successor.edition}; "
                f"correct that one instead"
            )
    edition = (session.scalar(select(func.max(Bulletin.edition))) or 0) + 1
    draft = prepare_bulletin(
        session,
        period,
        lang=lang,
        sectors=sectors,
        settings=settings,
        edition=edition,
        replaces=replaces,
        issued=now.astimezone(CHINA_TZ).date(),
    )
    pdf = draft.render()
    bulletin = Bulletin(
        edition=edition,
        period=period,
        lang=lang,
        title=draft.content.title[:200],
        sectors=draft.inputs["sectors"],
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
        pages=page_count(pdf),
        inputs=draft.inputs,
        replaces_id=replaced.id if replaced is not None else None,
        published_at=now,
    )
    session.add(bulletin)
    session.flush()
    audit(
        session,
        actor,
        "bulletin.publish",
        f"bulletin:{edition}",
        {
            "period": period,
            "lang": lang,
            "sectors": bulletin.sectors,
            "sha256": bulletin.sha256,
            "replaces_edition": replaces,
        },
        ip=ip,
        at=now,
    )
    return bulletin


def _pinned(record: Mapping[str, Any], inputs: Mapping[str, Any]) -> tuple[Any, str]:
    """The margins and source a round of a published bulletin was weighted to."""
    if record.get("round_margins"):
        return record["round_margins"], record["margins_source"]
    return inputs["margins"], inputs["margins_source"]


def rederive_bulletin(session: Session, bulletin: Bulletin, font_path: str | None = None) -> bytes:
    """Render a published bulletin again from its stored inputs.

    Gives the same bytes as long as the responses, the software and the font are the
    same: the PDF is rendered in ReportLab's invariant mode.
    """
    inputs = bulletin.inputs
    a = inputs["analysis"]
    rounds = [session.get(Round, rid) for rid in inputs["current_round_ids"]]
    missing = [rid for rid, r in zip(inputs["current_round_ids"], rounds, strict=True) if r is None]
    if missing:
        raise BulletinError(
            f"round {missing[0]} of bulletin No.{bulletin.edition} no longer exists"
        )
    settings = BulletinSettings(
        title=inputs["title"],
        issuer=inputs["issuer"],
        font_path=font_path or inputs["font"]["path"],
        margins=inputs["margins"],
        margins_source=inputs["margins_source"],
        # every round weighted to exactly what it was weighted to at publication
        round_margins={rec["round_id"]: _pinned(rec, inputs) for rec in inputs["rounds"]},
        strata=a["strata"],
        group_by=a["by"][0],
        min_n=a["min_n"],
        goal=a["goal"],
        exclude_flagged=a["exclude_flagged"],
        trend_periods=a["trend_periods"],
        suggestions=inputs["suggestions"],
    )
    draft = prepare_bulletin(
        session,
        inputs["period"],
        lang=inputs["lang"],
        settings=settings,
        edition=inputs["edition"],
        replaces=inputs["replaces_edition"],
        issued=date.fromisoformat(inputs["issued"]),
        rounds=[r for r in rounds if r is not None],
    )
    return draft.render()


@dataclass(frozen=True)
class DueOutcome:
    period: str
    bulletin: Bulletin | None
    message: str


def due_periods(session: Session, lang: str = "zh", now: datetime | None = None) -> list[str]:
    """Periods whose rounds have all closed and that have no bulletin (in ``lang``) yet."""
    now = now or utcnow()
    by_period: dict[str, list[Round]] = {}
    for r in session.scalars(select(Round).order_by(Round.period)):
        by_period.setdefault(r.period, []).append(r)
    published = set(session.scalars(select(Bulletin.period).where(Bulletin.lang == lang)))
    return [
        p
        for p, rs in sorted(by_period.items())
        if p not in published and all(r.state(now) == "closed" for r in rs)
    ]


def publish_due(
    session: Session,
    *,
    lang: str = "zh",
    settings: BulletinSettings | None = None,
    now: datetime | None = None,
    actor: User | str = "cli",
) -> list[DueOutcome]:
    """Publish every closed period without a bulletin; periods without data are skipped.

    Each publication is flushed; the caller commits (once per period, see the CLI).
    """
    out = []
    for period in due_periods(session, lang, now):
        try:
            b = publish_bulletin(
                session, period, lang=lang, settings=settings, now=now, actor=actor
            )
        except BulletinError as exc:
            out.append(DueOutcome(period, None, str(exc)))
            continue
        out.append(DueOutcome(period, b, f"published edition {b.edition}"))
    return out


def list_bulletins(session: Session) -> list[Bulletin]:
    """Every published edition, newest first."""
    return list(session.scalars(select(Bulletin).order_by(Bulletin.edition.desc())))


def replaced_by(bulletins: Iterable[Bulletin]) -> dict[int, Bulletin]:
    """Edition id → the edition that corrects it."""
    return {b.replaces_id: b for b in bulletins if b.replaces_id is not None}


__all__ += ["DueOutcome", "due_periods", "list_bulletins", "page_count", "replaced_by"]

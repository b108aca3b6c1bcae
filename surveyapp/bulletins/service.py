"""Bulletins: gather a period's numbers from the database, render them, publish them.

The numbers come from :func:`analysis.run`, once per round, exactly as for every other
consumer; :mod:`reports` lays them out.  Publishing stores the PDF with its SHA-256
and the exact inputs, so :func:`rederive_bulletin` can make the same file again.
"""

from __future__ import annotations

import platform
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import metadata
from typing import Any, Literal

from sqlalchemy import select

import analysis
import reports
from analysis import AnalysisResult, QualityRules
from reports.content import ModelEstimate, SmallAreaFit
from surveyapp.complaints.bulletin import bulletin_complaints
from surveyapp.i18n import CHINA_TZ, N_, t
from surveyapp.indices import (
    AnalysisSettings,
    Detail,
    PeriodError,
    StoredRound,
    analyse_round,
    counted_rounds,
    options_for,
    periods_ending,
    previous_period,
    rounds_beside,
    rules_record,
    settings_from_config,
)
from surveyapp.models import Round
from surveyapp.models.base import DbSession, utcnow
from surveyapp.models.bulletin import Bulletin
from surveyapp.models.user import User
from surveyapp.moderation import analysed_suggestions, approved, review, tally
from surveyapp.plans.bulletin import plan_progress_record, plan_progress_section
from surveyapp.publications import (
    PublicationError,
    check_correction,
    next_edition,
    store_edition,
)
from surveyapp.sectors import sector_name, sector_sort_key

__all__ = [
    "BulletinError",
    "BulletinSettings",
    "Draft",
    "InterimNotConfirmed",
    "bulletin_settings",
    "open_rounds",
    "prepare_bulletin",
    "publish_bulletin",
    "publish_due",
    "rederive_bulletin",
]

#: The message id of each weighting variable's name (the methodology appendix, the
#: district table's heading).
VARIABLE_LABELS = {
    "district": N_("bulletin_var_district"),
    "age_group": N_("bulletin_var_age_group"),
    "gender": N_("bulletin_var_gender"),
}


class BulletinError(ValueError):
    """A bulletin cannot be made or published as asked; the message says why (one line)."""


class InterimNotConfirmed(BulletinError):
    """A round of the period is still open: publishing now makes a permanent *interim*
    edition, which the publisher must confirm (``interim=True``)."""

    def __init__(self, period: str, rounds: Sequence[str]) -> None:
        self.period = period
        self.rounds = tuple(rounds)
        super().__init__(
            f"period {period}: round {', '.join(self.rounds)} is still open; publishing now "
            "makes a permanent interim edition: confirm it (--interim, or tick the box)"
        )


def open_rounds(session: DbSession, period: str, now: datetime | None = None) -> list[Round]:
    """The rounds of ``period`` not closed yet at ``now`` (open, or not open yet), archived
    rounds left out: while there is one, a bulletin of the period is interim."""
    now = now or utcnow()
    stmt = (
        select(Round)
        .where(Round.period == period, Round.archived_at.is_(None))
        .order_by(Round.code)
    )
    return [r for r in session.scalars(stmt) if r.state(now) != "closed"]


@dataclass(frozen=True)
class BulletinSettings:
    """How bulletins are made: the analysis settings every consumer shares
    (:class:`surveyapp.indices.AnalysisSettings`) and the bulletin's own.

    ``font_path`` is a TrueType font to embed (``None``: the usual system locations,
    then the built-in STSong); ``suggestions`` how many residents' suggestions to quote
    (approved ones only, :mod:`surveyapp.moderation`); ``pinned_suggestions`` the
    moderation record of a published edition (questionnaire id → its
    ``suggestions_review`` input), so that rendering it again prints what it printed.
    """

    analysis: AnalysisSettings = field(default_factory=AnalysisSettings)
    title: str | None = None
    issuer: str | None = None
    issuer_en: str | None = None  # the issuer on English editions; None: ``issuer``
    city: str | None = None  # "普洱市", or "普洱市|Pu'er" for the English edition's title
    font_path: str | None = None
    suggestions: int = 5
    pinned_suggestions: Mapping[str, Mapping[str, Any]] | None = None
    # the plan-progress section: its tolerance, and a published edition's pinned record
    plan_tolerance_pp: float = 5.0
    pinned_plans: Mapping[str, Any] | None = None
    # a published edition's complaint counts (its ``complaints`` input), printed again
    pinned_complaints: Mapping[str, Any] | None = None

    def issuer_in(self, lang: str) -> str | None:
        """The configured issuer of an edition in ``lang`` (``None``: none configured)."""
        return (self.issuer_en if lang == "en" else None) or self.issuer


def bulletin_settings(
    config: Mapping[str, Any],
    *,
    font_path: str | None = None,
    margins_file: str | None = None,
) -> BulletinSettings:
    """Settings from the app config (``BULLETIN_TITLE``, ``BULLETIN_ISSUER`` and
    ``BULLETIN_ISSUER_EN``, ``BULLETIN_CITY``, ``BULLETIN_FONT``, and ``MARGINS_FILE`` through
    :func:`surveyapp.indices.settings_from_config`); the arguments override them."""
    try:
        shared = settings_from_config(config, margins_file=margins_file)
    except ValueError as exc:
        raise BulletinError(str(exc)) from None
    return BulletinSettings(
        analysis=shared,
        title=config.get("BULLETIN_TITLE") or None,
        issuer=config.get("BULLETIN_ISSUER") or None,
        issuer_en=config.get("BULLETIN_ISSUER_EN") or None,
        city=config.get("BULLETIN_CITY") or None,
        font_path=font_path or config.get("BULLETIN_FONT") or None,
        plan_tolerance_pp=float(config.get("PLAN_TOLERANCE_PP", 5.0)),
    )


def _default_title(city: str | None, lang: str) -> str:
    """生活性服务业服务质量第三方监测公报, led by the city when one is set
    (``BULLETIN_CITY``: one name, or ``zh|en``)."""
    title = reports.Texts(lang)("default_title")
    if not city:
        return title
    zh, _, en = city.partition("|")
    name = (en or zh).strip() if lang == "en" else zh.strip()
    return t("bulletin_city_title", lang, city=name, title=title)


def _check_period(period: str) -> None:
    try:
        previous_period(period)
    except PeriodError as exc:
        raise BulletinError(str(exc)) from None


def _software() -> dict[str, str]:
    out = {"Python": platform.python_version()}
    for name in ("surveyapp", "numpy", "scipy", "reportlab"):
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


class _Gatherer:
    """The rounds of one bulletin, each analysed once by
    :func:`surveyapp.indices.analyse_round` with the options every consumer uses
    (:func:`surveyapp.indices.options_for`); kept here for the bulletin's inputs."""

    def __init__(self, session: DbSession, settings: BulletinSettings, lang: str) -> None:
        self.session = session
        self.settings = settings
        self.lang = lang
        self.analysed: dict[int, StoredRound] = {}
        self.periods: dict[str, dict[str, Round]] = {}
        # questionnaire id → how its suggestions were moderated, for the inputs
        self.reviews: dict[str, dict[str, Any]] = {}

    def analyse(self, round_: Round, role: str, detail: Detail) -> StoredRound:
        kept = self.analysed.get(round_.id)
        if kept is not None and (detail == "index" or kept.record["detail"] != "index"):
            return kept
        out = analyse_round(
            self.session, round_, options_for(self.settings.analysis, round_, detail)
        )
        out.record.update(role=role, detail=detail, full=detail != "index")
        self.analysed[round_.id] = out
        return out

    def round_of(self, qid: str, period: str) -> Round | None:
        """The round that counts for questionnaire ``qid`` in ``period`` (one query per
        period: every sector of a bulletin asks for the same few periods)."""
        if period not in self.periods:
            rounds = self.session.scalars(select(Round).where(Round.period == period))
            self.periods[period] = counted_rounds(self.session, rounds)
        return self.periods[period].get(qid)

    def suggestions(
        self, current: StoredRound, key: str
    ) -> tuple[tuple[reports.Suggestion, ...], reports.SuggestionReview | None]:
        """The approved suggestions of the round's analysed responses (most frequent
        first, publishable form: :mod:`surveyapp.moderation`) and how the round's
        suggestions were moderated.  An unreviewed or rejected text is never printed."""
        q = current.questionnaire
        if not q.open_questions:
            return (), None
        record = (self.settings.pinned_suggestions or {}).get(key)
        pinned: dict[str, Literal["approved"]] | None = None
        if self.settings.pinned_suggestions is not None:
            pinned = dict.fromkeys((record or {}).get("printed", ()), "approved")
        entries = review(
            self.session, "suggestion", analysed_suggestions(self.session, current), pinned=pinned
        )
        printed = approved(entries, self.settings.suggestions)
        counts: dict[str, Any] = tally(entries).as_dict() if record is None else dict(record)
        counts["printed"] = [e.key for e in printed]
        self.reviews[key] = counts
        shown = reports.SuggestionReview(
            texts=counts["texts"],
            reviewed=counts["reviewed"],
            approved=counts["approved"],
            pending=counts["pending"],
        )
        return tuple(reports.Suggestion(e.text, e.count) for e in printed), shown

    def sector(self, current: StoredRound, parallel: bool = False) -> reports.SectorReport:
        """The section of ``current``; a ``parallel`` sample's section is titled as one
        and keyed by its round, with no change or trend of its own (those are the main
        round's, in the section beside it)."""
        q, lang = current.questionnaire, self.lang
        a = self.settings.analysis
        period = current.round.period
        prev_period = previous_period(period)
        prev_round = None if parallel else self.round_of(q.id, prev_period)
        prev = self.analyse(prev_round, "previous", "sector") if prev_round is not None else None
        change = None
        before = prev.result if prev is not None else None
        if before is not None and current.result is not None:
            if analysis.comparable(before, current.result):
                change = analysis.compare_periods(before, current.result)
        periods = periods_ending(period, a.trend_periods)
        results: dict[str, AnalysisResult | None] = {period: current.result}
        for p in periods[:-1] if not parallel else ():
            found = self.round_of(q.id, p)
            earlier = self.analyse(found, "trend", "index") if found is not None else None
            if earlier is not None and earlier.result is not None:
                results[p] = earlier.result
        group_labels: dict[str, str] = {}
        if a.group_by in q.respondent_ids:
            group_labels = {
                o.value: o.label.get(lang) for o in q.respondent_question(a.group_by).options
            }
        key = _section_key(current.round, parallel)
        suggestions, suggestions_review = self.suggestions(current, key)
        title = sector_name(q.sector, lang, q.title.get(lang))
        if parallel:
            words = PARALLEL_TITLE if current.round.parallel else OTHER_ROUND_TITLE
            title = t(words, lang, sector=title, code=current.round.code)
        return reports.SectorReport(
            key=key,
            title=title,
            result=current.result,
            change=change,
            previous_period=prev_period if change is not None else None,
            trend=analysis.trend(periods, results),
            dimension_labels={d.id: d.title.get(lang) for d in q.dimensions},
            group_labels=group_labels,
            suggestions=suggestions,
            n_received=current.matrix.n,
            unweighted=tuple(tuple(n) for n in current.record.get("unweighted", ())),
            review=suggestions_review,
            small_area=_small_area_fit(current),
        )


def _small_area_fit(stored: StoredRound) -> SmallAreaFit | None:
    """The round's model-based district estimates as the bulletin prints them (the
    district chart uses them below the small-sample threshold)."""
    sae = stored.small_area
    if sae is None:
        return None
    return SmallAreaFit(
        covariates=sae.covariates,
        sigma2_u=sae.sigma2_u,
        s2_within=sae.s2_within,
        deff=sae.deff,
        districts={
            d.district: ModelEstimate(d.estimate, d.ci, d.n, d.synthetic) for d in sae.districts
        },
    )


def _appendix_margins(
    default: Mapping[str, Mapping[str, float]] | None, analysed: Sequence[StoredRound]
) -> Mapping[str, Mapping[str, float]] | None:
    """The margins the methodology appendix names: the uploaded margins when every
    reported round was weighted to the same upload, else the configured ones (``None``:
    none configured; the appendix then says how each sector was weighted)."""
    own = [a.record.get("round_margins") for a in analysed if a.matrix.n]
    if own and all(m is not None and m == own[0] for m in own):
        return own[0]
    return default


#: The title of a parallel sample's section, beside its sector's main section.
PARALLEL_TITLE = N_("bulletin_parallel_title")
#: … and of another round of the same sector and period with responses (a rerun, other
#: districts): shown beside the main one, never hidden by it (issue 14).
OTHER_ROUND_TITLE = N_("bulletin_other_round_title")


def _section_key(round_: Round, parallel: bool) -> str:
    """A section's key: its questionnaire id, or for a parallel sample also its round."""
    qid = round_.questionnaire_version.qid
    return f"{qid}@{round_.code}" if parallel else qid


def _rounds_of_period(
    session: DbSession, period: str, sectors: Sequence[str] | None
) -> tuple[list[Round], set[int]]:
    """The round that counts for each questionnaire of ``period``
    (:func:`surveyapp.indices.counted_rounds`, as on the dashboard), and beside it every
    other round of the period with responses — a parallel sample, a rerun, other
    districts (:func:`surveyapp.indices.rounds_beside`, each its own section: side by
    side, never one hiding the other, as on the dashboard); never an archived round,
    never an empty duplicate over real data.  The second value holds the ids of the
    rounds shown beside."""
    stmt = select(Round).where(Round.period == period, Round.archived_at.is_(None))
    live = list(session.scalars(stmt))
    beside = {r.id: r for rs in rounds_beside(session, live).values() for r in rs}
    counted = list(counted_rounds(session, live).values()) + list(beside.values())
    rounds = sorted(counted, key=lambda r: r.id)
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
    return rounds, set(beside)


def prepare_bulletin(
    session: DbSession,
    period: str,
    *,
    lang: str = "zh",
    sectors: Sequence[str] | None = None,
    settings: BulletinSettings | None = None,
    edition: int | None = None,
    replaces: int | None = None,
    issued: date | None = None,
    rounds: Sequence[Round] | None = None,
    parallel: Collection[int] = (),
    interim: bool = False,
) -> Draft:
    """Gather and analyse every round of ``period`` (or the given ``rounds``).

    A parallel sample with responses gets its own section beside its sector's main one
    (``inputs["parallel_round_ids"]``); with given ``rounds``, ``parallel`` names the
    ids among them that are parallel samples (as a published edition recorded them).

    ``interim`` marks the edition 中期 / interim (cover, every page, ``inputs``): a
    round of the period is still open (:func:`open_rounds`).

    Raises :class:`BulletinError` when the period has no round or no response.
    """
    settings = settings or BulletinSettings()
    a = settings.analysis
    if lang not in ("zh", "en"):
        raise BulletinError(f"language {lang!r}: choose zh or en")
    _check_period(period)
    if rounds is not None:
        current, beside = list(rounds), set(parallel)
    else:
        current, beside = _rounds_of_period(session, period, sectors)
    if not current:
        raise BulletinError(f"period {period} has no survey round: nothing to report")
    fonts = reports.load_fonts(settings.font_path)
    g = _Gatherer(session, settings, lang)
    analysed = [g.analyse(r, "current", "sector") for r in current]
    if not any(x.matrix.n for x in analysed):
        raise BulletinError(f"period {period} has no response yet: nothing to report")
    analysed.sort(
        key=lambda x: (
            sector_sort_key(x.questionnaire.sector),
            x.round.id in beside,
            x.questionnaire.id,
            x.round.id,
        )
    )
    reports_ = [g.sector(x, x.round.id in beside) for x in analysed]
    goal = a.goal
    if goal is None:
        goals = {x.result.goal for x in analysed if x.result is not None}
        goal = goals.pop() if len(goals) == 1 else analysis.DEFAULT_GOAL
    issued = issued or utcnow().astimezone(CHINA_TZ).date()
    title = settings.title or _default_title(settings.city, lang)
    issuer = settings.issuer_in(lang) or t("bulletin_default_issuer", lang)
    software = _software()
    # for the methodology text and the inputs; the rules applied are those of
    # surveyapp.indices.quality, which also counts flags when not excluding
    quality = QualityRules() if a.exclude_flagged else None
    appendix = _appendix_margins(a.margins, analysed)
    plan_record = settings.pinned_plans
    if plan_record is None:
        plan_record = plan_progress_record(
            session, period, a, settings.plan_tolerance_pp,
            sectors=None if sectors is None else [x.questionnaire.sector for x in analysed],
        )  # fmt: skip
    methodology = reports.Methodology(
        margins=None if appendix is None else {k: dict(v) for k, v in appendix.items()},
        strata=a.strata,
        group_by=a.group_by,
        group_label=t(VARIABLE_LABELS[a.group_by], lang)
        if a.group_by in VARIABLE_LABELS
        else a.group_by,
        min_n=a.min_n,
        goal=goal,
        quality=quality,
        exclude_flagged=a.exclude_flagged,
        software=software,
        variable_labels={k: t(v, lang) for k, v in VARIABLE_LABELS.items()},
    )
    complaints, complaints_record = bulletin_complaints(
        session, period, (x.questionnaire.sector for x in analysed), lang,
        pinned=settings.pinned_complaints,
    )  # fmt: skip
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
        interim=interim,
        complaints=complaints,
        plans=plan_progress_section(plan_record, lang),
    )
    inputs = {
        "period": period,
        "lang": lang,
        "interim": interim,
        "sectors": list(dict.fromkeys(x.questionnaire.id for x in analysed)),
        "rounds": [r.record for r in sorted(g.analysed.values(), key=lambda r: r.round.id)],
        "current_round_ids": [x.round.id for x in analysed],
        # the rounds among them shown as parallel samples, each in its own section
        "parallel_round_ids": sorted(x.round.id for x in analysed if x.round.id in beside),
        "analysis": {
            "function": "surveyapp.indices.analyse_round",
            "strata": a.strata,
            "by": [a.group_by],
            "min_n": a.min_n,
            "goal": a.goal,
            "exclude_flagged": a.exclude_flagged,
            "quality_rules": None if quality is None else rules_record(quality),
            "change": "analysis.compare_periods, alpha 0.05",
            "trend_periods": a.trend_periods,
            "margins_policy": a.margins_policy,
        },
        # the configured margins (None: unweighted unless a round has its own upload)
        "margins": None if a.margins is None else {k: dict(v) for k, v in a.margins.items()},
        "margins_source": a.margins_source,
        "margins_by_round": {
            x.round.code: x.record.get("margins_source") or "none" for x in analysed
        },
        "title": title,
        "issuer": issuer,
        "issued": issued.isoformat(),
        "edition": edition,
        "replaces_edition": replaces,
        "suggestions": settings.suggestions,
        # per questionnaire: distinct suggestions of analysed responses, how many were
        # reviewed, approved, rejected, pending, and the keys of the texts printed
        "suggestions_rule": "approved texts of analysed responses (surveyapp.moderation)",
        "suggestions_review": g.reviews,
        "font": {"name": fonts.name, "embedded": fonts.embedded, "path": fonts.path},
        "software": software,
        # the complaints section's counts per sector (surveyapp.complaints.bulletin)
        "complaints": complaints_record,
        # the plan-progress section's rows as printed (surveyapp.plans.bulletin)
        "plan_progress": plan_record,
    }
    results = {
        _section_key(x.round, x.round.id in beside): x.result
        for x in analysed
        if x.result is not None
    }
    return Draft(content, inputs, fonts, results)


def publish_bulletin(
    session: DbSession,
    period: str,
    *,
    lang: str = "zh",
    sectors: Sequence[str] | None = None,
    settings: BulletinSettings | None = None,
    replaces: int | None = None,
    now: datetime | None = None,
    actor: User | str = "cli",
    ip: str | None = None,
    interim: bool = False,
) -> Bulletin:
    """Render and archive a new edition for ``period`` (:mod:`surveyapp.publications`),
    with its audit row; the caller commits.

    A period that already has a bulletin (in ``lang``) is only published again as a
    correction naming the edition it replaces (``replaces``, an edition number).
    ``actor`` is the signed-in user, or ``"cli"`` for the command line and cron: a
    publication cannot be undone, so who made it is always recorded.

    While a round of the period is still open (:func:`open_rounds`) the edition is
    interim: it is refused with :class:`InterimNotConfirmed` unless ``interim`` confirms
    it, and then marked 中期 / interim (``inputs["interim"]``, the open rounds in
    ``inputs["open_rounds"]``).  ``interim`` on a closed period changes nothing.
    """
    now = now or utcnow()
    still_open = [r.code for r in open_rounds(session, period, now)]
    try:
        replaced = check_correction(session, period, lang, replaces)
    except PublicationError as exc:
        raise BulletinError(str(exc)) from None
    edition = next_edition(session)
    draft = prepare_bulletin(
        session,
        period,
        lang=lang,
        sectors=sectors,
        settings=settings,
        edition=edition,
        replaces=replaces,
        issued=now.astimezone(CHINA_TZ).date(),
        interim=bool(still_open),
    )
    if still_open and not interim:  # after prepare: a period without data says so first
        raise InterimNotConfirmed(period, still_open)
    if still_open:
        draft.inputs["open_rounds"] = still_open
    return store_edition(
        session,
        edition=edition,
        period=period,
        lang=lang,
        title=draft.content.title,
        sectors=draft.inputs["sectors"],
        pdf=draft.render(),
        inputs=draft.inputs,
        replaces=replaced,
        now=now,
        actor=actor,
        ip=ip,
    )


def _pinned(record: Mapping[str, Any], inputs: Mapping[str, Any]) -> tuple[Any, str | None]:
    """The margins and source a round of a published bulletin was weighted to."""
    if record.get("round_margins"):
        return record["round_margins"], record["margins_source"]
    return inputs["margins"], inputs["margins_source"]


def rederive_bulletin(
    session: DbSession, bulletin: Bulletin, font_path: str | None = None
) -> bytes:
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
    shared = AnalysisSettings(
        margins=inputs["margins"],
        margins_source=inputs["margins_source"],
        # every round weighted to exactly what it was weighted to at publication
        pinned_margins={rec["round_id"]: _pinned(rec, inputs) for rec in inputs["rounds"]},
        # and with the district auxiliaries it was made with (none recorded: none)
        pinned_auxiliaries={rec["round_id"]: rec.get("auxiliaries") for rec in inputs["rounds"]},
        margins_policy=a.get("margins_policy", "drop-absent"),
        strata=a["strata"],
        group_by=a["by"][0],
        min_n=a["min_n"],
        goal=a["goal"],
        exclude_flagged=a["exclude_flagged"],
        trend_periods=a["trend_periods"],
    )
    settings = BulletinSettings(
        analysis=shared,
        title=inputs["title"],
        issuer=inputs["issuer"],
        font_path=font_path or inputs["font"]["path"],
        suggestions=inputs["suggestions"],
        pinned_suggestions=inputs.get("suggestions_review"),
        pinned_complaints=inputs.get("complaints", {}),  # {}: an edition without it
        pinned_plans=inputs.get("plan_progress", {}),  # {}: an edition without it
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
        parallel=inputs.get("parallel_round_ids", ()),
        interim=bool(inputs.get("interim", False)),
    )
    return draft.render()


@dataclass(frozen=True)
class DueOutcome:
    period: str
    bulletin: Bulletin | None
    message: str


def due_periods(session: DbSession, lang: str = "zh", now: datetime | None = None) -> list[str]:
    """Periods whose rounds have all closed and that have no bulletin (in ``lang``) yet."""
    now = now or utcnow()
    by_period: dict[str, list[Round]] = {}
    live = select(Round).where(Round.archived_at.is_(None)).order_by(Round.period)
    for r in session.scalars(live):  # an archived round is in no bulletin
        by_period.setdefault(r.period, []).append(r)
    published = set(session.scalars(select(Bulletin.period).where(Bulletin.lang == lang)))
    return [
        p
        for p, rs in sorted(by_period.items())
        if p not in published and all(r.state(now) == "closed" for r in rs)
    ]


def publish_due(
    session: DbSession,
    *,
    lang: str = "zh",
    settings: BulletinSettings | None = None,
    now: datetime | None = None,
    actor: User | str = "cli",
    progress: Callable[[int, int], None] | None = None,
) -> list[DueOutcome]:
    """Publish every closed period without a bulletin; periods without data are skipped.

    Each publication is flushed; the caller commits (once per period, see the CLI).
    ``progress(periods done, periods due)`` is called before and after each period.
    """
    out: list[DueOutcome] = []
    periods = due_periods(session, lang, now)
    for period in periods:
        if progress is not None:
            progress(len(out), len(periods))
        try:
            b = publish_bulletin(
                session, period, lang=lang, settings=settings, now=now, actor=actor
            )
        except BulletinError as exc:
            out.append(DueOutcome(period, None, str(exc)))
            continue
        out.append(DueOutcome(period, b, f"published edition {b.edition}"))
    if progress is not None and periods:
        progress(len(periods), len(periods))
    return out


__all__ += ["DueOutcome", "due_periods"]

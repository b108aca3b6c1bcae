"""Plan files: one YAML file per government plan, its dated, numbered indicators.

The shipped plans live in the repository's ``plans/`` folder (:func:`builtin_dir`),
beside ``questionnaires/``.  A file names the plan and its document, then lists the
indicators; each has a direction (``at_least`` / ``at_most``), an optional baseline
(never invented: most plans give none), a target with its deadline, the responsible
bureau and the clause it comes from, and may be *bound* to a value the platform
computes instead of one a bureau enters (:data:`BINDINGS`).

The file is read with :class:`surveyapp.questionnaire.reading.Document` (YAML with the
line of every key, duplicate keys and alias bombs refused) and every problem is
reported at once as a ``file:line: what`` line (:class:`PlanError`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, cast

from surveyapp.questionnaire.files import discover as discover_yaml
from surveyapp.questionnaire.model import Text
from surveyapp.questionnaire.reading import Document, LinedFileError, read_lined
from surveyapp.sectors import SECTORS

__all__ = [
    "BINDINGS",
    "COMPUTED_NOW",
    "Binding",
    "Direction",
    "Indicator",
    "Plan",
    "PlanError",
    "builtin_dir",
    "current_plans",
    "discover",
    "load_plan",
    "load_plans",
    "read_plan",
    "satisfaction_targets",
    "validate_files",
]

Direction = Literal["at_least", "at_most"]
DIRECTIONS: tuple[Direction, ...] = ("at_least", "at_most")

#: What an indicator may be bound to, with the keys each binding takes (required, optional).
BINDINGS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "satisfaction_index": (("sector",), ()),  # a sector's satisfaction index (0-100)
    "satisfaction_rate": (("sector",), ()),  # a sector's satisfaction rate (percent)
    "circle_coverage": (("service_type",), ()),  # 15-minute coverage of a service type
    "provider_count": ((), ("sector", "service_type")),  # open providers in the registry
    "complaints_mediation_rate": ((), ("sector",)),  # share of complaints settled
}
#: Bindings the platform computes (every one; the 15-minute coverage only once the
#: circle's stored coverage exists: :mod:`surveyapp.plans.bound` says "not computed"
#: until then).
COMPUTED_NOW = frozenset(BINDINGS)

_LINE = re.compile(r".*?:(\d+): ")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_PLAN_KEYS = ("id", "name", "document", "document_no", "issuer", "issued", "indicators")
_INDICATOR_KEYS = (
    "id", "name", "unit", "direction", "baseline", "target", "bureau", "sectors", "source",
    "bound_to", "note",
)  # fmt: skip


class PlanError(ValueError):
    """Plan files that cannot be used; ``problems`` are ``file:line: what`` lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Binding:
    """A computed value an indicator follows: ``kind`` of :data:`BINDINGS` and its keys."""

    kind: str
    sector: str | None = None
    service_type: str | None = None

    @property
    def computed(self) -> bool:
        """Whether the platform computes this value yet (:data:`COMPUTED_NOW`)."""
        return self.kind in COMPUTED_NOW

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind}
        if self.sector is not None:
            d["sector"] = self.sector
        if self.service_type is not None:
            d["service_type"] = self.service_type
        return d


@dataclass(frozen=True)
class Indicator:
    id: str
    name: Text
    unit: str
    direction: Direction
    target: float
    deadline: date
    bureau: str
    document: str
    clause: str
    baseline: float | None = None
    baseline_date: date | None = None
    bound_to: Binding | None = None
    note: str | None = None
    #: The platform's sectors whose bureau accounts report this indicator's values
    #: (``sectors:`` in the file; empty: the administrators only).
    sectors: tuple[str, ...] = ()

    @property
    def entry_sectors(self) -> tuple[str, ...]:
        """The sectors the indicator belongs to: its own ``sectors``, else the sector
        it is bound to (a satisfaction index belongs to that sector's bureau)."""
        if self.sectors:
            return self.sectors
        bound = self.bound_to.sector if self.bound_to is not None else None
        return () if bound is None else (bound,)


@dataclass(frozen=True)
class Plan:
    id: str
    name: Text
    document: str
    indicators: tuple[Indicator, ...]
    source: str
    document_no: str | None = None
    issuer: str | None = None
    issued: date | None = None

    def indicator(self, indicator_id: str) -> Indicator | None:
        return next((i for i in self.indicators if i.id == indicator_id), None)

    def to_dict(self) -> dict[str, Any]:
        """The plan itself, without its indicators (each reported on its own)."""
        return {
            "id": self.id,
            "name": self.name.to_dict(),
            "document": self.document,
            "document_no": self.document_no,
            "issuer": self.issuer,
            "issued": None if self.issued is None else self.issued.isoformat(),
            "indicators": len(self.indicators),
        }


def builtin_dir() -> Path:
    """The repository's ``plans/`` folder of shipped plans."""
    return Path(__file__).resolve().parents[2] / "plans"


def discover(paths: Iterable[str | Path] | None = None) -> list[Path]:
    """Expand ``paths`` to plan files as questionnaire files are found (a folder: its
    ``*.yaml`` and ``*.yml`` by name; :func:`surveyapp.questionnaire.discover`); no
    paths means :func:`builtin_dir`.  :class:`FileNotFoundError` for a missing path."""
    return discover_yaml([builtin_dir()] if paths is None else paths)


class _Checker:
    """Collects the problems of one document, each at the line of what it is about."""

    def __init__(self, doc: Document, source: str, problems: list[str]) -> None:
        self.doc = doc
        self.source = source
        self.problems = problems

    def add(self, path: tuple[str | int, ...], what: str) -> None:
        self.problems.append(f"{self.source}:{self.doc.line(path)}: {what}")

    def keys(
        self, data: dict[str, Any], at: tuple[str | int, ...], allowed: tuple[str, ...]
    ) -> None:
        for key in data:
            if key not in allowed:
                self.add((*at, key), f"unknown key {key!r} (one of {', '.join(allowed)})")

    def text(self, data: dict[str, Any], at: tuple[str | int, ...], key: str) -> str | None:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.add(
            (*at, key), f"{key} must be a non-empty text" if key in data else f"{key} is missing"
        )
        return None

    def optional_text(
        self, data: dict[str, Any], at: tuple[str | int, ...], key: str
    ) -> str | None:
        return self.text(data, at, key) if key in data else None

    def name(self, data: dict[str, Any], at: tuple[str | int, ...]) -> Text | None:
        value = data.get("name")
        if isinstance(value, dict):
            self.keys(value, (*at, "name"), ("zh", "en"))
            zh, en = value.get("zh"), value.get("en")
            if isinstance(zh, str) and zh.strip() and isinstance(en, str) and en.strip():
                return Text(zh.strip(), en.strip())
        self.add(
            (*at, "name"), "name needs zh and en text" if "name" in data else "name is missing"
        )
        return None

    def number(self, data: dict[str, Any], at: tuple[str | int, ...], key: str) -> float | None:
        value = data.get(key)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            shown = "missing" if key not in data else f"not {value!r}"
            self.add((*at, key), f"{key} must be a number ({shown})")
            return None
        return float(value)

    def day(self, data: dict[str, Any], at: tuple[str | int, ...], key: str) -> date | None:
        value = data.get(key)
        if isinstance(value, date) and not isinstance(value, datetime):  # YAML's 2025-12-31
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        shown = "missing" if key not in data else f"not {value!r}"
        self.add((*at, key), f"{key} must be a date like 2025-12-31 ({shown})")
        return None

    def mapping(
        self, data: dict[str, Any], at: tuple[str | int, ...], key: str
    ) -> dict[str, Any] | None:
        value = data.get(key)
        if isinstance(value, dict):
            return value
        self.add((*at, key), f"{key} must be a mapping" if key in data else f"{key} is missing")
        return None


def _binding(check: _Checker, data: dict[str, Any], at: tuple[str | int, ...]) -> Binding | None:
    spec = check.mapping(data, at, "bound_to")
    if spec is None:
        return None
    at = (*at, "bound_to")
    kind = spec.get("kind")
    if not isinstance(kind, str) or kind not in BINDINGS:
        check.add((*at, "kind"), f"kind must be one of {', '.join(BINDINGS)}, not {kind!r}")
        return None
    required, optional = BINDINGS[kind]
    check.keys(spec, at, ("kind", *required, *optional))
    values: dict[str, str | None] = {}
    for key in (*required, *optional):
        values[key] = check.text(spec, at, key) if key in required or key in spec else None
    sector = values.get("sector")
    if sector is not None and sector not in {s.code for s in SECTORS}:
        check.add(
            (*at, "sector"),
            f"unknown sector {sector!r} (one of {', '.join(s.code for s in SECTORS)})",
        )
        return None
    if any(values[k] is None for k in required):
        return None
    return Binding(kind, values.get("sector"), values.get("service_type"))


def _sectors(check: _Checker, data: dict[str, Any], at: tuple[str | int, ...]) -> tuple[str, ...]:
    """``sectors: [catering, lodging]``: codes of the sector catalogue, each once."""
    value = data.get("sectors")
    codes = {s.code for s in SECTORS}
    if not isinstance(value, list) or not value:
        check.add((*at, "sectors"), "sectors must be a list of sector codes")
        return ()
    out: list[str] = []
    for i, code in enumerate(value):
        if not isinstance(code, str) or code not in codes:
            check.add(
                (*at, "sectors", i),
                f"unknown sector {code!r} (one of {', '.join(s.code for s in SECTORS)})",
            )
        elif code in out:
            check.add((*at, "sectors", i), f"sector {code!r} is listed twice")
        else:
            out.append(code)
    return tuple(out)


def _indicator(
    check: _Checker, entry: Any, at: tuple[str | int, ...], document: str | None
) -> Indicator | None:
    if not isinstance(entry, dict):
        check.add(
            at, "an indicator is a mapping (id, name, unit, direction, target, bureau, source)"
        )
        return None
    before = len(check.problems)
    check.keys(entry, at, _INDICATOR_KEYS)
    ident = entry.get("id")
    if not isinstance(ident, str) or not _ID.match(ident):
        check.add((*at, "id"), f"id must be lower-case letters, digits, - or _ (not {ident!r})")
    name = check.name(entry, at)
    unit = check.text(entry, at, "unit")
    direction = entry.get("direction")
    if direction not in DIRECTIONS:
        check.add((*at, "direction"), f"direction must be at_least or at_most, not {direction!r}")
    target = check.mapping(entry, at, "target")
    value = deadline = None
    if target is not None:
        check.keys(target, (*at, "target"), ("value", "deadline"))
        value = check.number(target, (*at, "target"), "value")
        deadline = check.day(target, (*at, "target"), "deadline")
    baseline = baseline_date = None
    if "baseline" in entry:
        given = check.mapping(entry, at, "baseline")
        if given is not None:
            check.keys(given, (*at, "baseline"), ("value", "date"))
            baseline = check.number(given, (*at, "baseline"), "value")
            baseline_date = check.day(given, (*at, "baseline"), "date")
            if baseline_date and deadline and baseline_date >= deadline:
                check.add(
                    (*at, "baseline", "date"),
                    f"the baseline's date {baseline_date} is not before the deadline {deadline}",
                )
    bureau = check.text(entry, at, "bureau")
    clause = source_document = None
    source = check.mapping(entry, at, "source")
    if source is not None:
        check.keys(source, (*at, "source"), ("document", "clause"))
        clause = check.text(source, (*at, "source"), "clause")
        source_document = check.optional_text(source, (*at, "source"), "document") or document
    bound = _binding(check, entry, at) if "bound_to" in entry else None
    sectors = _sectors(check, entry, at) if "sectors" in entry else ()
    note = check.optional_text(entry, at, "note")
    needed = (name, unit, bureau, clause, source_document, deadline, value)
    if len(check.problems) > before or any(v is None for v in needed):
        return None  # (no document: the plan's own is missing, reported at its line)
    assert name and unit and bureau and clause and source_document and deadline  # for mypy
    assert value is not None
    return Indicator(
        id=str(ident), name=name, unit=unit, direction=cast(Direction, direction),
        target=value, deadline=deadline, bureau=bureau, document=source_document,
        clause=clause, baseline=baseline, baseline_date=baseline_date, bound_to=bound,
        note=note, sectors=sectors,
    )  # fmt: skip


def _line_of(problem: str) -> int:
    """The line of a ``file:line: what`` problem (problems are listed by line)."""
    found = _LINE.match(problem)
    return int(found.group(1)) if found else 0


def load_plan(text: str, source: str = "plan") -> Plan:
    """Read and check one plan file's text; every problem at its line (:class:`PlanError`)."""
    try:
        doc, key_problems = read_lined(text, source)
    except LinedFileError as exc:
        raise PlanError(exc.problems) from None
    check = _Checker(doc, source, key_problems)
    data = doc.data
    if not isinstance(data, dict):
        raise PlanError(
            [f"{source}:1: a plan file is a mapping with id, name, document and indicators"]
        )
    check.keys(data, (), _PLAN_KEYS)
    ident = data.get("id")
    if not isinstance(ident, str) or not _ID.match(ident):
        check.add(("id",), f"id must be lower-case letters, digits, - or _ (not {ident!r})")
    name = check.name(data, ())
    document = check.text(data, (), "document")
    document_no = check.optional_text(data, (), "document_no")
    issuer = check.optional_text(data, (), "issuer")
    issued = check.day(data, (), "issued") if "issued" in data else None
    entries = data.get("indicators")
    if not isinstance(entries, list) or not entries:
        check.add(("indicators",), "indicators must be a list of at least one indicator")
        entries = []
    indicators: list[Indicator] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        indicator = _indicator(check, entry, ("indicators", i), document)
        ident_i = entry.get("id") if isinstance(entry, dict) else None
        if isinstance(ident_i, str):
            line = doc.line(("indicators", i, "id"))
            if ident_i in seen:
                check.add(
                    ("indicators", i, "id"),
                    f"indicator id {ident_i!r} is used already on line {seen[ident_i]}",
                )
                continue
            seen[ident_i] = line
        if indicator is not None:
            indicators.append(indicator)
    if check.problems:
        raise PlanError(sorted(check.problems, key=_line_of))
    assert name is not None and document is not None
    return Plan(str(ident), name, document, tuple(indicators), source, document_no, issuer, issued)


def read_plan(path: Path | str) -> Plan:
    """Read and check a plan file (UTF-8, a byte-order mark allowed)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PlanError([f"{path}:1: cannot be read ({exc.strerror or exc})"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise PlanError([f"{path}:{line}: not UTF-8 text"]) from None
    return load_plan(text, str(path))


def _checked(files: list[Path]) -> tuple[list[Plan], list[str]]:
    plans: list[Plan] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path in files:
        try:
            plan = read_plan(path)
        except PlanError as exc:
            problems.extend(exc.problems)
            continue
        if plan.id in seen:
            line = Document(path.read_text("utf-8-sig")).line(("id",))
            problems.append(
                f"{path}:{line}: plan id {plan.id!r} is used already by {seen[plan.id]}"
            )
            continue
        seen[plan.id] = str(path)
        plans.append(plan)
    return plans, problems


def validate_files(paths: Iterable[str | Path] | None = None) -> tuple[int, list[str]]:
    """Check every plan file of ``paths`` (as for :func:`discover`): the number of files
    and every problem as a ``file:line: what`` line (two files may not share a plan id)."""
    files = discover(paths)
    return len(files), _checked(files)[1]


def load_plans(paths: Iterable[str | Path] | None = None) -> list[Plan]:
    """The plans of ``paths`` (default: the shipped ones), all checked; :class:`PlanError`
    with every problem when any file is bad."""
    plans, problems = _checked(discover(paths))
    if problems:
        raise PlanError(problems)
    return plans


#: (path, modification time, size) of every file → its plans: the pages and the API
#: read the plan files on every request, parsed once until a file changes.
_PARSED: dict[tuple[tuple[str, int, int], ...], list[Plan]] = {}


def current_plans(paths: Iterable[str | Path] | None = None) -> list[Plan]:
    """:func:`load_plans`, kept while no file of ``paths`` changes (a changed, added or
    removed file is read again): parsing the YAML with its line marks costs more than
    the rest of a plan page."""
    files = discover(paths)
    signature = tuple((str(f), (st := f.stat()).st_mtime_ns, st.st_size) for f in files)
    found = _PARSED.get(signature)
    if found is None:
        found = load_plans(files)
        _PARSED.clear()  # one set of files per process: keep only the latest
        _PARSED[signature] = found
    return list(found)


def satisfaction_targets(plans: Iterable[Plan], sector: str) -> list[tuple[Plan, Indicator]]:
    """The plans' satisfaction goals for ``sector`` (each plan its own: 80 in one, 90 in
    another), as the indicators bound to the sector's satisfaction index or rate, by
    deadline: what the plan-progress section and a plan page judge the sector against,
    instead of one global goal."""
    found = [
        (plan, indicator)
        for plan in plans
        for indicator in plan.indicators
        if indicator.bound_to is not None
        and indicator.bound_to.kind in ("satisfaction_index", "satisfaction_rate")
        and indicator.bound_to.sector == sector
    ]
    return sorted(found, key=lambda pi: (pi[1].deadline, pi[0].id, pi[1].id))

"""The inspection draw: which providers are inspected this period, and by whom.

"Double random" (双随机) means the providers and the inspectors are both drawn at
random; "one public" (一公开) means the draw and its results are published together
after the inspections.  A draw that nobody can check is worth little, so this one is
*reproducible by anyone* from the published plan, without this software's random
stream or any library's (those change between versions):

* every input the draw depends on (the providers and their risk classes, the sampling
  rate of each class in per mille, the inspector pool, the declared conflicts of
  interest, the previous period's provider-inspector pairs) is written as canonical
  JSON (keys sorted, no spaces, UTF-8) and its SHA-256 sealed in the plan;
* within each class, providers are ordered by the SHA-256 of ``"{seed}:{id}"`` (hex,
  ascending) and the first ``ceil(rate * size / 1000)`` are drawn, in integers;
* for each drawn provider, inspectors are ordered by the SHA-256 of
  ``"{seed}:{provider id}:{inspector id}"`` and the first two that break no conflict
  rule are assigned: an inspector never inspects the provider they inspected in the
  previous period, nor one they declared a conflict with.  A provider for whom no
  such pair exists is listed as unassigned (a bureau must widen the pool).

``id`` is the provider's unified social credit code, else its registration number.
Everything here is pure: the caller gathers the inputs (registry, classes, settings)
and stores or prints the plan.
"""

from __future__ import annotations

import hashlib
import heapq
import importlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

CLASSES = ("A", "B", "C", "D")
INSPECTORS_PER_PROVIDER = 2
_NONE: frozenset[str] = frozenset()


def _sha256() -> Callable[[bytes], Any]:
    """SHA-256 as the interpreter builds it (``_sha2`` from Python 3.12, ``_sha256``
    before), else hashlib's: the same digests, at about a third less cost per short message
    than OpenSSL's through hashlib, and the draw hashes ~400,000 of them at 100,000
    providers (the hashes, not the library, are what the plan fixes)."""
    for name in ("_sha2", "_sha256"):
        try:
            return importlib.import_module(name).sha256  # type: ignore[no-any-return]
        except (ImportError, AttributeError):
            continue
    return hashlib.sha256


sha256 = _sha256()


class PlanError(ValueError):
    """Inputs or a plan file that cannot be drawn from; the message says what is wrong."""


@dataclass(frozen=True)
class DrawInputs:
    """Everything a draw depends on; ``providers`` maps a provider id to its class."""

    sector: str
    period: str
    providers: Mapping[str, str]
    rates_per_mille: Mapping[str, int]
    inspectors: Sequence[str]
    districts: Sequence[str] = ()
    conflicts: Sequence[tuple[str, str]] = ()  # (provider id, inspector id)
    previous_pairs: Sequence[tuple[str, str]] = ()  # (provider id, inspector id)

    def as_json(self) -> dict[str, Any]:
        """The inputs as the plan records them: sorted, so equal inputs hash equally."""
        return {
            "sector": self.sector,
            "period": self.period,
            "districts": sorted(self.districts),
            "providers": [
                {"id": pid, "class": self.providers[pid]} for pid in sorted(self.providers)
            ],
            "rates_per_mille": {
                c: int(self.rates_per_mille[c]) for c in sorted(self.rates_per_mille)
            },
            "inspectors": sorted(self.inspectors),
            "conflicts": sorted([p, i] for p, i in self.conflicts),
            "previous_pairs": sorted([p, i] for p, i in self.previous_pairs),
        }

    @classmethod
    def from_json(cls, data: Any) -> DrawInputs:
        """Inputs read back from a plan (``--verify``); a malformed plan is a PlanError."""
        try:
            return cls(
                sector=str(data["sector"]),
                period=str(data["period"]),
                districts=[str(d) for d in data.get("districts", [])],
                providers={str(p["id"]): str(p["class"]) for p in data["providers"]},
                rates_per_mille={str(c): int(r) for c, r in data["rates_per_mille"].items()},
                inspectors=[str(i) for i in data["inspectors"]],
                conflicts=[(str(p), str(i)) for p, i in data.get("conflicts", [])],
                previous_pairs=[(str(p), str(i)) for p, i in data.get("previous_pairs", [])],
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise PlanError(f"the plan's inputs are incomplete or malformed ({exc!s})") from None


@dataclass(frozen=True)
class DrawPlan:
    """A sealed draw: the seed, the inputs and their hash, the drawn and unassigned."""

    seed: int
    inputs: DrawInputs
    drawn: list[dict[str, Any]] = field(default_factory=list)
    unassigned: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "inputs_sha256": inputs_sha256(self.inputs),
            "inputs": self.inputs.as_json(),
            "drawn": self.drawn,
            "unassigned": self.unassigned,
        }


def canonical_json(value: Any) -> bytes:
    """Keys sorted, no spaces, UTF-8 (not ASCII escapes): the bytes that are hashed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def inputs_sha256(inputs: DrawInputs) -> str:
    return hashlib.sha256(canonical_json(inputs.as_json())).hexdigest()


def _check(inputs: DrawInputs) -> None:
    unknown = sorted({c for c in inputs.providers.values() if c not in CLASSES})
    if unknown:
        raise PlanError(f"unknown risk class {', '.join(unknown)} (classes are A, B, C, D)")
    for cls, rate in inputs.rates_per_mille.items():
        if cls not in CLASSES:
            raise PlanError(f"a sampling rate for unknown class {cls}")
        if not 0 <= int(rate) <= 1000:
            raise PlanError(f"the sampling rate of class {cls} is {rate}‰: it must be 0 to 1000")
    missing = sorted(set(inputs.providers.values()) - set(inputs.rates_per_mille))
    if missing:
        raise PlanError(f"no sampling rate for class {', '.join(missing)}")
    if len(set(inputs.inspectors)) != len(inputs.inspectors):
        raise PlanError("an inspector is listed twice in the pool")


def draw(inputs: DrawInputs, seed: int) -> DrawPlan:
    """Draw by the hash-ordering rule (see the module docstring)."""
    _check(inputs)
    barred: dict[str, set[str]] = {}
    for p, i in (*inputs.conflicts, *inputs.previous_pairs):
        barred.setdefault(p, set()).add(i)
    encoded = [(iid, iid.encode("utf-8")) for iid in inputs.inspectors]
    drawn: list[dict[str, Any]] = []
    unassigned: list[dict[str, Any]] = []
    for cls in CLASSES:
        members = [pid for pid, c in inputs.providers.items() if c == cls]
        if not members:
            continue
        take = (int(inputs.rates_per_mille[cls]) * len(members) + 999) // 1000  # ceil, integers
        # raw digests order as their hex does (hex is the bytes in order), at less cost
        chosen = sorted(members, key=lambda pid: sha256(f"{seed}:{pid}".encode()).digest())
        for pid in chosen[:take]:
            # the first two in hash order that break no rule: the two smallest hashes among
            # the inspectors allowed (one hash of "seed:pid:" + the inspector id each)
            prefix = f"{seed}:{pid}:".encode()
            bar = barred.get(pid, _NONE)
            ranked = [
                (sha256(prefix + raw).digest(), iid) for iid, raw in encoded if iid not in bar
            ]
            pair = [iid for _, iid in heapq.nsmallest(INSPECTORS_PER_PROVIDER, ranked)]
            entry: dict[str, Any] = {"id": pid, "class": cls}
            if len(pair) < INSPECTORS_PER_PROVIDER:
                unassigned.append(entry)
            else:
                drawn.append({**entry, "inspectors": pair})
    return DrawPlan(seed, inputs, drawn, unassigned)


def verify_plan(plan: Any) -> list[str]:
    """What does not reproduce in a plan read from JSON; an empty list means it does.

    The sealed hash must match the inputs the plan carries, and drawing again from
    those inputs and the seed must give the same providers, classes and inspectors.
    """
    if not isinstance(plan, dict) or "inputs" not in plan or "seed" not in plan:
        raise PlanError("not a draw plan: it needs 'seed' and 'inputs'")
    try:
        seed = int(plan["seed"])
    except (TypeError, ValueError):
        raise PlanError(f"the seed {plan['seed']!r} is not an integer") from None
    inputs = DrawInputs.from_json(plan["inputs"])
    problems = []
    sealed = plan.get("inputs_sha256")
    actual = hashlib.sha256(canonical_json(plan["inputs"])).hexdigest()
    if sealed != actual:
        problems.append(f"inputs_sha256 is {sealed}, but the inputs hash to {actual}")
    if inputs.as_json() != plan["inputs"]:
        problems.append("the inputs are not in canonical order (they were edited)")
    again = draw(inputs, seed)
    if plan.get("drawn") != again.drawn:
        problems.append("the drawn providers or their inspectors differ from a fresh draw")
    if plan.get("unassigned", []) != again.unassigned:
        problems.append("the unassigned providers differ from a fresh draw")
    return problems

"""Load the reference data sets of ``results/`` (see make_data.py and make_reference.R)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis import DimensionSpec, ItemSpec, Margins, ResponseMatrix, ScoringSpec

RESULTS = Path(__file__).resolve().parent / "results"
RESPONDENT_COLUMNS = ("district", "age_group", "gender", "period")


def read_csv(name: str) -> list[dict[str, str]]:
    with open(RESULTS / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def load_spec(data: str) -> ScoringSpec:
    rows = read_csv(f"spec_{data}.csv")
    items = [r for r in rows if r["kind"] == "item"]
    overall = next(r for r in rows if r["kind"] == "overall")
    dims: dict[str, float] = {}
    for r in items:
        dims.setdefault(r["dimension"], float(r["dimension_weight"]))
    return ScoringSpec(
        id=f"ref{data}",
        version=1,
        dimensions=tuple(DimensionSpec(k, v) for k, v in dims.items()),
        items=tuple(
            ItemSpec(r["id"], r["dimension"], float(r["weight"]), float(r["min"]), float(r["max"]))
            for r in items
        ),
        overall_id=overall["id"],
        overall_min=float(overall["min"]),
        overall_max=float(overall["max"]),
        satisfied_threshold=float(overall["threshold"]),
    )


def load_matrix(data: str, spec: ScoringSpec) -> ResponseMatrix:
    rows = read_csv(f"responses_{data}.csv")

    def num(s: str) -> float:
        return float(s) if s.strip() else np.nan

    return ResponseMatrix(
        respondent_ids=np.array([r["respondent_id"] for r in rows], dtype=object),
        scores=np.array([[num(r[i]) for i in spec.item_ids] for r in rows]),
        overall=np.array([num(r[spec.overall_id]) for r in rows]),
        columns={c: np.array([r[c] for r in rows], dtype=object) for c in RESPONDENT_COLUMNS},
    )


def load_margins(name: str) -> Margins:
    return Margins.from_rows(
        (r["variable"], r["category"], float(r["population"])) for r in read_csv(name)
    )


@dataclass(frozen=True)
class Case:
    name: str
    data: str
    margins: str
    strata: str | None
    groupings: tuple[tuple[str, ...], ...]


def cases() -> list[Case]:
    out = []
    for r in read_csv("cases.csv"):
        out.append(
            Case(
                r["case"],
                r["data"],
                r["margins"],
                r["strata"] or None,
                tuple(tuple(g.split("+")) for g in r["groupings"].split(";")),
            )
        )
    return out


def reference(case: str) -> list[dict[str, str]]:
    return [r for r in read_csv("reference.csv") if r["case"] == case]


def reference_weights(case: str) -> dict[str, float]:
    return {r["respondent_id"]: float(r["w"]) for r in read_csv("weights.csv") if r["case"] == case}

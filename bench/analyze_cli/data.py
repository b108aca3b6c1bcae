"""The benchmark's files: a questionnaire YAML, RESPONSES.csv and MARGINS.csv (seeded).

The responses and margins are those of :mod:`bench.analysis` (18 items in five
dimensions and the overall item; district, age group, gender; one period), written in
the layout ``surveyapp analyze`` reads.
"""

from __future__ import annotations

from pathlib import Path

from bench.analysis import data
from bench.analysis.run import write_inputs


def questionnaire_yaml() -> str:
    """The YAML of a questionnaire whose scoring is :func:`bench.analysis.data.spec`."""
    sp = data.spec()
    lines = [
        "id: bench",
        "version: 1",
        "sector: catering",
        "title: {zh: 基准问卷, en: Benchmark questionnaire}",
        "goal: 80",
        "scale: {min: 1, max: 5}",
        f"overall: {{id: {sp.overall_id}, text: 总体满意度, satisfied_threshold: 4}}",
        "dimensions:",
    ]
    for dim in sp.dimensions:
        lines += [f"  - id: {dim.id}", f"    weight: {dim.weight}", "    items:"]
        lines += [f"      - {{id: {it.id}}}" for it in sp.items if it.dimension == dim.id]
    lines.append("respondent:")
    for rid, values in (
        ("district", data.DISTRICTS),
        ("age_group", data.AGES),
        ("gender", data.GENDERS),
    ):
        lines.append(f"  - {{id: {rid}, options: [{', '.join(values)}]}}")
    return "\n".join(lines) + "\n"


def write_files(n: int, folder: Path) -> tuple[Path, Path, Path]:
    """Questionnaire, responses and margins of ``n`` respondents in ``folder``."""
    responses, margins, _ = write_inputs(n, folder)
    q = folder / "questionnaire.yaml"
    q.write_text(questionnaire_yaml(), encoding="utf-8")
    return q, responses, margins

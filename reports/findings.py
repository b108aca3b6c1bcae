"""Key findings in words, written from the numbers of the sectors.

Three to five sentences: an overview of the verdicts on the index (each sentence names
the measure and its goal), the largest rise and the largest fall since the previous
period, the weakest dimension, and the districts whose index is significantly below the
goal (:func:`analysis.verdict_of`, the one verdict rule).  Every number goes through :mod:`reports.fmt`.
"""

from __future__ import annotations

from collections.abc import Sequence

from analysis import verdict_of

from . import fmt
from .content import SectorReport
from .texts import N_, Texts

__all__ = ["key_findings"]

MAX_DISTRICTS = 6


def key_findings(sectors: Sequence[SectorReport], texts: Texts, goal: float) -> list[str]:
    """The findings of a bulletin, as plain sentences (not markup)."""
    out: list[str] = []
    shown = [s for s in sectors if s.has_numbers]
    statuses = [verdict_of(s.result.index, s.result.small_sample) for s in shown if s.result]
    small = len(sectors) - len(shown)
    out.append(
        texts(
            "f_overview",
            k=len(sectors),
            goal=fmt.score(goal, 0),
            met=statuses.count("met"),
            not_met=statuses.count("not_met"),
            inc=statuses.count("inconclusive"),
            small=texts("f_overview_small", n=small) if small else "",
        )
    )

    changes = [(s, s.change.index) for s in shown if s.change is not None]
    if changes:
        rise = max(changes, key=lambda sc: sc[1].change)
        fall = min(changes, key=lambda sc: sc[1].change)
        for key, (sector, ch) in ((N_("f_rise"), rise), (N_("f_fall"), fall)):
            if (key == "f_rise" and ch.change <= 0) or (key == "f_fall" and ch.change >= 0):
                continue
            out.append(
                texts(
                    key,
                    sector=sector.title,
                    before=fmt.score(ch.before),
                    after=fmt.score(ch.after),
                    change=fmt.change(ch.change),
                    sig=texts("sig") if ch.significant else texts("not_sig"),
                )
            )

    weakest = [
        (s, d)
        for s in shown
        if s.result is not None
        for d in s.result.dimensions
        if fmt.is_number(d.estimate)
    ]
    if weakest:
        sector, dim = min(weakest, key=lambda sd: sd[1].estimate)
        out.append(
            texts(
                "f_weakest",
                sector=sector.title,
                dimension=sector.dimension_label(dim.id),
                score=fmt.score(dim.estimate),
            )
        )

    below = [
        (s, g)
        for s in shown
        if s.result is not None
        for g in s.result.groups
        if verdict_of(g.index, g.small_sample) == "not_met"
    ]
    if shown:
        if below:
            below.sort(key=lambda sg: sg[1].index.estimate)
            items = [
                texts(
                    "f_district_item",
                    district=s.group_label(next(iter(g.by.values()), "")),
                    sector=s.title,
                    score=fmt.score(g.index.estimate),
                )
                for s, g in below[:MAX_DISTRICTS]
            ]
            listed = texts("list_sep").join(items)
            if len(below) > MAX_DISTRICTS:
                listed += texts("f_more", n=len(below))
            out.append(texts("f_districts", items=listed, goal=fmt.score(goal, 0)))
        else:
            out.append(texts("f_districts_none", goal=fmt.score(goal, 0)))
    return out[:5]

"""The one scan of the published scores' refresh (numpy over each group's records)
counts exactly what the former SQL passes counted: the per-item tallies as a CASE per
answer position, the overall stars as :func:`~surveyapp.providers.scores.star_counts`."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import case, func, select

from analysis.provider_scores import ProviderTally, score_providers
from surveyapp.models import Provider, Rating
from surveyapp.models.provider_rating import RatingFormVersion
from surveyapp.models.review import COUNTED, HELD, REJECTED
from surveyapp.providers import published
from surveyapp.providers.published import ItemTallies, _item_rows, _scan, _sector_items
from surveyapp.providers.scores import ScoreWindow, score_window, star_counts
from surveyapp.ratings.forms import MAX_ITEMS, STARS, form_version, shipped_form, stored_form
from tests.providers.registry_data import REAL_CODES


def _stars_at(position: int) -> Any:
    byte = func.substr(Rating.answers, position, 1)
    return case(*((byte == bytes([v]), v) for v in STARS), else_=None)


def sql_item_tallies(session, window: ScoreWindow) -> dict:
    """The former tally, verbatim: one SQL pass with a CASE per item position."""
    positions = range(1, MAX_ITEMS + 1)
    picked = (
        select(Rating.provider_id, Rating.sector, Rating.form_id, Rating.form_version,
               *(_stars_at(p).label(f"b{p}") for p in positions))
        .where(Rating.created_at >= window.start, Rating.created_at < window.end,
               Rating.review == COUNTED)
        .subquery()
    )  # fmt: skip
    columns: list[Any] = []
    for p in positions:
        b = picked.c[f"b{p}"]
        columns += [func.count(b), func.count(case((b >= 4, 1))), func.sum(b), func.sum(b * b)]
    keys = (picked.c.provider_id, picked.c.sector, picked.c.form_id, picked.c.form_version)
    forms: dict = {}
    out: dict = {}
    for pid, sector, form_id, version, *sums in session.execute(
        select(*keys, *columns).group_by(*keys)
    ):
        if (form_id, version) not in forms:
            form = stored_form(session, form_id, version)
            forms[(form_id, version)] = form.item_ids if form is not None else ()
        items = out.setdefault((pid, sector), {})
        for i, item in enumerate(forms[(form_id, version)]):
            n, k, s1, s2 = (int(v or 0) for v in sums[4 * i : 4 * i + 4])
            if n:
                total = items.setdefault(item, [0, 0, 0, 0])
                for j, v in enumerate((n, k, s1, s2)):
                    total[j] += v
    return out


def _item_tallies(session, window: ScoreWindow) -> dict:
    """The scan's item tallies in the former tally's shape (summed over form versions)."""
    out: dict = {}
    for sector, (pids, items, counts) in _scan(session, [window]).items.items():
        for pid, item, c in zip(pids.tolist(), items, counts.tolist(), strict=True):
            total = out.setdefault((pid, sector), {}).setdefault(item, [0, 0, 0, 0])
            for j in range(4):
                total[j] += c[j]
    return out


def _as_columns(tallies: dict) -> ItemTallies:
    """(provider, sector) → item → tally, as the scan hands them to ``_item_rows``."""
    parts: dict = {}
    for (pid, sector), counted in tallies.items():
        for item, c in counted.items():
            parts.setdefault(sector, []).append((pid, item, c))
    return {
        sector: (np.array([e[0] for e in found], dtype=np.int64), [e[1] for e in found],
                 np.array([e[2] for e in found], dtype=np.int64).reshape(-1, 4))
        for sector, found in parts.items()
    }  # fmt: skip


def _second_version(session, sector: str) -> tuple[str, int]:
    """A version 2 of the sector's form: its items reversed, the first one dropped (the
    same item at another position of the answer bytes)."""
    form = shipped_form(sector)
    assert form is not None
    definition = form.definition()
    definition["items"] = list(reversed(definition["items"]))[:-1]
    digest = hashlib.sha256(repr(definition).encode()).hexdigest()
    session.add(RatingFormVersion(form_id=form.id, version=2, sector=sector,
                                  content_hash=digest, definition=definition))  # fmt: skip
    return form.id, 2


def test_the_numpy_tally_equals_the_sql_pass_on_a_mixed_data_set(session, monkeypatch):
    rng = np.random.default_rng(16)
    window = score_window(date(2026, 12, 6), 12)
    forms = {}
    for sector in ("catering", "elderly_care"):
        form = shipped_form(sector)
        assert form is not None
        forms[sector] = [(form.id, form_version(session, form).version)]
    forms["catering"].append(_second_version(session, "catering"))
    forms["catering"].append(("catering-rating", 9))  # a version never stored: ignored
    providers = []
    for i, code in enumerate([*REAL_CODES, None, None]):
        p = Provider(credit_code=code, registration_no=None if code else f"R{i:05d}",
                     name=f"店{i}", district="思茅区", service_types=[])  # fmt: skip
        p.sectors = ["catering", "elderly_care"]
        session.add(p)
        providers.append(p)
    session.flush()
    # bytes 1..5 are stars; 255 (unanswered), 0, 6 and 9 count nowhere
    values = np.array([1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 4, 5, 255, 255, 0, 6, 9], dtype=np.uint8)
    inside = window.end - window.start
    for r in range(600):
        p = providers[int(rng.integers(len(providers)))]
        sector = "catering" if rng.random() < 0.7 else "elderly_care"
        form_id, version = forms[sector][int(rng.integers(len(forms[sector])))]
        width = int(rng.integers(0, MAX_ITEMS + 3))  # shorter and longer than any form
        answers = bytes(rng.choice(values, width).tolist())
        offset = rng.uniform(-0.1, 1.1) * inside.total_seconds()  # some outside the window
        at = window.start + timedelta(seconds=offset)
        session.add(Rating(
            provider_id=p.id, sector=sector, form_id=form_id, form_version=version,
            answers=answers, overall=int(rng.integers(1, 6)), device_hash=f"d{r}",
            window_start=at.date(), created_at=at,
            review=str(rng.choice([COUNTED, COUNTED, COUNTED, HELD, REJECTED, "released"])),
        ))  # fmt: skip
    # a sector the catalogue does not know (read again by name), rated with a stored form
    for r, stars in enumerate((5, 2, 4)):
        at = window.start + inside / 2
        session.add(Rating(
            provider_id=providers[1].id, sector="bakery", form_id=forms["catering"][0][0],
            form_version=forms["catering"][0][1], answers=bytes([stars, 255, 3, 4]),
            overall=stars, device_hash=f"b{r}", window_start=at.date(), created_at=at,
        ))  # fmt: skip
    # the window's edges: the first instant counts, the end does not
    for at, stars in ((window.start, 5), (window.end, 1), (window.end - timedelta(seconds=1), 2)):
        session.add(Rating(
            provider_id=providers[0].id, sector="catering", form_id=forms["catering"][0][0],
            form_version=forms["catering"][0][1], answers=bytes([stars] * 5), overall=stars,
            window_start=at.date(), created_at=at,
        ))  # fmt: skip
    session.commit()

    expected = sql_item_tallies(session, window)
    got = _item_tallies(session, window)
    assert got == expected
    # the data set is mixed enough to mean something
    items = [t for per in expected.values() for t in per.values()]
    assert len(expected) == 13 and len(items) >= 50
    assert expected[(providers[1].id, "bakery")]
    assert any(t[0] != t[1] for t in items) and any(t[1] for t in items)
    # and nothing outside the window or not counted slipped in: one narrower window
    narrow = ScoreWindow(window.first, window.last, window.start + inside / 2, window.end)
    assert _item_tallies(session, narrow) == sql_item_tallies(session, narrow)
    empty = ScoreWindow(window.first, window.last, window.end, window.end)
    assert _item_tallies(session, empty) == {} == sql_item_tallies(session, empty)
    # the same scan's overall stars, one window or two (overlapping), as star_counts's
    for windows in ([window], [window, narrow], [narrow, empty]):
        assert _scan(session, windows).stars == star_counts(session, *windows)[: len(windows)]
    assert _scan(session, [window]).stars[0]  # not vacuous
    # read in many queries by rating id (the unknown sector among them): the same counts
    monkeypatch.setattr(published, "SCAN_CHUNK", 37)
    assert _item_tallies(session, window) == expected
    assert _scan(session, [window, narrow]).stars == star_counts(session, window, narrow)


def test_no_rating_in_the_window_tallies_nothing(session):
    window = score_window(date(2026, 12, 6), 12)
    assert _item_tallies(session, window) == {}
    assert datetime(2026, 12, 6, tzinfo=UTC) < window.end


def test_item_rows_carry_exactly_the_numbers_of_score_providers():
    """The columns path gives bit for bit what one ``score_providers`` call per sector
    (an item per group, the pooled prior below 10 rated providers) gives."""
    rng = np.random.default_rng(5)
    members, tallies = [], {}
    for sector, providers in (("catering", 40), ("lodging", 6)):  # lodging: pooled priors
        for pid in range(1, providers + 1):
            members.append((pid, sector))
            counted = {}
            for item in ("hygiene", "taste", "overall", "extra"):
                if rng.random() < 0.15:
                    continue  # nobody answered it
                stars = rng.integers(1, 6, int(rng.integers(1, 30)))
                counted[item] = [stars.size, int((stars >= 4).sum()), int(stars.sum()),
                                 int((stars * stars).sum())]  # fmt: skip
            tallies[(pid, sector)] = counted
    rows = {(r[0], r[1], r[2]): r for r in _item_rows(_as_columns(tallies), members, 5)}
    checked = 0
    for sector in ("catering", "lodging"):
        pids = [pid for pid, s in members if s == sector]
        items = _sector_items(sector, {i: [0] for p in pids for i in tallies[(p, sector)]})
        entries = [ProviderTally(str(pid), item, *tallies[(pid, sector)].get(item, (0, 0, 0, 0)))
                   for item in items for pid in pids]  # fmt: skip
        for fitted in score_providers(entries, min_n=5):
            for p in fitted.providers:
                row = rows[(int(p.id), sector, fitted.sector)]
                assert row[3:] == (
                    p.n, p.satisfied, p.published, p.posterior_share,
                    p.ci[0] if p.ci else None, p.ci[1] if p.ci else None, p.posterior_stars,
                    p.stars_ci[0] if p.stars_ci else None, p.stars_ci[1] if p.stars_ci else None,
                )  # fmt: skip
                checked += 1
    assert checked == len(rows)  # one row per provider and item, none left over

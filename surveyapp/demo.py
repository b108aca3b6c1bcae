"""A realistic synthetic data set so every page has something to show.

Pu'er City (普洱市, Yunnan) — the city of the plan documents — with its ten county-level
divisions.  The sample is deliberately unrepresentative (too young, too urban), as
online surveys are, so that weighting to the population margins matters.  Population
figures are rounded approximations for the demo, not official statistics.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

import numpy as np
from sqlalchemy import insert, select

from surveyapp.catalog import publish_questionnaire, questionnaire_of
from surveyapp.circle.demo import seed_circle
from surveyapp.complaints.demo import seed_complaints
from surveyapp.credit.demo import record_demo_classes, seed_credit_events
from surveyapp.inspections.demo import seed_inspections
from surveyapp.models import Response, Round
from surveyapp.models.base import DbSession, utcnow
from surveyapp.plans.demo import seed_plan_values
from surveyapp.questionnaire import builtin_dir, discover, load_questionnaire
from surveyapp.questionnaire.model import Questionnaire
from surveyapp.responses.codec import pack_answers, pack_profile
from surveyapp.rounds.service import create_round, current_quarter, quarter_bounds

# Approximate resident population (rounded), used as raking margins in the demo.
DISTRICT_POPULATION = {
    "思茅区": 418_000,
    "宁洱哈尼族彝族自治县": 177_000,
    "墨江哈尼族自治县": 296_000,
    "景东彝族自治县": 330_000,
    "景谷傣族彝族自治县": 283_000,
    "镇沅彝族哈尼族拉祜族自治县": 192_000,
    "江城哈尼族彝族自治县": 111_000,
    "孟连傣族拉祜族佤族自治县": 143_000,
    "澜沧拉祜族自治县": 454_000,
    "西盟佤族自治县": 86_000,
}
# District auxiliaries for the small-area estimates (invented, plausible): share of
# residents 60+, venues per 10,000, complaints per 10,000, last year's index.
DISTRICT_AUXILIARIES = {
    "思茅区": (0.14, 31.0, 6.2, 81.5),
    "宁洱哈尼族彝族自治县": (0.17, 18.5, 4.1, 78.0),
    "墨江哈尼族自治县": (0.18, 16.0, 3.8, 76.5),
    "景东彝族自治县": (0.19, 15.2, 3.5, 77.2),
    "景谷傣族彝族自治县": (0.18, 17.1, 4.4, 78.8),
    "镇沅彝族哈尼族拉祜族自治县": (0.20, 13.4, 3.1, 75.1),
    "江城哈尼族彝族自治县": (0.16, 12.8, 2.9, 76.0),
    "孟连傣族拉祜族佤族自治县": (0.15, 14.6, 3.3, 77.9),
    "澜沧拉祜族自治县": (0.17, 11.9, 2.7, 74.3),
    "西盟佤族自治县": (0.15, 10.5, 2.4, 73.8),
}
ADULT_SHARE = 0.78
AGE_SHARE = {"18-29": 0.19, "30-44": 0.28, "45-59": 0.29, "60+": 0.24}
SAMPLE_AGE_SHARE = {"18-29": 0.31, "30-44": 0.38, "45-59": 0.21, "60+": 0.10}
GENDER_SHARE = {"男": 0.51, "女": 0.49}
# Online samples over-represent the city district.
URBAN_BOOST = {"思茅区": 2.2}

SECTOR_LEVEL = {  # mean latent satisfaction on the 1..5 scale: some sectors meet 80, some not
    "catering": 4.1,
    "lodging": 4.35,
    "supermarket": 4.25,
    "elderly_care": 3.85,
    "domestic": 4.0,
    "logistics": 4.2,
}

SUGGESTIONS = {
    "catering": [
        "希望后厨更加公开透明，推广明厨亮灶。",
        "建议小份菜、半份菜更多一些，减少浪费。",
        "部分小吃店卫生条件还需改善。",
        "希望价格标示更清楚，不要有隐形消费。",
    ],
    "lodging": [
        "希望入住手续更简便，支持自助入住。",
        "部分民宿隔音较差。",
        "建议加强消防安全检查。",
    ],
    "supermarket": [
        "希望增设母婴室和无障碍卫生间。",
        "收银台排队时间太长。",
        "促销标签和实际价格有时不一致。",
    ],
    "elderly_care": [
        "希望社区日间照料中心增加康复服务。",
        "护理员人手不足，希望加强培训。",
        "希望养老机构能和医院签约，看病更方便。",
    ],
    "domestic": [
        "希望家政人员持证上岗，信息可查询。",
        "服务价格希望更透明。",
        "希望有正规的线上预约平台。",
    ],
    "logistics": ["希望快递能送到村里。", "快递柜不够用，经常满格。", "希望包裹破损能更快理赔。"],
}


@dataclass(frozen=True)
class DemoSummary:
    rounds: list[str]
    responses: int
    margins: dict[str, dict[str, float]]
    providers: int = 0
    ratings: int = 0


def population_margins() -> dict[str, dict[str, float]]:
    """District and age margins of the adult population; both sum to the same total."""
    adults: dict[str, float] = {d: round(p * ADULT_SHARE) for d, p in DISTRICT_POPULATION.items()}
    total = sum(adults.values())
    ages: dict[str, float] = {a: round(total * s) for a, s in AGE_SHARE.items()}
    ages["60+"] += total - sum(ages.values())
    return {"district": adults, "age_group": ages}


def demo_auxiliaries() -> dict[str, dict[str, float]]:
    """The demo city's district auxiliaries, as an admin uploads them on /admin/rounds."""
    names = ("elderly_share", "venues_per_10k", "complaints_per_10k", "last_year_index")
    return {d: dict(zip(names, v, strict=True)) for d, v in DISTRICT_AUXILIARIES.items()}


def margins_csv(margins: dict[str, dict[str, float]]) -> str:
    lines = ["variable,category,population"]
    for variable, cats in margins.items():
        lines += [f"{variable},{cat},{int(pop)}" for cat, pop in cats.items()]
    return "\n".join(lines) + "\n"


def previous_quarter(period: str) -> str:
    year, quarter = int(period[:4]), int(period[5])
    return f"{year - 1}Q4" if quarter == 1 else f"{year}Q{quarter - 1}"


def _pick(rng: np.random.Generator, shares: dict[str, float], n: int) -> np.ndarray:
    keys = list(shares)
    p = np.array([shares[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def synthesize(
    q: Questionnaire, n: int, rng: np.random.Generator, shift: float = 0.0
) -> list[dict]:
    """``n`` plausible responses to ``q``: correlated items, district and age effects."""
    district_q = q.respondent_question("district")
    districts = list(district_q.values)
    weights = {d: DISTRICT_POPULATION.get(d, 100_000) * URBAN_BOOST.get(d, 1.0) for d in districts}
    district = _pick(rng, weights, n)
    age = _pick(rng, SAMPLE_AGE_SHARE, n)
    gender = _pick(rng, GENDER_SHARE, n)
    d_effect = {d: e for d, e in zip(districts, rng.normal(0, 0.18, len(districts)), strict=True)}
    age_effect = {"18-29": -0.12, "30-44": -0.05, "45-59": 0.05, "60+": 0.15}
    base = SECTOR_LEVEL.get(q.sector, 3.9) + shift
    latent = (
        base
        + np.array([d_effect[d] for d in district])
        + np.array([age_effect[a] for a in age])
        + rng.normal(0, 0.55, n)
    )
    items = q.items
    dim_of = [i for i, dim in enumerate(q.dimensions) for _ in dim.items]
    dim_shift = rng.normal(0, 0.2, len(q.dimensions))
    raw = latent[:, None] + dim_shift[dim_of][None, :] + rng.normal(0, 0.6, (n, len(items)))
    scores = np.clip(np.rint(raw), 1, 5).astype(int)
    optional = np.array([not item.required for item in items])
    na = (rng.random((n, len(items))) < 0.05) & optional[None, :]
    straight = rng.random(n) < 0.02
    scores[straight] = rng.integers(3, 6, straight.sum())[:, None]
    na[straight] = False
    # most optional items without a score are a resident's "不了解/不适用" (stored as its
    # own code, 254, as the survey page stores it); the rest were left unanswered.  Chosen
    # by position, not drawn: the random stream (and so every demo figure) stays as it was
    cells = np.add.outer(np.arange(n), np.arange(len(items)))
    dont_know = na & (cells % 10 < 7)
    overall = np.clip(np.rint(latent + rng.normal(0, 0.45, n)), 1, 5).astype(int)
    duration = rng.lognormal(np.log(170), 0.4, n)
    speeders = rng.random(n) < 0.03
    duration[speeders] = rng.uniform(15, 40, speeders.sum())
    channel = _pick(rng, {"web": 0.7, "miniprogram": 0.2, "kiosk": 0.1}, n)
    suggestions = SUGGESTIONS.get(q.sector, ["希望服务更好。"])
    out = []
    for i in range(n):
        answers = {
            item.id: (None if na[i, j] else int(scores[i, j])) for j, item in enumerate(items)
        }
        answers[q.overall.id] = int(overall[i])
        unknown = {item.id for j, item in enumerate(items) if dont_know[i, j]}
        open_answers = None
        if q.open_questions and rng.random() < 0.3:
            open_answers = {
                q.open_questions[0].id: suggestions[int(rng.integers(len(suggestions)))]
            }
        out.append(
            {
                "respondent": {"district": district[i], "age_group": age[i], "gender": gender[i]},
                "answers": answers,
                "dont_know": unknown,
                "open": open_answers,
                "duration": float(duration[i]),
                "channel": channel[i],
            }
        )
    return out


def seed_demo(
    session: DbSession,
    per_round: int = 600,
    seed: int = 20261125,
    progress: Callable[[int], None] | None = None,
    auxiliaries: bool = False,
) -> DemoSummary:
    """Publish the shipped questionnaires and fill a previous (closed) and a current round
    each (with ``auxiliaries``, each round gets the district auxiliaries too)."""
    rng = np.random.default_rng(seed)
    now = utcnow()
    current = current_quarter(now)
    previous = previous_quarter(current)
    codes, total = [], 0
    for path in discover([builtin_dir()]):
        q = load_questionnaire(path)
        version = publish_questionnaire(session, q, path.read_text(encoding="utf-8-sig")).version
        q = questionnaire_of(version)
        for period, shift in ((previous, -0.08), (current, 0.0)):
            code = f"{q.id}-{period}".lower()
            if session.scalar(select(Round.id).where(Round.code == code)) is not None:
                continue
            start, end = quarter_bounds(period)
            round_ = create_round(
                session,
                version,
                period,
                opens_at=start,
                closes_at=end,
                code=code,
                targets={d: 60 for d in q.respondent_question("district").values},
            )
            # the demo city's population structure, uploaded onto each round as an admin
            # would on /admin/rounds: the only place the demo's margins are used
            round_.margins = population_margins()
            round_.auxiliaries = demo_auxiliaries() if auxiliaries else None
            if end <= now:
                round_.status = "closed"
                round_.closed_at = end
            span = (min(end, now) - start).total_seconds()
            records = []
            for answer in synthesize(q, per_round, rng, shift):
                submitted = start + timedelta(seconds=float(rng.uniform(0.02, 0.98)) * span)
                records.append(
                    {
                        "uid": secrets.token_hex(16),
                        "round_id": round_.id,
                        "questionnaire_version_id": version.id,
                        "submitted_at": submitted,
                        "started_at": submitted - timedelta(seconds=answer["duration"]),
                        "duration_seconds": answer["duration"],
                        "channel": answer["channel"],
                        # the survey pages sign their start stamp; the demo's kiosks and
                        # mini-programs are keys without trusted stamps
                        "stamp_trusted": answer["channel"] == "web",
                        "district": answer["respondent"]["district"],
                        "answers": pack_answers(q, answer["answers"], answer["dont_know"]),
                        "profile": pack_profile(q, answer["respondent"]),
                        "open_answers": answer["open"],
                    }
                )
            session.execute(insert(Response), records)
            session.commit()
            codes.append(code)
            total += len(records)
            if progress:
                progress(len(records))
    providers, ratings = seed_providers(session)  # a random stream of their own
    seed_circle(session, DISTRICT_POPULATION, DISTRICT_SEATS)  # communities, circle types
    seed_complaints(session, rng, now)  # two quarters of complaints, one publicity edition
    # penalties, listings, honours, repairs; last quarter's classes
    seed_credit_events(session, now)
    seed_inspections(session, now)  # last quarter's draw, its results, one 一公开 edition
    record_demo_classes(session, now)  # this quarter's classes: movers on /dashboard/credit
    seed_plan_values(session)  # two years of a few plan indicators, one corrected
    return DemoSummary(codes, total, population_margins(), providers, ratings)


# ---------------------------------------------------------------- providers and ratings

#: The demo's providers' own random stream: the responses' stream above is not touched,
#: so every demo figure of the rounds stays as it was.
PROVIDER_SEED = 20261206
#: Providers per sector (about 300 in all)
PROVIDERS_PER_SECTOR = {
    "catering": 90,
    "supermarket": 50,
    "lodging": 45,
    "domestic": 40,
    "logistics": 40,
    "elderly_care": 35,
}
#: Approximate county seats (WGS-84 degrees), for a provider's coordinates (jittered)
DISTRICT_SEATS = {
    "思茅区": (22.786, 100.977),
    "宁洱哈尼族彝族自治县": (23.061, 101.045),
    "墨江哈尼族自治县": (23.432, 101.692),
    "景东彝族自治县": (24.446, 100.834),
    "景谷傣族彝族自治县": (23.497, 100.702),
    "镇沅彝族哈尼族拉祜族自治县": (24.004, 101.108),
    "江城哈尼族彝族自治县": (22.585, 101.862),
    "孟连傣族拉祜族佤族自治县": (22.329, 99.584),
    "澜沧拉祜族自治县": (22.556, 99.932),
    "西盟佤族自治县": (22.644, 99.590),
}
_KINDS = {  # (name ending, service type)
    "catering": [("米线店", "早餐店"), ("饭店", "餐馆"), ("茶餐厅", "餐馆"), ("烧烤店", "餐馆"),
                 ("小吃店", "早餐店"), ("包子铺", "早餐店")],
    "supermarket": [("超市", "超市"), ("便利店", "便利店"), ("购物中心", "商场")],
    "lodging": [("宾馆", "宾馆"), ("酒店", "酒店"), ("客栈", "民宿"), ("民宿", "民宿")],
    "domestic": [("家政服务有限公司", "家政"), ("保洁服务部", "保洁"), ("月嫂服务中心", "母婴护理")],
    "logistics": [("快递服务站", "快递"), ("物流有限公司", "物流"), ("配送站", "快递")],
    "elderly_care": [("养老院", "养老机构"), ("日间照料中心", "社区养老"), ("护理院", "养老机构")],
}  # fmt: skip
_BRANDS = ("福源", "兴旺", "顺心", "鑫隆", "和美", "茶香", "云岭", "佳禾", "康宁", "普润",
           "澜沧江", "古道", "金象", "彩云", "安居", "恒信")  # fmt: skip


def _true_share(sector: str) -> float:
    """The sector's mean share of satisfied ratings the demo draws providers around."""
    return float(np.clip((SECTOR_LEVEL[sector] - 3.0) / 1.6, 0.3, 0.9))


def _demo_registry(rng: np.random.Generator) -> list[dict[str, str]]:
    """About 300 providers as rows of the registry file (the import's columns)."""
    from surveyapp.providers.credit_code import check_character

    weights = {d: p * URBAN_BOOST.get(d, 1.0) for d, p in DISTRICT_POPULATION.items()}
    index = {d: i for i, d in enumerate(DISTRICT_POPULATION)}
    rows, serial = [], 0
    for sector, count in PROVIDERS_PER_SECTOR.items():
        for district in _pick(rng, weights, count):
            serial += 1
            ending, service = _KINDS[sector][int(rng.integers(len(_KINDS[sector])))]
            brand = _BRANDS[int(rng.integers(len(_BRANDS)))]
            lat, lon = DISTRICT_SEATS[district] + rng.normal(0, 0.01, 2)
            place = district[:2]
            identifier = {"credit_code": "", "registration_no": ""}
            if sector == "catering" and rng.random() < 0.25:  # 个体户 without a credit code
                identifier["registration_no"] = f"53080{index[district]}600{serial:07d}"
            else:
                first17 = f"9153080{index[district]}MA{serial:07d}"
                identifier["credit_code"] = first17 + check_character(first17)
            rows.append({
                **identifier,
                "name": f"{place}{brand}{ending}（{serial}号）",
                "sector": sector,
                "district": district,
                "address": f"{district}{brand}路 {int(rng.integers(1, 300))} 号",
                "lat": f"{lat:.6f}",
                "lon": f"{lon:.6f}",
                "service_types": service,
            })  # fmt: skip
    return rows


def _rating_counts(rng: np.random.Generator, size: int) -> np.ndarray:
    """Ratings per provider: some none, some only 1-3 (shrinkage and the minimum-n rule
    visible), most a few dozen, a few several hundred (at most 400)."""
    kind = rng.random(size)
    many = np.clip(rng.lognormal(np.log(35), 0.9, size).astype(int), 4, 400)
    few = rng.integers(1, 4, size)
    return np.where(kind < 0.08, 0, np.where(kind < 0.23, few, many))


def seed_providers(session: DbSession, seed: int = PROVIDER_SEED) -> tuple[int, int]:
    """About 300 providers across Pu'er's districts and the six sectors, imported through
    the registry service (checked by the import's rules, audited), and their ratings over
    the last eleven months: each provider's true share of satisfied ratings drawn from a
    Beta around its sector's level, 0-400 ratings each.  Nothing is added when the demo's
    providers are there already.  Returns (providers imported, ratings stored)."""
    from surveyapp.models import Provider, Rating
    from surveyapp.providers.manage import record_of
    from surveyapp.providers.registry import import_registry
    from surveyapp.providers.registry_file import RegistryFile
    from surveyapp.ratings.forms import form_version, shipped_form
    from surveyapp.ratings.submit import NOT_ANSWERED, window_start
    from surveyapp.rounds.dates import china_today

    rng = np.random.default_rng(seed)
    rows = _demo_registry(rng)
    keys = [r["credit_code"] or r["registration_no"] for r in rows]
    if session.scalar(select(Provider.id).where(Provider.credit_code == keys[-1])) is not None:
        return 0, 0
    records = tuple(
        replace(record_of(row), row=i + 2) for i, row in enumerate(rows)
    )  # the import's own checks, row by row
    import_registry(session, RegistryFile("demo-registry.csv", "utf-8", records, ()), "demo")
    ids = {
        credit or registration: pid
        for pid, credit, registration in session.execute(
            select(Provider.id, Provider.credit_code, Provider.registration_no)
        )
    }
    versions = {s: form_version(session, form) for s in PROVIDERS_PER_SECTOR
                if (form := shipped_form(s)) is not None}  # fmt: skip
    now = utcnow()
    counts = _rating_counts(rng, len(rows))
    ratings = []
    for row, key, n in zip(rows, keys, counts, strict=True):
        sector = row["sector"]
        version = versions.get(sector)
        if version is None or n == 0:
            continue
        m = _true_share(sector)
        share = rng.beta(m * 8, (1 - m) * 8)
        satisfied = rng.random(n) < share
        overall = np.where(
            satisfied,
            np.where(rng.random(n) < 0.55, 5, 4),
            rng.choice([1, 2, 3], size=n, p=[0.2, 0.3, 0.5]),
        )
        age = rng.uniform(0, 330, n)  # days before now: inside the 12-month window
        items = version.form.item_ids
        noise = rng.integers(-1, 2, (n, len(items)))
        skipped = rng.random((n, len(items))) < 0.1
        pid = ids[key]
        # every item near the overall stars, a tenth not answered; the same draws as
        # before, made into one byte per item by whole arrays
        stars = np.clip(overall[:, None] + noise, 1, 5)
        stars[skipped] = NOT_ANSWERED
        stars[:, items.index("overall")] = overall
        answers = stars.astype(np.uint8)
        for i in range(n):
            at = now - timedelta(days=float(age[i]))
            ratings.append({
                "provider_id": pid, "sector": sector, "form_id": version.form.id,
                "form_version": version.version, "answers": answers[i].tobytes(),
                "overall": int(overall[i]), "device_hash": f"demo:{pid}:{i}",
                "window_start": window_start(china_today(at), 30), "created_at": at,
            })  # fmt: skip
    for start in range(0, len(ratings), 5000):
        session.execute(insert(Rating), ratings[start : start + 5000])
    session.commit()
    return len(records), len(ratings)

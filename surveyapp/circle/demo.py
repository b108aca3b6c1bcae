"""The demo's 15-minute circle: Pu'er communities around the county seats, and the
circle's service types on the demo's providers, so that some communities lack some
services.

The demo's providers (:func:`surveyapp.demo.seed_providers`) sit around each county seat
(a normal spread of about a kilometre) with their own kinds (超市, 家政, 社区养老 …).
Here each open provider also offers the circle's types that its kind plausibly does
(a supermarket sells vegetables and takes utility payments, a hotel launders, a
logistics firm collects recyclables …), for a share of them only, through the
registry's edit (audited as any edit).  The communities are placed in two rings: most
in the town around the seat, where some services are within 1,000 m, and villages a
few kilometres out, which lack most.  Its own random stream, so the rest of the demo's
figures stay as they were.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping

import numpy as np
from sqlalchemy import select

from surveyapp.circle.communities import import_communities, stored_count
from surveyapp.models.base import DbSession
from surveyapp.models.provider import Provider

__all__ = ["CIRCLE_SEED", "COMMUNITIES_PER_100K", "seed_circle"]

CIRCLE_SEED = 20261207
#: Communities per 100,000 residents of a district (about 240 in all)
COMMUNITIES_PER_100K = 9
#: Share of the communities placed as villages 2.5-8 km from the seat
VILLAGE_SHARE = 0.3
#: The circle's types a provider of a kind may also offer, with the chance it does
EXTRA_TYPES: dict[str, tuple[tuple[str, float], ...]] = {
    "便利店": (("代收代缴", 0.7),),
    "超市": (("蔬菜零售", 0.8), ("便利店", 0.5), ("代收代缴", 0.5)),
    "商场": (("美容美发", 0.8), ("洗染", 0.5)),
    "家政": (("家政服务", 0.9),),
    "保洁": (("家政服务", 0.8), ("洗染", 0.3)),
    "母婴护理": (("家政服务", 0.7),),
    "宾馆": (("洗染", 0.4),),
    "酒店": (("洗染", 0.4), ("美容美发", 0.3)),
    "快递": (("代收代缴", 0.4),),
    "物流": (("再生资源回收", 0.6),),
    "养老机构": (("养老", 0.9), ("卫生", 0.4)),
    "社区养老": (("养老", 0.9), ("文化", 0.3), ("体育", 0.3)),
}
_NAMES = ("茶苑", "振兴", "金鸡", "月光", "南屏", "思茅", "人民", "民主", "康平", "北部",
          "石屏", "梅子", "洗马", "倚象", "云仙", "营盘", "龙潭", "新村", "文化", "和平",
          "翠云", "东城", "西城", "南门", "北门", "团结", "建设", "兴隆", "太阳", "红旗")  # fmt: skip


def _extra_types(session: DbSession, rng: np.random.Generator) -> int:
    """Add the circle's types to the open demo providers (registry edit, audited);
    returns how many providers changed."""
    from surveyapp.providers.export import COLUMNS, registry_row
    from surveyapp.providers.manage import edit_provider

    changed = 0
    providers = session.scalars(
        select(Provider).where(Provider.status == "open").order_by(Provider.id)
    ).all()
    for p in providers:
        types = list(p.service_types or ())
        for kind in list(types):
            for extra, chance in EXTRA_TYPES.get(kind, ()):
                if rng.random() < chance and extra not in types:
                    types.append(extra)
        if types != list(p.service_types or ()):
            values = dict(zip(COLUMNS, registry_row(p), strict=True))
            values["service_types"] = ";".join(types)
            if edit_provider(session, p, values, "demo"):
                changed += 1
    session.commit()
    return changed


def demo_communities(
    rng: np.random.Generator,
    populations: Mapping[str, int],
    seats: Mapping[str, tuple[float, float]],
) -> list[dict[str, str]]:
    """Communities per district (rows of the communities file, WGS-84): about
    :data:`COMMUNITIES_PER_100K` per 100,000 residents, around the district's seat."""
    rows: list[dict[str, str]] = []
    for district, population in populations.items():
        seat = np.asarray(seats[district])
        n = max(4, round(population / 100_000 * COMMUNITIES_PER_100K))
        place = district[:2]
        for j in range(n):
            village = rng.random() < VILLAGE_SHARE
            base = (
                place
                + _NAMES[j % len(_NAMES)]
                + (str(j // len(_NAMES) + 1) if j >= len(_NAMES) else "")
            )
            if village:
                angle = rng.uniform(0, 2 * np.pi)
                km = rng.uniform(2.5, 8.0)
                step = np.array([np.sin(angle), np.cos(angle) / np.cos(np.radians(seat[0]))])
                lat, lon = seat + step * km / 111.2
                name, people = f"{base}村", int(rng.integers(300, 2500))
            else:
                lat, lon = seat + rng.normal(0, 0.011, 2)
                name, people = f"{base}社区", int(rng.integers(1500, 9000))
            rows.append({"community": name, "district": district, "population": str(people),
                         "lat": f"{lat:.6f}", "lon": f"{lon:.6f}"})  # fmt: skip
    return rows


def seed_circle(
    session: DbSession,
    populations: Mapping[str, int],
    seats: Mapping[str, tuple[float, float]],
    seed: int = CIRCLE_SEED,
) -> tuple[int, int]:
    """The demo's communities (``populations`` and county ``seats`` per district) (through the communities import, as a bureau's file) and
    the circle's types on its providers.  Nothing is done when communities are stored
    already.  Returns (communities stored, providers given circle types)."""
    if stored_count(session)[0]:
        return 0, 0
    rng = np.random.default_rng(seed)
    changed = _extra_types(session, rng)
    rows = demo_communities(rng, populations, seats)
    columns = ("community", "district", "population", "lat", "lon")
    text = ",".join(columns) + "\n" + "".join(",".join(r[c] for c in columns) + "\n" for r in rows)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "puer-communities.csv")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        summary = import_communities(session, path, name="puer-communities.csv", actor="demo")
    return summary.stored, changed

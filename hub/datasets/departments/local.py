"""住建 housing aid, 应急 disaster aid and 乡村振兴 monitoring."""

from __future__ import annotations

import random
from datetime import date, timedelta

from hub.datasets.catalog import DISASTER_ITEMS, DISASTERS, RISKS
from hub.datasets.ids import AREA_CODES, phone_text
from hub.datasets.records import Rec, Slot, fmt_date
from hub.datasets.world import Household, World


def build_zhujian(rng: random.Random, world: World) -> list[Rec]:
    """One row per housing-aid grant."""
    out = []
    for h in sorted(world.housing, key=lambda h: (h.person.hh.region.code, h.start)):
        style = rng.randrange(4)
        hh = h.person.hh
        rec = Rec(["", h.person.name, h.person.id18, str(max(1, len(hh.living))), h.kind,
                   h.address, fmt_date(h.start, style), fmt_date(h.end, style), str(h.amount),
                   phone_text(rng, AREA_CODES[hh.region.code])],
                  [Slot("保障对象", h.person, 1, 2)], h.protected)
        h.rec = rec
        out.append(rec)
    return out


def build_yingji(rng: random.Random, world: World) -> list[Rec]:
    """One-off disaster-aid payments to about 4 % of households (mostly rural)."""
    as_of = world.as_of
    out = []
    for hh in world.households:
        adults = [p for p in hh.living if p.age(as_of) >= 18]
        if not adults or rng.random() > (0.06 if not hh.urban else 0.015):
            continue
        p = adults[0]
        happened = as_of - timedelta(days=rng.randint(60, 700))
        paid = min(as_of - timedelta(days=1), happened + timedelta(days=rng.randint(15, 90)))
        item, lo, hi = rng.choice(DISASTER_ITEMS)
        amount = rng.randrange(lo, hi + 1, 100 if hi < 5000 else 1000)
        style = rng.randrange(4)
        out.append(Rec(["", p.name, p.id18, hh.region.code, rng.choice(DISASTERS),
                        fmt_date(happened, style), item, str(amount), fmt_date(paid, style)],
                       [Slot("救助对象", p, 1, 2)]))
    return out


def choose_monitored(rng: random.Random, world: World) -> list[Household]:
    """Rural households at risk of returning to poverty."""
    out = []
    for hh in world.households:
        e = world.eligibility[hh.uid]
        if hh.urban or not hh.living:
            continue
        poorish = e["category"] in ("低保", "低保边缘", "刚性支出困难", "特困") or (
            e["n"] and float(e["pc"]) < 2 * hh.std)
        if poorish and rng.random() < 0.3:
            out.append(hh)
    return out


def build_xiangcun(rng: random.Random, world: World, monitored: list[Household]) -> list[Rec]:
    """One row per monitored household."""
    out = []
    as_of = world.as_of
    for hh in monitored:
        e = world.eligibility[hh.uid]
        head = next((p for p in hh.living if p.relation == "户主"), hh.living[0])
        risks = rng.sample(RISKS, rng.choice((1, 1, 2)))
        included = max(date(2021, 1, 1), as_of - timedelta(days=rng.randint(30, 1800)))
        out.append(Rec(["", head.name, head.id18, hh.region.code, str(len(hh.living)),
                        rng.choice(("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")),
                        "、".join(risks), fmt_date(included, rng.randrange(4)),
                        str(round(12 * float(e["pc"]) * rng.uniform(0.9, 1.1))),
                        rng.choice(("是", "否", "否")),
                        phone_text(rng, AREA_CODES[hh.region.code])],
                       [Slot("户主", head, 1, 2)]))
    return out

"""Medical settlements (医保) over the two years before as-of, incl. 重特大疾病."""

from __future__ import annotations

import random
from datetime import date, timedelta

from hub.datasets.catalog import ORDINARY_DIAGNOSES
from hub.datasets.world import Person, Settlement, World

_TOWN_CLINIC = "{t}卫生院"


def window_ok(settled: date, as_of: date) -> bool:
    """Keep settlement dates away from the 365-day boundary (no ambiguity)."""
    return abs((as_of - settled).days - 365) > 3


def in_rigid_window(settled: date, as_of: date) -> bool:
    """Settled in the 365 days up to as-of."""
    return 0 <= (as_of - settled).days < 365


def insurance_type(p: Person) -> str:
    """城镇职工 for employees and employee pensioners, else 城乡居民."""
    employee = p.employment == "就业" or p.pension_type == "城镇职工基本养老保险"
    return "城镇职工" if employee else "城乡居民"


def make_settlement(rng: random.Random, p: Person, visit: str, diagnosis: str, settled: date,
                    total: float | None = None) -> Settlement:
    """One settlement with plausible fund shares (medical aid is decided later)."""
    hh = p.hh
    if total is None:
        lo, hi = {"普通门诊": (60, 900), "门诊慢特病": (300, 4500),
                  "住院": (2500, 45000)}[visit]
        if diagnosis and visit == "住院" and rng.random() < 0.6:
            lo, hi = 12000, 120000
        total = rng.uniform(lo, hi)
    total = round(total, 2)
    employee = insurance_type(p) == "城镇职工"
    if visit == "住院":
        share = rng.uniform(0.72, 0.85) if employee else rng.uniform(0.55, 0.7)
    else:
        share = rng.uniform(0.5, 0.7) if employee else rng.uniform(0.35, 0.6)
    basic = round(total * share, 2)
    serious = 0.0
    if visit == "住院" and not employee and total - basic > 15000:
        serious = round((total - basic - 15000) * 0.6, 2)
    if visit == "住院" or (not hh.urban and rng.random() < 0.5):
        hospital = (_TOWN_CLINIC.format(t=hh.township) if not hh.urban and rng.random() < 0.35
                    else rng.choice(hh.region.hospitals))
    else:
        hospital = rng.choice(hh.region.hospitals)
    admitted = settled - timedelta(days=rng.randint(2, 25)) if visit == "住院" else None
    return Settlement(p, visit, hospital, admitted, settled, diagnosis, total, basic, serious)


def build_settlements(rng: random.Random, world: World) -> None:
    """Ordinary settlements for everyone alive, several major ones for the seriously ill."""
    as_of = world.as_of
    for hh in world.households:
        for p in hh.living:
            age = p.age(as_of)
            count = rng.choices((0, 1, 2, 3, 4), weights=(
                (2, 3, 3, 2, 1) if age >= 60 else (6, 3, 1, 0.3, 0.1)))[0]
            for _ in range(count):
                visit = rng.choices(("普通门诊", "门诊慢特病", "住院"), weights=(4, 2, 3))[0]
                add(world, make_settlement(rng, p, visit, rng.choice(ORDINARY_DIAGNOSES),
                                           settle_date(rng, as_of)))
            if p.illness:
                for _ in range(rng.randint(2, 6)):
                    visit = rng.choice(("住院", "门诊慢特病", "住院"))
                    add(world, make_settlement(rng, p, visit, p.illness, settle_date(rng, as_of)))


def settle_date(rng: random.Random, as_of: date, recent: bool = False) -> date:
    """A settlement date in the two years (or, if ``recent``, the year) before as-of."""
    while True:
        d = as_of - timedelta(days=rng.randint(1, 360 if recent else 725))
        if window_ok(d, as_of):
            return d


def add(world: World, s: Settlement) -> None:
    """Register a settlement."""
    world.settlements.append(s)


def ensure_rigid(rng: random.Random, world: World, rigid_needed: dict[str, float]) -> None:
    """Add large hospital bills so that 刚性支出困难 targets really qualify.

    Args:
        rng: random source.
        world: the world.
        rigid_needed: household uid -> the 12-month self-pay that is still missing.
    """
    by_uid = {hh.uid: hh for hh in world.households}
    for uid, missing in rigid_needed.items():
        hh = by_uid[uid]
        p = max(hh.living, key=lambda q: q.age(world.as_of))
        goal = missing * rng.uniform(1.15, 1.6) + 200
        while goal > 0:
            total = min(goal, 60000) / 0.4 + rng.uniform(0, 500)
            s = make_settlement(rng, p, "住院", p.illness or rng.choice(ORDINARY_DIAGNOSES),
                                settle_date(rng, world.as_of, recent=True), total)
            add(world, s)
            goal -= s.self_pay

"""Staff roster: ordinary residents who work for 民政, towns, villages and communities."""

from __future__ import annotations

import random
from datetime import date

from hub.datasets.catalog import (
    BUREAU_TITLES,
    COMMUNITIES,
    COMMUNITY_TITLES,
    LIANDUI_TITLES,
    REGION_ORDER,
    TOWN_TITLES,
    VILLAGE_TITLES,
)
from hub.datasets.world import Person, World


def staff_post(rng: random.Random, p: Person, bureau: bool) -> tuple[str, str]:
    """(职务, 单位) for a staff member living in ``p``'s township."""
    hh = p.hh
    region = hh.region
    if bureau:
        return rng.choice(BUREAU_TITLES), region.bureau
    r = rng.random()
    town = hh.township
    if r < 0.4:
        suffix = "办事处" if town.endswith("街道") else "人民政府"
        return rng.choice(TOWN_TITLES), town + suffix
    if region.code == "659001" and not hh.urban:
        return rng.choice(LIANDUI_TITLES), f"{town}{rng.choice(region.villages)}管理委员会"
    if hh.urban:
        return rng.choice(COMMUNITY_TITLES), f"{town}{rng.choice(COMMUNITIES)}社区居民委员会"
    return rng.choice(VILLAGE_TITLES), f"{town}{rng.choice(region.villages)}民委员会"


def make_staff(rng: random.Random, p: Person, bureau: bool, world: World) -> None:
    """Turn a working resident into a staff member (their employer becomes the unit)."""
    title, unit = staff_post(rng, p, bureau)
    p.staff_title, p.staff_unit, p.employer = title, unit, unit
    p.old_employer = ""
    world.staff.append(p)


def select_staff(rng: random.Random, world: World, planted_staff: list[Person],
                 excluded_households: set[str]) -> None:
    """Choose about one staff member per 60 households and region, names unique per region."""
    for p in planted_staff:
        make_staff(rng, p, rng.random() < 0.3, world)
    as_of = world.as_of
    per_region: dict[str, int] = {}
    for hh in world.households:
        per_region[hh.region.code] = per_region.get(hh.region.code, 0) + 1
    names: dict[str, set[str]] = {code: set() for code in REGION_ORDER}
    for p in world.staff:
        names[p.hh.region.code].add(p.name)
    cands: dict[str, list[Person]] = {code: [] for code in REGION_ORDER}
    for p in world.persons:
        if (p.alive and p.employment == "就业" and 23 <= p.age(as_of) <= 58
                and not p.staff_title and p.hh.uid not in excluded_households):
            cands[p.hh.region.code].append(p)
    for code in REGION_ORDER:
        want = max(4, round(per_region.get(code, 0) / 60))
        have = sum(1 for s in world.staff if s.hh.region.code == code)
        pool = cands[code]
        rng.shuffle(pool)
        for p in pool:
            if have >= want:
                break
            if p.name in names[code]:
                continue
            names[code].add(p.name)
            make_staff(rng, p, have < 2, world)
            have += 1


def appointed(rng: random.Random, p: Person, as_of: date) -> date:
    """任职日期: some date after the person turned 22."""
    lo = max(2005, p.birth.year + 22)
    return date(rng.randint(lo, max(lo, as_of.year - 1)), rng.randint(1, 12), rng.randint(1, 28))

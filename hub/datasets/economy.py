"""Person facts: disability, illness, labour capacity, schooling track, work and income."""

from __future__ import annotations

import math
import random
from datetime import date

from hub.datasets.catalog import (
    COMPANY_TRADES,
    COMPANY_WORDS,
    DISABILITY_CATEGORIES,
    GRADES,
    MAJOR_ADULT,
    MAJOR_CHILD,
    PUBLIC_EMPLOYERS,
)
from hub.datasets.world import Household, Person, World

POOR = frozenset({"低保", "特困", "低保边缘", "刚性支出困难"})


def tekun_std(std: int) -> int:
    """特困 standard = ceil(1.3 × 低保 standard)."""
    return math.ceil(std * 13 / 10)


def school_year_start(as_of: date) -> date:
    """1 September that starts the school year containing ``as_of``."""
    return date(as_of.year if as_of.month >= 9 else as_of.year - 1, 9, 1)


def stage_at(p: Person, year_start: date) -> tuple[str, str] | None:
    """(学段, 年级) of a person in the school year starting ``year_start``, or None."""
    age = p.age(year_start)
    if 3 <= age <= 5:
        return "学前", GRADES["学前"][age - 3]
    if 6 <= age <= 11:
        return "小学", GRADES["小学"][age - 6]
    if 12 <= age <= 14:
        return "初中", GRADES["初中"][age - 12]
    if 15 <= age <= 17 and p.track in ("高中", "中职"):
        return p.track, GRADES[p.track][age - 15]
    if 18 <= age <= 21 and p.track in ("本科", "高职专科"):
        grades = GRADES[p.track]
        return (p.track, grades[age - 18]) if age - 18 < len(grades) else None
    return None


def employer_name(rng: random.Random, hh: Household) -> str:
    """A plausible employer in the household's region."""
    city = hh.region.city if hh.region.code != "410502" else "安阳市"
    if rng.random() < 0.25:
        return city + rng.choice(PUBLIC_EMPLOYERS)
    return f"{city}{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_TRADES)}有限公司"


def assign_people(rng: random.Random, world: World) -> None:
    """Give every in-region person disability, illness, track, labour capacity and income."""
    for hh in world.households:
        _health(rng, world, hh)
        _income(rng, world, hh)


def _health(rng: random.Random, world: World, hh: Household) -> None:
    poor = hh.target in POOR
    for p in hh.persons:
        if p.status == "迁出":
            continue
        age = p.age(world.as_of)
        if p.disability is None and rng.random() < (0.09 if poor else 0.035) and age >= 2:
            level = rng.choices(("一级", "二级", "三级", "四级"), weights=(2, 2.5, 3, 3))[0]
            p.disability = (rng.choice(DISABILITY_CATEGORIES), level)
        if p.disability is not None:
            p.has_cert = p.disability[1] in ("一级", "二级") or rng.random() < 0.95
            lo = max(p.birth.year + 1, 2005)
            p.cert_issued = date(rng.randint(lo, max(lo, world.as_of.year - 1)),
                                 rng.randint(1, 12), rng.randint(1, 28))
        if p.alive and rng.random() < (0.05 if poor else 0.015):
            p.illness = rng.choice(MAJOR_CHILD if age < 18 else MAJOR_ADULT)
        ystart = school_year_start(world.as_of)
        if p.birth > date(ystart.year - 22, 1, 1):
            r = rng.random()
            if r < 0.62:
                p.track = "高中"
            elif r < 0.85:
                p.track = "中职"
            else:
                p.track = "none"
            if rng.random() < (0.15 if poor else 0.3):
                p.track = rng.choice(("本科", "高职专科"))
        p.labour = labour_capacity(p, age)


def labour_capacity(p: Person, age: int) -> str:
    """劳动能力 from age, disability and illness."""
    if age < 16 or age >= 70:
        return "无劳动能力"
    if p.disability is not None and p.disability[1] in ("一级", "二级"):
        return "完全丧失劳动能力"
    if p.disability is not None or p.illness or age >= 60:
        return "部分丧失劳动能力"
    return "有劳动能力"


def _ratio(rng: random.Random, target: str) -> float:
    if target == "低保":
        return rng.uniform(0.1, 0.92)
    if target == "低保边缘":
        return rng.uniform(1.04, 1.44)
    if target == "刚性支出困难":
        return rng.uniform(1.6, 2.3)
    if rng.random() < 0.15:
        return rng.uniform(0.3, 1.4)
    return 1.7 + rng.expovariate(1 / 4.5)


def _income(rng: random.Random, world: World, hh: Household) -> None:
    as_of = world.as_of
    poor = hh.target in POOR
    ystart = school_year_start(as_of)
    living = [p for p in hh.persons if p.status != "迁出"]
    n = len([p for p in living if p.alive])
    if hh.target == "特困":
        for p in living:
            if p.age(as_of) >= 60 and rng.random() < 0.7:
                p.pension, p.pension_type = rng.randint(110, 280), "城乡居民基本养老保险"
        return
    total = round(_ratio(rng, hh.target) * hh.std * n)
    workers = []
    for p in living:
        age = p.age(as_of)
        if age >= 60:
            if not poor and rng.random() < 0.55 and hh.urban:
                p.pension, p.pension_type = rng.randint(2200, 6500), "城镇职工基本养老保险"
                p.old_employer = employer_name(rng, hh)
            elif age >= 60:
                p.pension = rng.randint(110, 280) if poor else rng.randint(130, 320)
                p.pension_type = "城乡居民基本养老保险"
        elif age >= 18 and stage_at(p, ystart) is None and p.labour != "完全丧失劳动能力":
            workers.append(p)
    rest = total - sum(p.pension for p in living if p.alive)
    if not workers:
        return
    weights = [rng.uniform(0.3, 1.0) * (0.4 if p.labour != "有劳动能力" else 1) for p in workers]
    scale = sum(weights)
    for p, w in zip(workers, weights, strict=True):
        amount = max(0, round(rest * w / scale)) if rest > 0 else 0
        _work(rng, hh, p, amount, poor)


def _work(rng: random.Random, hh: Household, p: Person, amount: int, poor: bool) -> None:
    if amount < 200:
        p.employment = "登记失业" if rng.random() < 0.35 else ""
        return
    farm_share = 0.5 if poor else 0.08
    if not hh.urban and rng.random() < farm_share:
        p.employment, p.farm = "务农", amount
    elif amount < 1500:
        p.employment, p.wage = "灵活就业", amount
    else:
        r = rng.random()
        if poor and r < 0.15:
            p.employment = "公益性岗位"
            p.employer = f"{hh.township}{'社区' if hh.urban else '村'}公益性岗位"
        elif r < 0.7:
            p.employment, p.employer = "就业", employer_name(rng, hh)
        else:
            p.employment = "灵活就业"
        p.wage = amount
        if p.employment == "就业" and rng.random() < 0.2:
            p.old_employer = employer_name(rng, hh)

"""教育 学籍与学生资助: one row per student and school year (previous and current)."""

from __future__ import annotations

import random
from datetime import date

from hub.datasets.catalog import COLLEGES, COMMUNITIES, SCHOOLS, TUITION
from hub.datasets.economy import school_year_start, stage_at
from hub.datasets.records import Rec, Slot
from hub.datasets.world import Household, Person, World

_AID = {
    "学前": (("学前教育资助", 1000),),
    "小学": (("义务教育家庭经济困难学生生活补助", 500), ("义务教育家庭经济困难学生生活补助", 1000)),
    "初中": (("义务教育家庭经济困难学生生活补助", 625), ("义务教育家庭经济困难学生生活补助", 1250)),
    "高中": (("普通高中国家助学金", 2000), ("普通高中国家助学金;免学杂费", 3600)),
    "中职": (("中职国家助学金;免学费", 4000),),
    "高职专科": (("国家助学金（一档）", 4400), ("国家助学金（二档）", 3300),
               ("国家助学金（三档）", 2200)),
    "本科": (("国家助学金（一档）", 4400), ("国家助学金（二档）;生源地信用助学贷款", 15300),
            ("国家助学金（三档）", 2200)),
}


def _school(rng: random.Random, hh: Household, stage: str) -> str:
    if stage in ("本科", "高职专科"):
        options = [s for st, s in COLLEGES[hh.region.code] if st == stage]
        return rng.choice(options)
    options = SCHOOLS[hh.region.code][stage]
    name = rng.choice(options)
    return name.format(t=hh.township)


def _guardian(hh: Household, p: Person, as_of: date) -> Person | str | None:
    living = [q for q in hh.living if q is not p and q.age(as_of) >= 18]
    if p.relation in ("子", "女") or p.relation[1:] in ("子", "女"):
        for rel in ("户主", "配偶"):
            g = next((q for q in living if q.relation == rel), None)
            if g is not None:
                return g
    if p.relation in ("孙子", "孙女"):
        return next((q for q in living if q.relation in ("户主", "配偶")), None)
    if p.relation == "户主" and p.age(as_of) >= 18:
        return None
    return None


def build_jiaoyu(rng: random.Random, world: World, supported: set[str]) -> list[Rec]:
    """Students of the previous and current school year.

    Args:
        rng: random source.
        world: the world.
        supported: household uids registered with 民政 or monitored by 乡村振兴.
    """
    as_of = world.as_of
    cur = school_year_start(as_of)
    prev = date(cur.year - 1, 9, 1)
    out = []
    for hh in world.households:
        for p in hh.living:
            years = [(y, stage_at(p, y)) for y in (prev, cur)]
            years = [(y, s) for y, s in years if s is not None]
            if not years:
                continue
            no_id = rng.random() < 0.08
            college = years[-1][1][0] in ("本科", "高职专科")
            if college:
                no_id = False
                first = years[-1][1][1]
                entry = cur.year - ("大一", "大二", "大三", "大四").index(first)
                xjh = f"{entry}{rng.randrange(10**8):08d}"
            elif no_id:
                xjh = f"L{p.birth:%Y%m%d}{rng.randrange(10**4):04d}"
            else:
                xjh = "G" + p.id18
            guardian = _guardian(hh, p, as_of)
            if guardian is None and p.age(as_of) < 18:
                town = hh.township
                guardian = (f"{town}{rng.choice(COMMUNITIES)}社区居民委员会" if hh.urban
                            else f"{town}{rng.choice(hh.region.villages)}民委员会")
            if guardian is not None and college and rng.random() < 0.5:
                guardian = None
            schools: dict[str, str] = {}
            for y, (stage, grade) in years:
                school = schools.setdefault(stage, _school(rng, hh, stage))
                item, amount = "", ""
                if (hh.uid in supported and rng.random() < 0.85) or rng.random() < 0.04:
                    item, value = rng.choice(_AID[stage])
                    amount = str(value)
                gname = guardian.name if isinstance(guardian, Person) else (guardian or "")
                gid = guardian.id18 if isinstance(guardian, Person) else ""
                row = Rec(["", xjh, p.name, "" if no_id else p.id18, p.sex, f"{p.birth:%Y%m%d}",
                           stage, grade, school, f"{y.year}-{y.year + 1}", item, amount,
                           str(TUITION[stage]), gname, gid],
                          [Slot("学生", p, 2, 3, "student_noid" if no_id else "student")])
                if no_id:
                    row.logs.append(("身份证号", "missing_id"))
                if isinstance(guardian, Person):
                    row.slots.append(Slot("监护人", guardian, 13, 14, "guardian"))
                out.append(row)
    return out

"""医保 settlements and 残联 certificates."""

from __future__ import annotations

import random
from datetime import date

from hub.datasets.catalog import DISABILITY_CATEGORIES, LEVELS
from hub.datasets.medical import insurance_type
from hub.datasets.planted import month_index, ym
from hub.datasets.records import Rec, Slot, fmt_date, money
from hub.datasets.welfare import aid_status
from hub.datasets.world import Person, World

_HARDSHIP = {"360222": 90, "410502": 80, "533401": 90, "659001": 100}


def _category(p: Person, label: str) -> str:
    if label:
        return label
    if p.pension_type == "城镇职工基本养老保险":
        return "退休人员"
    if insurance_type(p) == "城镇职工":
        return "在职职工"
    return "城乡居民"


def build_yibao(rng: random.Random, world: World) -> list[Rec]:
    """One row per settlement, in settlement-date order."""
    out = []
    for s in sorted(world.settlements, key=lambda s: (s.settled, s.person.uid)):
        p = s.person
        row = Rec(["", p.name, p.id18, p.sex, fmt_date(p.birth, 1), insurance_type(p),
                   _category(p, s.category), s.visit, s.hospital, fmt_date(s.admitted, 1),
                   fmt_date(s.settled, 1), s.diagnosis, money(s.total), money(s.basic),
                   money(s.serious), money(s.aid), money(s.self_pay)],
                  [Slot("参保人", p, 1, 2)])
        s.rec = row
        out.append(row)
    return out


def build_canlian(rng: random.Random, world: World) -> list[Rec]:
    """One certificate per disabled person holding one (all level 一/二级)."""
    status = aid_status(world)
    dibao_start: dict[str, int] = {}
    for rec in world.aid:
        if rec.end is None and rec.category != "特困供养":
            for m, _, _ in rec.family.members:
                dibao_start[m.uid] = rec.start[0] * 12 + rec.start[1] - 1
    out = []
    now = month_index(world.as_of)
    for hh in world.households:
        for p in hh.persons:
            if p.disability is None or not p.has_cert or p.status == "迁出":
                continue
            cat, level = p.disability
            cert = (p.id18 + str(DISABILITY_CATEGORIES.index(cat) + 1)
                    + str(LEVELS.index(level) + 1))
            issued = p.cert_issued or date(2010, 1, 1)
            if p.status == "死亡" and p.status_date is not None and issued >= p.status_date:
                issued = date(p.birth.year + 1, 6, 1)
            hardship = status.get(p.uid) == "低保对象"
            severe = level in ("一级", "二级")
            amount = (_HARDSHIP[hh.region.code] if hardship else 0) + (
                (100 if level == "一级" else 80) if severe else 0)
            item = ("两项补贴" if hardship and severe else "困难残疾人生活补贴" if hardship
                    else "重度残疾人护理补贴" if severe else "无")
            start = end = ""
            if amount:
                lo = max(month_index(issued), month_index(date(2019, 1, 1)))
                if hardship:
                    lo = max(lo, dibao_start.get(p.uid, lo))
                hi = now if p.status != "死亡" else month_index(p.status_date)
                first = rng.randint(min(lo, hi), hi)
                start = "{}{:02d}".format(*ym(first))
                if p.status == "死亡":
                    end = "{}{:02d}".format(*ym(hi + rng.randint(0, 1)))
            row = Rec(["", cert, p.name, p.sex, cat, level, fmt_date(issued, rng.choice((0, 2))),
                       "注销" if p.status == "死亡" else "有效", item,
                       str(amount) if amount else "", start, end],
                      [Slot("持证人", p, 2, 1, "cert")])
            out.append(row)
    return out

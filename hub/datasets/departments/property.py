"""不动产, 车管, 市场监管 and 银行 exports."""

from __future__ import annotations

import random

from hub.datasets.records import Rec, Slot, fmt_date, money
from hub.datasets.world import World


def build_budongchan(rng: random.Random, world: World) -> list[Rec]:
    """One row per title, in registration order."""
    out = []
    for t in sorted(world.titles, key=lambda t: (t.owner.hh.region.code, t.registered)):
        co = t.co_owner
        rec = Rec(["", t.number, t.owner.name, t.owner.id18, co.name if co else "",
                   co.id18 if co else "", t.location, f"{t.area:.2f}", t.use,
                   fmt_date(t.registered, rng.choice((0, 1, 3))), t.status],
                  [Slot("权利人", t.owner, 2, 3)], t.protected)
        if co is not None:
            rec.slots.append(Slot("共有人", co, 4, 5, "co"))
        t.rec = rec
        out.append(rec)
    return out


def build_cheguan(rng: random.Random, world: World) -> list[Rec]:
    """One row per vehicle."""
    out = []
    for v in sorted(world.vehicles, key=lambda v: (v.person.hh.region.code, v.plate)):
        rec = Rec(["", v.plate, v.person.name, v.person.id18, v.kind, v.model,
                   fmt_date(v.registered, rng.choice((0, 0, 1))), v.status],
                  [Slot("所有人", v.person, 2, 3)], v.protected)
        v.rec = rec
        out.append(rec)
    return out


def build_shichang(rng: random.Random, world: World) -> list[Rec]:
    """One row per business registration."""
    out = []
    for b in sorted(world.businesses, key=lambda b: (b.person.hh.region.code, b.founded)):
        rec = Rec(["", b.code, b.name, b.kind, b.person.name, b.person.id18, str(b.capital),
                   fmt_date(b.founded, rng.choice((0, 3))), b.status],
                  [Slot("经营者/法定代表人", b.person, 4, 5)], b.protected)
        b.rec = rec
        out.append(rec)
    return out


def build_yinhang(rng: random.Random, world: World) -> list[Rec]:
    """One row per account (query result of the household check)."""
    out = []
    for a in world.accounts:
        rec = Rec(["", a.person.name, "居民身份证", a.person.id18, a.institution, a.kind,
                   money(a.balance), fmt_date(a.query, rng.choice((0, 2)))],
                  [Slot("客户", a.person, 1, 3)], a.protected)
        a.rec = rec
        out.append(rec)
    return out

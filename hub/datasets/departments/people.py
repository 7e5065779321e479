"""公安 户籍, the staff roster and the standards table."""

from __future__ import annotations

import random

from hub.datasets.catalog import REGION_ORDER, REGIONS
from hub.datasets.economy import tekun_std
from hub.datasets.ids import AREA_CODES, phone_text
from hub.datasets.records import Rec, Slot, fmt_date, iso
from hub.datasets.staff import appointed
from hub.datasets.world import World


def build_gongan(rng: random.Random, world: World) -> list[Rec]:
    """One row per person and 户 (迁出 rows included); households in 户号 order."""
    out = []
    for hh in sorted(world.households, key=lambda h: h.hukou_no):
        for row in hh.rows:
            p = row.person
            rec = Rec(["", hh.hukou_no, p.name, p.id18, p.sex, p.ethnicity, iso(p.birth),
                       row.relation, hh.address, hh.region.code, row.status, iso(row.date)],
                      [Slot("本人", p, 2, 3)])
            row.rec = rec
            out.append(rec)
    return out


def build_staff(rng: random.Random, world: World, refs: dict[object, Rec]) -> list[Rec]:
    """One roster row per staff member."""
    out = []
    for p in sorted(world.staff, key=lambda s: (s.hh.region.code, s.uid)):
        code = p.hh.region.code
        rec = Rec(["", p.name, p.id18, p.staff_title, p.staff_unit, code,
                   phone_text(rng, AREA_CODES[code]) or phone_text(rng, AREA_CODES[code]),
                   fmt_date(appointed(rng, p, world.as_of), rng.choice((0, 3)))],
                  [Slot("本人", p, 1, 2)])
        refs[("staff", p.uid)] = rec
        out.append(rec)
    return out


def build_standards(world: World) -> list[Rec]:
    """Region × year × 城乡 standards (previous year and as-of year)."""
    out = []
    year = world.as_of.year
    for code in REGION_ORDER:
        r = REGIONS[code]
        for y, values in ((year - 1, r.dibao_prev), (year, r.dibao)):
            for label, std in (("农村", values[1]), ("城市", values[0])):
                out.append(Rec(["", code, r.name, str(y), label, str(std), str(tekun_std(std)),
                                str(24 * std)]))
    return out

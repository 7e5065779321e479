"""民政: basic-aid records and family members."""

from __future__ import annotations

import random

from hub.datasets.records import Rec, Slot
from hub.datasets.world import Person, World


def _ym(value: tuple[int, int] | None) -> str:
    return "" if value is None else f"{value[0]}{value[1]:02d}"


def build_aid(rng: random.Random, world: World) -> list[Rec]:
    """One row per aid record, by region."""
    out = []
    order = {code: i for i, code in enumerate(("360222", "410502", "533401", "659001"))}
    for rec in sorted(world.aid, key=lambda a: (order[a.region], a.obj_no[6:8], a.obj_no)):
        p = rec.person
        amount = f"{rec.amount}.00" if rng.random() < 0.15 else str(rec.amount)
        row = Rec(["", rec.obj_no, rec.family.fam_no, rec.name, rec.id_value, rec.category,
                   str(rec.covered), amount, _ym(rec.start), _ym(rec.end), rec.region,
                   rec.handler.name if rec.handler else "", rec.remark],
                  [Slot("救助对象", p, 3, 4)], rec.protected)
        if rec.handler is not None:
            row.slots.append(Slot("经办人", rec.handler, 11, -1, "fixed"))
        if rec.name != p.name or rec.id_value != p.id18:
            row.slots[0].kind = "fixed"
            if rec.name != p.name:
                row.logs.append(("姓名", "planted_variant"))
            if rec.id_value != p.id18:
                row.logs.append(("身份证号", "id15"))
        rec.rec = row
        out.append(row)
    return out


def disability_text(rng: random.Random, p: Person) -> str:
    """残疾 in one of three spellings, ``无`` or empty."""
    if p.disability is None:
        return "无" if rng.random() < 0.75 else ""
    cat, level = p.disability
    return rng.choice((f"{cat}{level}", f"{level}{cat}", f"{cat}残疾{level}"))


def build_members(rng: random.Random, world: World) -> list[Rec]:
    """One row per member of each 民政 family."""
    out = []
    for fam in world.families:
        for p, relation, income in fam.members:
            name, id_value = fam.variants.get(p.uid, (p.name, p.id18))
            illness = p.illness or ("无" if rng.random() < 0.65 else "")
            row = Rec(["", fam.fam_no, fam.category, name, id_value, relation,
                       disability_text(rng, p), illness, p.labour, str(income)],
                      [Slot("成员", p, 3, 4)], fam.protected)
            if p.uid in fam.variants:
                row.slots[0].kind = "fixed"
                if name != p.name:
                    row.logs.append(("成员姓名", "planted_variant"))
                if id_value != p.id18:
                    row.logs.append(("身份证号", "id15"))
            fam.recs.append(row)
            out.append(row)
    return out

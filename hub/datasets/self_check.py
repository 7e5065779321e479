"""The generator's self-check: detect every anomaly type of section 8 in the synthetic world
and compare with what was planted (not the product's monitoring, which works on the graph)."""

from __future__ import annotations

from datetime import date

from hub.datasets.catalog import MAJOR_ILLNESSES
from hub.datasets.planted import month_index
from hub.datasets.world import AidRecord, Person, World


def _period(rec: AidRecord, as_of: date) -> tuple[int, int]:
    start = rec.start[0] * 12 + rec.start[1] - 1
    end = rec.end[0] * 12 + rec.end[1] - 1 if rec.end else month_index(as_of)
    return start, end


def _covered(rec: AidRecord) -> list[Person]:
    seen = {m.uid: m for m, _, _ in rec.family.members}
    seen.setdefault(rec.person.uid, rec.person)
    return list(seen.values())


def detect(world: World) -> set[tuple[str, str]]:
    """All (type, key) cases meeting the definitions; key = person, household or staff|record."""
    as_of = world.as_of
    found: set[tuple[str, str]] = set()
    by_person: dict[str, list[AidRecord]] = {}
    for rec in world.aid:
        _, end = _period(rec, as_of)
        for p in _covered(rec):
            by_person.setdefault(p.uid, []).append(rec)
            if p.status == "死亡" and p.status_date and end - month_index(p.status_date) >= 2:
                found.add(("still_receiving_after_death", p.uid))
        if rec.handler is not None and any(
                rec.handler.uid in world.kin.get(p.uid, set()) for p in _covered(rec)):
            found.add(("kin_of_staff", f"{rec.handler.uid}|{id(rec)}"))
        if rec.end is None:
            for p in _covered(rec):
                if p.alive and world.eligibility[p.hh.uid]["issues"]:
                    found.add(("asset_disqualifies", p.hh.uid))
    for uid, recs in by_person.items():
        for i, a in enumerate(recs):
            for b in recs[i + 1:]:
                sa, ea = _period(a, as_of)
                sb, eb = _period(b, as_of)
                if sa > eb or sb > ea:
                    continue
                if a.region != b.region:
                    found.add(("duplicate_basic_aid", uid))
                if {a.category == "特困供养", b.category == "特困供养"} == {True, False}:
                    found.add(("exclusive_overlap", uid))
    far = date(9999, 12, 31)
    by_hh: dict[str, list] = {}
    for h in world.housing:
        by_hh.setdefault(h.person.hh.uid, []).append(h)
    for uid, grants in by_hh.items():
        flats = [g for g in grants if g.kind == "公租房实物配租"]
        subs = [g for g in grants if g.kind == "租赁补贴"]
        for f in flats:
            for s in subs:
                if s.start <= (f.end or far) and f.start <= (s.end or far):
                    found.add(("double_housing_aid", uid))
    current = {p.uid for rec in world.aid if rec.end is None for p in _covered(rec)}
    ill = {s.person.uid for s in world.settlements if s.diagnosis in MAJOR_ILLNESSES}
    for hh in world.households:
        e = world.eligibility[hh.uid]
        if e["category"] not in ("低保", "低保边缘"):
            continue
        if any(p.uid in current for p in hh.living):
            continue
        std = hh.std
        for p in hh.living:
            if (p.severe or p.uid in ill) and (e["category"] == "低保" or p.income < std):
                found.add(("missed_eligible", hh.uid))
    return found


def planted_keys(world: World) -> set[tuple[str, str]]:
    """The keys of ``world.anomalies`` in the form :func:`detect` returns."""
    keys = set()
    for a in world.anomalies:
        if a.type in ("asset_disqualifies", "double_housing_aid", "missed_eligible"):
            keys.add((a.type, a.households[0].uid))
        elif a.type == "kin_of_staff":
            rec = next(o for _, o in a.records if isinstance(o, AidRecord))
            keys.add((a.type, f"{a.persons[0].uid}|{id(rec)}"))
        else:
            keys |= {(a.type, p.uid) for p in a.persons}
    return keys

"""The generator's ground-truth oracle: kinship from 户籍 rows and the category rules of
FORMATS.md section 8, decided on the synthetic world itself.

This is deliberately a second, independent implementation of the rules in
:mod:`hub.rules.eligibility`, not a call into it. The truth it writes
(``truth/eligibility.csv``) is what the product's verification is measured against; an
oracle built from ``hub.rules`` would reproduce any mistake of ``hub.rules`` in the
expected answer, and the comparison would pass while both are wrong. It also works on a
different input: the generator's true people and facts (:mod:`hub.datasets.world`), known
exactly, where ``hub.rules`` sees ingested, linked, noisy records through the graph.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from hub.datasets.catalog import MAJOR_ILLNESSES, TUITION
from hub.datasets.economy import school_year_start, stage_at, tekun_std
from hub.datasets.medical import in_rigid_window
from hub.datasets.world import Household, Person, World

CHILD_CODES = frozenset({"子", "女", "长子", "次子", "三子", "长女", "次女", "三女"})
SIBLING_CODES = frozenset({"兄", "弟", "姐", "妹"})
ASSET_ISSUE_ORDER = ("金融资产超限", "拥有机动车", "拥有存续经营主体", "多套住房")


@dataclass(slots=True)
class Kin:
    """Spouses, parents, children and siblings of one person (by 户籍 rows)."""

    spouses: set[str] = field(default_factory=set)
    parents: set[str] = field(default_factory=set)
    children: set[str] = field(default_factory=set)
    siblings: set[str] = field(default_factory=set)

    def all(self) -> set[str]:
        """Everyone who is spouse, parent, child or sibling."""
        return self.spouses | self.parents | self.children | self.siblings


def kinship(world: World) -> dict[str, Kin]:
    """Derive kinship from pairs of rows sharing a 户号 (迁出 rows included)."""
    kin: dict[str, Kin] = defaultdict(Kin)
    for hh in world.households:
        rows = [(r.person.uid, r.relation) for r in hh.rows]
        for i, (a, ra) in enumerate(rows):
            for b, rb in rows[i + 1:]:
                if a == b:
                    continue
                pair = {ra, rb}
                if pair in ({"户主", "配偶"}, {"父亲", "母亲"}):
                    kin[a].spouses.add(b)
                    kin[b].spouses.add(a)
                elif ra in ("户主", "配偶") and rb in CHILD_CODES:
                    kin[a].children.add(b)
                    kin[b].parents.add(a)
                elif rb in ("户主", "配偶") and ra in CHILD_CODES:
                    kin[b].children.add(a)
                    kin[a].parents.add(b)
                elif ra in ("父亲", "母亲") and rb == "户主":
                    kin[a].children.add(b)
                    kin[b].parents.add(a)
                elif rb in ("父亲", "母亲") and ra == "户主":
                    kin[b].children.add(a)
                    kin[a].parents.add(b)
                elif ((ra in CHILD_CODES and rb in CHILD_CODES)
                      or (ra == "户主" and rb in SIBLING_CODES)
                      or (rb == "户主" and ra in SIBLING_CODES)
                      or (ra in SIBLING_CODES and rb in SIBLING_CODES)):
                    kin[a].siblings.add(b)
                    kin[b].siblings.add(a)
    return kin


def supporters(world: World, kin: dict[str, Kin], p: Person,
               by_uid: dict[str, Person]) -> list[Person]:
    """Legal supporters of ``p``: spouse, child ≥ 18, parent < 70; alive, not severely disabled."""
    found: list[Person] = []
    k = kin.get(p.uid)
    if k is None:
        return found
    for uid in sorted(k.spouses | k.children | k.parents):
        q = by_uid[uid]
        if q.status == "死亡" or q.severe:
            continue
        age = q.age(world.as_of)
        if (uid in k.spouses or (uid in k.children and age >= 18)
                or (uid in k.parents and age < 70)):
            found.append(q)
    return found


class Indexes:
    """Per-person lookups over the fact lists."""

    def __init__(self, world: World) -> None:
        self.by_uid = {p.uid: p for p in world.persons}
        self.accounts: dict[str, float] = defaultdict(float)
        for a in world.accounts:
            self.accounts[a.person.uid] += a.balance
        self.cars = {v.person.uid for v in world.vehicles
                     if v.status == "正常" and v.kind not in ("摩托车", "农用车")}
        self.business = {b.person.uid for b in world.businesses if b.status == "存续"}
        self.homes: dict[str, set[int]] = defaultdict(set)
        for i, t in enumerate(world.titles):
            if t.status == "现势" and t.use in ("住宅", "宅基地及住房"):
                self.homes[t.owner.uid].add(i)
                if t.co_owner is not None:
                    self.homes[t.co_owner.uid].add(i)
        self.self_pay: dict[str, float] = defaultdict(float)
        self.ill: set[str] = set()
        for s in world.settlements:
            if in_rigid_window(s.settled, world.as_of):
                self.self_pay[s.person.uid] += s.self_pay
            if s.diagnosis in MAJOR_ILLNESSES:
                self.ill.add(s.person.uid)


def evaluate(world: World, hh: Household, kin: dict[str, Kin], ix: Indexes) -> dict[str, object]:
    """Category and figures of one household (the columns of truth/eligibility.csv)."""
    as_of = world.as_of
    living = hh.living
    n = len(living)
    std = hh.std
    tk = tekun_std(std)
    out: dict[str, object] = {"n": n, "std": std, "tk": tk, "tekun": [], "individual": []}
    if n == 0:
        out.update(total=0, pc=0.0, rigid=0.0, adjusted=0.0, assets=0.0, limit=0, issues=[],
                   category="无在世成员", amount=0)
        return out
    total = sum(p.income for p in living)
    ystart = school_year_start(as_of)
    rigid = sum(ix.self_pay[p.uid] for p in living)
    for p in living:
        stage = stage_at(p, ystart)
        if stage is not None:
            rigid += TUITION[stage[0]]
    assets = round(sum(ix.accounts[p.uid] for p in living), 2)
    limit = 24 * std * n
    homes: set[int] = set()
    for p in living:
        homes |= ix.homes[p.uid]
    issues = []
    if assets > limit:
        issues.append("金融资产超限")
    if any(p.uid in ix.cars for p in living):
        issues.append("拥有机动车")
    if any(p.uid in ix.business for p in living):
        issues.append("拥有存续经营主体")
    if len(homes) > 1:
        issues.append("多套住房")
    pc = total / n
    adjusted = (total - rigid / 12) / n
    out.update(total=total, pc=pc, rigid=round(rigid, 2), adjusted=adjusted, assets=assets,
               limit=limit, issues=issues)
    tekun = (not issues
             and all(not supporters(world, kin, p, ix.by_uid) for p in living)
             and all((p.age(as_of) >= 60 or p.age(as_of) < 18 or p.severe) and p.income < tk
                     for p in living))
    if tekun:
        out.update(category="特困", tekun=living, amount=tk * n)
    elif issues:
        out.update(category="不符合", amount=0)
    elif pc < std:
        out.update(category="低保", amount=std * n - total)
    elif pc < 1.5 * std:
        individual = [p for p in living
                      if (p.severe or p.uid in ix.ill) and p.income < std]
        out.update(category="低保边缘", individual=individual,
                   amount=sum(std - p.income for p in individual))
    elif adjusted < std:
        out.update(category="刚性支出困难", amount=0)
    else:
        out.update(category="不符合", amount=0)
    return out


def evaluate_all(world: World, kin: dict[str, Kin] | None = None
                 ) -> dict[str, dict[str, object]]:
    """Evaluate every household; also stores kinship on the world."""
    kin = kin if kin is not None else kinship(world)
    world.kin = {uid: k.all() for uid, k in kin.items()}
    ix = Indexes(world)
    return {hh.uid: evaluate(world, hh, kin, ix) for hh in world.households}


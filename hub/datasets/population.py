"""Households, people, names, IDs, kinship rows, deaths and moves (the 户籍 truth)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from hub.datasets import names as nm
from hub.datasets.catalog import REGION_ORDER, REGION_WEIGHTS, REGIONS, ROADS, Region
from hub.datasets.ids import hukou_no, make_id18
from hub.datasets.world import Household, HukouRow, Person, World

TARGETS = (("低保", 0.25), ("特困", 0.05), ("低保边缘", 0.07), ("刚性支出困难", 0.035),
           ("无在世成员", 0.005), ("不符合", 0.59))
TYPES = {
    "特困": (("single_elderly", 0.55), ("single_disabled", 0.25), ("orphans", 0.20)),
    "低保": (("nuclear", 0.2), ("single_parent", 0.12), ("elderly_couple", 0.15),
             ("single_elderly", 0.15), ("single_adult", 0.1), ("three_gen", 0.12),
             ("skipped_gen", 0.08), ("single_disabled", 0.04), ("couple", 0.04)),
    "无在世成员": (("single_elderly", 1.0),),
    "other": (("nuclear", 0.3), ("three_gen", 0.17), ("elderly_couple", 0.15),
              ("single_elderly", 0.08), ("single_adult", 0.1), ("couple", 0.1),
              ("single_parent", 0.06), ("skipped_gen", 0.03), ("single_disabled", 0.01)),
}
URBAN_SHARE = {"360222": 0.25, "410502": 0.8, "533401": 0.27, "659001": 0.75}
_ORD = "长次三"


class PopulationBuilder:
    """Creates households one by one; keeps the counters that make ids unique."""

    def __init__(self, rng: random.Random, world: World) -> None:
        self.rng = rng
        self.world = world
        self.as_of = world.as_of
        self.used_ids: set[str] = set()
        self.hukou_seq: dict[tuple[str, str], int] = {}
        self.parents: dict[str, list[Household]] = {code: [] for code in REGION_ORDER}

    # -- small helpers -------------------------------------------------------------------
    def birth_for_age(self, age: int) -> date:
        """A birth date giving ``age`` on the as-of date."""
        start = date(self.as_of.year - age - 1, self.as_of.month, 1) + timedelta(days=35)
        return min(start + timedelta(days=self.rng.randrange(330)),
                   self.as_of - timedelta(days=age * 365 + 5))

    def id_for(self, region: Region, birth: date, sex: str, adult: bool) -> str:
        """A unique valid ID with a plausible issuing region code."""
        code = region.code
        if region.code == "533401" and birth.year < 2014:
            code = "533421" if self.rng.random() < 0.85 else self.rng.choice(region.other_id_codes)
        elif adult and self.rng.random() < 0.12:
            code = self.rng.choice(region.other_id_codes)
        while True:
            seq = (self.rng.randrange(0, 500) * 2 + 1 if sex == "男"
                   else self.rng.randrange(1, 500) * 2)
            value = make_id18(code, birth, seq)
            if value not in self.used_ids:
                self.used_ids.add(value)
                return value

    def name_for(self, eth: str, sex: str, surname: str | None = None,
                 father_given: str | None = None) -> tuple[str, str]:
        """(name, kind) following the household's ethnicity."""
        if eth in ("维吾尔族", "哈萨克族"):
            father = father_given or nm.dot_given(self.rng, "男", eth)
            own = nm.dot_given(self.rng, sex, eth)
            while own == father:
                own = nm.dot_given(self.rng, sex, eth)
            return f"{own}·{father}", "dot"
        if eth == "藏族":
            return nm.tibetan_name(self.rng, sex), "tibetan"
        if surname is None and eth in nm.MINORITY_SURNAMES:
            surname = self.rng.choice(nm.MINORITY_SURNAMES[eth])
        return nm.han_name(self.rng, sex, surname), "han"

    def person(self, hh: Household, sex: str, age: int, relation: str,
               surname: str | None = None, father_given: str | None = None,
               status: str = "正常") -> Person:
        """Create a person, register the 户籍 row and return it."""
        birth = self.birth_for_age(age)
        name, kind = self.name_for(hh.ethnicity, sex, surname, father_given)
        uid = f"P{len(self.world.persons) + 1:07d}"
        p = Person(uid, hh, name, self.id_for(hh.region, birth, sex, age >= 18), sex,
                   hh.ethnicity, birth, relation, kind=kind)
        self.world.persons.append(p)
        hh.persons.append(p)
        hh.rows.append(HukouRow(p, relation, "正常", None))
        if status != "正常":
            self.set_status(p, status, self.event_date(p, 1, 15))
        return p

    def set_status(self, p: Person, status: str, when: date) -> None:
        """Change a person's status (death or moving out) and its 户籍 row."""
        p.status, p.status_date = status, when
        for row in p.hh.rows:
            if row.person is p and row.status == "正常":
                row.status, row.date = status, when

    def event_date(self, p: Person, min_years: int, max_years: int) -> date:
        """A date ``min_years``..``max_years`` before as-of, after the person turned 1."""
        earliest = max(p.birth + timedelta(days=400), self.as_of - timedelta(days=365 * max_years))
        latest = self.as_of - timedelta(days=365 * min_years)
        if latest <= earliest:
            return earliest
        return earliest + timedelta(days=self.rng.randrange((latest - earliest).days))

    # -- households -------------------------------------------------------------------------
    def household(self, region: Region, target: str) -> Household:
        """Create one household of a type fitting its target category."""
        rng = self.rng
        kinds = TYPES.get(target, TYPES["other"])
        htype = rng.choices([k for k, _ in kinds], weights=[w for _, w in kinds])[0]
        urban = rng.random() < URBAN_SHARE[region.code]
        towns = [t for t, u in region.townships if u == urban]
        township = rng.choice(towns)
        key = (region.code, township)
        self.hukou_seq[key] = self.hukou_seq.get(key, 0) + 1
        hno = hukou_no(region.code, region.township_index(township), self.hukou_seq[key])
        hh = Household(f"H{len(self.world.households) + 1:06d}", hno, region, township, urban,
                       htype, self.ethnicity(region), self.address(region, township, urban),
                       target)
        self.world.households.append(hh)
        getattr(self, f"_make_{htype}")(hh)
        head = hh.persons[0]
        if hh.target not in ("特困", "无在世成员") and head.alive and head.age(self.as_of) >= 42:
            self.parents[region.code].append(hh)
            if len(self.parents[region.code]) > 400:
                self.parents[region.code].pop(0)
        return hh

    def ethnicity(self, region: Region) -> str:
        """Household ethnicity following the regional mix of FORMATS.md section 3."""
        r = self.rng.random()
        if region.code == "659001":
            return ("维吾尔族" if r < 0.2 else "哈萨克族" if r < 0.3 else "回族" if r < 0.33
                    else "汉族")
        if region.code == "533401":
            return ("藏族" if r < 0.4 else "纳西族" if r < 0.5 else "傈僳族" if r < 0.56
                    else "彝族" if r < 0.6 else "汉族")
        if region.code == "410502":
            return "回族" if r < 0.03 else "汉族"
        return "汉族"

    def address(self, region: Region, township: str, urban: bool) -> str:
        """A plausible address inside the township."""
        rng = self.rng
        if urban:
            base = f"{region.address_prefix}{township}{rng.choice(ROADS)}{rng.randint(1, 399)}号"
            if rng.random() < 0.8:
                base += (f"{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元"
                         f"{rng.randint(1, 18)}0{rng.randint(1, 4)}室")
            return base
        if region.code == "659001":
            return (f"{region.address_prefix}{township}{rng.choice(region.villages)}"
                    f"{rng.randint(1, 12)}栋{rng.randint(1, 60)}号")
        group = rng.randint(1, 10)
        group_text = str(group) if rng.random() < 0.5 else "一二三四五六七八九十"[group - 1]
        return (f"{region.address_prefix}{township}{rng.choice(region.villages)}{group_text}组"
                f"{rng.randint(1, 120)}号")

    def surname_of(self, p: Person) -> str | None:
        return p.name[0] if p.kind == "han" else None

    def given_of(self, p: Person) -> str | None:
        return p.name.split("·")[0] if p.kind == "dot" else None

    def head(self, hh: Household, lo: int, hi: int, sex: str | None = None,
             link: bool = True) -> Person:
        """Create the 户主, sometimes as an adult child who left a parent's 户 (迁出 row)."""
        rng = self.rng
        sex = sex or rng.choice("男女")
        age = rng.randint(lo, hi)
        parent = None
        if link and hi <= 60 and rng.random() < 0.14:
            pool = self.parents[hh.region.code]
            for cand in rng.sample(pool, min(12, len(pool))):
                diff = cand.persons[0].age(self.as_of) - age
                if 20 <= diff <= 40 and cand.ethnicity == hh.ethnicity:
                    parent = cand
                    break
        if parent is None:
            return self.person(hh, sex, age, "户主")
        father = next((p for p in parent.persons[:2] if p.sex == "男"), parent.persons[0])
        p = self.person(hh, sex, age, "户主", self.surname_of(father), self.given_of(father))
        self.link_moved(p, parent)
        return p

    def link_moved(self, p: Person, parent: Household) -> None:
        """Add the 迁出 row of ``p`` in the parent's 户 (adult child with own 户)."""
        rel = "子" if p.sex == "男" else "女"
        lo = p.birth + timedelta(days=365 * 18)
        hi = min(self.as_of - timedelta(days=30), p.birth + timedelta(days=365 * 32))
        when = lo + timedelta(days=self.rng.randrange(max(1, (hi - lo).days)))
        parent.rows.append(HukouRow(p, rel, "迁出", when))
        p.moved_from.append((parent, rel, when))

    def spouse(self, hh: Household, head: Person, age: int) -> Person:
        sex = "女" if head.sex == "男" else "男"
        return self.person(hh, sex, max(18, age), "配偶")

    def children(self, hh: Household, father: Person | None, mother_age: int, count: int,
                 max_age: int = 30, relation_style: str | None = None) -> list[Person]:
        rng = self.rng
        style = relation_style or rng.choice(("simple", "ordinal"))
        ages = sorted((rng.randint(0, max(0, min(max_age, mother_age - 20)))
                       for _ in range(count)), reverse=True)
        kids = []
        seen = {"男": 0, "女": 0}
        for age in ages:
            sex = rng.choice("男女")
            seen[sex] += 1
            base = "子" if sex == "男" else "女"
            rel = base if style == "simple" or seen[sex] > 3 else _ORD[seen[sex] - 1] + base
            surname = self.surname_of(father) if father else None
            kids.append(self.person(hh, sex, age, rel, surname,
                                    self.given_of(father) if father else None))
        return kids

    def moved_away_child(self, hh: Household, parent_age: int) -> None:
        if parent_age < 40:
            return
        father = next((p for p in hh.persons[:2] if p.sex == "男"), None)
        age = self.rng.randint(18, min(60, parent_age - 20))
        sex = self.rng.choice("男女")
        p = self.person(hh, sex, age, "子" if sex == "男" else "女",
                        self.surname_of(father) if father else None,
                        self.given_of(father) if father else None)
        self.set_status(p, "迁出", self.event_date(p, 1, max(2, age - 17)))

    def _maybe_moved_away(self, hh: Household, head: Person) -> None:
        if hh.target not in ("特困",) and self.rng.random() < 0.1:
            self.moved_away_child(hh, head.age(self.as_of))

    # -- the household types ---------------------------------------------------------------
    def _make_single_adult(self, hh: Household) -> None:
        self.head(hh, 22, 59)

    def _make_single_elderly(self, hh: Household) -> None:
        head = self.head(hh, 60, 92)
        if self.rng.random() < 0.4:
            sp = self.spouse(hh, head, head.age(self.as_of) + self.rng.randint(-3, 5))
            self.set_status(sp, "死亡", self.event_date(sp, 2, 15))
        if hh.target == "无在世成员":
            self.set_status(head, "死亡", self.event_date(head, 1, 3))
        elif hh.target != "特困" and self.rng.random() < 0.85:
            self._supporter(hh, head)

    def _supporter(self, hh: Household, head: Person) -> None:
        """A relative who moved away and is still a legal supporter (a child or a parent)."""
        age = head.age(self.as_of)
        if age >= 40 or (not head.moved_from and age > 45):
            self.moved_away_child(hh, age)
            return
        sex = self.rng.choice("男女")
        parent = self.person(hh, sex, min(69, age + self.rng.randint(21, 28)),
                             "父亲" if sex == "男" else "母亲")
        self.set_status(parent, "迁出", self.event_date(parent, 1, 10))

    def _make_single_disabled(self, hh: Household) -> None:
        head = self.head(hh, 25, 75)
        head.disability = (self.rng.choice(("肢体", "智力", "精神", "多重", "视力")),
                           self.rng.choice(("一级", "二级")))
        if hh.target != "特困":
            self._supporter(hh, head)

    def _make_couple(self, hh: Household) -> None:
        head = self.head(hh, 22, 59, "男" if self.rng.random() < 0.85 else "女")
        self.spouse(hh, head, head.age(self.as_of) + self.rng.randint(-5, 3))

    def _make_elderly_couple(self, hh: Household) -> None:
        head = self.head(hh, 60, 88, "男" if self.rng.random() < 0.85 else "女")
        self.spouse(hh, head, head.age(self.as_of) + self.rng.randint(-5, 3))
        self._maybe_moved_away(hh, head)

    def _make_nuclear(self, hh: Household) -> None:
        head = self.head(hh, 26, 55, "男" if self.rng.random() < 0.85 else "女")
        sp = self.spouse(hh, head, head.age(self.as_of) + self.rng.randint(-5, 3))
        father = head if head.sex == "男" else sp
        mother_age = min(head.age(self.as_of), sp.age(self.as_of))
        self.children(hh, father, mother_age, self.rng.choice((1, 1, 2, 2, 2, 3)), 24)

    def _make_single_parent(self, hh: Household) -> None:
        head = self.head(hh, 26, 55)
        if head.sex == "女" and self.rng.random() < 0.2:
            sp = self.spouse(hh, head, head.age(self.as_of) + 2)
            self.set_status(sp, "死亡", self.event_date(sp, 2, 10))
        father = head if head.sex == "男" else None
        self.children(hh, father, head.age(self.as_of), self.rng.choice((1, 1, 2)), 22)

    def _make_three_gen(self, hh: Household) -> None:
        rng = self.rng
        head = self.head(hh, 30, 55, "男" if rng.random() < 0.85 else "女", link=False)
        sp = self.spouse(hh, head, head.age(self.as_of) + rng.randint(-5, 3))
        father = head if head.sex == "男" else sp
        self.children(hh, father, min(head.age(self.as_of), sp.age(self.as_of)),
                      rng.choice((1, 2, 2)), 24)
        page = head.age(self.as_of) + rng.randint(22, 34)
        if rng.random() < 0.6:
            gp = self.person(hh, "男", min(page, 95), "父亲", self.surname_of(head))
            if rng.random() < 0.15:
                self.set_status(gp, "死亡", self.event_date(gp, 1, 8))
        if rng.random() < 0.8 or len(hh.persons) < 4:
            self.person(hh, "女", min(page - rng.randint(0, 4), 95), "母亲")

    def _make_skipped_gen(self, hh: Household) -> None:
        rng = self.rng
        head = self.head(hh, 58, 82, "男" if rng.random() < 0.7 else "女")
        if rng.random() < 0.6:
            self.spouse(hh, head, head.age(self.as_of) + rng.randint(-4, 3))
        age = head.age(self.as_of)
        mid_age = rng.randint(max(22, age - 40), max(23, age - 22))
        father = next((p for p in hh.persons if p.sex == "男"), None)
        sex = rng.choice("男女")
        mid = self.person(hh, sex, mid_age, "子" if sex == "男" else "女",
                          self.surname_of(father) if father else None,
                          self.given_of(father) if father else None)
        self.set_status(mid, "迁出", self.event_date(mid, 1, 6))
        for _ in range(rng.choice((1, 1, 2))):
            ksex = rng.choice("男女")
            self.person(hh, ksex, rng.randint(1, min(17, mid_age - 19)),
                        "孙子" if ksex == "男" else "孙女",
                        self.surname_of(mid) if sex == "男" else None,
                        self.given_of(mid) if sex == "男" else None)

    def _make_orphans(self, hh: Household) -> None:
        rng = self.rng
        n = rng.choice((1, 1, 2, 2, 3))
        ages = sorted((rng.randint(4, 17) for _ in range(n)), reverse=True)
        fname, fkind = self.name_for(hh.ethnicity, "男")
        # The first sibling is the 户主; the dead parents keep their 父亲/母亲 rows.
        head_sex = rng.choice("男女")
        surname = fname[0] if fkind == "han" else None
        fgiven = fname.split("·")[0] if fkind == "dot" else None
        head = self.person(hh, head_sex, ages[0], "户主", surname, fgiven)
        youngest = head
        for age in ages[1:]:
            sex = rng.choice("男女")
            older = age < ages[0]
            rel = ("弟" if older else "兄") if sex == "男" else ("妹" if older else "姐")
            youngest = self.person(hh, sex, age, rel, surname, fgiven)
        for sex, rel in (("男", "父亲"), ("女", "母亲")):
            parent = self.person(hh, sex, ages[0] + rng.randint(22, 35), rel,
                                 surname if sex == "男" else None)
            if sex == "男":
                parent.name = fname if fkind != "tibetan" else parent.name
            when = self.event_date(youngest, 1, max(1, min(ages) - 1))
            self.set_status(parent, "死亡", when)


def build_population(rng: random.Random, world: World, households: int) -> None:
    """Fill ``world`` with households, people and their 户籍 rows."""
    builder = PopulationBuilder(rng, world)
    counts = [round(households * w) for w in REGION_WEIGHTS]
    counts[-1] = households - sum(counts[:-1])
    labels = [t for t, _ in TARGETS]
    weights = [w for _, w in TARGETS]
    for code, count in zip(REGION_ORDER, counts, strict=True):
        region = REGIONS[code]
        for _ in range(count):
            builder.household(region, rng.choices(labels, weights=weights)[0])
    _collisions(rng, world, builder)


def _collisions(rng: random.Random, world: World, builder: PopulationBuilder) -> None:
    """Deliberate same-name (sometimes same birth date) pairs of different people."""
    spouses = [p for p in world.persons
               if p.kind == "han" and p.relation == "配偶" and p.alive and not p.moved_from]
    wanted = max(2, len(world.households) // 150)
    by_region: dict[str, list[Person]] = {}
    for p in world.persons:
        if p.kind == "han" and p.alive:
            by_region.setdefault(p.hh.region.code, []).append(p)
    done = 0
    for p in rng.sample(spouses, min(len(spouses), wanted * 3)):
        if done >= wanted:
            break
        pool = by_region[p.hh.region.code]
        other = rng.choice(pool)
        if other is p or other.sex != p.sex or other.hh is p.hh or other.same_name_as:
            continue
        if p.same_name_as or other.name == p.name:
            continue
        p.name = other.name
        p.same_name_as, other.same_name_as = other.uid, p.uid
        if rng.random() < 0.4 and abs(other.age(world.as_of) - p.age(world.as_of)) <= 6:
            builder.used_ids.discard(p.id18)
            p.birth = other.birth
            p.id18 = builder.id_for(p.hh.region, p.birth, p.sex, True)
        done += 1

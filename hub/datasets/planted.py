"""Planted cases of FORMATS.md section 8 (fact changes; 民政 records follow in welfare.py)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

from hub.datasets import names as nm
from hub.datasets.asset_maker import AssetMaker, public_flat
from hub.datasets.catalog import REGION_ORDER
from hub.datasets.ids import to_id15
from hub.datasets.truth_eligibility import Indexes, evaluate, kinship
from hub.datasets.world import Household, Person, World

TYPES = ("still_receiving_after_death", "asset_disqualifies", "duplicate_basic_aid",
         "exclusive_overlap", "double_housing_aid", "missed_eligible", "kin_of_staff")


def month_index(d: date) -> int:
    """Months since year 0 (for month differences)."""
    return d.year * 12 + d.month - 1


def ym(index: int) -> tuple[int, int]:
    """(year, month) of a month index."""
    return index // 12, index % 12 + 1


def kill(world: World, p: Person, when: date) -> None:
    """Death of ``p``: 户籍 row, and no medical bills or housing aid after it."""
    p.status, p.status_date = "死亡", when
    for row in p.hh.rows:
        if row.person is p and row.status == "正常":
            row.status, row.date = "死亡", when
    world.settlements = [s for s in world.settlements if s.person is not p or s.settled < when]
    world.housing = [h for h in world.housing if h.person is not p]


class Planter:
    """Chooses households for the planted cases and changes their facts."""

    def __init__(self, rng: random.Random, world: World, pre: dict[str, dict[str, object]],
                 maker: AssetMaker) -> None:
        self.rng = rng
        self.world = world
        self.pre = pre
        self.maker = maker
        self.used: set[str] = set()
        self.specs: dict[str, dict[str, object]] = {}
        self.pools: dict[str, list[Household]] = {}
        self.kin = kinship(world)
        self.ix = Indexes(world)
        self.staff_names: set[tuple[str, str]] = set()

    def pick(self, key: str, cond: Callable[[Household, dict[str, object]], bool]
             ) -> Household | None:
        """A random unused household meeting ``cond`` (candidate pools are cached)."""
        if key not in self.pools:
            pool = [hh for hh in self.world.households if cond(hh, self.pre[hh.uid])]
            self.rng.shuffle(pool)
            self.pools[key] = pool
        pool = self.pools[key]
        while pool:
            hh = pool.pop()
            if hh.uid not in self.used and cond(hh, self.pre[hh.uid]):
                self.used.add(hh.uid)
                return hh
        return None

    def spec(self, hh: Household, kind: str, **values: object) -> None:
        hh.planted.append(kind)
        self.specs.setdefault(hh.uid, {})[kind] = values

    def run(self, per_type: int) -> dict[str, dict[str, object]]:
        for kind in TYPES:
            for _ in range(per_type):
                getattr(self, "_" + kind)()
        return self.specs

    # -- the seven types ---------------------------------------------------------------------
    def _still_receiving_after_death(self) -> None:
        as_of = self.world.as_of
        hh = self.pick("single", lambda h, e: e["category"] in ("低保", "特困") and e["n"] == 1
                       and h.living[0].age(as_of) >= 45)
        if hh is None:
            return
        p = hh.living[0]
        last = month_index(as_of) - 2
        death_month = last - self.rng.randint(0, 10)
        y, m = ym(death_month)
        when = date(y, m, self.rng.randint(1, 28))
        e = self.pre[hh.uid]
        end = None if self.rng.random() < 0.5 else self.rng.randint(death_month + 2,
                                                                     month_index(as_of))
        kill(self.world, p, when)
        self.spec(hh, "still_receiving_after_death", person=p, category=e["category"],
                  amount=e["amount"], end=end, total=e["total"])

    def _asset_disqualifies(self) -> None:
        hh = self.pick("dibao", lambda h, e: e["category"] == "低保")
        if hh is None:
            return
        rng, maker = self.rng, self.maker
        e = self.pre[hh.uid]
        adults = [p for p in hh.living if p.age(self.world.as_of) >= 18] or hh.living
        p = rng.choice(adults)
        what = rng.choice(("car", "business", "home", "deposit"))
        if what == "car":
            objs = [maker.vehicle(p, "小型轿车")]
        elif what == "business":
            objs = [maker.business(p, "存续")]
        elif what == "home":
            homes = [t for t in self.world.titles if t.status == "现势" and t.owner.hh is hh
                     and t.use in ("住宅", "宅基地及住房")]
            first = homes[0] if homes else maker.title(p, "住宅" if hh.urban else "宅基地及住房",
                                                       hh.address)
            objs = [first, maker.title(p, "住宅")]
        else:
            extra = e["limit"] * rng.uniform(1.2, 2.5) - e["assets"]
            objs = [maker.account(p, extra, "定期储蓄")]
        for obj in objs:
            obj.protected = True
        self.spec(hh, "asset_disqualifies", person=p, objects=objs, what=what,
                  amount=e["amount"], n=e["n"], total=e["total"])

    def _duplicate_basic_aid(self) -> None:
        hh = self.pick("dibao5", lambda h, e: e["category"] == "低保" and 1 <= e["n"] <= 5)
        if hh is None:
            return
        rng = self.rng
        other = rng.choice([c for c in REGION_ORDER if c != hh.region.code])
        variants = {}
        for i, p in enumerate(hh.living):
            name = p.name
            alt = (nm.homophone(rng, name, p.kind) or nm.transliteration(rng, name, p.kind)
                   or nm.traditional(name, p.kind) or nm.dot_variant(rng, name, False))
            use_name = alt is not None and (rng.random() < 0.7 or i == 0)
            use_15 = p.birth.year < 1980 and rng.random() < 0.6
            if i == 0 and not use_name and not (p.birth.year < 1980):
                alt = nm.space_in_name(rng, name, p.kind)
                use_name = True
            variants[p.uid] = (alt if use_name and alt else name,
                               to_id15(p.id18) if use_15 else p.id18)
        self.spec(hh, "duplicate_basic_aid", other=other, variants=variants)

    def _exclusive_overlap(self) -> None:
        hh = self.pick("tekun", lambda h, e: e["category"] == "特困")
        if hh is None:
            return
        self.spec(hh, "exclusive_overlap", person=self.rng.choice(hh.living))

    def _double_housing_aid(self) -> None:
        poor = ("低保", "特困", "低保边缘")
        hh = self.pick("urban_poor", lambda h, e: h.urban and e["category"] in poor
                       and any(p.age(self.world.as_of) >= 18 for p in h.living))
        if hh is None:
            return
        rng, world = self.rng, self.world
        members = {id(p) for p in hh.persons}
        world.housing = [h for h in world.housing if id(h.person) not in members]
        adults = [p for p in hh.living if p.age(world.as_of) >= 18]
        a = adults[0]
        b = adults[1] if len(adults) > 1 and rng.random() < 0.5 else a
        flat = public_flat(rng, self.maker, hh, a,
                           self.maker.rand_date(date(world.as_of.year - 2, 1, 1),
                                                world.as_of - timedelta(days=200)))
        sub_start = flat.start + timedelta(days=rng.randint(20, 150))
        end = None if rng.random() < 0.6 else sub_start + timedelta(days=rng.randint(60, 120))
        from hub.datasets.world import Housing
        sub = Housing(b, "租赁补贴", hh.address, sub_start, end, rng.randint(100, 500))
        flat.protected = sub.protected = True
        world.housing += [flat, sub]
        self.spec(hh, "double_housing_aid", objects=[flat, sub], persons=[a, b])

    def _missed_eligible(self) -> None:
        first = self.rng.random() < 0.5
        if not self._missed(first):
            self._missed(not first)

    def _missed(self, edge: bool) -> bool:
        rng = self.rng
        if edge:
            hh = self.pick("edge",
                           lambda h, e: e["category"] == "低保边缘" and bool(e["individual"]))
            if hh is None:
                hh = self._make_qualifying("低保边缘")
            if hh is None:
                return False
            self.spec(hh, "missed_eligible", mode="edge")
            return True
        hh = self.pick("dibao_ill", lambda h, e: e["category"] == "低保" and e["n"] >= 2 and any(
            p.severe or p.illness for p in h.living))
        if hh is None:
            hh = self._make_qualifying("低保")
        if hh is None:
            return False
        hidden = any(p.hidden_income for p in hh.living)
        self.spec(hh, "missed_eligible", mode="ended" if hidden or rng.random() < 0.5 else "never")
        return True

    def _make_qualifying(self, category: str) -> Household | None:
        """Give a member of a 低保/低保边缘 household a level 一/二级 disability."""
        world = self.world
        cands = [hh for hh in world.households if hh.uid not in self.used
                 and self.pre[hh.uid]["category"] == category and len(hh.living) >= 2
                 and any(p.income < hh.std and p.disability is None for p in hh.living)]
        self.rng.shuffle(cands)
        for hh in cands[:20]:
            p = next(p for p in hh.living if p.income < hh.std and p.disability is None)
            p.disability, p.has_cert = (self.rng.choice(("肢体", "视力", "智力")), "二级"), True
            p.cert_issued = date(max(p.birth.year + 1, world.as_of.year - 5), 3, 15)
            old_labour = p.labour
            if p.labour != "无劳动能力":
                p.labour = "完全丧失劳动能力"
            e = evaluate(world, hh, self.kin, self.ix)
            if e["category"] == category:
                self.used.add(hh.uid)
                return hh
            p.disability, p.has_cert, p.cert_issued, p.labour = None, False, None, old_labour
        return None

    def _kin_of_staff(self) -> None:
        world = self.world
        by_uid = self.ix.by_uid
        as_of = world.as_of
        kin = self.kin

        def staff_kin(hh: Household) -> Person | None:
            for m in hh.living:
                for uid in sorted(kin[m.uid].all()) if m.uid in kin else []:
                    k = by_uid[uid]
                    if (k.alive and k.hh.region is hh.region and 23 <= k.age(as_of) <= 58
                            and k.employment == "就业" and not k.staff_title
                            and (k.hh.region.code, k.name) not in self.staff_names
                            and k.hh.uid not in self.used):
                        return k
            return None

        if "kin" not in self.pools:
            pool = [h for h in world.households if self.pre[h.uid]["category"] == "低保"
                    and staff_kin(h) is not None]
            self.rng.shuffle(pool)
            self.pools["kin"] = pool
        while self.pools["kin"]:
            hh = self.pools["kin"].pop()
            k = staff_kin(hh) if hh.uid not in self.used else None
            if k is not None:
                break
        else:
            if self._adopt_staff_kin():
                return
            return
        self.used |= {hh.uid, k.hh.uid}
        self.staff_names.add((k.hh.region.code, k.name))
        self.spec(hh, "kin_of_staff", staff=k)

    def _adopt_staff_kin(self) -> bool:
        """Fallback: record a working resident as an adult child who left a 低保 head's 户."""
        world = self.world
        as_of = world.as_of
        homes = [h for h in world.households if h.uid not in self.used
                 and self.pre[h.uid]["category"] == "低保"
                 and any(p.relation == "户主" for p in h.living)]
        self.rng.shuffle(homes)
        workers = [p for p in world.persons if p.alive and p.employment == "就业"
                   and 23 <= p.age(as_of) <= 58 and not p.moved_from
                   and p.relation in ("户主", "配偶") and p.hh.uid not in self.used]
        for hh in homes:
            head = next(p for p in hh.living if p.relation == "户主")
            for k in workers:
                gap = head.age(as_of) - k.age(as_of)
                if (k.hh is not hh and k.hh.region is hh.region and 20 <= gap <= 40
                        and (k.hh.region.code, k.name) not in self.staff_names):
                    rel = "子" if k.sex == "男" else "女"
                    when = max(k.birth + timedelta(days=365 * 18),
                               as_of - timedelta(days=365 * 5))
                    from hub.datasets.world import HukouRow
                    hh.rows.append(HukouRow(k, rel, "迁出", when))
                    k.moved_from.append((hh, rel, when))
                    self.kin = kinship(world)
                    self.used |= {hh.uid, k.hh.uid}
                    self.staff_names.add((k.hh.region.code, k.name))
                    self.spec(hh, "kin_of_staff", staff=k)
                    return True
        return False


def plant(rng: random.Random, world: World, pre: dict[str, dict[str, object]],
          maker: AssetMaker) -> dict[str, dict[str, object]]:
    """Plant about 3 % of households (at least one per type); returns the specs by household."""
    per_type = max(1, round(len(world.households) * 0.03 / len(TYPES)))
    return Planter(rng, world, pre, maker).run(per_type)


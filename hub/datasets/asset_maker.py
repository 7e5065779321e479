"""Making the synthetic world's household assets (deposits, vehicles, businesses, titles)
and housing aid (the product's asset rules are :mod:`hub.rules.assets`)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from hub.datasets.catalog import (
    BANKS,
    BRANCHES,
    CARS,
    COMPANY_TRADES,
    COMPANY_WORDS,
    FARM_VEHICLES,
    MOTORCYCLES,
    ROADS,
    SECURITIES,
    SHOPS,
    TRUCKS,
)
from hub.datasets.economy import POOR
from hub.datasets.ids import credit_code, plate, title_no
from hub.datasets.world import (
    Account,
    Anomaly,
    Business,
    Household,
    Housing,
    Person,
    Title,
    Vehicle,
    World,
)

ACCOUNT_KINDS = (("活期储蓄", 55), ("定期储蓄", 25), ("理财产品", 13), ("证券账户", 7))


class AssetMaker:
    """Creates asset facts; also used by planted.py to add disqualifying assets."""

    def __init__(self, rng: random.Random, world: World) -> None:
        self.rng = rng
        self.world = world
        self.title_seq = 0

    def rand_date(self, start: date, end: date) -> date:
        """Uniform date in [start, end]."""
        span = max(0, (end - start).days)
        return start + timedelta(days=self.rng.randint(0, span))

    def county(self, hh: Household) -> str:
        return "文峰区" if hh.region.code == "410502" else hh.region.city

    def account(self, p: Person, balance: float, kind: str | None = None) -> Account:
        rng = self.rng
        code = p.hh.region.code
        if kind is None:
            kinds = [k for k, _ in ACCOUNT_KINDS]
            kind = rng.choices(kinds, weights=[w for _, w in ACCOUNT_KINDS])[0]
        if kind == "证券账户":
            inst = rng.choice(SECURITIES)
        else:
            inst = f"{rng.choice(BANKS[code])}{p.hh.region.city}{rng.choice(BRANCHES)}"
        acc = Account(p, inst, kind, round(balance, 2),
                      self.world.as_of - timedelta(days=rng.randint(0, 10)))
        self.world.accounts.append(acc)
        return acc

    def deposits(self, hh: Household, total: float) -> None:
        """Spread ``total`` over 1–3 accounts of each adult (children sometimes)."""
        rng = self.rng
        holders = [p for p in hh.living if p.age(self.world.as_of) >= 18 or rng.random() < 0.2]
        if not holders:
            holders = hh.living[:1]
        slots = [p for p in holders for _ in range(rng.randint(1, 3))]
        weights = [rng.uniform(0.1, 1.0) for _ in slots]
        scale = sum(weights)
        for p, w in zip(slots, weights, strict=True):
            self.account(p, max(0.01, total * w / scale))

    def vehicle(self, p: Person, kind: str, status: str = "正常") -> Vehicle:
        rng = self.rng
        model = rng.choice({"小型轿车": CARS, "货车": TRUCKS, "摩托车": MOTORCYCLES,
                            "农用车": FARM_VEHICLES}[kind])
        lo = max(date(2005, 1, 1), p.birth + timedelta(days=365 * 18))
        v = Vehicle(p, plate(rng, p.hh.region.plate), kind, model,
                    self.rand_date(lo, self.world.as_of - timedelta(days=30)), status)
        self.world.vehicles.append(v)
        return v

    def business(self, p: Person, status: str, company: bool = False) -> Business:
        rng = self.rng
        hh = p.hh
        if company:
            city = "安阳市" if hh.region.code == "410502" else hh.region.city
            kind = "有限责任公司"
            name = f"{city}{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_TRADES)}有限公司"
            capital = rng.choice((10, 30, 50, 100, 200, 500))
        else:
            kind = "个体工商户"
            name = f"{self.county(hh)}{hh.township}{p.name}{rng.choice(SHOPS)}"
            capital = rng.randint(1, 30)
        lo = max(date(2008, 1, 1), p.birth + timedelta(days=365 * 18))
        b = Business(p, credit_code(rng, kind, hh.region.code), name, kind, capital,
                     self.rand_date(lo, self.world.as_of - timedelta(days=60)), status)
        self.world.businesses.append(b)
        return b

    def title(self, owner: Person, use: str, location: str | None = None,
              status: str = "现势") -> Title:
        rng = self.rng
        hh = owner.hh
        self.title_seq += 1
        spouse = next((q for q in hh.living if q is not owner and
                       {q.relation, owner.relation} in ({"户主", "配偶"}, {"父亲", "母亲"})), None)
        co = spouse if spouse is not None and rng.random() < 0.55 else None
        lo = max(date(2006, 1, 1), owner.birth + timedelta(days=365 * 20))
        when = self.rand_date(lo, self.world.as_of - timedelta(days=90))
        if location is None:
            location = self.other_location(hh, use)
        area = {"住宅": (45, 140), "宅基地及住房": (80, 260), "商业": (20, 120)}[use]
        t = Title(owner, co, title_no(rng, hh.region.title_prefix, when.year,
                                      hh.region.title_city, self.title_seq),
                  location, round(rng.uniform(*area), 2), use, when, status)
        self.world.titles.append(t)
        return t

    def other_location(self, hh: Household, use: str) -> str:
        rng = self.rng
        town = next(t for t, u in hh.region.townships if u)
        base = f"{hh.region.address_prefix}{town}{rng.choice(ROADS)}{rng.randint(1, 399)}号"
        estate = f"{rng.choice(COMPANY_WORDS)}{rng.choice(('花园', '小区'))}"
        unit = (f"{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元"
                f"{rng.randint(1, 24)}0{rng.randint(1, 4)}")
        return base + estate + unit + ("号商铺" if use == "商业" else "室")


def build_assets(rng: random.Random, world: World, maker: AssetMaker) -> None:
    """Assets for every household with living members, shaped by its target category."""
    for hh in world.households:
        living = hh.living
        if not living:
            continue
        limit = 24 * hh.std * len(living)
        adults = [p for p in living if p.age(world.as_of) >= 18] or living
        owner = adults[0]
        home_use = "住宅" if hh.urban else "宅基地及住房"
        if hh.target in POOR or (hh.target == "不符合" and rng.random() < 0.12):
            _modest(rng, world, maker, hh, limit, adults, home_use)
            continue
        bad = hh.target == "不符合" and rng.random() < 0.85
        issues = set()
        if bad:
            while not issues:
                issues = {i for i, pr in (("deposit", 0.8), ("car", 0.6), ("business", 0.2),
                                          ("homes", 0.2)) if rng.random() < pr}
        total = limit * (rng.uniform(1.1, 12) if "deposit" in issues else rng.uniform(0.05, 0.9))
        maker.deposits(hh, total)
        if "car" in issues:
            for p in rng.sample(adults, min(len(adults), rng.choice((1, 1, 2)))):
                maker.vehicle(p, "小型轿车" if rng.random() < 0.9 else "货车")
        if "business" in issues:
            maker.business(rng.choice(adults), "存续", company=rng.random() < 0.2)
        if rng.random() < 0.85:
            maker.title(owner, home_use, hh.address)
        if "homes" in issues:
            maker.title(rng.choice(adults), "住宅")
            if rng.random() < 0.2:
                maker.title(rng.choice(adults), "商业")
        if rng.random() < 0.15:
            maker.vehicle(rng.choice(adults), "摩托车")
        if rng.random() < 0.08:
            maker.business(rng.choice(adults), rng.choice(("注销", "吊销")))


def _modest(rng: random.Random, world: World, maker: AssetMaker, hh: Household, limit: int,
            adults: list[Person], home_use: str) -> None:
    near = rng.random() < 0.05
    total = limit * (rng.uniform(0.93, 0.995) if near else rng.uniform(0.01, 0.5))
    maker.deposits(hh, total)
    if near:
        world.near_misses.append(Anomaly("asset_allowed_or_under_limit", [hh], [adults[0]], [],
                                         f"deposits {total:.2f} just under limit {limit}"))
    if rng.random() < 0.75:
        maker.title(adults[0], home_use, hh.address)
    if rng.random() < 0.05:
        maker.title(adults[0], "住宅", status="注销")
    extras = (("摩托车", 0.12), ("农用车", 0.1 if not hh.urban else 0.0), ("scrapped", 0.03),
              ("cancelled", 0.04))
    for what, prob in extras:
        if rng.random() >= prob:
            continue
        p = rng.choice(adults)
        if what == "scrapped":
            obj = maker.vehicle(p, "小型轿车", rng.choice(("报废", "注销")))
            text = f"{obj.status} 小型轿车 {obj.plate}"
        elif what == "cancelled":
            obj = maker.business(p, rng.choice(("注销", "吊销")))
            text = f"cancelled business {obj.name}"
        else:
            obj = maker.vehicle(p, what)
            text = f"{what} {obj.plate} (allowed)"
        world.near_misses.append(Anomaly("asset_allowed_or_under_limit", [hh], [p],
                                         [("", obj)], text))


def build_housing(rng: random.Random, world: World, maker: AssetMaker) -> None:
    """Housing aid: public-rental flats, rent subsidies, rural renovations."""
    as_of = world.as_of
    for hh in world.households:
        living = [p for p in hh.living if p.age(as_of) >= 18]
        if not living or hh.target not in POOR:
            continue
        p = living[0]
        if not hh.urban:
            if rng.random() < 0.15:
                start = maker.rand_date(date(as_of.year - 7, 1, 1), as_of - timedelta(days=300))
                end = start + timedelta(days=rng.randint(90, 280))
                world.housing.append(Housing(p, "危房改造", hh.address, start, end,
                                             rng.randrange(15000, 38001, 1000)))
            continue
        r = rng.random()
        if r < 0.04:
            _sequential(rng, world, maker, hh, p)
        elif r < 0.18:
            world.housing.append(public_flat(rng, maker, hh, p))
        elif r < 0.3:
            start = maker.rand_date(date(as_of.year - 5, 1, 1), as_of - timedelta(days=60))
            end = None if rng.random() < 0.7 else maker.rand_date(start + timedelta(days=90),
                                                                  as_of - timedelta(days=5))
            if end is not None and end <= start:
                end = None
            world.housing.append(Housing(p, "租赁补贴", hh.address, start, end,
                                         rng.randint(100, 500)))


def public_flat(rng: random.Random, maker: AssetMaker, hh: Household, p: Person,
                start: date | None = None) -> Housing:
    """A 公租房实物配租 contract (3 or 5 years)."""
    as_of = maker.world.as_of
    if start is None:
        start = maker.rand_date(date(as_of.year - 4, 1, 1), as_of - timedelta(days=60))
    end = date(start.year + rng.choice((3, 5)), start.month, min(start.day, 28))
    town = hh.township
    addr = (f"{hh.region.address_prefix}{town}{rng.choice(('保障房小区', '惠民家园', '幸福家园'))}"
            f"公租房{rng.randint(1, 12)}栋{rng.randint(1, 4)}单元"
            f"{rng.randint(1, 18)}0{rng.randint(1, 4)}室")
    return Housing(p, "公租房实物配租", addr, start, end, rng.randint(100, 320))


def _sequential(rng: random.Random, world: World, maker: AssetMaker, hh: Household,
                p: Person) -> None:
    as_of = world.as_of
    start = maker.rand_date(date(as_of.year - 5, 1, 1), date(as_of.year - 3, 1, 1))
    end = start + timedelta(days=rng.randint(300, 900))
    sub = Housing(p, "租赁补贴", hh.address, start, end, rng.randint(100, 500))
    flat = public_flat(rng, maker, hh, p, end + timedelta(days=rng.randint(10, 80)))
    world.housing += [sub, flat]
    world.near_misses.append(Anomaly(
        "housing_sequential_not_overlapping", [hh], [p], [("", sub), ("", flat)],
        f"租赁补贴 {sub.start}~{sub.end} then 实物配租 from {flat.start}"))

"""人社 employment/insurance, 税务 income and 公积金 accounts."""

from __future__ import annotations

import random
from datetime import date, timedelta

from hub.datasets.planted import month_index, ym
from hub.datasets.records import Rec, Slot, iso, money
from hub.datasets.world import Person, World


def _month(index: int) -> str:
    y, m = ym(index)
    return f"{y}-{m:02d}"


def visible_job(p: Person) -> bool:
    """Has a current 人社 row with a contribution base."""
    return p.employment in ("就业", "公益性岗位") or (p.employment == "灵活就业" and p.wage >= 1500)


def build_renshe(rng: random.Random, world: World) -> list[Rec]:
    """Current rows (as-of month), older rows, retirees, the unemployed and the recently dead."""
    now = month_index(world.as_of)
    out = []
    for p in world.persons:
        if p.status == "迁出":
            continue
        if p.status == "死亡":
            if p.status_date is None or month_index(p.status_date) < now - 24:
                continue
            month = month_index(p.status_date)
        else:
            month = now

        def row(status: str, unit: str, base: str, m: str, pension: str,
                person: Person = p) -> None:
            out.append(Rec(["", person.name, person.id18, status, unit, base, m, pension],
                           [Slot("本人", person, 1, 2)]))

        if p.old_employer and visible_job(p):
            row("就业", p.old_employer, str(round(p.wage * rng.uniform(0.75, 1.0))),
                _month(month - rng.randint(6, 30)), "")
        if visible_job(p):
            unit = "个人身份参保" if p.employment == "灵活就业" else p.employer
            row(p.employment, unit, str(p.wage), _month(month), "")
        elif p.employment == "登记失业":
            m = "" if rng.random() < 0.4 else _month(month - rng.randint(1, 20))
            row("登记失业", "", "", m, "")
        if p.pension:
            unit = (p.old_employer if p.pension_type == "城镇职工基本养老保险" and p.old_employer
                    else "城乡居民基本养老保险")
            row("退休", unit, "", _month(month), str(p.pension))
    return out


def build_shuiwu(rng: random.Random, world: World) -> list[Rec]:
    """Annual income of the two years before as-of for people with a visible job."""
    out = []
    for p in world.persons:
        if not visible_job(p) or p.status == "迁出":
            continue
        item = ("工资薪金" if p.employment != "灵活就业"
                else rng.choice(("劳务报酬", "劳务报酬", "经营所得")))
        for year in (world.as_of.year - 2, world.as_of.year - 1):
            share = 1.0
            if p.status == "死亡" and p.status_date is not None:
                if p.status_date.year < year:
                    continue
                if p.status_date.year == year:
                    share = p.status_date.month / 12
            income = 12 * p.wage * rng.uniform(0.85, 1.1) * share
            tax = max(0.0, (income - 60000) * 0.03)
            out.append(Rec(["", p.name, p.id18, str(year), item, money(income), money(tax)],
                           [Slot("纳税人", p, 1, 2)]))
    return out


def build_gongjijin(rng: random.Random, world: World) -> list[Rec]:
    """Housing-fund accounts of employees (not counted as assets)."""
    out = []
    for p in world.persons:
        if p.employment != "就业" or not p.alive or rng.random() > 0.6:
            continue
        deposit = round(p.wage * 0.24)
        opened = world.as_of - timedelta(days=rng.randint(200, 365 * 15))
        opened = max(opened, p.birth + timedelta(days=365 * 19))
        months = max(1, (world.as_of - opened).days // 30)
        balance = deposit * months * rng.uniform(0.2, 0.9)
        out.append(Rec(["", p.name, p.id18, p.employer, str(p.wage), str(deposit), money(balance),
                        "正常", iso(min(opened, world.as_of - timedelta(days=30)))],
                       [Slot("缴存人", p, 1, 2)]))
        if p.old_employer and rng.random() < 0.5:
            old = p.old_employer
            base = round(p.wage * rng.uniform(0.7, 0.95))
            out.append(Rec(["", p.name, p.id18, old, str(base), str(round(base * 0.24)),
                            money(base * rng.uniform(1, 20)), "封存",
                            iso(max(date(2005, 1, 1), opened - timedelta(days=900)))],
                           [Slot("缴存人", p, 1, 2)]))
    return out

"""民政 families and basic-aid records, consistent with the categories (section 8)."""

from __future__ import annotations

import random
from datetime import date

from hub.datasets.catalog import MZ_RELATION, REGIONS
from hub.datasets.economy import tekun_std
from hub.datasets.planted import month_index, ym
from hub.datasets.world import AidRecord, Anomaly, Family, Household, Person, World
from hub.errors import HubError

ENDED_REMARKS = ("收入增加退保", "家庭经济状况核查后停保", "主动申请退出")


class DemoSetTooSmallError(HubError):
    """The requested set is too small for the generator to plant a consistent world."""


def rel_to_applicant(applicant: Person, member: Person) -> str:
    """与申请人关系 of a member, derived from the 户籍 relations."""
    if member is applicant:
        return "本人"
    if applicant.relation == "户主":
        return MZ_RELATION.get(member.relation, "其他亲属")
    if applicant.relation == "配偶" and member.relation == "户主":
        return "配偶"
    if applicant.relation == "配偶" and member.relation in MZ_RELATION and \
            MZ_RELATION[member.relation] in ("子", "女", "孙子", "孙女"):
        return MZ_RELATION[member.relation]
    if applicant.relation in ("兄", "弟", "姐", "妹", "户主") or member.relation in (
            "兄", "弟", "姐", "妹"):
        return "兄弟姐妹"
    return "其他亲属"


class Welfare:
    """Builds families and aid records region by region with running numbers."""

    def __init__(self, rng: random.Random, world: World) -> None:
        self.rng = rng
        self.world = world
        self.fam_seq: dict[str, int] = {}
        self.obj_seq: dict[tuple[str, str], int] = {}

    def family(self, region: str, category: str, applicant: Person, members: list[Person],
               zero_income: bool = False) -> Family:
        self.fam_seq[region] = self.fam_seq.get(region, 0) + 1
        fam = Family(f"{region}{self.fam_seq[region]:06d}", region, category, applicant)
        for m in [applicant] + [m for m in members if m is not applicant]:
            fam.members.append((m, rel_to_applicant(applicant, m), 0 if zero_income else m.income))
        self.world.families.append(fam)
        return fam

    def record(self, fam: Family, person: Person, category: str, covered: int, amount: int,
               start: int, end: int | None, remark: str = "") -> AidRecord:
        tag = "TK" if category == "特困供养" else "DB"
        key = (fam.region, tag)
        self.obj_seq[key] = self.obj_seq.get(key, 0) + 1
        rec = AidRecord(fam, person, person.name, person.id18, category, covered, amount,
                        ym(start), ym(end) if end is not None else None, fam.region,
                        remark=remark, obj_no=f"{fam.region}{tag}{self.obj_seq[key]:06d}")
        self.world.aid.append(rec)
        return rec

    def start_month(self, hh: Household, members: list[Person], latest: int | None = None) -> int:
        """A first month after every member's birth and every death in the household."""
        as_of = self.world.as_of
        lo = month_index(date(2016, 1, 1))
        for p in members:
            lo = max(lo, month_index(p.birth) + 1)
        for p in hh.persons:
            if p.status == "死亡" and p.status_date is not None:
                lo = max(lo, month_index(p.status_date) + 1)
        hi = latest if latest is not None else month_index(as_of)
        return self.rng.randint(lo, hi) if hi > lo else hi

    def dibao_kind(self, hh: Household) -> str:
        return "城市低保" if hh.urban else "农村低保"

    # -- per household -------------------------------------------------------------------
    def household(self, hh: Household, e: dict[str, object], spec: dict[str, object]) -> None:
        rng = self.rng
        code = hh.region.code
        living = hh.living
        cat = e["category"]
        now = month_index(self.world.as_of)
        if "still_receiving_after_death" in spec:
            s = spec["still_receiving_after_death"]
            p = s["person"]
            start = self.start_month(hh, [p], month_index(p.status_date) - 3)
            if s["category"] == "特困":
                fam = self.family(code, "特困", p, [p])
                rec = self.record(fam, p, "特困供养", 1, tekun_std(hh.std), start, s["end"],
                                  "分散供养")
            else:
                fam = self.family(code, "低保", p, [p])
                rec = self.record(fam, p, self.dibao_kind(hh), 1, s["amount"], start, s["end"])
            rec.protected = fam.protected = True
            s["record"] = rec
            return
        if "asset_disqualifies" in spec:
            s = spec["asset_disqualifies"]
            fam = self.family(code, "低保", living[0], living)
            rec = self.record(fam, living[0], self.dibao_kind(hh), s["n"], s["amount"],
                              self.start_month(hh, living, now - 1), None)
            rec.protected = fam.protected = True
            s["record"] = rec
            return
        if cat == "特困":
            fam = self.family(code, "特困", living[0], living)
            for p in living:
                start = self.start_month(hh, [p], now - 1)
                remark = "分散供养" if rng.random() < 0.85 else "集中供养"
                rec = self.record(fam, p, "特困供养", 1, e["tk"], start, None, remark)
                if "exclusive_overlap" in spec and spec["exclusive_overlap"]["person"] is p:
                    s = spec["exclusive_overlap"]
                    fam2 = self.family(code, "低保", p, [p])
                    rec2 = self.record(fam2, p, self.dibao_kind(hh), 1, max(1, hh.std - p.income),
                                       self.start_month(hh, [p], now - 1), None)
                    rec.protected = rec2.protected = fam.protected = fam2.protected = True
                    s["records"] = [rec, rec2, fam2]
            return
        if cat == "低保":
            missed = spec.get("missed_eligible")
            if missed is not None:
                if missed["mode"] == "ended":
                    self.ended(hh, living, "家庭经济状况核查后停保")
                return
            fam = self.family(code, "低保", living[0], living)
            latest = now - 3 if "duplicate_basic_aid" in spec else now - 1
            rec = self.record(fam, living[0], self.dibao_kind(hh), len(living), e["amount"],
                              self.start_month(hh, living, latest), None)
            if "kin_of_staff" in spec:
                s = spec["kin_of_staff"]
                rec.handler, rec.protected = s["staff"], True
                s["record"] = rec
            if "duplicate_basic_aid" in spec:
                self.duplicate(hh, rec, spec["duplicate_basic_aid"])
            return
        if cat == "低保边缘":
            self.family(code, "低保边缘", living[0], living)
            if "missed_eligible" not in spec:
                for p in e["individual"]:
                    fam = self.family(code, "低保(单人户)", p, [p])
                    self.record(fam, p, self.dibao_kind(hh), 1, hh.std - p.income,
                                self.start_month(hh, [p], now - 1), None, "单人户施保")
            return
        hidden = any(p.hidden_income for p in living)
        if cat == "刚性支出困难":
            if hidden or rng.random() < 0.5:
                self.family(code, "刚性支出困难", living[0], living)
            return
        if living and (hidden or rng.random() < 0.04):
            self.ended(hh, living, rng.choice(ENDED_REMARKS), with_record=rng.random() < 0.6)
        elif hh.target == "无在世成员" and rng.random() < 0.5:
            self.died_in_time(hh)

    def ended(self, hh: Household, living: list[Person], remark: str,
              with_record: bool = True) -> None:
        """An 已退出 family, usually with an ended 低保 record."""
        fam = self.family(hh.region.code, "已退出", living[0], living)
        now = month_index(self.world.as_of)
        start = self.start_month(hh, living, now - 8)
        if not with_record or start > now - 8:
            return
        end = self.rng.randint(start + 6, now - 2)
        amount = max(30, round(hh.std * len(living) * self.rng.uniform(0.1, 0.6)))
        self.record(fam, living[0], self.dibao_kind(hh), len(living), amount, start, end, remark)

    def died_in_time(self, hh: Household) -> None:
        """Near miss: the record of a recipient who died stopped in time."""
        p = next(p for p in hh.persons if p.status == "死亡" and p.relation == "户主")
        d = month_index(p.status_date)
        start = self.start_month(hh, [p], d - 6)
        end = d + self.rng.randint(0, 1)
        fam = self.family(hh.region.code, "已退出", p, [p])
        rec = self.record(fam, p, self.dibao_kind(hh), 1,
                          max(50, hh.std - self.rng.randint(100, 300)), start, end, "死亡注销")
        self.world.near_misses.append(Anomaly(
            "death_terminated_in_time", [hh], [p], [("minzheng_aid.csv", rec), ("gongan", p)],
            f"died {p.status_date}, {rec.category} ended {end // 12}{end % 12 + 1:02d} "
            "(<2 months)"))

    def duplicate(self, hh: Household, first: AidRecord, s: dict[str, object]) -> None:
        """A second registration of the whole family in another region."""
        other = REGIONS[s["other"]]
        living = hh.living
        urban = self.rng.random() < 0.6
        fam = self.family(other.code, "低保", living[0], living, zero_income=True)
        fam.variants = dict(s["variants"])
        fam.protected = first.protected = first.family.protected = True
        start = max(month_index(date(first.start[0], first.start[1], 1)) + 1,
                    month_index(self.world.as_of) - 14)
        start = self.rng.randint(min(start, month_index(self.world.as_of)),
                                 month_index(self.world.as_of))
        std = other.dibao[0 if urban else 1]
        rec = self.record(fam, living[0], "城市低保" if urban else "农村低保", len(living),
                          std * len(living), start, None)
        rec.name, rec.id_value = fam.variants[living[0].uid]
        rec.protected = True
        town = next(t for t, u in other.townships if u == urban)
        s.update(records=[first, rec], town=town)


def build_welfare(rng: random.Random, world: World, elig: dict[str, dict[str, object]],
                  specs: dict[str, dict[str, object]]) -> None:
    """Create every 民政 family and aid record, then assign 经办人."""
    w = Welfare(rng, world)
    for hh in world.households:
        w.household(hh, elig[hh.uid], specs.get(hh.uid, {}))
    assign_handlers(rng, world)


def assign_handlers(rng: random.Random, world: World) -> None:
    """Give each record a roster member of its region who is no kin of anyone covered
    (in a set too small to staff every region, one from another region)."""
    staff_by_region: dict[str, list[Person]] = {}
    for s in world.staff:
        staff_by_region.setdefault(s.hh.region.code, []).append(s)
    for rec in world.aid:
        if rec.handler is not None:
            continue
        covered = {m.uid for m, _, _ in rec.family.members} | {rec.person.uid}
        blocked = set(covered)
        for uid in covered:
            blocked |= world.kin.get(uid, set())
        pool = [s for s in staff_by_region.get(rec.region, []) if s.uid not in blocked]
        if not pool:  # a tiny set may have no roster in a region: borrow a neighbour's
            pool = [s for s in world.staff if s.uid not in blocked]
        if not pool:
            raise DemoSetTooSmallError(
                "too few households to staff the 民政 roster (no working-age resident to "
                "handle the aid records); generate at least 10 households")
        rec.handler = rng.choice(pool)


def aid_status(world: World) -> dict[str, str]:
    """Person uid -> 特困人员 / 低保对象 / 低保边缘家庭成员 from the current 民政 files."""
    out: dict[str, str] = {}
    rank = {"特困人员": 3, "低保对象": 2, "低保边缘家庭成员": 1}
    for fam in world.families:
        if fam.category == "低保边缘" and fam.region == fam.applicant.hh.region.code:
            for m, _, _ in fam.members:
                out.setdefault(m.uid, "低保边缘家庭成员")
    for rec in world.aid:
        if rec.end is not None or rec.region != rec.person.hh.region.code:
            continue
        label = "特困人员" if rec.category == "特困供养" else "低保对象"
        for m, _, _ in rec.family.members:
            if rank[label] > rank.get(out.get(m.uid, ""), 0):
                out[m.uid] = label
    return out


def apply_medical_aid(world: World) -> None:
    """Medical aid: 特困 100 %, 低保 70 %, registered 低保边缘 50 % of the remainder."""
    status = aid_status(world)
    rates = {"特困人员": 1.0, "低保对象": 0.7, "低保边缘家庭成员": 0.5}
    for s in world.settlements:
        label = status.get(s.person.uid, "")
        s.category = label
        if label:
            s.aid = round((s.total - s.basic - s.serious) * rates[label], 2)

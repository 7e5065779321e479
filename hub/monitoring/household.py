"""The economic picture of a household at the as-of date, for the eligibility detections.

FORMATS.md section 8, reduced to what monitoring needs: each living member's monthly
income (the 民政 family row registered in the member's own 行政区划, else the current 人社
wage + pension), the four asset rules (car or truck, active business, a second home,
deposits over 24 × 低保标准 × living members), and the hardship markers (valid level 一/二级
disability certificate, a 重特大疾病 settlement). Sealed values (balances, incomes, levels,
diagnoses flags) are decrypted here in memory only; what leaves this module is numbers used
for a decision and the ids of the records behind them, never logged.

``hub.rules`` is the authority on eligibility; this is the minimum the detections need
until it offers a batch interface (see ``category``: no 特困 or 刚性支出 step).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from graph_schema import labels
from graph_schema.labels import KIND_LABELS
from graph_schema.queries import monitoring as q
from hub.monitoring.model import Evidence
from hub.privacy_graph.kit import PrivacyKit
from hub.store import Store

WORKING = frozenset({"就业", "公益性岗位", "灵活就业"})
EXEMPT_VEHICLES = frozenset({"摩托车", "农用车"})
HOMES = frozenset({"住宅", "宅基地及住房"})
SEVERE_LEVELS = frozenset({"1", "2"})
REGISTERED_LOW_INCOME = frozenset({"低保边缘", "刚性支出困难", "低保", "低保(单人户)", "特困"})
TITLE_ROLES = frozenset({"权利人", "共有人"})
# the non-Fact label a sealed field was bound to when it was encrypted
_LABEL_OF_KIND = {
    "deposit": labels.ASSET, "civil_affairs_member": labels.FAMILY_MEMBERSHIP,
    "employment": labels.INCOME_RECORD, "disability": labels.DISABILITY,
    "medical_settlement": labels.MEDICAL_SETTLEMENT,
}


@dataclass(slots=True)
class Member:
    """One living member: own monthly income, hardship markers and their records."""

    person_id: str
    income: Decimal = Decimal(0)
    income_sources: list[Evidence] = field(default_factory=list)
    hardships: dict[str, list[Evidence]] = field(default_factory=dict)
    unemployed: list[Evidence] = field(default_factory=list)
    students_without_aid: list[Evidence] = field(default_factory=list)
    monitoring: list[Evidence] = field(default_factory=list)
    registered_low_income: bool = False


@dataclass(slots=True)
class Household:
    """A household's members, income, asset issues and standard at the as-of date."""

    household_id: str
    region_code: str | None
    urban_rural: str | None
    members: list[Member]
    dibao_standard: Decimal | None = None
    asset_issues: dict[str, list[Evidence]] = field(default_factory=dict)

    @property
    def total_income(self) -> Decimal:
        """Sum of the living members' monthly incomes."""
        return sum((m.income for m in self.members), Decimal(0))

    @property
    def per_capita(self) -> Decimal:
        """Monthly income per living member."""
        return self.total_income / len(self.members) if self.members else Decimal(0)

    def category(self) -> str | None:
        """低保, 低保边缘, 不符合 (assets) or ``above``; None without a standard.

        No 特困 step: every uncovered household the detections look at has working-age or
        supported members in practice, and a 特困 household is 低保-poor anyway.
        """
        if self.dibao_standard is None or not self.members:
            return None
        if self.asset_issues:
            return "不符合"
        if self.per_capita < self.dibao_standard:
            return "低保"
        if self.per_capita < self.dibao_standard * Decimal("1.5"):
            return "低保边缘"
        return "above"


def standards(store: Store, year: int) -> dict[tuple[str, str], Decimal]:
    """低保标准 by (region, 城市/农村) for ``year``."""
    return {(r["region_code"], r["urban_rural"]): Decimal(str(r["dibao_standard"]))
            for r in store.read(q.REGION_STANDARDS, year=year)}


def school_year(as_of: date) -> int:
    """The school year running on ``as_of`` (it starts on 1 September)."""
    return as_of.year if as_of.month >= 9 else as_of.year - 1


def fact_evidence(fact_key: str, kind: str) -> Evidence:
    """The evidence of a fact from its key (``<source>:<record id>[:suffix]``) and kind."""
    source, record_id = fact_key.split(":")[:2]
    return Evidence(KIND_LABELS[kind][1], source, record_id, fact_key)


class Economics:
    """Loads households' facts from the graph and decrypts what the rules need."""

    def __init__(self, store: Store, kit: PrivacyKit, as_of: date) -> None:
        self.store = store
        self.kit = kit
        self.as_of = as_of
        self.standards = standards(store, as_of.year)

    def load(self, households: Iterable[dict[str, Any]], region: str | None
             ) -> list[Household]:
        """Build a :class:`Household` for each ``LIVING_HOUSEHOLDS`` row.

        One streaming scan over the living members (compact rows) instead of one query per
        household: at 20,000 households the scan takes seconds, the lookups minutes.
        """
        rows = {r["person_id"]: r for r in self.store.stream(q.LIVING_MEMBER_FACTS,
                                                              region=region)}
        out = []
        for info in households:
            region_code = info.get("region_code")
            found = [rows[pid] for pid in sorted(info["person_ids"]) if pid in rows]
            members = [self._member(r["person_id"], region_code, r["facts"]) for r in found]
            hh = Household(info["household_id"], region_code, info.get("urban_rural"),
                           members)
            hh.dibao_standard = self._standard(hh)
            hh.asset_issues = self._asset_issues(hh, [a for r in found for a in r["assets"]])
            out.append(hh)
        return out

    def _standard(self, hh: Household) -> Decimal | None:
        area = hh.urban_rural or "城市"
        return self.standards.get((hh.region_code or "", area))

    def _open(self, token: str | None, kind: str, fact_key: str, name: str) -> str | None:
        if not token:
            return None
        return self.kit.encryptor.decrypt(token, label=_LABEL_OF_KIND[kind],
                                          record_key=fact_key, field=name)

    def _member(self, person_id: str, region_code: str | None,
                facts: list[list[Any]]) -> Member:
        member = Member(person_id)
        month = self.as_of.replace(day=1)
        own_family: list[tuple[str, str | None]] = []
        jobs: list[list[Any]] = []
        for fact in facts:
            key, kind = fact[0], fact[1]
            if key is None:  # OPTIONAL MATCH found nothing
                continue
            if kind == "civil_affairs_member":
                family_no = self._open(fact[3], kind, key, "family_no") or ""
                if region_code and family_no[:6] == region_code:
                    own_family.append((key, fact[4]))
                    member.registered_low_income |= fact[2] in REGISTERED_LOW_INCOME
            elif kind == "employment":
                jobs.append([key, kind, fact[2], fact[3], fact[4], fact[5]])
            elif kind == "disability" and fact[2] == "有效":
                if self._open(fact[3], kind, key, "level") in SEVERE_LEVELS:
                    member.hardships.setdefault("disability", []).append(
                        fact_evidence(key, kind))
            elif kind == "medical_settlement":
                if self._open(fact[2], kind, key, "major_illness") == "true":
                    member.hardships.setdefault("illness", []).append(fact_evidence(key, kind))
            elif kind == "student":
                if fact[2] == school_year(self.as_of) and not fact[3]:
                    member.students_without_aid.append(fact_evidence(key, kind))
            elif kind == "rural_monitoring" and fact[2] is False:
                member.monitoring.append(fact_evidence(key, kind))
        current = [j for j in jobs if j[3] == month]
        latest = max((j for j in jobs if j[3] is not None), key=lambda j: j[3], default=None)
        # 登记失业 rows may have no 参保月份: current unless a row reports the as-of month
        for job in jobs:
            if job[2] == "登记失业" and (job is latest or (job[3] is None and not current)):
                member.unemployed.append(fact_evidence(job[0], job[1]))
        self._income(member, own_family, current)
        return member

    def _income(self, member: Member, own_family: list[tuple[str, str | None]],
                jobs: list[list[Any]]) -> None:
        """民政's verified 月收入 wins; otherwise the current wage plus pension."""
        if own_family:
            key, token = min(own_family)
            member.income = _money(self._open(token, "civil_affairs_member", key,
                                              "monthly_income"))
            member.income_sources.append(fact_evidence(key, "civil_affairs_member"))
            return
        for key, kind, status, _, base, pension in jobs:
            if status in WORKING:
                name, token = "contribution_base", base
            elif status == "退休":
                name, token = "monthly_pension", pension
            else:
                continue
            member.income += _money(self._open(token, kind, key, name))
            member.income_sources.append(fact_evidence(key, kind))

    def _asset_issues(self, hh: Household, assets: list[list[Any]]
                      ) -> dict[str, list[Evidence]]:
        """Which asset rules the living members break, with the records that show it."""
        issues: dict[str, list[Evidence]] = {}
        titles: dict[str, Evidence] = {}
        deposits: dict[str, tuple[Evidence, Decimal]] = {}
        for asset in assets:
            key, kind = asset[0], asset[1]
            if key is None:
                continue
            evidence = fact_evidence(key, kind)
            if kind == "vehicle" and asset[3] == "正常" and asset[2] not in EXEMPT_VEHICLES:
                issues.setdefault("vehicle", []).append(evidence)
            elif kind == "business" and asset[2] == "存续" and asset[3] == "经营者/法定代表人":
                issues.setdefault("business", []).append(evidence)
            elif (kind == "real_estate" and asset[2] in HOMES and asset[3] == "现势"
                  and asset[4] in TITLE_ROLES):
                titles.setdefault(asset[5], evidence)
            elif kind == "deposit" and key not in deposits:
                deposits[key] = (evidence, _money(self._open(asset[2], kind, key, "balance")))
        if len(titles) > 1:
            issues["homes"] = sorted(titles.values())
        if hh.dibao_standard is not None and deposits:
            total = sum((b for _, b in deposits.values()), Decimal(0))
            if total > 24 * hh.dibao_standard * len(hh.members):
                issues["deposits"] = sorted(e for e, _ in deposits.values())
        return issues


def _money(text: str | None) -> Decimal:
    if not text:
        return Decimal(0)
    try:
        return Decimal(text)
    except InvalidOperation:
        return Decimal(0)

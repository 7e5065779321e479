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

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from graph_schema import labels
from graph_schema.queries import monitoring as q
from hub.monitoring.model import Evidence
from hub.privacy_kit import PrivacyKit
from hub.store import Store

WORKING = frozenset({"就业", "公益性岗位", "灵活就业"})
EXEMPT_VEHICLES = frozenset({"摩托车", "农用车"})
HOMES = frozenset({"住宅", "宅基地及住房"})
TITLE_ROLES = frozenset({"权利人", "共有人"})
# the non-Fact label a sealed field was bound to when it was encrypted
_LABEL_OF_KIND = {
    "deposit": labels.ASSET, "civil_affairs_member": labels.FAMILY_MEMBERSHIP,
    "employment": labels.INCOME_RECORD, "disability": labels.DISABILITY,
    "medical_settlement": labels.MEDICAL_SETTLEMENT,
}
_CHUNK = 500


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


class Economics:
    """Loads households' facts from the graph and decrypts what the rules need."""

    def __init__(self, store: Store, kit: PrivacyKit, as_of: date) -> None:
        self.store = store
        self.kit = kit
        self.as_of = as_of
        self.standards = standards(store, as_of.year)

    def load(self, households: Iterable[dict[str, Any]]) -> Iterator[Household]:
        """Yield a :class:`Household` for each ``{household_id, region_code, urban_rural}``."""
        pending = list(households)
        for start in range(0, len(pending), _CHUNK):
            chunk = {h["household_id"]: h for h in pending[start:start + _CHUNK]}
            members: dict[str, list[Member]] = {hid: [] for hid in chunk}
            assets: dict[str, list[dict[str, Any]]] = {hid: [] for hid in chunk}
            for row in self.store.read(q.HOUSEHOLD_FACTS, household_ids=list(chunk)):
                hid = row["household_id"]
                members[hid].append(self._member(row))
                assets[hid].extend(row["assets"])
            for hid, info in chunk.items():
                hh = Household(hid, info.get("region_code"), info.get("urban_rural"),
                               members[hid])
                hh.dibao_standard = self._standard(hh)
                hh.asset_issues = self._asset_issues(hh, assets[hid])
                yield hh

    def _standard(self, hh: Household) -> Decimal | None:
        area = hh.urban_rural or "城市"
        return self.standards.get((hh.region_code or "", area))

    def _open(self, token: str | None, kind: str, fact_key: str, name: str) -> str | None:
        if not token:
            return None
        return self.kit.encryptor.decrypt(token, label=_LABEL_OF_KIND[kind],
                                          record_key=fact_key, field=name)

    def _member(self, row: dict[str, Any]) -> Member:
        member = Member(row["person_id"])
        month = self.as_of.replace(day=1)
        own_family: list[dict[str, Any]] = []
        jobs: list[dict[str, Any]] = []
        latest_job: dict[str, Any] | None = None
        facts = [{**f, "month": _native(f["month"])} for f in row["facts"]]
        for fact in facts:
            kind = fact["kind"]
            evidence = Evidence.from_row(fact)
            if kind == "civil_affairs_member":
                family_no = self._open(fact["enc_family_no"], kind, fact["fact_key"],
                                       "family_no") or ""
                if row["region_code"] and family_no[:6] == row["region_code"]:
                    own_family.append(fact)
                    member.registered_low_income |= fact["family_category"] in (
                        "低保边缘", "刚性支出困难", "低保", "低保(单人户)", "特困")
            elif kind == "employment":
                if fact["month"] == month:
                    jobs.append(fact)
                if latest_job is None or _later(fact, latest_job):
                    latest_job = fact
            elif kind == "disability" and fact["cert_status"] == "有效":
                level = self._open(fact["enc_level"], kind, fact["fact_key"], "level")
                if level in ("1", "2"):
                    member.hardships.setdefault("disability", []).append(evidence)
            elif kind == "medical_settlement":
                ill = self._open(fact["enc_major_illness"], kind, fact["fact_key"],
                                 "major_illness")
                if ill == "true":
                    member.hardships.setdefault("illness", []).append(evidence)
            elif kind == "student":
                if fact["school_year_start"] == school_year(self.as_of) and not fact[
                        "aid_items"]:
                    member.students_without_aid.append(evidence)
            elif kind == "rural_monitoring" and fact["risk_eliminated"] is False:
                member.monitoring.append(evidence)
        # 登记失业 rows may have no 参保月份: current unless a row reports the as-of month
        for fact in (f for f in facts if f["kind"] == "employment"):
            if fact["status"] == "登记失业" and (
                    fact is latest_job or (fact["month"] is None and not jobs)):
                member.unemployed.append(Evidence.from_row(fact))
        self._income(member, own_family, jobs)
        return member

    def _income(self, member: Member, own_family: list[dict[str, Any]],
                jobs: list[dict[str, Any]]) -> None:
        """民政's verified 月收入 wins; otherwise the current wage plus pension."""
        if own_family:
            fact = min(own_family, key=lambda f: f["fact_key"])
            member.income = _money(self._open(fact["enc_monthly_income"], fact["kind"],
                                              fact["fact_key"], "monthly_income"))
            member.income_sources.append(Evidence.from_row(fact))
            return
        for fact in jobs:
            if fact["status"] in WORKING:
                name, token = "contribution_base", fact["enc_contribution_base"]
            elif fact["status"] == "退休":
                name, token = "monthly_pension", fact["enc_monthly_pension"]
            else:
                continue
            member.income += _money(self._open(token, fact["kind"], fact["fact_key"], name))
            member.income_sources.append(Evidence.from_row(fact))

    def _asset_issues(self, hh: Household, assets: list[dict[str, Any]]
                      ) -> dict[str, list[Evidence]]:
        """Which asset rules the living members break, with the records that show it."""
        issues: dict[str, list[Evidence]] = {}
        titles: dict[str, Evidence] = {}
        deposits: dict[str, tuple[Evidence, Decimal]] = {}
        for asset in assets:
            evidence = Evidence.from_row(asset)
            kind = asset["kind"]
            if (kind == "vehicle" and asset["vehicle_status"] == "正常"
                    and asset["vehicle_type"] not in EXEMPT_VEHICLES):
                issues.setdefault("vehicle", []).append(evidence)
            elif (kind == "business" and asset["registration_status"] == "存续"
                  and asset["role"] == "经营者/法定代表人"):
                issues.setdefault("business", []).append(evidence)
            elif (kind == "real_estate" and asset["use"] in HOMES
                  and asset["title_status"] == "现势" and asset["role"] in TITLE_ROLES):
                titles.setdefault(asset["title_key"], evidence)
            elif kind == "deposit" and asset["fact_key"] not in deposits:
                balance = _money(self._open(asset["enc_balance"], kind, asset["fact_key"],
                                            "balance"))
                deposits[asset["fact_key"]] = (evidence, balance)
        if len(titles) > 1:
            issues["homes"] = sorted(titles.values())
        if hh.dibao_standard is not None and deposits:
            total = sum((b for _, b in deposits.values()), Decimal(0))
            if total > 24 * hh.dibao_standard * len(hh.members):
                issues["deposits"] = sorted(e for e, _ in deposits.values())
        return issues


def _later(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether 人社 row ``a`` reports a later month than ``b`` (no month = oldest)."""
    if a["month"] is None:
        return False
    return b["month"] is None or a["month"] > b["month"]


def _native(value: Any) -> Any:
    """A driver temporal as the Python value (``neo4j.time.Date`` → ``date``)."""
    return value.to_native() if hasattr(value, "to_native") else value


def _money(text: str | None) -> Decimal:
    if not text:
        return Decimal(0)
    try:
        return Decimal(text)
    except InvalidOperation:
        return Decimal(0)

"""Whether a household's property is within the local limits (FORMATS.md section 8).

Four tests, each reported with its records: financial assets (every bank and securities
balance of the living members) against the per-capita limit × members; ordinary motor
vehicles (motorcycles and farm vehicles exempt); active businesses; and distinct
residential titles (a title co-owned by two members counts once). The housing fund is
listed for the record but, by rule, not counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from hub.rules.model import MemberFacts, Source, Step
from hub.rules.ruleset import AssetRules

FINANCIAL = "金融资产超限"
VEHICLE = "拥有机动车"
BUSINESS = "拥有存续经营主体"
HOMES = "多套住房"
ISSUE_ORDER = (FINANCIAL, VEHICLE, BUSINESS, HOMES)


@dataclass(slots=True)
class AssetFinding:
    """The asset tests of one household."""

    financial: Decimal
    limit: Decimal
    housing_fund: Decimal
    issues: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every asset test passed."""
        return not self.issues


def _counts_as_financial(kind: str, subtype: str | None, rules: AssetRules) -> bool:
    if kind == "housing_fund":
        return rules.count_housing_fund
    if kind != "deposit":
        return False
    return not rules.financial_account_types or subtype in rules.financial_account_types


def assess_assets(living: list[MemberFacts], per_capita_limit: Decimal,
                  rules: AssetRules) -> AssetFinding:
    """Run the four asset tests over the living members.

    Args:
        living: living members (assets of the dead do not count).
        per_capita_limit: financial-asset limit per member (export or months × standard).
        rules: the ruleset's asset section.
    """
    n = len(living)
    held = [a for m in living for a in m.assets]
    financial_rows = [a for a in held if _counts_as_financial(a.kind, a.subtype, rules)]
    financial = sum((a.balance or Decimal(0) for a in financial_rows), Decimal(0))
    fund_rows = [a for a in held if a.kind == "housing_fund"]
    fund = sum((a.balance or Decimal(0) for a in fund_rows), Decimal(0))
    limit = per_capita_limit * n
    finding = AssetFinding(financial, limit, fund)

    over = financial > limit
    finding.steps.append(Step(
        "assets.financial", "金融资产 ≤ 人均上限 × 在世人数",
        "超限" if over else "未超限",
        {"financial_assets": financial, "per_capita_limit": per_capita_limit,
         "members": n, "limit": limit},
        tuple(a.source for a in financial_rows)))
    if fund_rows:
        finding.steps.append(Step(
            "assets.housing_fund", "住房公积金不计入金融资产",
            "counted" if rules.count_housing_fund else "not counted",
            {"housing_fund_balance": fund}, tuple(a.source for a in fund_rows)))

    cars = [a for a in held if a.kind == "vehicle" and a.status in rules.counted_vehicle_statuses
            and a.subtype not in rules.exempt_vehicle_types]
    exempt = [a for a in held if a.kind == "vehicle" and a not in cars]
    finding.steps.append(Step(
        "assets.vehicles", "机动车 (摩托车、农用车及注销/报废车辆除外)",
        "超限" if len(cars) > rules.max_vehicles else "未超限",
        {"counted_vehicles": len(cars), "max_vehicles": rules.max_vehicles,
         "exempt_vehicles": len(exempt)},
        tuple(a.source for a in cars + exempt)))

    firms = [a for a in held if a.kind == "business"
             and a.status in rules.active_business_statuses]
    finding.steps.append(Step(
        "assets.businesses", "存续经营主体 (经营者/法定代表人)",
        "超限" if len(firms) > rules.max_active_businesses else "未超限",
        {"active_businesses": len(firms), "max_active_businesses": rules.max_active_businesses},
        tuple(a.source for a in firms)))

    homes: dict[str, Source] = {}
    for a in held:
        if (a.kind == "real_estate" and a.subtype in rules.residential_uses
                and a.status in rules.current_title_statuses and a.title_key):
            homes.setdefault(a.title_key, a.source)
    finding.steps.append(Step(
        "assets.homes", "现势住宅产权 (不同证号) ≤ 上限",
        "超限" if len(homes) > rules.max_homes else "未超限",
        {"residential_titles": len(homes), "max_homes": rules.max_homes},
        tuple(sorted(homes.values()))))

    flags = {FINANCIAL: over, VEHICLE: len(cars) > rules.max_vehicles,
             BUSINESS: len(firms) > rules.max_active_businesses,
             HOMES: len(homes) > rules.max_homes}
    finding.issues = [issue for issue in ISSUE_ORDER if flags[issue]]
    return finding

"""A member's monthly income (FORMATS.md section 8), with the records it came from.

民政 verifies a family's income itself, including farm income and small informal earnings
no other department sees; so a member of a 民政 family registered in their own region
counts that row's 月收入. Anyone else counts the 人社 contribution base of a current job
plus a current pension. 税务 reports earlier years' annual income: it is a cross-check
(a large gap is flagged in the explanation), never an input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from hub.rules.model import MemberFacts, Source
from hub.rules.ruleset import IncomeRules

CIVIL_AFFAIRS = "民政家庭成员月收入"
SOCIAL_SECURITY = "人社缴费基数+养老金"
NO_RECORD = "无收入记录"


@dataclass(slots=True)
class IncomeFinding:
    """A member's counted monthly income and how it was reached."""

    amount: Decimal
    basis: str
    sources: list[Source] = field(default_factory=list)
    gross: Decimal = Decimal(0)
    deduction: Decimal = Decimal(0)
    employed: bool = False
    tax_annual: Decimal | None = None
    tax_year: int | None = None
    tax_flag: bool = False
    tax_sources: list[Source] = field(default_factory=list)


def _same_month(a: date | None, b: date) -> bool:
    return a is not None and (a.year, a.month) == (b.year, b.month)


def member_income(member: MemberFacts, region_code: str | None, as_of: date,
                  rules: IncomeRules) -> IncomeFinding:
    """The monthly income counted for one member on ``as_of``.

    Args:
        member: the member's gathered facts.
        region_code: the member's 户籍 行政区划 (a 民政 family counts only if its 家庭编号
            starts with it, since duplicate registrations elsewhere declare a false 0).
        as_of: the verification date (the 人社 row must report its month).
        rules: the ruleset's income section.
    """
    own = [f for f in member.families if f.monthly_income is not None
           and (not rules.civil_affairs_own_region_only or f.family_region == region_code)]
    current = [e for e in member.employment if _same_month(e.month, as_of)]
    jobs = [e for e in current if e.status in rules.employed_statuses and e.base is not None]
    pensions = [e for e in current if e.status in rules.pension_statuses
                and e.pension is not None]
    employed = bool(jobs)
    if own:
        row = min(own, key=lambda f: f.source.record_id)
        finding = IncomeFinding(row.monthly_income or Decimal(0), CIVIL_AFFAIRS, [row.source],
                                employed=employed)
    elif jobs or pensions:
        job = max(jobs, key=lambda e: e.base or 0, default=None)
        pension = max(pensions, key=lambda e: e.pension or 0, default=None)
        amount = (job.base if job else Decimal(0)) or Decimal(0)
        amount += (pension.pension if pension else Decimal(0)) or Decimal(0)
        sources = [e.source for e in (job, pension) if e is not None]
        finding = IncomeFinding(amount, SOCIAL_SECURITY, sources, employed=employed)
    else:
        finding = IncomeFinding(Decimal(0), NO_RECORD)
    finding.gross = finding.amount
    if employed and rules.work_cost_deduction > 0:
        finding.deduction = min(rules.work_cost_deduction, finding.amount)
        finding.amount -= finding.deduction
    _tax_crosscheck(member, finding, rules)
    return finding


def _tax_crosscheck(member: MemberFacts, finding: IncomeFinding, rules: IncomeRules) -> None:
    """Compare the latest year's 税务 income with 12 × the counted gross income."""
    years = [t.year for t in member.tax if t.year is not None and t.amount is not None]
    if not years:
        return
    latest = max(years)
    finding.tax_year = latest
    finding.tax_annual = sum((t.amount or Decimal(0) for t in member.tax if t.year == latest),
                             Decimal(0))
    expected = finding.gross * 12
    gap = abs(finding.tax_annual - expected)
    finding.tax_flag = gap > rules.tax_crosscheck_tolerance * max(expected, Decimal(1))
    finding.tax_sources = [t.source for t in member.tax if t.year == latest]

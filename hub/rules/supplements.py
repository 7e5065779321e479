"""Engine features the seeds describe beyond the simplified rules: 分类施保 and 渐退期.

Both are off in the shipped rulesets for the sample's regions (their truth uses neither);
a locality turns them on in its ruleset file. 分类施保 adds a share of the standard per
member who is a minor, elderly, severely disabled or seriously ill (the largest share, or
their sum), plus a remote-area share for listed townships. 渐退期 keeps a household that
currently receives 低保 covered, at its current amount, while its per-capita income stays
below the ceiling (e.g. 1.5 × the standard) after a member finds work.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from hub.rules.model import AidRow, MemberFacts, Step
from hub.rules.ruleset import Ruleset

DIBAO_PROGRAMMES = ("城市低保", "农村低保")
SINGLE_PERSON_NOTE = "单人户施保"


def yuan(value: Decimal) -> Decimal:
    """Round to whole yuan (half up), the unit aid is paid in."""
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def member_supplement(member: MemberFacts, as_of: date, standard: Decimal, *, severe: bool,
                      ill: bool, ruleset: Ruleset) -> tuple[Decimal, list[str]]:
    """The 分类施保 amount for one member and the reasons that apply (0 when disabled)."""
    rules = ruleset.supplements
    if not rules.enabled:
        return Decimal(0), []
    age = member.age(as_of)
    shares = []
    if age is not None and age < rules.minor_age:
        shares.append(("未成年人", rules.minor_rate))
    if age is not None and age >= rules.elderly_age:
        shares.append(("老年人", rules.elderly_rate))
    if severe:
        shares.append(("重度残疾人", rules.severe_disability_rate))
    if ill:
        shares.append(("重病患者", rules.serious_illness_rate))
    shares = [(why, rate) for why, rate in shares if rate > 0]
    if not shares:
        return Decimal(0), []
    if rules.combine == "sum":
        rate = sum((r for _, r in shares), Decimal(0))
        return yuan(rate * standard), [why for why, _ in shares]
    why, rate = max(shares, key=lambda s: s[1])
    return yuan(rate * standard), [why]


def remote_supplement(township: str | None, standard: Decimal, members: int,
                      ruleset: Ruleset) -> Decimal:
    """The remote-area share for the whole household (0 unless the township is listed)."""
    rules = ruleset.supplements
    if not rules.enabled or rules.remote_rate <= 0 or township not in rules.remote_townships:
        return Decimal(0)
    return yuan(rules.remote_rate * standard * members)


def current_dibao(living: list[MemberFacts], as_of: date) -> list[AidRow]:
    """Current household 低保 records covering a living member (单人户 records excluded)."""
    seen: dict[str, AidRow] = {}
    for m in living:
        for a in m.aid:
            if (a.programme in DIBAO_PROGRAMMES and a.note != SINGLE_PERSON_NOTE
                    and a.current(as_of)):
                seen.setdefault(a.source.record_id, a)
    return list(seen.values())


def phase_out(living: list[MemberFacts], as_of: date, total: Decimal, standard: Decimal,
              ruleset: Ruleset) -> tuple[Decimal, Step] | None:
    """The 渐退期 amount and step, if it applies (None otherwise or when disabled)."""
    rules = ruleset.phase_out
    if not rules.enabled:
        return None
    n = len(living)
    ceiling = rules.ceiling_ratio * standard * n
    records = current_dibao(living, as_of)
    employed = any(e.month and (e.month.year, e.month.month) == (as_of.year, as_of.month)
                   and e.status in ruleset.income.employed_statuses
                   for m in living for e in m.employment)
    if not records or not employed or not standard * n <= total < ceiling:
        return None
    amount = sum((a.amount or Decimal(0) for a in records), Decimal(0))
    step = Step("dibao.phase_out", "渐退期: 在保家庭就业后收入升至标准以上、低于上限",
                "渐退", {"income_total": total, "standard_total": standard * n,
                         "ceiling_total": ceiling, "months": rules.months,
                         "current_amount": amount},
                tuple(a.source for a in records))
    return amount, step

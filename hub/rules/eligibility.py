"""The category decision (FORMATS.md section 8): pure facts in, determination out.

Order: 特困 (assets within limits, no binding legal supporter, every member old, young or
severely disabled with own income under the 特困 standard) — never together with 低保;
else 不符合 when the assets break a limit; else 低保 (per capita under the standard,
amount = standard × n − income); else 低保边缘 (under 1.5 × the standard; severely
disabled or seriously ill members with own income under the standard are covered alone as
单人户); else 刚性支出困难 (income minus a twelfth of the past year's rigid expenses under
the standard); else 不符合. Every rule applied is recorded as a :class:`Step` with the
numbers it compared and the records they came from.

:func:`determine` runs the steps in that order, one function each: the members and the aid
they receive, the standard that applies, incomes, assets, rigid expenses, the 特困 test
of each member, then the category rules (:data:`CATEGORY_RULES`), the first that decides
ending the determination. The numbers every step shares are a :class:`Case`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from hub.errors import HubError
from hub.rules.assets import AssetFinding, assess_assets
from hub.rules.income import IncomeFinding, member_income
from hub.rules.model import Determination, HouseholdFacts, MemberFacts, MemberResult, Step
from hub.rules.ruleset import Ruleset
from hub.rules.supplements import member_supplement, phase_out, remote_supplement, yuan
from hub.rules.supporters import legal_supporters

TEKUN, DIBAO, MARGINAL, RIGID = "特困", "低保", "低保边缘", "刚性支出困难"
INELIGIBLE, NOBODY = "不符合", "无在世成员"


class MissingStandardError(HubError):
    """No 低保 standard for the household's region, year and 城乡 (export or ruleset).

    Load the year's standards export, or add the year to the locality's ruleset file.
    """

    code = "NO_STANDARD"


def rigid_expenses(living: list[MemberFacts], as_of: date, ruleset: Ruleset
                   ) -> tuple[Decimal, Step]:
    """医保 个人自付 of the window up to as-of plus the current school year's 学杂费."""
    rules = ruleset.categories
    year = as_of.year if as_of.month >= rules.school_year_start_month else as_of.year - 1
    medical = [s for m in living for s in m.settlements
               if s.settled and 0 <= (as_of - s.settled).days < rules.rigid_window_days]
    school = [s for m in living for s in m.students if s.school_year_start == year]
    paid = sum((s.out_of_pocket for s in medical), Decimal(0))
    fees = sum((s.tuition for s in school), Decimal(0))
    step = Step("rigid.expenses", "刚性支出: 医保个人自付 (近365天) + 本学年学杂费", "计算",
                {"medical_out_of_pocket": paid, "tuition": fees, "rigid_total": paid + fees,
                 "window_days": rules.rigid_window_days, "school_year_start": year},
                tuple(s.source for s in medical) + tuple(s.source for s in school))
    return paid + fees, step


def current_aid_step(living: list[MemberFacts], as_of: date) -> Step:
    """What 民政 currently pays the living members (for comparison; not an input)."""
    current = {a.source.record_id: a for m in living for a in m.aid if a.current(as_of)}
    programmes = sorted({a.programme or "" for a in current.values()})
    both = "特困供养" in programmes and any(p.endswith("低保") for p in programmes)
    return Step("aid.current", "现行基本救助记录 (对照, 非输入)",
                "特困与低保并存" if both else ("在保" if current else "无"),
                {"programmes": programmes,
                 "monthly_amounts": [current[k].amount for k in sorted(current)]},
                tuple(current[k].source for k in sorted(current)))


@dataclass(frozen=True, slots=True)
class Standard:
    """The standards that apply to one household on one date."""

    dibao: Decimal
    tekun: Decimal
    step: Step


@dataclass(slots=True)
class Case:
    """What the category rules share: the household, its standard and its numbers."""

    facts: HouseholdFacts
    ruleset: Ruleset
    as_of: date
    living: list[MemberFacts]
    standard: Standard
    incomes: dict[str, IncomeFinding]
    total: Decimal
    assets: AssetFinding
    rigid: Decimal
    severe: dict[str, bool] = field(default_factory=dict)
    ill: dict[str, bool] = field(default_factory=dict)
    tekun_ok: bool = False

    @property
    def n(self) -> int:
        """Living members."""
        return len(self.living)

    @property
    def adjusted(self) -> Decimal:
        """Per capita income after a twelfth of the past year's rigid expenses."""
        return (self.total - self.rigid / 12) / self.n


def members_step(facts: HouseholdFacts) -> Step:
    """Who counts: the living members (户籍 正常) and the deceased."""
    living = len(facts.living)
    dead = [m for m in facts.members if not m.alive]
    return Step("household.members", "在世成员 (户籍人员状态 正常)", f"{living} 人",
                {"living": living, "deceased": len(dead)},
                tuple(m.hukou for m in facts.members if m.hukou))


def applicable_standard(facts: HouseholdFacts, ruleset: Ruleset, as_of: date
                        ) -> tuple[Standard, Decimal]:
    """The 低保 and 特困 standards for the region, year and 城乡, and the asset limit.

    Returns:
        The standard (with its step) and the financial-asset limit per capita.

    Raises:
        MissingStandardError: no standard for the household's region, year and 城乡.
    """
    area = facts.urban_rural or "农村"
    std_row = ruleset.standard(facts.region_code or "", as_of.year, area, facts.standards)
    if std_row is None:
        raise MissingStandardError(
            f"no 低保 standard for region {facts.region_code}, {as_of.year}, {area}")
    std = std_row.dibao
    floor = ruleset.tekun_floor(std)
    tk = max(std_row.tekun or floor, floor)
    months = ruleset.assets.financial_months
    per_capita_limit = (std_row.asset_limit_per_capita
                        if ruleset.assets.prefer_export_limit and std_row.asset_limit_per_capita
                        else std * months)
    step = Step("standard", "适用标准 (行政区划、年度、城乡)", "适用",
                {"region_code": facts.region_code, "year": as_of.year,
                 "urban_rural": area, "area_known": facts.urban_rural is not None,
                 "dibao_standard": std, "tekun_standard": tk, "tekun_floor": floor,
                 "asset_limit_per_capita": per_capita_limit},
                (std_row.source,) if std_row.source else ())
    return Standard(std, tk, step), per_capita_limit


def member_incomes(facts: HouseholdFacts, ruleset: Ruleset, as_of: date
                   ) -> tuple[dict[str, IncomeFinding], list[Step]]:
    """Each living member's monthly income, with a step each."""
    incomes: dict[str, IncomeFinding] = {}
    steps = []
    for m in facts.living:
        inc = member_income(m, facts.region_code, as_of, ruleset.income)
        incomes[m.person_id] = inc
        values = {"person_id": m.person_id, "income": inc.amount, "basis": inc.basis}
        if inc.deduction:
            values.update(gross=inc.gross, work_cost_deduction=inc.deduction)
        if inc.tax_annual is not None:
            values.update(tax_year=inc.tax_year, tax_annual_income=inc.tax_annual,
                          tax_crosscheck="偏差较大" if inc.tax_flag else "一致")
        steps.append(Step("income.member", "成员月收入", inc.basis, values,
                          tuple(inc.sources + inc.tax_sources)))
    return incomes, steps


def household_income_step(total: Decimal, n: int) -> Step:
    """The household's monthly income and its per capita income."""
    return Step("income.household", "家庭月收入与人均月收入", "计算",
                {"income_total": total, "members": n,
                 "per_capita_income": round(total / n, 2)})


def case_figures(c: Case) -> dict[str, object]:
    """The household figures the category rules use (after the member counts)."""
    return {"income_total": c.total, "per_capita_income": round(c.total / c.n, 2),
            "dibao_standard": c.standard.dibao, "tekun_standard": c.standard.tekun,
            "rigid_expense_12m": c.rigid, "adjusted_per_capita_income": round(c.adjusted, 2),
            "financial_assets": c.assets.financial,
            "financial_asset_limit": c.assets.limit,
            "housing_fund": c.assets.housing_fund, "asset_ok": c.assets.ok}


def tekun_members(c: Case, d: Determination) -> None:
    """The 特困 test of each member (no binding legal supporter; old, young or severely
    disabled; own income under the 特困 standard); sets ``c.tekun_ok`` and the members."""
    cat = c.ruleset.categories
    tk = c.standard.tekun
    c.severe = {m.person_id: bool(m.severe_certificates(cat.severe_levels)) for m in c.living}
    c.ill = {m.person_id: bool(m.major_illness_sources()) for m in c.living}
    c.tekun_ok = c.assets.ok
    for m in c.living:
        found = legal_supporters(m, c.as_of, cat)
        binding = [f for f in found if f.binds]
        age = m.age(c.as_of)
        eligible_person = ((age is not None and (age >= cat.tekun_elderly_age
                                                 or age < cat.tekun_minor_age))
                           or c.severe[m.person_id])
        income = c.incomes[m.person_id]
        low = income.amount < tk
        c.tekun_ok = c.tekun_ok and not binding and eligible_person and low
        d.steps.append(Step(
            "tekun.member", "特困: 无法定义务人, 老/幼/重度残疾, 本人收入低于特困标准",
            "符合" if not binding and eligible_person and low else "不符合",
            {"person_id": m.person_id, "age": age, "severe_disability": c.severe[m.person_id],
             "income": income.amount, "tekun_standard": tk,
             "binding_supporters": [f"{f.kind}:{f.person_id}" for f in binding],
             "other_relatives": [f"{f.kind}:{f.person_id}({f.reason})"
                                 for f in found if not f.binds]},
            tuple(s for f in found for s in f.sources)
            + tuple(m.severe_certificates(cat.severe_levels))))
        d.members.append(MemberResult(
            m.person_id, m.relation, age, income.amount, income.basis, c.severe[m.person_id],
            c.ill[m.person_id], [f.person_id for f in binding],
            next((f.labour_capacity for f in m.families if f.labour_capacity), None)))


def tekun_category(c: Case, d: Determination) -> bool:
    """特困供养 when every member passed (never together with 低保)."""
    if not c.tekun_ok:
        return False
    tk, n = c.standard.tekun, c.n
    d.category, d.monthly_amount = TEKUN, tk * n
    d.tekun_person_ids = [m.person_id for m in c.living]
    d.steps.append(Step("category", "特困供养 (与低保互斥)", TEKUN,
                        {"tekun_standard": tk, "members": n, "amount": tk * n}))
    return True


def assets_category(c: Case, d: Determination) -> bool:
    """不符合 when the assets break a limit."""
    if c.assets.ok:
        return False
    d.category = INELIGIBLE
    d.steps.append(Step("category", "家庭财产超出规定", INELIGIBLE,
                        {"asset_issues": c.assets.issues}))
    return True


def dibao_category(c: Case, d: Determination) -> bool:
    """低保 when per capita income is under the standard: standard × n − income, plus the
    members' supplements (分类施保) and the remote-area one."""
    std, total = c.standard.dibao, c.total
    std_total = std * c.n
    if total >= std_total:
        return False
    extra = {m.person_id: member_supplement(m, c.as_of, std, severe=c.severe[m.person_id],
                                            ill=c.ill[m.person_id], ruleset=c.ruleset)[0]
             for m in c.living}
    d.supplements = {k: v for k, v in extra.items() if v}
    remote = remote_supplement(c.facts.township, std, c.n, c.ruleset)
    if remote:
        d.supplements["remote_area"] = remote
    d.category = DIBAO
    d.monthly_amount = std_total - total + sum(d.supplements.values(), Decimal(0))
    d.steps.append(Step("category", "低保: 人均收入 < 低保标准", DIBAO,
                        {"income_total": total, "standard_total": std_total,
                         "gap": std_total - total, "supplements": dict(d.supplements),
                         "amount": d.monthly_amount}))
    return True


def phase_out_category(c: Case, d: Determination) -> bool:
    """低保 kept for a while (渐退) after income rose over the standard."""
    held = phase_out(c.living, c.as_of, c.total, c.standard.dibao, c.ruleset)
    if held is None:
        return False
    d.category, d.monthly_amount, d.phase_out = DIBAO, held[0], True
    d.steps.append(held[1])
    return True


def marginal_category(c: Case, d: Determination) -> bool:
    """低保边缘 under 1.5 × the standard; severely disabled or seriously ill members with
    own income under the standard are covered alone (单人户)."""
    cat = c.ruleset.categories
    std, total = c.standard.dibao, c.total
    std_total = std * c.n
    if total >= cat.marginal_ratio * std_total:
        return False
    d.category = MARGINAL
    if cat.single_person_inclusion:
        for m in c.living:
            own = c.incomes[m.person_id].amount
            severe, ill = c.severe[m.person_id], c.ill[m.person_id]
            if (severe or ill) and own < std:
                extra, _ = member_supplement(m, c.as_of, std, severe=severe, ill=ill,
                                             ruleset=c.ruleset)
                d.single_person[m.person_id] = yuan(std - own + extra)
                d.steps.append(Step(
                    "marginal.single_person", "单人户施保: 重度残疾或重病且本人收入低于标准",
                    "纳入", {"person_id": m.person_id, "income": own, "dibao_standard": std,
                             "severe_disability": severe, "serious_illness": ill,
                             "amount": d.single_person[m.person_id]},
                    tuple(m.severe_certificates(cat.severe_levels))
                    + tuple(m.major_illness_sources())))
    d.monthly_amount = sum(d.single_person.values(), Decimal(0))
    d.steps.append(Step("category", "低保边缘: 标准 ≤ 人均收入 < 1.5 × 标准", MARGINAL,
                        {"income_total": total, "standard_total": std_total,
                         "ratio": cat.marginal_ratio,
                         "marginal_total": cat.marginal_ratio * std_total}))
    return True


def rigid_category(c: Case, d: Determination) -> bool:
    """刚性支出困难 when income minus a twelfth of the rigid expenses is under the
    standard per capita; else 不符合. Always decides."""
    std, total = c.standard.dibao, c.total
    # 12 × (total − R/12) < 12 × std × n keeps the comparison exact
    d.category = RIGID if 12 * total - c.rigid < 12 * std * c.n else INELIGIBLE
    d.steps.append(Step("category", "刚性支出困难: (收入 − 刚性支出/12) / 人数 < 标准",
                        d.category,
                        {"income_total": total, "rigid_expense_12m": c.rigid,
                         "adjusted_per_capita_income": round(c.adjusted, 2),
                         "dibao_standard": std}))
    return True


CATEGORY_RULES: tuple[Callable[[Case, Determination], bool], ...] = (
    tekun_category, assets_category, dibao_category, phase_out_category, marginal_category,
    rigid_category)
"""The category rules in the order they are tried; the first that decides ends it."""


def determine(facts: HouseholdFacts, ruleset: Ruleset, as_of: date) -> Determination:
    """Verify one household on ``as_of`` under ``ruleset``.

    Raises:
        MissingStandardError: no standard for the household's region, year and 城乡.
    """
    living = facts.living
    d = Determination(facts.household_id, as_of, NOBODY, Decimal(0), facts.region_code,
                      facts.urban_rural, ruleset.label)
    d.steps.append(members_step(facts))
    d.figures = {"living_members": len(living),
                 "deceased_members": sum(1 for m in facts.members if not m.alive)}
    d.steps.append(current_aid_step(living, as_of))
    if not living:
        return d
    standard, per_capita_limit = applicable_standard(facts, ruleset, as_of)
    d.steps.append(standard.step)
    incomes, income_steps = member_incomes(facts, ruleset, as_of)
    d.steps.extend(income_steps)
    total = sum((i.amount for i in incomes.values()), Decimal(0))
    d.steps.append(household_income_step(total, len(living)))
    assets = assess_assets(living, per_capita_limit, ruleset.assets)
    d.steps.extend(assets.steps)
    d.asset_issues = assets.issues
    rigid, rigid_step = rigid_expenses(living, as_of, ruleset)
    d.steps.append(rigid_step)
    case = Case(facts, ruleset, as_of, living, standard, incomes, total, assets, rigid)
    d.figures.update(case_figures(case))
    tekun_members(case, d)
    for rule in CATEGORY_RULES:
        if rule(case, d):
            break
    return d

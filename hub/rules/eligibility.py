"""The category decision (FORMATS.md section 8): pure facts in, determination out.

Order: 特困 (assets within limits, no binding legal supporter, every member old, young or
severely disabled with own income under the 特困 standard) — never together with 低保;
else 不符合 when the assets break a limit; else 低保 (per capita under the standard,
amount = standard × n − income); else 低保边缘 (under 1.5 × the standard; severely
disabled or seriously ill members with own income under the standard are covered alone as
单人户); else 刚性支出困难 (income minus a twelfth of the past year's rigid expenses under
the standard); else 不符合. Every rule applied is recorded as a :class:`Step` with the
numbers it compared and the records they came from.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hub.errors import HubError
from hub.rules.assets import assess_assets
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


def determine(facts: HouseholdFacts, ruleset: Ruleset, as_of: date) -> Determination:
    """Verify one household on ``as_of`` under ``ruleset``.

    Raises:
        MissingStandardError: no standard for the household's region, year and 城乡.
    """
    living = facts.living
    n = len(living)
    d = Determination(facts.household_id, as_of, NOBODY, Decimal(0), facts.region_code,
                      facts.urban_rural, ruleset.label)
    dead = [m for m in facts.members if not m.alive]
    d.steps.append(Step("household.members", "在世成员 (户籍人员状态 正常)", f"{n} 人",
                        {"living": n, "deceased": len(dead)},
                        tuple(m.hukou for m in facts.members if m.hukou)))
    d.figures = {"living_members": n, "deceased_members": len(dead)}
    d.steps.append(current_aid_step(living, as_of))
    if n == 0:
        return d

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
    d.steps.append(Step("standard", "适用标准 (行政区划、年度、城乡)", "适用",
                        {"region_code": facts.region_code, "year": as_of.year,
                         "urban_rural": area, "area_known": facts.urban_rural is not None,
                         "dibao_standard": std, "tekun_standard": tk, "tekun_floor": floor,
                         "asset_limit_per_capita": per_capita_limit},
                        (std_row.source,) if std_row.source else ()))

    cat = ruleset.categories
    incomes: dict[str, IncomeFinding] = {}
    for m in living:
        inc = member_income(m, facts.region_code, as_of, ruleset.income)
        incomes[m.person_id] = inc
        values = {"person_id": m.person_id, "income": inc.amount, "basis": inc.basis}
        if inc.deduction:
            values.update(gross=inc.gross, work_cost_deduction=inc.deduction)
        if inc.tax_annual is not None:
            values.update(tax_year=inc.tax_year, tax_annual_income=inc.tax_annual,
                          tax_crosscheck="偏差较大" if inc.tax_flag else "一致")
        d.steps.append(Step("income.member", "成员月收入", inc.basis, values,
                            tuple(inc.sources + inc.tax_sources)))
    total = sum((i.amount for i in incomes.values()), Decimal(0))
    per_capita = total / n
    d.steps.append(Step("income.household", "家庭月收入与人均月收入", "计算",
                        {"income_total": total, "members": n,
                         "per_capita_income": round(per_capita, 2)}))

    assets = assess_assets(living, per_capita_limit, ruleset.assets)
    d.steps.extend(assets.steps)
    d.asset_issues = assets.issues
    rigid, rigid_step = rigid_expenses(living, as_of, ruleset)
    d.steps.append(rigid_step)
    adjusted = (total - rigid / 12) / n
    d.figures.update(income_total=total, per_capita_income=round(per_capita, 2),
                     dibao_standard=std, tekun_standard=tk, rigid_expense_12m=rigid,
                     adjusted_per_capita_income=round(adjusted, 2),
                     financial_assets=assets.financial, financial_asset_limit=assets.limit,
                     housing_fund=assets.housing_fund, asset_ok=assets.ok)

    severe = {m.person_id: bool(m.severe_certificates(cat.severe_levels)) for m in living}
    ill = {m.person_id: bool(m.major_illness_sources()) for m in living}
    tekun_ok = assets.ok
    for m in living:
        found = legal_supporters(m, as_of, cat)
        binding = [f for f in found if f.binds]
        age = m.age(as_of)
        eligible_person = ((age is not None and (age >= cat.tekun_elderly_age
                                                 or age < cat.tekun_minor_age))
                           or severe[m.person_id])
        low = incomes[m.person_id].amount < tk
        tekun_ok = tekun_ok and not binding and eligible_person and low
        d.steps.append(Step(
            "tekun.member", "特困: 无法定义务人, 老/幼/重度残疾, 本人收入低于特困标准",
            "符合" if not binding and eligible_person and low else "不符合",
            {"person_id": m.person_id, "age": age, "severe_disability": severe[m.person_id],
             "income": incomes[m.person_id].amount, "tekun_standard": tk,
             "binding_supporters": [f"{f.kind}:{f.person_id}" for f in binding],
             "other_relatives": [f"{f.kind}:{f.person_id}({f.reason})"
                                 for f in found if not f.binds]},
            tuple(s for f in found for s in f.sources)
            + tuple(m.severe_certificates(cat.severe_levels))))
        d.members.append(MemberResult(
            m.person_id, m.relation, age, incomes[m.person_id].amount,
            incomes[m.person_id].basis, severe[m.person_id], ill[m.person_id],
            [f.person_id for f in binding],
            next((f.labour_capacity for f in m.families if f.labour_capacity), None)))

    if tekun_ok:
        d.category, d.monthly_amount = TEKUN, tk * n
        d.tekun_person_ids = [m.person_id for m in living]
        d.steps.append(Step("category", "特困供养 (与低保互斥)", TEKUN,
                            {"tekun_standard": tk, "members": n, "amount": tk * n}))
        return d
    if not assets.ok:
        d.category = INELIGIBLE
        d.steps.append(Step("category", "家庭财产超出规定", INELIGIBLE,
                            {"asset_issues": assets.issues}))
        return d

    std_total = std * n
    if total < std_total:
        extra = {m.person_id: member_supplement(m, as_of, std, severe=severe[m.person_id],
                                                ill=ill[m.person_id], ruleset=ruleset)[0]
                 for m in living}
        d.supplements = {k: v for k, v in extra.items() if v}
        remote = remote_supplement(facts.township, std, n, ruleset)
        if remote:
            d.supplements["remote_area"] = remote
        d.category = DIBAO
        d.monthly_amount = std_total - total + sum(d.supplements.values(), Decimal(0))
        d.steps.append(Step("category", "低保: 人均收入 < 低保标准", DIBAO,
                            {"income_total": total, "standard_total": std_total,
                             "gap": std_total - total, "supplements": dict(d.supplements),
                             "amount": d.monthly_amount}))
        return d
    held = phase_out(living, as_of, total, std, ruleset)
    if held is not None:
        d.category, d.monthly_amount, d.phase_out = DIBAO, held[0], True
        d.steps.append(held[1])
        return d
    if total < cat.marginal_ratio * std_total:
        d.category = MARGINAL
        if cat.single_person_inclusion:
            for m in living:
                own = incomes[m.person_id].amount
                if (severe[m.person_id] or ill[m.person_id]) and own < std:
                    extra, _ = member_supplement(m, as_of, std, severe=severe[m.person_id],
                                                 ill=ill[m.person_id], ruleset=ruleset)
                    d.single_person[m.person_id] = yuan(std - own + extra)
                    d.steps.append(Step(
                        "marginal.single_person", "单人户施保: 重度残疾或重病且本人收入低于标准",
                        "纳入", {"person_id": m.person_id, "income": own, "dibao_standard": std,
                                 "severe_disability": severe[m.person_id],
                                 "serious_illness": ill[m.person_id],
                                 "amount": d.single_person[m.person_id]},
                        tuple(m.severe_certificates(cat.severe_levels))
                        + tuple(m.major_illness_sources())))
        d.monthly_amount = sum(d.single_person.values(), Decimal(0))
        d.steps.append(Step("category", "低保边缘: 标准 ≤ 人均收入 < 1.5 × 标准", MARGINAL,
                            {"income_total": total, "standard_total": std_total,
                             "ratio": cat.marginal_ratio,
                             "marginal_total": cat.marginal_ratio * std_total}))
        return d
    # 12 × (total − R/12) < 12 × std × n keeps the comparison exact
    if 12 * total - rigid < 12 * std_total:
        d.category = RIGID
        outcome = RIGID
    else:
        d.category = INELIGIBLE
        outcome = INELIGIBLE
    d.steps.append(Step("category", "刚性支出困难: (收入 − 刚性支出/12) / 人数 < 标准", outcome,
                        {"income_total": total, "rigid_expense_12m": rigid,
                         "adjusted_per_capita_income": round(adjusted, 2),
                         "dibao_standard": std}))
    return d

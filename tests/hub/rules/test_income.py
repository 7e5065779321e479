"""Member income: 民政 own-region family first, else 人社 base + pension; tax cross-checks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from hub.rules.income import CIVIL_AFFAIRS, NO_RECORD, SOCIAL_SECURITY, member_income
from hub.rules.model import FamilyRow, TaxRow
from hub.rules.ruleset import IncomeRules
from tests.hub.rules.rules_helpers import AS_OF, REGION, job, pension, person, src

RULES = IncomeRules()


def test_civil_affairs_income_of_own_region_wins() -> None:
    m = person(income=600)
    job(m, 3000)
    found = member_income(m, REGION, AS_OF, RULES)
    assert (found.amount, found.basis) == (Decimal(600), CIVIL_AFFAIRS)
    assert found.sources[0].department == "民政"


def test_family_of_another_region_is_ignored() -> None:
    m = person()
    m.families.append(FamilyRow(src("民政"), "659001", "低保", Decimal(0)))
    job(m, 1800)
    found = member_income(m, REGION, AS_OF, RULES)
    assert (found.amount, found.basis) == (Decimal(1800), SOCIAL_SECURITY)


def test_base_plus_pension_of_the_as_of_month_only() -> None:
    m = person()
    job(m, 1000, status="灵活就业")
    pension(m, 1500)
    job(m, 9000, month=date(2025, 3, 1))  # an older job
    job(m, 7000, status="登记失业")  # not an employed status
    assert member_income(m, REGION, AS_OF, RULES).amount == Decimal(2500)


def test_no_record_is_zero() -> None:
    found = member_income(person(), REGION, AS_OF, RULES)
    assert (found.amount, found.basis) == (Decimal(0), NO_RECORD)


def test_work_cost_deduction() -> None:
    m = person()
    job(m, 150)
    found = member_income(m, REGION, AS_OF, replace(RULES, work_cost_deduction=Decimal(200)))
    assert (found.amount, found.gross, found.deduction) == (0, 150, 150)


def test_tax_is_a_cross_check_only() -> None:
    m = person()
    job(m, 1000)
    m.tax.append(TaxRow(src("税务"), 2025, Decimal(12000)))
    m.tax.append(TaxRow(src("税务"), 2024, Decimal(99999)))
    found = member_income(m, REGION, AS_OF, RULES)
    assert found.amount == 1000 and found.tax_year == 2025 and not found.tax_flag
    m.tax.append(TaxRow(src("税务"), 2025, Decimal(30000)))
    found = member_income(m, REGION, AS_OF, RULES)
    assert found.amount == 1000 and found.tax_flag
    assert all(s.department == "税务" for s in found.tax_sources)

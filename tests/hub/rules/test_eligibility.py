"""Category rules of FORMATS.md section 8: each threshold at, just below and just above."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from hub.rules.eligibility import MissingStandardError, determine
from hub.rules.ruleset import PhaseOutRules, SupplementRules, default_registry
from tests.hub.rules.rules_helpers import (
    AS_OF,
    LIMIT,
    STD,
    TK,
    aid,
    asset,
    deposit,
    household,
    ill,
    job,
    person,
    severe,
    student,
    supporter,
)

RULES = default_registry().for_region("410502", AS_OF)


def decide(hh):  # type: ignore[no-untyped-def]
    return determine(hh, RULES, AS_OF)


def two_adults(total: int):  # type: ignore[no-untyped-def]
    a = person(40, income=total // 2)
    b = person(38, income=total - total // 2, relation="配偶")
    supporter(a, "spouse", 38, pid=b.person_id)
    supporter(b, "spouse", 40, pid=a.person_id)
    return household(a, b)


@pytest.mark.parametrize(("total", "category", "amount"), [
    (2 * 740 - 1, "低保", 1),          # per capita just below the standard
    (2 * 740, "低保边缘", 0),           # exactly the standard → no longer 低保
    (2 * 740 + 1, "低保边缘", 0),
    (2 * 1110 - 1, "低保边缘", 0),     # just below 1.5 × standard
    (2 * 1110, "不符合", 0),            # exactly 1.5 × standard, no rigid expenses
    (0, "低保", 1480),
])
def test_dibao_and_marginal_thresholds(total: int, category: str, amount: int) -> None:
    d = decide(two_adults(total))
    assert (d.category, d.monthly_amount) == (category, Decimal(amount))
    assert d.tekun_person_ids == []


def test_dibao_amount_is_standard_times_members_minus_income() -> None:
    d = decide(two_adults(900))
    assert d.monthly_amount == STD * 2 - 900
    step = next(s for s in d.steps if s.rule == "category")
    assert step.values["gap"] == Decimal(580)


@pytest.mark.parametrize(("paid", "category"), [
    (12 * 740, "不符合"),        # adjusted per capita exactly the standard
    (12 * 740 + 1, "刚性支出困难"),  # just under
    (12 * 740 - 1, "不符合"),
])
def test_rigid_expense_threshold(paid: int, category: str) -> None:
    hh = two_adults(2220)  # 1.5 × standard: above 低保边缘
    ill(hh.members[0], paid=str(paid), major=False)
    d = decide(hh)
    assert d.category == category
    assert d.figures["rigid_expense_12m"] == Decimal(paid)


def test_rigid_window_and_school_year() -> None:
    hh = two_adults(2220)
    a = hh.members[0]
    ill(a, paid="5000", settled=AS_OF.replace(year=2025, month=11, day=1), major=False)  # 364 d
    ill(a, paid="9999", settled=AS_OF.replace(year=2025, month=10, day=31), major=False)  # 365
    student(a, 1600, year=2026)
    student(a, 1600, year=2025)  # last school year: not counted
    d = decide(hh)
    assert d.figures["rigid_expense_12m"] == Decimal(6600)


def test_single_person_inclusion_in_marginal_household() -> None:
    hh = two_adults(2 * 800)  # per capita 800: 低保边缘
    a, b = hh.members
    a.families[0] = replace(a.families[0], monthly_income=Decimal(0))
    b.families[0] = replace(b.families[0], monthly_income=Decimal(1600))
    severe(a, 2)
    d = decide(hh)
    assert d.category == "低保边缘"
    assert d.single_person == {a.person_id: STD}
    assert d.monthly_amount == STD


def test_single_person_needs_own_income_below_standard() -> None:
    hh = two_adults(2 * 800)
    a, b = hh.members
    a.families[0] = replace(a.families[0], monthly_income=Decimal(740))  # at the standard
    b.families[0] = replace(b.families[0], monthly_income=Decimal(860))
    ill(a)
    ill(b)
    assert decide(hh).single_person == {}
    a.families[0] = replace(a.families[0], monthly_income=Decimal(739))
    b.families[0] = replace(b.families[0], monthly_income=Decimal(861))
    assert decide(hh).single_person == {a.person_id: Decimal(1)}


def test_invalid_or_level3_certificate_is_not_severe() -> None:
    hh = two_adults(2 * 800)
    severe(hh.members[0], 3)
    severe(hh.members[1], 1, valid=False)
    assert decide(hh).single_person == {}


def test_tekun_single_elderly_without_supporters() -> None:
    p = person(75, income=961)
    d = decide(household(p))
    assert (d.category, d.monthly_amount, d.tekun_person_ids) == ("特困", TK, [p.person_id])
    assert d.single_person == {}


@pytest.mark.parametrize(("age", "income", "category"), [
    (60, 0, "特困"), (59, 0, "低保"), (17, 0, "特困"), (18, 0, "低保"),
    (75, 962, "低保边缘"),  # own income at the 特困 standard: not 特困
])
def test_tekun_person_conditions(age: int, income: int, category: str) -> None:
    assert decide(household(person(age, income=income))).category == category


def test_tekun_severely_disabled_adult() -> None:
    p = person(40, income=0)
    severe(p, 2)
    assert decide(household(p)).category == "特困"


@pytest.mark.parametrize(("kind", "age", "status", "cert", "tekun"), [
    ("child", 18, "正常", False, False),   # adult child supports
    ("child", 17, "正常", False, True),
    ("parent", 69, "正常", False, False),
    ("parent", 70, "正常", False, True),
    ("child", 40, "死亡", False, True),
    ("child", 40, None, False, False),     # moved away (迁出): alive, still supports
    ("child", 40, "正常", True, True),     # holds a valid level 1/2 certificate
])
def test_tekun_legal_supporters(kind: str, age: int, status: str | None, cert: bool,
                                tekun: bool) -> None:
    p = person(80, income=0)
    supporter(p, kind, age, status=status, severe_cert=cert)
    assert (decide(household(p)).category == "特困") is tekun


def test_couple_is_never_tekun() -> None:
    a, b = person(80, income=0), person(78, income=0, relation="配偶")
    supporter(a, "spouse", 78, pid=b.person_id)
    supporter(b, "spouse", 80, pid=a.person_id)
    d = decide(household(a, b))
    assert d.category == "低保" and d.tekun_person_ids == []


def test_orphaned_siblings_are_tekun_and_never_dibao() -> None:
    a, b = person(12, income=0), person(9, income=0, relation="妹")
    d = decide(household(a, b))
    assert d.category == "特困" and d.monthly_amount == TK * 2
    assert d.single_person == {} and d.supplements == {}


@pytest.mark.parametrize(("balance", "ok"), [
    (LIMIT * 2, True), (LIMIT * 2 + Decimal("0.01"), False), (LIMIT * 2 - 1, True)])
def test_financial_asset_limit(balance: Decimal, ok: bool) -> None:
    hh = two_adults(0)
    deposit(hh.members[0], str(balance - 100), "定期储蓄")
    deposit(hh.members[1], "100", "证券账户")
    d = decide(hh)
    assert (d.category == "低保") is ok
    assert ("金融资产超限" in d.asset_issues) is not ok


def test_assets_block_tekun_too() -> None:
    p = person(80, income=0)
    asset(p, "vehicle", "小型轿车", "正常")
    d = decide(household(p))
    assert d.category == "不符合" and d.asset_issues == ["拥有机动车"]


def test_nobody_alive() -> None:
    d = decide(household(person(80, income=0, status="死亡")))
    assert d.category == "无在世成员" and d.monthly_amount == 0


def test_dead_members_do_not_count() -> None:
    alive, dead = person(40, income=700), person(41, income=5000, status="死亡")
    deposit(dead, "999999")
    d = decide(household(alive, dead))
    assert d.category == "低保" and d.monthly_amount == 40


def test_missing_standard_raises() -> None:
    hh = two_adults(0)
    hh.region_code = "999999"
    hh.standards = []
    national = default_registry().for_region("999999", AS_OF)  # no fallback table
    assert national.locality == "*"
    with pytest.raises(MissingStandardError):
        determine(hh, national, AS_OF)


def test_standard_falls_back_to_ruleset_table() -> None:
    hh = two_adults(0)
    hh.standards = []
    d = decide(hh)
    assert d.figures["dibao_standard"] == STD
    step = next(s for s in d.steps if s.rule == "standard")
    assert step.sources[0].department == "规则集"


def test_supplements_when_enabled() -> None:
    rules = replace(RULES, supplements=SupplementRules(
        enabled=True, minor_rate=Decimal("0.2"), elderly_rate=Decimal("0.1"),
        severe_disability_rate=Decimal("0.3"), serious_illness_rate=Decimal("0.15"),
        remote_rate=Decimal("0.2"), remote_townships=frozenset({"南关街道"})))
    a, b = person(40, income=0), person(10, income=0, relation="子")
    supporter(b, "parent", 40, pid=a.person_id)
    severe(a, 1)
    d = determine(household(a, b), rules, AS_OF)
    assert d.category == "低保"
    assert d.supplements == {a.person_id: Decimal(222), b.person_id: Decimal(148),
                             "remote_area": Decimal(296)}
    assert d.monthly_amount == STD * 2 + 222 + 148 + 296
    summed = replace(rules, supplements=replace(rules.supplements, combine="sum"))
    ill(a)
    d = determine(household(a, b), summed, AS_OF)
    assert d.supplements[a.person_id] == Decimal(333)  # (0.3 + 0.15) × 740


def test_supplements_disabled_in_shipped_rules() -> None:
    a = person(10, income=0)
    supporter(a, "parent", 40)
    assert decide(household(a)).supplements == {}


def test_phase_out_when_enabled() -> None:
    rules = replace(RULES, phase_out=PhaseOutRules(enabled=True))
    hh = two_adults(2 * 900)
    job(hh.members[0], 900)
    aid(hh.members[0], "城市低保", amount=300)
    d = determine(hh, rules, AS_OF)
    assert (d.category, d.monthly_amount, d.phase_out) == ("低保", Decimal(300), True)
    assert decide(hh).category == "低保边缘"  # off in the shipped rules


def test_work_cost_deduction_when_enabled() -> None:
    rules = replace(RULES, income=replace(RULES.income, work_cost_deduction=Decimal(200)))
    p = person(40, income=800)
    job(p, 800)
    supporter(p, "parent", 60)
    d = determine(household(p), rules, AS_OF)
    assert d.category == "低保" and d.monthly_amount == 140
    assert decide(household(p)).category == "低保边缘"


def test_every_step_names_its_sources() -> None:
    hh = two_adults(900)
    deposit(hh.members[0], "100")
    d = decide(hh)
    by_rule = {s.rule: s for s in d.steps}
    assert by_rule["income.member"].sources[0].department == "民政"
    assert by_rule["assets.financial"].sources[0].department == "银行"
    assert by_rule["standard"].sources[0].record_id == "BZ018"

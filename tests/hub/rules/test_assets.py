"""Asset tests: vehicles by type and status, businesses, distinct homes, housing fund."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hub.rules.assets import BUSINESS, FINANCIAL, HOMES, VEHICLE, assess_assets
from hub.rules.model import AssetRow
from hub.rules.ruleset import AssetRules
from tests.hub.rules.rules_helpers import asset, deposit, person, src

RULES = AssetRules()


@pytest.mark.parametrize(("vtype", "status", "issue"), [
    ("小型轿车", "正常", True), ("货车", "正常", True), ("摩托车", "正常", False),
    ("农用车", "正常", False), ("小型轿车", "报废", False), ("小型轿车", "注销", False)])
def test_vehicles(vtype: str, status: str, issue: bool) -> None:
    m = person()
    asset(m, "vehicle", vtype, status)
    assert (VEHICLE in assess_assets([m], Decimal(1000), RULES).issues) is issue


@pytest.mark.parametrize(("status", "issue"), [("存续", True), ("注销", False), ("吊销", False)])
def test_businesses(status: str, issue: bool) -> None:
    m = person()
    asset(m, "business", "个体工商户", status, role="经营者/法定代表人")
    assert (BUSINESS in assess_assets([m], Decimal(1000), RULES).issues) is issue


def test_homes_counted_by_distinct_title() -> None:
    a, b = person(), person(relation="配偶")
    asset(a, "real_estate", "住宅", "现势", role="权利人", title="T1")
    asset(b, "real_estate", "住宅", "现势", role="共有人", title="T1")  # same title
    asset(a, "real_estate", "商业", "现势", role="权利人", title="T2")  # not residential
    asset(b, "real_estate", "宅基地及住房", "注销", role="权利人", title="T3")  # cancelled
    assert assess_assets([a, b], Decimal(1000), RULES).ok
    asset(b, "real_estate", "宅基地及住房", "现势", role="权利人", title="T4")
    assert assess_assets([a, b], Decimal(1000), RULES).issues == [HOMES]


def test_housing_fund_listed_not_counted() -> None:
    m = person()
    m.assets.append(AssetRow(src("公积金"), "housing_fund", "缴存人", None, "正常", None,
                             Decimal(50000)))
    deposit(m, "1000")
    found = assess_assets([m], Decimal(1000), RULES)
    assert found.ok and found.financial == 1000 and found.housing_fund == 50000
    assert any(s.rule == "assets.housing_fund" for s in found.steps)


def test_issue_order_and_limit_scales_with_members() -> None:
    a, b = person(), person()
    deposit(a, "1500")
    deposit(b, "500.01")
    asset(a, "vehicle", "货车", "正常")
    found = assess_assets([a, b], Decimal(1000), RULES)
    assert found.limit == 2000 and found.issues == [FINANCIAL, VEHICLE]

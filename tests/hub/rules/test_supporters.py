"""Legal supporters: who binds on the as-of date, and why not."""

from __future__ import annotations

from hub.rules.model import DisabilityRow, SupporterFacts
from hub.rules.ruleset import CategoryRules
from hub.rules.supporters import judge_supporter
from tests.hub.rules.rules_helpers import AS_OF, born, src

RULES = CategoryRules()


def one(kind: str, age: int, *certs: DisabilityRow, status: str | None = "正常"
        ) -> SupporterFacts:
    return SupporterFacts("P1", kind, status, born(age), certs, (src("公安"),))


def test_level_three_certificate_still_binds() -> None:
    assert judge_supporter(one("spouse", 50, DisabilityRow(src("残联"), 3, True)), AS_OF,
                           RULES).binds


def test_cancelled_level_one_certificate_still_binds() -> None:
    assert judge_supporter(one("child", 30, DisabilityRow(src("残联"), 1, False)), AS_OF,
                           RULES).binds


def test_reasons_and_sources() -> None:
    cert = DisabilityRow(src("残联"), 2, True)
    found = judge_supporter(one("child", 30, cert), AS_OF, RULES)
    assert not found.binds and "残疾" in found.reason and cert.source in found.sources
    found = judge_supporter(one("sibling", 30), AS_OF, RULES)
    assert not found.binds
    assert judge_supporter(one("child", 18), AS_OF, RULES).age == 18


def test_birthday_boundary() -> None:
    # a child who turns 18 tomorrow is 17 today and does not yet bind
    young = SupporterFacts("P2", "child", "正常", born(18, days=1), (), ())
    assert not judge_supporter(young, AS_OF, RULES).binds

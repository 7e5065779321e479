"""Renderings of a determination pass the field policy key by key (no Neo4j needed):
every key the rules emit is classified, a verifier's view has no health flags and masked
ages exactly as the GraphQL fields, unknown keys are dropped."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from hub.auth import Principal
from hub.rules.eligibility import determine
from hub.rules.model import Determination, TaxRow
from hub.rules.redact import policy_decider, redact
from hub.rules.report import determination_dict, to_html, to_json
from hub.rules.ruleset import PhaseOutRules, SupplementRules, default_registry
from privacy import Effect, Purpose, access_class_of, decide
from privacy.policy import REPORT_KEY_FIELDS, report_key_class
from tests.hub.rules.rules_helpers import (
    AS_OF,
    aid,
    asset,
    deposit,
    household,
    ill,
    job,
    person,
    severe,
    src,
    student,
    supporter,
)

RULES = default_registry().for_region("410502", AS_OF)
CASEWORKER = Principal("cw", "民政", ("caseworker",), ())
VERIFIER = Principal("v", "民政", ("verifier",), ())
CHARITY = Principal("c", "CH-1", ("charity",), ())
HEALTH_KEYS = {"severe_disability", "serious_illness", "labour_capacity", "other_relatives"}


def _determinations() -> list[Determination]:
    """Households that between them run every rule and emit every kind of step value."""
    elderly = person(75, income=0)
    tekun = determine(household(elderly), RULES, AS_OF)
    a, b = person(40, income=0), person(10, income=0, relation="子")
    supporter(b, "parent", 40, pid=a.person_id)
    supporter(a, "child", 10, pid=b.person_id)
    severe(a, 1)
    ill(a, paid="300")
    student(b, 900)
    asset(a, "vehicle", "摩托车", "正常")
    a.assets.append(replace(a.assets[-1], kind="housing_fund", balance=Decimal(50)))
    with_supplements = replace(RULES, supplements=SupplementRules(
        enabled=True, minor_rate=Decimal("0.2"), severe_disability_rate=Decimal("0.3"),
        remote_rate=Decimal("0.2"), remote_townships=frozenset({"南关街道"})))
    dibao = determine(household(a, b), with_supplements, AS_OF)
    c, d = person(40, income=1600), person(12, income=0, relation="子")
    supporter(d, "parent", 40, pid=c.person_id, severe_cert=True)
    severe(d, 1)
    marginal = determine(household(c, d), RULES, AS_OF)
    e, f = person(40, income=900), person(38, income=900, relation="配偶")
    job(e, 900)
    aid(e, "城市低保", amount=300, start=date(2025, 1, 1))
    e.tax.append(TaxRow(src("税务"), 2025, Decimal(30000)))
    rules = replace(RULES, phase_out=PhaseOutRules(enabled=True),
                    income=replace(RULES.income, work_cost_deduction=Decimal(100)))
    phase_out = determine(household(e, f), rules, AS_OF)
    g = person(40, income=0)
    deposit(g, "999999")
    ineligible = determine(household(g), RULES, AS_OF)
    found = [tekun, dibao, marginal, phase_out, ineligible]
    assert {x.category for x in found} >= {"特困", "低保", "低保边缘", "不符合"}
    assert any(x.phase_out for x in found) and any(x.single_person for x in found)
    return found


def _keys(plain: Any, section: str = "report") -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    children = {("report", "members"): "member", ("report", "steps"): "step",
                ("step", "values"): "values"}
    for key, value in plain.items():
        found.add((section, key))
        child = children.get((section, key))
        items = value if isinstance(value, list) else [value]
        if child is not None:
            for item in items:
                found |= _keys(item, child)
    return found


def test_every_key_the_rules_emit_is_classified() -> None:
    emitted = set().union(*(_keys(determination_dict(d)) for d in _determinations()))
    assert emitted - set(REPORT_KEY_FIELDS) == set()
    assert all(report_key_class(*k) is not None for k in REPORT_KEY_FIELDS)


@pytest.mark.parametrize("d", _determinations(), ids=lambda d: d.category)
def test_a_caller_allowed_everything_gets_everything(d: Determination) -> None:
    plain = determination_dict(d)
    assert redact(plain, policy_decider(CASEWORKER, Purpose.AID_ADMINISTRATION)) == plain


@pytest.mark.parametrize("d", _determinations(), ids=lambda d: d.category)
def test_a_verifier_gets_what_the_fields_give(d: Determination) -> None:
    decider = policy_decider(VERIFIER, Purpose.VERIFICATION)
    shown = json.loads(to_json(d, decider))
    member_fields = {"age": "age", "severe_disability": "severeDisability",
                     "serious_illness": "seriousIllness", "labour_capacity": "labourCapacity",
                     "income": "monthlyIncome", "relation": "relation"}
    for member in shown["members"]:
        for key, field in member_fields.items():
            effect = decide(VERIFIER, Purpose.VERIFICATION,
                            access_class_of("VerifiedMember", field)).effect
            if effect is Effect.DENY:
                assert key not in member
            elif effect is Effect.MASK:
                assert member[key] is None
            else:
                assert key in member
    assert not HEALTH_KEYS & {k for s in shown["steps"] for k in s["values"]}
    assert all(s["values"].get("age") is None for s in shown["steps"])
    assert shown["figures"] == determination_dict(d)["figures"]
    page = to_html(d, decider)
    assert "<th>重度残疾</th>" not in page and "<th>劳动能力</th>" not in page
    assert "<th>年龄</th>" in page and "残疾证" not in page


def test_unclassified_keys_are_dropped_and_a_charity_gets_nothing() -> None:
    d = _determinations()[1]
    plain = determination_dict(d)
    plain["secret_new_figure"] = 1
    plain["steps"][0]["values"]["unreviewed"] = "x"
    everything = redact(plain, policy_decider(CASEWORKER, Purpose.AID_ADMINISTRATION))
    assert "secret_new_figure" not in everything
    assert "unreviewed" not in everything["steps"][0]["values"]
    assert redact(plain, policy_decider(CHARITY, Purpose.CHARITY_MATCHING)) == {}

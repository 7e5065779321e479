"""The access policy as a full role × purpose × class matrix, plus masking and coverage."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
import strawberry

from privacy import (
    ACCESS_POLICY,
    GRAPHQL_FIELD_CLASSES,
    JURISDICTION_EXEMPT,
    OPERATING_ROLES,
    PERSONAL_CLASSES,
    PURPOSE_RULES,
    AccessClass,
    Effect,
    Purpose,
    Role,
    RoleCombinationError,
    Rule,
    UnknownPurposeError,
    access_class_of,
    check_role_combination,
    check_schema_coverage,
    decide,
    in_jurisdiction,
    jurisdiction,
    mask_value,
    parse_purpose,
    purpose_allowed,
)


@dataclass(frozen=True)
class Who:
    org: str = "民政"
    roles: tuple[str, ...] = ("caseworker",)
    regions: tuple[str, ...] = ("659001",)


def _expected(role: Role, purpose: Purpose, cls: AccessClass, owned: bool) -> Effect:
    """The matrix read straight from the table (independently of ``decide``)."""
    if cls is AccessClass.PUBLIC:
        return Effect.ALLOW
    rule = ACCESS_POLICY.get((role, purpose), {}).get(cls, Rule.DENY)
    if rule is Rule.OWN:
        return Effect.ALLOW if owned else Effect.DENY
    return Effect(rule.value)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("purpose", list(Purpose))
def test_full_matrix_matches_the_table(role: Role, purpose: Purpose) -> None:
    who = Who(org="医保", roles=(role.value,))
    for cls in AccessClass:
        for owner, owned in (("医保", True), ("民政", False)):
            got = decide(who, purpose, cls, owner_org=owner).effect
            assert got is _expected(role, purpose, cls, owned), (role, purpose, cls, owner)


def test_invariants_of_the_table() -> None:
    for (role, purpose), rules in ACCESS_POLICY.items():
        if role in OPERATING_ROLES:
            assert not PERSONAL_CLASSES & {c for c, r in rules.items() if r is not Rule.DENY}
        if role is Role.CHARITY:
            assert rules.get(AccessClass.IDENTIFIER, Rule.DENY) is Rule.DENY
            assert rules.get(AccessClass.FINANCIAL, Rule.DENY) is Rule.DENY
        if purpose is Purpose.OVERLAP_CHECK:
            assert rules[AccessClass.AID_PROGRAMME] is Rule.ALLOW
            assert rules[AccessClass.AID_AMOUNT] is Rule.OWN
            assert rules.get(AccessClass.HEALTH, Rule.DENY) is Rule.DENY
        if AccessClass.AUDIT in rules:
            assert role is Role.AUDITOR
    assert PURPOSE_RULES[Purpose.VERIFICATION].consent_from == "household"
    assert PURPOSE_RULES[Purpose.CHARITY_MATCHING].consent_from == "person"


def test_overlap_check_shows_which_programme_but_not_others_amounts() -> None:
    dept = Who(org="医保", roles=("department",))
    assert decide(dept, "overlap_check", "aid_programme").effect is Effect.ALLOW
    assert decide(dept, "overlap_check", "aid_amount", owner_org="民政").effect is Effect.DENY
    assert decide(dept, "overlap_check", "aid_amount", owner_org="医保").effect is Effect.ALLOW
    assert decide(dept, "overlap_check", "aid_amount").reason == "not_owner"
    assert decide(dept, "overlap_check", "health").effect is Effect.DENY


def test_unknown_things_deny_and_several_roles_take_the_most_permissive() -> None:
    assert decide(Who(roles=("janitor",)), "verification", "name").reason == "no_role_for_purpose"
    assert decide(Who(), "aid_administration", None).reason == "unclassified"
    assert decide(Who(), "aid_administration", "made_up").effect is Effect.DENY
    assert decide(Who(roles=()), "audit", "public").effect is Effect.ALLOW
    both = Who(roles=("verifier", "caseworker"))
    assert decide(both, "verification", "identifier").effect is Effect.MASK
    assert decide(both, "aid_administration", "identifier").effect is Effect.ALLOW
    assert purpose_allowed(both, "verification")
    assert not purpose_allowed(Who(roles=("charity",)), "audit")


def test_parse_purpose_accepts_the_fixed_list_only() -> None:
    assert parse_purpose(" Verification ") is Purpose.VERIFICATION
    for bad in (None, "", "curiosity 110101199003077777"):
        with pytest.raises(UnknownPurposeError) as caught:
            parse_purpose(bad)
        assert "110101" not in str(caught.value)
        assert "verification" in str(caught.value)


def test_jurisdiction_is_none_for_national_roles_and_fails_closed() -> None:
    assert jurisdiction(Who(roles=("auditor",), regions=())) is None
    # a national role beside a regional one never lifts the regional limit (issue 13.1)
    assert jurisdiction(Who(roles=("auditor", "caseworker"))) == ["659001"]
    assert jurisdiction(Who(roles=("sysadmin", "verifier"), regions=())) == []
    assert jurisdiction(Who(roles=())) == ["659001"]
    assert jurisdiction(Who(regions=("659001", "410502", "659001"))) == ["410502", "659001"]
    assert jurisdiction(Who(regions=())) == []


def test_masking_by_class() -> None:
    assert mask_value("identifier", "65900119800101123X") == "6590**********123X"
    assert mask_value("name", "阿依古丽·买买提") == "阿**"
    assert mask_value("contact", "13812345678") == "138****5678"
    assert mask_value("contact", "新疆五家渠市青湖路1号") == "新疆五家渠***"
    assert mask_value("aid_amount", 812.5) is None
    assert mask_value("health", "二级肢体") == "***"
    assert mask_value("identifier", ["65900119800101123X", None]) == ["6590**********123X", None]


def test_field_table_uses_known_classes_and_wildcards() -> None:
    assert all(isinstance(cls, AccessClass) for cls in GRAPHQL_FIELD_CLASSES.values())
    assert access_class_of("Person", "idNumber") is AccessClass.IDENTIFIER
    assert access_class_of("AuditEvent", "anything") is AccessClass.AUDIT
    assert access_class_of("Person", "unlisted") is None


@strawberry.type(name="Person")
class CoveragePerson:
    person_id: str
    id_number: str
    shoe_size: int


@strawberry.type(name="Query")
class CoverageQuery:
    @strawberry.field
    def person(self) -> CoveragePerson:
        return CoveragePerson(person_id="P1", id_number="x", shoe_size=1)

    @strawberry.field
    def gossip(self) -> int:
        return 1


def test_schema_coverage_lists_unclassified_fields() -> None:
    schema = strawberry.Schema(query=CoverageQuery)
    assert check_schema_coverage(schema) == ["Person.shoeSize", "Query.gossip"]


_REGIONS = (None, "659001", "533401")  # unknown, inside and outside Who's jurisdiction


def _single(role: str, purpose: Purpose, cls: AccessClass, owner: str,
            region: str | None) -> Effect:
    return decide(Who(org="民政", roles=(role,)), purpose, cls, owner_org=owner,
                  subject_region=region).effect


_RANK = {Effect.DENY: 0, Effect.MASK: 1, Effect.ALLOW: 2}


@pytest.mark.parametrize("pair", list(itertools.combinations([r.value for r in Role], 2)))
def test_two_roles_never_see_more_than_one_of_them_alone(pair: tuple[str, str]) -> None:
    """Every pair × purpose × class × owner × subject region: the pair's answer is the
    best single role's answer for that very value, never more (issue 13.1)."""
    both = Who(org="民政", roles=pair)
    for purpose in Purpose:
        for cls in AccessClass:
            for owner in ("民政", "医保"):
                for region in _REGIONS:
                    got = decide(both, purpose, cls, owner_org=owner,
                                 subject_region=region).effect
                    alone = max((_single(r, purpose, cls, owner, region) for r in pair),
                                key=_RANK.__getitem__)
                    assert got is alone, (pair, purpose, cls, owner, region)
                    if (region == "533401" and cls in PERSONAL_CLASSES
                            and cls not in JURISDICTION_EXEMPT):
                        assert got is Effect.DENY, (pair, purpose, cls)


def test_out_of_jurisdiction_is_decided_per_role() -> None:
    outside = dict(owner_org="民政", subject_region="533401")
    for roles in (("caseworker",), ("caseworker", "auditor"), ("caseworker", "sysadmin"),
                  ("caseworker", "security_admin"), ("caseworker", "verifier")):
        decision = decide(Who(roles=roles), "aid_administration", "name", **outside)
        assert decision.effect is Effect.DENY and decision.reason == "out_of_jurisdiction"
    inside = decide(Who(roles=("caseworker", "auditor")), "aid_administration", "name",
                    owner_org="民政", subject_region="659001")
    assert inside.effect is Effect.ALLOW
    assert not in_jurisdiction(Who(roles=("caseworker", "auditor")), "533401")
    assert in_jurisdiction(Who(roles=("auditor",)), "533401")
    assert not in_jurisdiction(Who(), None)


def test_operating_roles_stand_alone() -> None:
    """三员分立: an operating role is never combined with another role (issue 13.11)."""
    for operating in OPERATING_ROLES:
        check_role_combination([operating.value])
        for other in Role:
            if other is operating:
                continue
            with pytest.raises(RoleCombinationError):
                check_role_combination([operating.value, other.value])
    check_role_combination(["caseworker", "verifier"])
    for role in OPERATING_ROLES:
        for (granted_role, _), rules in ACCESS_POLICY.items():
            if granted_role is role:
                assert not PERSONAL_CLASSES & {c for c, r in rules.items()
                                               if r is not Rule.DENY}, role

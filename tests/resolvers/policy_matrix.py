"""Walk every field of a schema for every role, pair of roles and purpose; check the decision.

Use it on the real schema (``tests/resolvers/test_policy_matrix.py`` does), so each new
type and field is covered the moment it is added::

    from tests.resolvers.policy_matrix import assert_policy_matrix
    assert_policy_matrix(schema)

The expected effect is read straight from ``privacy.ACCESS_POLICY`` (not from
``decide``), and the decision checked is the one the running API makes
(``AccessGuard.decide_field``), so a drift between table and enforcement fails here.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from hub.api.access import AccessGuard
from hub.auth import Principal
from privacy import (
    ACCESS_POLICY,
    JURISDICTION_EXEMPT,
    PERSONAL_CLASSES,
    PURPOSE_RULES,
    AccessClass,
    ConsentRecord,
    DataSubject,
    Effect,
    Purpose,
    Role,
    Rule,
    access_class_of,
    check_schema_coverage,
)

ROOT_TYPES = {"Query", "Mutation", "Subscription"}
SUBJECT = DataSubject("person", "P-matrix", household_id="HH-matrix", region_code="659001")
OUTSIDER = DataSubject("person", "P-far", region_code="533401")


def iter_fields(schema: Any) -> Iterator[tuple[str, str]]:
    """Every (type, field) of the object and interface types, introspection excluded."""
    graphql_schema = getattr(schema, "_schema", schema)
    for type_name, gql_type in graphql_schema.type_map.items():
        if type_name.startswith("__") or type(gql_type).__name__ not in {
                "GraphQLObjectType", "GraphQLInterfaceType"}:
            continue
        for field_name in gql_type.fields:
            yield type_name, field_name


def expected_effect(role: Role, purpose: Purpose, cls: AccessClass | None,
                    owned: bool) -> Effect:
    """The table's answer for one role, purpose and class."""
    if cls is None:
        return Effect.DENY
    if cls is AccessClass.PUBLIC:
        return Effect.ALLOW
    rule = ACCESS_POLICY.get((role, purpose), {}).get(cls, Rule.DENY)
    if rule is Rule.OWN:
        return Effect.ALLOW if owned else Effect.DENY
    return Effect(rule.value)


def _consent(purpose: Purpose) -> ConsentRecord:
    now = datetime.now(UTC)
    return ConsentRecord("c-matrix", "household", "HH-matrix", purpose.value, "民政",
                         now - timedelta(days=1), now + timedelta(days=1))


def role_sets() -> list[tuple[Role, ...]]:
    """Every single role and every combination of two."""
    singles = [(role,) for role in Role]
    return singles + list(itertools.combinations(Role, 2))


_RANK = {Effect.DENY: 0, Effect.MASK: 1, Effect.ALLOW: 2}


def assert_policy_matrix(schema: Any, roles: list[tuple[Role, ...]] | None = None) -> int:
    """Assert coverage and every role set × purpose × field decision; returns checks made.

    A set of roles must decide each field exactly as the best of its roles alone would
    (read from the table), and must deny every personal field about a subject outside its
    regions: combining roles never widens what any one of them may see.
    """
    assert check_schema_coverage(schema) == [], "fields without a policy entry"
    checks = 0
    for held in roles or role_sets():
        principal = Principal("matrix", "民政", tuple(r.value for r in held), ("659001",))
        for purpose in Purpose:
            needs_consent = PURPOSE_RULES[purpose].consent_from is not None
            for type_name, field_name in iter_fields(schema):
                cls = access_class_of(type_name, field_name)
                root = type_name in ROOT_TYPES
                for owner, owned in (("民政", True), ("医保", False)):
                    want = max((expected_effect(r, purpose, cls, owned) for r in held),
                               key=_RANK.__getitem__)
                    bare = AccessGuard(principal=principal, purpose=purpose,
                                       correlation_id="matrix")
                    got = bare.decide_field(type_name, field_name, action="matrix",
                                            subject=None if root else SUBJECT,
                                            owner_org=owner, is_root=root).effect
                    personal = cls in PERSONAL_CLASSES and not root
                    if personal and needs_consent:
                        assert got is Effect.DENY, (held, purpose, type_name, field_name)
                        bare.remember_consent(SUBJECT, _consent(purpose), action="matrix")
                        got = bare.decide_field(type_name, field_name, action="matrix",
                                                subject=SUBJECT, owner_org=owner).effect
                    assert got is want, (held, purpose, type_name, field_name, owner)
                    if personal and cls not in JURISDICTION_EXEMPT:
                        far = bare.decide_field(type_name, field_name, action="matrix",
                                                subject=OUTSIDER, owner_org=owner)
                        assert far.effect is Effect.DENY, (held, type_name, field_name)
                    checks += 1
    return checks

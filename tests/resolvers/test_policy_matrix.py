"""Every field of the real schema, for every role and purpose, decides as the table says."""

from __future__ import annotations

from resolvers import schema
from tests.resolvers.enforcement_schema import personal_schema
from tests.resolvers.policy_matrix import assert_policy_matrix


def test_real_schema_is_covered_and_enforced_as_the_table_says() -> None:
    assert assert_policy_matrix(schema) > 0


def test_personal_types_are_enforced_as_the_table_says() -> None:
    assert assert_policy_matrix(personal_schema) > 0

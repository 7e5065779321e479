"""The query-text checks see what they are meant to see (else they would pass on anything)."""

from __future__ import annotations

import pytest

from tests.query_text import format_fields, literal_constants


def test_only_plain_literals_count_as_literal_queries() -> None:
    source = ('A = """MATCH (n) RETURN n"""\nB = f"MATCH (n:{x}) RETURN n"\n'
              'C = "MATCH " + "(n) RETURN n"\nD = "MATCH (n:{}) RETURN n".format(x)\n')
    assert literal_constants(source) == {"A"}


@pytest.mark.parametrize("text", [
    "MATCH (n:{label}) RETURN n", "MATCH (n) WHERE n.id = {0}", "RETURN '%s'",
    "MATCH (n) WHERE n.id = {} RETURN n",
])
def test_format_fields_are_found(text: str) -> None:
    assert format_fields(text)


@pytest.mark.parametrize("text", [
    "MATCH (h:Household)<-[m:MEMBER_OF {status: '正常'}]-(p) RETURN p {.*}",
    "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS",
    "RETURN $a % 2 AS odd",
])
def test_cypher_maps_are_not_format_fields(text: str) -> None:
    assert format_fields(text) == []

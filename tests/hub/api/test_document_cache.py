"""Parsed and validated documents served from the schema's cache, and what never is:
a failed validation, or a validation under other rules."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.testclient import TestClient

from hub.app import create_app
from hub.config import Settings
from hub.store import Store
from resolvers.schema import build_schema
from tests.api_helpers import api_settings, gql, token

TWO_OPERATIONS = "query A { me { org } } query B { me { subject } }"


def _run(schema: Any, query: str, operation_name: str | None = None) -> Any:
    return asyncio.run(schema.execute(query, operation_name=operation_name))


def test_the_second_request_of_a_document_skips_parsing_and_validation() -> None:
    schema = build_schema()
    cache = schema.document_cache
    first = _run(schema, "{ me { org } }")
    second = _run(schema, "{ me { org } }")
    assert (cache.parse_hits, cache.validation_hits) == (1, 1)
    assert first.errors[0].message == second.errors[0].message  # no principal: denied
    _run(schema, "{ me { subject } }")  # another text: parsed and validated afresh
    assert (cache.parse_hits, cache.validation_hits) == (1, 1)
    assert build_schema().document_cache is not cache  # one cache per schema


def test_other_rules_validate_again_so_a_missing_operation_name_is_still_refused() -> None:
    schema = build_schema()
    named = _run(schema, TWO_OPERATIONS, "A")
    assert "operation name" not in str(named.errors)
    unnamed = _run(schema, TWO_OPERATIONS)
    assert schema.document_cache.parse_hits == 1  # the tree is shared …
    assert schema.document_cache.validation_hits == 0  # … its validity under A's rules not
    assert unnamed.data is None
    assert "Must provide operation name" in unnamed.errors[0].message


def test_a_document_over_the_token_limit_is_refused_every_time() -> None:
    from hub.api.extensions import ApiLimits

    schema = build_schema(limits=ApiLimits(max_tokens=8))
    long = "{ me { org subject roles regions national purpose } }"
    for _ in range(2):
        assert "token" in _run(schema, long).errors[0].message.lower()
    assert (schema.document_cache.parse_hits, schema.document_cache.validation_hits) == (0, 0)


@pytest.mark.neo4j
def test_a_failing_document_gets_fresh_errors_for_each_request(
        settings: Settings, clean_store: Store) -> None:
    app = create_app(api_settings(settings))
    with TestClient(app) as client:
        answers = [gql(client, "{ me { org nosuchfield } }", bearer=token("caseworker"))
                   for _ in range(2)]
    ids = [a.json()["errors"][0]["extensions"]["correlationId"] for a in answers]
    assert ids == [a.headers["x-correlation-id"] for a in answers] and ids[0] != ids[1]

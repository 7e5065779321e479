"""graphql-cop's checks, run by hand against the served app in production mode.

The PyPI package ``graphql-cop`` is an empty 0.0.1 placeholder, so its checks are
performed here over real HTTP, one test each, with a valid token and purpose so every
request reaches the GraphQL layer (without one, everything stops at 401). Each test
sends the probe graphql-cop sends and asserts the answer it would count as "no finding".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from hub.app import create_app
from hub.config import Settings
from hub.store import Store
from tests.api_helpers import api_settings, headers, token

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings(settings, dev_mode=False))) as opened:
        yield opened


@pytest.fixture(scope="module")
def auth() -> dict[str, str]:
    return headers(token("caseworker"))


def _post(client: TestClient, auth: dict[str, str], query: str) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query}, headers=auth)
    assert response.status_code == 200
    return response.json()


def test_introspection_is_disabled(client: TestClient, auth: dict[str, str]) -> None:
    body = _post(client, auth, "query cop { __schema { types { name fields { name } } } }")
    assert body["data"] is None and body["errors"]


def test_graphiql_is_not_served(client: TestClient, auth: dict[str, str]) -> None:
    for path in ("/graphql", "/graphiql", "/playground", "/"):
        response = client.get(path, headers={**auth, "Accept": "text/html"})
        assert "graphiql" not in response.text.lower()
        assert response.status_code in {404, 405}


def test_field_suggestions_are_off(client: TestClient, auth: dict[str, str]) -> None:
    body = _post(client, auth, "query cop { mee { org } }")
    assert body["errors"] and all("Did you mean" not in e["message"] for e in body["errors"])


def test_alias_overloading_is_limited(client: TestClient, auth: dict[str, str]) -> None:
    aliases = " ".join(f"alias{i}: __typename" for i in range(101))
    body = _post(client, auth, f"query cop {{ {aliases} }}")
    assert body["data"] is None and "aliases" in body["errors"][0]["message"]


def test_field_duplication_is_refused(client: TestClient, auth: dict[str, str]) -> None:
    body = _post(client, auth, "query cop { " + "__typename " * 500 + "}")
    assert body["data"] is None and len(body["errors"]) == 1


def test_directive_overloading_is_limited(client: TestClient, auth: dict[str, str]) -> None:
    body = _post(client, auth, "query cop { __typename " + "@aa" * 10 + " }")
    assert body["data"] is None
    assert len(body["errors"]) < 10  # graphql-cop flags ten directive errors for ten @aa
    repeated = _post(client, auth, "query cop { me { org " + "@include(if: true)" * 50 + " } }")
    assert repeated["data"] is None and len(repeated["errors"]) <= 3


def test_array_based_batching_is_refused(client: TestClient, auth: dict[str, str]) -> None:
    batch = [{"query": "query cop { __typename }"}] * 10
    response = client.post("/graphql", json=batch, headers=auth)
    assert response.status_code == 400
    assert "__typename" not in response.text


def test_circular_introspection_is_blocked(client: TestClient, auth: dict[str, str]) -> None:
    body = _post(client, auth, """query cop { __schema { types { fields { type { fields {
        type { fields { type { fields { name } } } } } } } } } }""")
    assert body["data"] is None and body["errors"]


@pytest.mark.parametrize("query", ["query cop { __typename }", "mutation cop { __typename }"])
def test_queries_and_mutations_over_get_are_refused(
        client: TestClient, auth: dict[str, str], query: str) -> None:
    response = client.get("/graphql", params={"query": query}, headers=auth)
    assert response.status_code == 405
    assert "__typename" not in response.text and '"data"' not in response.text


def test_url_encoded_post_is_refused_as_csrf(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post("/graphql", data={"query": "mutation cop { __typename }"},
                           headers=auth)
    assert response.status_code in {400, 415}
    assert '"data"' not in response.text


def test_no_tracing_or_debug_information(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post("/graphql?debug=1", json={"query": "query cop { __typename }"},
                           headers=auth)
    body = response.json()
    assert body == {"data": {"__typename": "Query"}}  # no "extensions": tracing, debug
    assert not {"x-debug", "x-tracing"} & {h.lower() for h in response.headers}


def test_unhandled_errors_are_masked(client: TestClient, auth: dict[str, str]) -> None:
    for query in ("qwerty cop { abc }", "query cop { me { org }", '{ person(personId: "x"'):
        response = client.post("/graphql", json={"query": query}, headers=auth)
        text = response.text
        for leak in ("Traceback", 'File "', "site-packages", "Exception", "line "):
            assert leak not in text, (query, leak)
        assert response.json()["errors"][0]["extensions"]["correlationId"]

"""Neo4j down: the API answers 503 DATABASE_UNAVAILABLE with Retry-After within seconds,
``/readyz`` turns 503 within 5 s, and the API recovers on its own once Neo4j is back."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from hub.app import create_app
from hub.config import Secret, Settings
from hub.neo4j_local import LocalNeo4j
from hub.store import Store
from tests.api_helpers import api_settings, gql, token
from tests.tcp_relay import TcpRelay

pytestmark = pytest.mark.neo4j


@pytest.fixture
def relay(settings: Settings, clean_store: Store) -> Iterator[TcpRelay]:
    relay = TcpRelay(settings.neo4j_port)
    relay.start()
    yield relay
    relay.close()


def through(settings: Settings, relay: TcpRelay) -> Settings:
    """The test server's settings, reached through ``relay`` (as an external server)."""
    return settings.with_overrides(
        neo4j_uri=f"bolt://127.0.0.1:{relay.port}",
        neo4j_password=Secret(LocalNeo4j(settings).password().reveal()))


def test_api_fails_fast_with_503_and_recovers(settings: Settings, relay: TcpRelay) -> None:
    bearer = token("caseworker")
    with TestClient(create_app(api_settings(through(settings, relay)))) as client:
        assert gql(client, "{ health { neo4j } }", bearer=bearer).json() == {
            "data": {"health": {"neo4j": True}}}
        relay.cut()

        began = time.monotonic()
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["neo4j"] is False
        assert time.monotonic() - began < 5

        for query in ("{ health { neo4j } }", "{ me { org } }",
                      '{ household(householdId: "HH-1") { householdId } }'):
            began = time.monotonic()
            response = gql(client, query, bearer=bearer)
            assert time.monotonic() - began < 5, query
            assert response.status_code == 503, response.text
            error = response.json()["errors"][0]
            assert error["extensions"]["code"] == "DATABASE_UNAVAILABLE"
            assert "Neo4j" in error["message"] and "AUDIT" not in response.text
            assert 1 <= int(response.headers["retry-after"]) <= settings.neo4j_cooldown

        relay.restore()
        time.sleep(int(response.headers["retry-after"]))
        assert client.get("/readyz").status_code == 200
        assert gql(client, "{ health { neo4j } }", bearer=bearer).status_code == 200

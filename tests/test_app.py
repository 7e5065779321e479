"""The ASGI app over HTTP: health endpoints and the GraphQL ``health`` field."""

import pytest
from starlette.testclient import TestClient

from hub.app import create_app
from hub.config import Settings
from hub.store import Store

pytestmark = pytest.mark.neo4j


@pytest.fixture
def client(settings: Settings, store: Store) -> TestClient:
    with TestClient(create_app(settings)) as opened:
        yield opened


def test_healthz_and_readyz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["ready"] is True


def test_graphql_health_reports_neo4j_and_schema_version(client: TestClient) -> None:
    from graph_schema import LATEST_VERSION

    response = client.post("/graphql", json={"query": "{ health { neo4j schemaVersion } }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"health": {"neo4j": True,
                                                   "schemaVersion": LATEST_VERSION}}}


def test_queries_over_get_are_refused(client: TestClient) -> None:
    response = client.get("/graphql", params={"query": "{ health { neo4j } }"})
    assert response.status_code in {400, 404, 405}

"""``hub demo``'s preparation on a small generated set: every example query it prints works
with the headers it hands out, and the tokens file is private."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from graph_schema.queries.maintenance import CLEAR_GRAPH
from hub.app import create_app
from hub.cli.demo_cmd import load_demo
from hub.config import Settings
from hub.datasets import generate
from hub.datasets.demo_tour import EXAMPLE_QUERIES, render_example
from hub.privacy_graph.kit import open_privacy
from hub.store import Store

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo_loaded(store: Store, settings: Settings, tmp_path_factory: pytest.TempPathFactory):
    set_dir = tmp_path_factory.mktemp("demo") / "set"
    generate(set_dir, households=40, seed=11)
    store.run_autocommit(CLEAR_GRAPH)
    dev = settings.with_overrides(dev_mode=True)
    tour = load_demo(store, open_privacy(dev), dev, set_dir)
    return dev, tour


def test_tokens_file_is_private_and_complete(demo_loaded) -> None:
    _, tour = demo_loaded
    path: Path = tour.tokens_file
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert set(saved) == {"caseworker", "verifier", "department", "charity", "auditor"}
    assert tour.consented_household


def test_every_printed_example_runs(demo_loaded, store: Store) -> None:
    dev, tour = demo_loaded
    users = {u.name: u for u in tour.users}
    assert tour.consented_person
    with TestClient(create_app(dev, store)) as client:
        for example in EXAMPLE_QUERIES:
            headers = {**users[example.user].headers(), "X-Purpose": example.purpose}
            query = render_example(example.query, tour)
            response = client.post("/graphql", json={"query": query}, headers=headers)
            body = response.json()
            assert response.status_code == 200, (example.title, body)
            assert not body.get("errors"), (example.title, body["errors"])
            assert all(value is not None for value in body["data"].values()), example.title

"""Test fixtures: a real Neo4j server for the whole session, and a clean graph per test.

The suite runs its own managed Neo4j (data under ``~/.local/share/hub-test``, Bolt on port
7688) so it never touches the demo's server, starts it once per session (reusing one that
already runs) and stops it at the end if it started it. With NEO4J_URI set the suite uses
that server instead and, like neomodel's test setup, refuses a database that already holds
data unless ``--resetdb`` is given.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_schema import migrate
from graph_schema.queries.maintenance import CLEAR_GRAPH
from hub.config import Settings
from hub.neo4j_local import LocalNeo4j
from hub.store import Store
from tests.graph_fingerprint import Fingerprint, fingerprint

SAMPLE_DIR = Path(__file__).parent / "data" / "sample"

_COUNT = "MATCH (n) WHERE NOT n:SchemaMigration RETURN count(n) AS n"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--resetdb", action="store_true",
                     help="allow the tests to wipe a populated external Neo4j (NEO4J_URI)")


def test_environ() -> dict[str, str]:
    """Environment for the test server: separate data dir and port from the demo's."""
    env = dict(os.environ)
    home = Path(env.get("HOME", str(Path.home())))
    env.setdefault("HUB_DATA_DIR", str(home / ".local" / "share" / "hub-test"))
    env.setdefault("HUB_NEO4J_PORT", "7688")
    env.setdefault("HUB_NEO4J_HEAP_MB", "1536")
    env.setdefault("HUB_NEO4J_PAGECACHE_MB", "1024")
    env.setdefault("HUB_BATCH_SIZE", "1000")
    return env


test_environ.__test__ = False  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.from_env(test_environ())


@pytest.fixture(scope="session")
def neo4j_server(settings: Settings) -> Iterator[Settings]:
    """Start the managed test server once (or reuse a running one / NEO4J_URI)."""
    if settings.uses_external_neo4j:
        yield settings
        return
    server = LocalNeo4j(settings)
    started = server.pid() is None
    if started:
        server.start()
    yield settings
    if started:
        server.stop()


@pytest.fixture(scope="session")
def store(neo4j_server: Settings, request: pytest.FixtureRequest) -> Iterator[Store]:
    """A migrated store on the test server; refuses a populated external database."""
    with Store.connect(neo4j_server) as opened:
        populated = opened.read(_COUNT)[0]["n"] > 0
        if populated and neo4j_server.uses_external_neo4j and not request.config.getoption(
            "--resetdb"
        ):
            pytest.exit("the external Neo4j (NEO4J_URI) holds data; rerun with --resetdb", 2)
        _clear(opened)
        migrate(opened)
        yield opened


def _clear(store: Store) -> None:
    store.run_autocommit(CLEAR_GRAPH)


@pytest.fixture
def clean_store(store: Store) -> Store:
    """The session store with every data node removed (schema kept)."""
    _clear(store)
    return store


class SampleRecord:
    """The fingerprint of the graph as it was when the linked sample was last built."""

    def __init__(self) -> None:
        self.built: Fingerprint | None = None


@pytest.fixture(scope="session")
def sample_record() -> SampleRecord:
    return SampleRecord()


@pytest.fixture
def linked_sample(store: Store, settings: Settings, sample_record: SampleRecord) -> Store:
    """The store holding the sample set ingested and linked: built once, and rebuilt
    whenever the graph no longer has the fingerprint recorded when it was built (a test
    cleared it, relinked it or left data behind), so no test sees another's leftovers."""
    from hub.ingest.run import ingest_directory
    from hub.privacy_graph.kit import open_privacy
    from hub.resolution import run_link

    if sample_record.built is not None and fingerprint(store) == sample_record.built:
        return store
    _clear(store)
    kit = open_privacy(settings)
    ingest_directory(store, kit, SAMPLE_DIR)
    run_link(store, kit)
    sample_record.built = fingerprint(store)
    return store

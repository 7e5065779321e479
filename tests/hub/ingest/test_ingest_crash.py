"""An ingest killed with SIGKILL half way and run again ends with the same graph."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from graph_schema.queries.maintenance import CLEAR_GRAPH
from hub.config import Settings
from hub.ingest.run import ingest_directory
from hub.privacy_graph.kit import open_privacy
from hub.store import Store
from tests.conftest import SAMPLE_DIR, test_environ

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

SNAPSHOT_RECORDS = """
MATCH (r:SourceRecord) RETURN r.mention_key AS key, r.row_hash AS hash, r.batch_id AS batch
ORDER BY key
"""
SNAPSHOT_FACTS = """
MATCH (f:Fact) RETURN f.fact_key AS key, f.row_hash AS hash, labels(f) AS labels,
       COUNT { (f)-[:FROM_RECORD]->() } AS links
ORDER BY key
"""
COUNT = "MATCH (n) WHERE n:SourceRecord OR n:Fact RETURN count(n) AS n"


def _snapshot(store: Store) -> tuple[list[dict], list[dict]]:
    facts = store.read(SNAPSHOT_FACTS)
    for fact in facts:
        fact["labels"] = sorted(fact["labels"])
    return store.read(SNAPSHOT_RECORDS), facts


def _clear(store: Store) -> None:
    store.run_autocommit(CLEAR_GRAPH)


def test_killed_ingest_rerun_equals_uninterrupted(store: Store, settings: Settings,
                                                  tmp_path) -> None:
    kit = open_privacy(settings)
    _clear(store)
    ingest_directory(store, kit, SAMPLE_DIR)
    reference = _snapshot(store)
    total = store.read(COUNT)[0]["n"]

    _clear(store)
    env = {**test_environ(), "HUB_BATCH_SIZE": "200"}
    child = subprocess.Popen(
        [sys.executable, "-m", "hub.cli", "ingest", str(SAMPLE_DIR), "--batch-rows", "100",
         "--report", str(tmp_path / "report.json")],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    written = 0
    while time.monotonic() < deadline and child.poll() is None:
        written = store.read(COUNT)[0]["n"]
        if written > total * 0.3:
            os.kill(child.pid, signal.SIGKILL)
            break
        time.sleep(0.05)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
    partial = store.read(COUNT)[0]["n"]
    assert 0 < partial < total

    ingest_directory(store, kit, SAMPLE_DIR)
    assert _snapshot(store) == reference

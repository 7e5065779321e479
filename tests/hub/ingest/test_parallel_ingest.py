"""Ingest in several processes: the same graph and report as one process, progress in the
caller, and clear stops when Neo4j is unreachable or a worker is killed."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from pathlib import Path

import psutil
import pytest

from graph_schema.queries.maintenance import CLEAR_GRAPH
from hub.config import Settings
from hub.ingest.errors import IngestError, IngestInterruptedError
from hub.ingest.parallel import MAX_AUTO_JOBS, choose_jobs, ingest_in_processes
from hub.ingest.run import IngestOptions, ingest_directory
from hub.privacy_graph.kit import open_privacy
from hub.store import Store
from tests.conftest import SAMPLE_DIR, test_environ

SNAPSHOT = """
CALL () { MATCH (r:SourceRecord)
          RETURN collect([r.mention_key, r.row_hash, r.batch_id, r.line_no,
                          r:LinkPending]) AS records }
CALL () { MATCH (f:Fact)
          RETURN collect([f.fact_key, f.row_hash, f.batch_id,
                          COUNT { (f)-[:FROM_RECORD]->() }]) AS facts }
CALL () { MATCH (b:IngestBatch)
          RETURN collect([b.batch_id, b.rows_read, b.accepted, b.duplicates,
                          b.quarantined]) AS batches }
RETURN records, facts, batches
"""
COUNT = "MATCH (n) WHERE n:SourceRecord OR n:Fact RETURN count(n) AS n"


def _snapshot(store: Store) -> dict[str, list]:
    row = store.read(SNAPSHOT)[0]
    return {name: sorted(map(tuple, values)) for name, values in row.items()}


def test_choose_jobs_uses_cores_for_a_large_set_and_one_process_for_a_small_one(
        tmp_path: Path) -> None:
    assert choose_jobs(0, SAMPLE_DIR) == 1  # 1.4 MB: starting workers would not pay
    assert choose_jobs(3, SAMPLE_DIR) == 3
    assert choose_jobs(50, SAMPLE_DIR) == len(list(SAMPLE_DIR.glob("*.csv")))
    assert choose_jobs(2, SAMPLE_DIR, IngestOptions(only={"gongan_hukou"})) == 1
    big = tmp_path / "big"
    big.mkdir()
    for name in ("gongan_hukou.csv", "yinhang_deposits.csv", "yibao_medical.csv"):
        with (big / name).open("wb") as handle:
            handle.truncate(20 * 1024 * 1024)  # sparse: only the size is read
    assert choose_jobs(0, big) == min(os.cpu_count() or 1, MAX_AUTO_JOBS, 3)
    with pytest.raises(ValueError, match="jobs must be 0"):
        choose_jobs(-1, SAMPLE_DIR)


@pytest.mark.neo4j
def test_two_processes_write_the_same_graph_and_report_as_one(
        clean_store: Store, settings: Settings) -> None:
    kit = open_privacy(settings)
    one = ingest_directory(clean_store, kit, SAMPLE_DIR).to_dict()
    reference = _snapshot(clean_store)
    clean_store.run_autocommit(CLEAR_GRAPH)

    seen: dict[str, tuple[int, int]] = {}
    callers: set[int] = set()

    def progress(name: str, done: int, total: int) -> None:
        seen[name] = (done, total)
        callers.add(threading.get_ident())

    two = ingest_in_processes(settings, SAMPLE_DIR, IngestOptions(progress=progress), 2)
    assert two.to_dict() == one
    assert _snapshot(clean_store) == reference
    # every file's progress reached the caller (in its own thread), ending at its rows
    assert {name: done for name, (done, _) in seen.items()} == {
        f["file"]: f["rows_read"] for f in one["files"]}
    assert callers == {threading.get_ident()}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_unreachable_neo4j_stops_with_the_interrupted_error_and_no_file_done(
        tmp_path: Path) -> None:
    unreachable = Settings.from_env({
        **test_environ(), "NEO4J_URI": f"bolt://127.0.0.1:{_closed_port()}",
        "NEO4J_PASSWORD": "not-used", "HUB_RETRY_SECONDS": "1",
        "HUB_DATA_DIR": str(tmp_path / "data")})
    began = time.monotonic()
    with pytest.raises(IngestInterruptedError, match="cannot reach Neo4j") as stop:
        ingest_in_processes(unreachable, SAMPLE_DIR, IngestOptions(), 2)
    assert stop.value.report.files == []
    assert time.monotonic() - began < 60


@pytest.mark.neo4j
@pytest.mark.slow
def test_a_killed_worker_is_reported_and_a_rerun_completes_the_same_graph(
        clean_store: Store, settings: Settings) -> None:
    kit = open_privacy(settings)
    ingest_directory(clean_store, kit, SAMPLE_DIR)
    reference = _snapshot(clean_store)
    total = clean_store.read(COUNT)[0]["n"]
    clean_store.run_autocommit(CLEAR_GRAPH)

    killed: list[int] = []

    def kill_a_worker_once_writes_began(name: str, done: int, lines: int) -> None:
        if killed or clean_store.read(COUNT)[0]["n"] == 0:
            return
        # the test's Neo4j may be a child too: only the pool's spawned workers
        workers = [child for child in psutil.Process().children()
                   if "spawn_main" in " ".join(child.cmdline())]
        assert workers, "the ingest runs in worker processes"
        killed.append(workers[0].pid)
        os.kill(workers[0].pid, signal.SIGKILL)

    with pytest.raises(IngestError, match="stopped unexpectedly") as stop:
        ingest_in_processes(settings, SAMPLE_DIR,
                            IngestOptions(batch_rows=50, progress=kill_a_worker_once_writes_began),
                            2)
    assert killed and not isinstance(stop.value, IngestInterruptedError)
    assert clean_store.read(COUNT)[0]["n"] < total

    ingest_in_processes(settings, SAMPLE_DIR, IngestOptions(), 2)
    assert _snapshot(clean_store) == reference

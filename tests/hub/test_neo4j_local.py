"""The managed Neo4j: starts once, reports status, stops leaving no java, keeps its data.

Uses a second, throw-away server (own data dir, port 7699) so the session's test server
keeps running; the jars come from the same cache.
"""

import json
from pathlib import Path

import psutil
import pytest
from neo4j import GraphDatabase
from typer.testing import CliRunner

from hub.cli import app
from hub.config import Settings
from hub.neo4j_local import ENTRY_POINT, LocalNeo4j

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]


def _java_processes_for(home: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if ENTRY_POINT in cmdline and str(home) in cmdline:
            found.append(proc)
    return found


@pytest.fixture
def scratch_settings(tmp_path: Path, settings: Settings, neo4j_server: Settings) -> Settings:
    if settings.uses_external_neo4j:
        pytest.skip("NEO4J_URI is set: the hub manages no server in this run")
    return settings.with_overrides(
        data_dir=tmp_path / "data", neo4j_port=7699, neo4j_heap_mb=512, neo4j_pagecache_mb=128
    )


def _count_probes(server: LocalNeo4j) -> int:
    with GraphDatabase.driver(server.uri, auth=("neo4j", server.password().reveal())) as driver:
        records, _, _ = driver.execute_query("MATCH (p:HealthProbe) RETURN count(p) AS n")
        return int(records[0]["n"])


def test_start_stop_restart_keeps_data_and_leaves_no_java(scratch_settings: Settings) -> None:
    server = LocalNeo4j(scratch_settings)
    status = server.start()
    try:
        assert status.running and status.pid is not None
        assert status.uri == "bolt://127.0.0.1:7699"
        assert (server.password_file.stat().st_mode & 0o777) == 0o600
        conf = (server.conf_dir / "neo4j.conf").read_text()
        assert "server.bolt.listen_address=127.0.0.1:7699" in conf
        assert "server.http.enabled=false" in conf
        assert server.start().pid == status.pid, "a second start must be a no-op"
        with GraphDatabase.driver(server.uri,
                                  auth=("neo4j", server.password().reveal())) as driver:
            driver.execute_query("CREATE (:HealthProbe {key: 'kept'})")
    finally:
        assert server.stop()
    assert _java_processes_for(server.home) == []
    assert not server.status().running
    assert server.stop() is False

    server.start()
    try:
        assert _count_probes(server) == 1
    finally:
        server.stop()
    assert _java_processes_for(server.home) == []


def test_status_json_lists_what_scripts_need(neo4j_server: Settings) -> None:
    from tests.conftest import test_environ

    env = dict(test_environ())
    result = CliRunner().invoke(app, ["neo4j", "status", "--json"], env=env)
    assert result.exit_code == 0, result.output  # 3 when it is down (see the demo test)
    report = json.loads(result.output)
    for key in ("running", "uri", "user", "password_file", "pid", "version"):
        assert key in report
    assert report["running"] is True


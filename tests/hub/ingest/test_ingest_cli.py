"""``hub ingest`` as a script sees it: exit codes, absent departments said once, and an
ingest that loses Neo4j mid-way keeping to its retry window and saying how to resume."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph_schema.queries.maintenance import CLEAR_GRAPH
from hub.cli import app
from hub.config import Settings
from hub.ingest import read_directory
from hub.ingest.run import ingest_directory
from hub.neo4j_local import LocalNeo4j
from hub.privacy_graph.kit import open_privacy
from hub.store import Store
from tests.conftest import SAMPLE_DIR, test_environ
from tests.tcp_relay import TcpRelay

pytestmark = pytest.mark.neo4j

COUNT = "MATCH (n) WHERE n:SourceRecord OR n:Fact RETURN count(n) AS n"


def _ingest(directory: Path, tmp_path: Path) -> tuple[int, str, dict]:
    report = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["ingest", str(directory), "--report", str(report)],
                                env={**test_environ(), "COLUMNS": "200"})
    return result.exit_code, result.output, json.loads(report.read_text(encoding="utf-8"))


def _clean_standards(target: Path) -> None:
    """standards.csv without the sample's deliberately bad line."""
    _, report = read_directory(SAMPLE_DIR)
    bad = {q.line_no for q in report.quarantine if q.file == "standards.csv"}
    lines = (SAMPLE_DIR / "standards.csv").read_bytes().splitlines(keepends=True)
    target.write_bytes(b"".join(line for no, line in enumerate(lines, start=1)
                                if no not in bad))


def test_clean_partial_set_exits_0_and_names_absent_departments_once(
        tmp_path: Path, clean_store: Store) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    _clean_standards(exports / "standards.csv")
    code, output, report = _ingest(exports, tmp_path)
    assert code == 0, output
    assert "file not found" not in output
    assert output.count("17 of 18 department files are not in this directory") == 1
    assert "gongan_hukou.csv" in output and len(report["missing"]) == 17
    assert report["rejected"] == []


def test_quarantined_rows_exit_3(tmp_path: Path, clean_store: Store) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    shutil.copy(SAMPLE_DIR / "standards.csv", exports / "standards.csv")
    code, output, report = _ingest(exports, tmp_path)
    assert code == 3, output
    assert report["totals"]["quarantined"] == 1 and "rows were quarantined" in output


@pytest.mark.parametrize("content", [
    b"",                                       # empty
    b"a,b,c\n1,2,3\n",                         # another layout's header
    bytes(range(256)) * 40,                    # random bytes named like a CSV export
], ids=["empty", "wrong-header", "random-bytes"])
def test_a_rejected_file_exits_4_even_beside_good_ones(
        tmp_path: Path, clean_store: Store, content: bytes) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    shutil.copy(SAMPLE_DIR / "standards.csv", exports / "standards.csv")
    (exports / "gongan_hukou.csv").write_bytes(content)
    code, output, report = _ingest(exports, tmp_path)
    assert code == 4, output
    assert report["rejected"] == ["gongan_hukou.csv"]
    assert "rejected whole: gongan_hukou.csv" in output
    assert report["totals"]["accepted"] == 16  # the good file was still written


def test_random_bytes_named_xlsx_are_rejected_not_a_traceback(
        tmp_path: Path, clean_store: Store) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "standards.xlsx").write_bytes(bytes(range(256)) * 4)
    code, output, report = _ingest(exports, tmp_path)
    assert code == 4, output
    assert report["rejected"] == ["standards.xlsx"] and "Traceback" not in output


@pytest.mark.slow
def test_ingest_losing_neo4j_keeps_its_window_and_says_how_to_resume(
        tmp_path: Path, settings: Settings, clean_store: Store) -> None:
    ingest_directory(clean_store, open_privacy(settings), SAMPLE_DIR)
    total = clean_store.read(COUNT)[0]["n"]
    clean_store.run_autocommit(CLEAR_GRAPH)
    relay = TcpRelay(settings.neo4j_port)
    relay.start()
    window = 8
    env = {**test_environ(), "NEO4J_URI": f"bolt://127.0.0.1:{relay.port}",
           "NEO4J_PASSWORD": LocalNeo4j(settings).password().reveal(),
           "HUB_RETRY_SECONDS": str(window), "COLUMNS": "200"}
    command = [sys.executable, "-m", "hub.cli", "ingest", str(SAMPLE_DIR), "--batch-rows",
               "50", "--report", str(tmp_path / "report.json")]
    try:
        child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while clean_store.read(COUNT)[0]["n"] < total * 0.2:
            assert child.poll() is None and time.monotonic() < deadline, "ingest ended early"
            time.sleep(0.05)
        relay.cut()  # as `kill -9` of the server: connections reset, new ones refused
        cut_at = time.monotonic()
        out, err = child.communicate(timeout=window + 60)
        took = time.monotonic() - cut_at
        assert child.returncode == 1, out + err
        assert took < window + 15, f"retried {took:.0f} s for a {window} s window"
        assert "Traceback" not in err
        assert "Re-running is safe" in err and f"hub ingest {SAMPLE_DIR}" in err
        partial = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
        assert partial["files"], "the partial report lists what was read"

        relay.restore()
        again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300,
                               check=False)
        assert again.returncode == 3, again.stdout + again.stderr  # the sample's bad rows
        assert clean_store.read(COUNT)[0]["n"] == total
    finally:
        relay.close()

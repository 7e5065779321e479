"""`hub demo` as a new user meets it: a token and a GraphiQL link per user, examples that
run as printed (a living applicant, member states, a charity query), the ingest report
written, no HTTP log noise; and `hub neo4j stop` from another shell while it runs.

One real demo run (30 households, its own Neo4j on a free port) serves every check.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest

from hub.config import Settings
from hub.neo4j_local import LocalNeo4j
from tests.conftest import test_environ
from tests.live_server import free_port

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]


@dataclass
class Demo:
    process: subprocess.Popen[str]
    env: dict[str, str]
    port: int
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8")


def _status(port: int, path: str, body: dict[str, Any] | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data,
                                     headers={"Content-Type": "application/json",
                                              **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return int(answer.status), json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as exc:
        return int(exc.code), json.loads(exc.read() or b"null")


def _up(port: int) -> bool:
    try:
        return _status(port, "/healthz")[0] == 200
    except OSError:
        return False


def _start_demo(home: Path) -> Demo:
    """``hub demo`` on 30 households with its own Neo4j, once it serves HTTP."""
    port = free_port()
    env = {**test_environ(), "HUB_DATA_DIR": str(home / "data"), "HUB_NEO4J_PORT": str(free_port()),
           "HUB_NEO4J_HEAP_MB": "512", "HUB_NEO4J_PAGECACHE_MB": "128",
           "HUB_PORT": str(port), "COLUMNS": "200"}
    log = home / "demo.log"
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "hub.cli", "demo",
                                    "--households", "30"],
                                   env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
    running = Demo(process, env, port, log)
    try:
        deadline = time.monotonic() + 400
        while "serving http" not in running.output() or not _up(port):
            assert process.poll() is None, running.output()[-3000:]
            assert time.monotonic() < deadline, running.output()[-3000:]
            time.sleep(1)
    except BaseException:
        _end_demo(running)
        raise
    return running


def _end_demo(demo: Demo) -> None:
    """Stop the demo (as Ctrl-C does) and its Neo4j, whatever state a test left them in."""
    demo.process.send_signal(signal.SIGINT)
    try:
        demo.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        demo.process.kill()
        demo.process.wait()
    LocalNeo4j(Settings.from_env(demo.env)).stop()


class DemoRunner:
    """One demo for the module, started again only when a test has ended it (the Neo4j
    stop test does), so every test finds a running demo whatever order they run in."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self._factory = factory
        self._current: Demo | None = None

    def running(self) -> Demo:
        if self._current is not None and self._current.process.poll() is not None:
            self.close()
        if self._current is None:
            self._current = _start_demo(self._factory.mktemp("demo"))
        return self._current

    def close(self) -> None:
        if self._current is not None:
            _end_demo(self._current)
            self._current = None


@pytest.fixture(scope="module")
def demos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRunner]:
    if Settings.from_env(test_environ()).uses_external_neo4j:
        pytest.skip("NEO4J_URI is set: the hub manages no server in this run")
    runner = DemoRunner(tmp_path_factory)
    try:
        yield runner
    finally:
        runner.close()


@pytest.fixture
def demo(demos: DemoRunner) -> Demo:
    """A running demo: the module's, or a fresh one if a test ended it."""
    return demos.running()


def _tokens(demo: Demo) -> dict[str, Any]:
    return json.loads((Path(demo.env["HUB_DATA_DIR"]) / "demo" / "tokens.json").read_text())


def test_demo_prints_a_token_and_a_graphiql_link_per_user(demo: Demo) -> None:
    out = demo.output()
    tokens = _tokens(demo)
    assert set(tokens) == {"caseworker", "verifier", "department", "charity", "auditor"}
    for name, entry in tokens.items():
        assert f"/graphql?as={name}\n" in out
        assert entry["headers"]["Authorization"] in out, f"no token printed for {name}"
    assert "HTTP Request:" not in out
    assert "purpose=monitoring" in out  # the monitoring example needs no editing
    assert tokens["caseworker"]["headers_by_purpose"]["monitoring"]["X-Purpose"] == "monitoring"
    assert "{ donations {" in out  # a charity example
    [report] = re.findall(r"more, listed in (\S+ingest-report\.json)", out.replace("\n", " "))
    assert json.loads(Path(report).read_text())["quarantine"]


def test_printed_examples_run_as_printed_with_a_living_applicant(demo: Demo) -> None:
    out = demo.output()
    examples = re.findall(r"# .+ — as (\w+), X-Purpose: (\w+)\n# \S+\n(\{.+\})\n", out)
    assert len(examples) >= 7, out[-4000:]
    tokens = _tokens(demo)
    answers = {}
    for user, purpose, query in examples:
        headers = tokens[user]["headers_by_purpose"][purpose]
        code, body = _status(demo.port, "/graphql", {"query": query}, headers)
        assert code == 200 and not body.get("errors"), (query, body)
        answers[query.split("(")[0].split("{")[1].strip()] = body["data"]
    applicant = re.search(r"its member (\S+) \(living\)", out).group(1)
    members = answers["household"]["household"]["members"]
    states = {m["person"]["personId"]: m["state"] for m in members}
    assert states[applicant] == "LIVING"
    assert all(s in {"LIVING", "DECEASED", "MOVED_OUT", "UNKNOWN"} for s in states.values())
    assert answers["verifyHousehold"]["verifyHousehold"]["category"]
    assert answers["donations"]["donations"], "the charity sees the demo's donation"


def test_neo4j_stop_beside_the_demo_is_quick_and_leaves_no_zombie(demo: Demo) -> None:
    """Stops the demo's Neo4j and ends the demo (issue 18, item 4); a test that runs after
    it in the module gets a fresh demo."""
    assert _status(demo.port, "/readyz")[0] == 200
    began = time.monotonic()
    stopped = subprocess.run([sys.executable, "-m", "hub.cli", "neo4j", "stop"], env=demo.env,
                             capture_output=True, text=True, timeout=120, check=False)
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert "Neo4j stopped" in stopped.stdout
    assert "Traceback" not in stopped.stdout + stopped.stderr
    assert time.monotonic() - began < 45
    time.sleep(1)
    assert [c for c in psutil.Process(demo.process.pid).children()
            if c.status() == psutil.STATUS_ZOMBIE] == []

    status = subprocess.run([sys.executable, "-m", "hub.cli", "neo4j", "status", "--json"],
                            env=demo.env, capture_output=True, text=True, timeout=60,
                            check=False)
    assert status.returncode == 3 and json.loads(status.stdout)["running"] is False

    began = time.monotonic()
    assert _status(demo.port, "/readyz")[0] == 503
    assert time.monotonic() - began < 5
    headers = _tokens(demo)["caseworker"]["headers"]
    code, body = _status(demo.port, "/graphql", {"query": "{ health { neo4j } }"}, headers)
    assert code == 503 and body["errors"][0]["extensions"]["code"] == "DATABASE_UNAVAILABLE"
    assert time.monotonic() - began < 10

    demo.process.send_signal(signal.SIGINT)
    demo.process.wait(timeout=60)
    assert "Neo4j had already stopped" in demo.output()

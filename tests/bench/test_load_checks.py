"""The load test's own checks, without a server: failures are classified by the fault that
explains them (or fail the run), and locust's histogram gives the percentiles."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))  # the bench scripts import their siblings by name

from bench_load import read_figures  # noqa: E402
from load_faults import classify_failures  # noqa: E402


def _write(path: Path, entries: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in entries), "utf-8")
    return path


def _failure(t: float, cls: str, detail: str, name: str = "household") -> dict[str, object]:
    return {"t": t, "name": name, "class": cls, "detail": detail}


def test_faults_explain_only_their_own_failures(tmp_path: Path) -> None:
    path = _write(tmp_path / "failures.jsonl", [
        _failure(105, "retryable", "HTTP 503 DATABASE_UNAVAILABLE"),
        _failure(205, "connection", "RemoteDisconnected"),
        _failure(50, "connection", "RemoteDisconnected"),  # before the worker was killed
        _failure(206, "connection", "Connection refused"),  # nothing listening
        _failure(400, "retryable", "HTTP 503 DATABASE_UNAVAILABLE"),  # long after
    ])
    windows = {"retryable": (100.0, 160.0), "connection": (200.0, 210.0)}
    counts, clean = classify_failures(path, windows)
    assert not clean
    assert counts[("retryable", "household", "HTTP 503 DATABASE_UNAVAILABLE")] == 1
    assert counts[("connection", "household", "RemoteDisconnected")] == 1
    assert counts[("failure", "household",
                   "RemoteDisconnected (no fault explains it)")] == 1
    assert counts[("failure", "household", "Connection refused (nothing listening)")] == 1
    assert counts[("failure", "household",
                   "HTTP 503 DATABASE_UNAVAILABLE (no fault explains it)")] == 1


def test_without_a_fault_every_failure_fails_the_run(tmp_path: Path) -> None:
    path = _write(tmp_path / "failures.jsonl",
                  [_failure(1, "retryable", "HTTP 503 DATABASE_UNAVAILABLE")])
    assert classify_failures(path, {})[1] is False
    assert classify_failures(tmp_path / "none.jsonl", {}) == ({}, True)


def test_percentiles_from_locust_histogram(tmp_path: Path) -> None:
    entry = {"name": "household", "num_requests": 100, "num_failures": 2,
             "start_time": 10.0, "last_request_timestamp": 20.0,
             "response_times": {"10": 50, "20": 45, "300": 5}}
    stats = tmp_path / "locust_stats.json"
    stats.write_text(json.dumps([entry, dict(entry, name="aidChain")]), "utf-8")
    figures = read_figures(stats)
    assert figures["household"] == {"n": 100, "p50": 10, "p95": 20, "rate": 10.0,
                                    "failures": 2}
    assert figures["Aggregated"]["n"] == 200 and figures["Aggregated"]["p95"] == 20
    assert figures["Aggregated"]["p50"] == 10 and figures["Aggregated"]["rate"] == 20.0

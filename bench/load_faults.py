"""Faults and watches during the load test (``bench_load.py``): Neo4j and an API worker
killed mid-run, every failure classified, RSS sampled.

- :class:`Faults` kills, from threads of the bench process, the managed Neo4j with
  SIGKILL at a given second of the run and restarts it after ``down`` seconds with the
  hub's own ``hub neo4j start`` (which waits for Bolt); and kills one uvicorn worker (a
  child of the ``hub serve`` supervisor) with SIGKILL, then waits for the supervisor to
  spawn its replacement.
- :func:`classify_failures` reads the failures locust recorded (one JSON line each) and
  sorts them: ``retryable`` (HTTP 503 with ``Retry-After``: the client is told to come
  back; only while Neo4j is down), ``connection`` (reset or closed under a request; only
  just after a worker was killed: such a request was never answered, so never
  acknowledged and nothing it wrote is counted as kept), and ``failure`` (anything else:
  a 500, a GraphQL error, a 503 without ``Retry-After``, a refused connection, a
  timeout, i.e. a hang, or a retryable or connection error no fault explains): any
  ``failure`` fails the run.
- :class:`RssSampler` reads ``VmRSS`` from ``/proc/<pid>/status`` of the supervisor,
  every worker and the Neo4j server every ``every`` seconds into a CSV.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import psutil

from hub.config import Settings
from hub.neo4j_local import LocalNeo4j

GRACE = 30.0  # seconds after a fault is over during which its failures are still its own


def worker_pids(supervisor: int) -> list[int]:
    """The uvicorn workers of a ``hub serve --workers N`` supervisor (its multiprocessing
    spawn children; not the resource tracker)."""
    try:
        children = psutil.Process(supervisor).children()
    except psutil.NoSuchProcess:
        return []
    found = []
    for child in children:
        try:
            if "spawn_main" in " ".join(child.cmdline()) and child.status() != "zombie":
                found.append(child.pid)
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return sorted(found)


def _gone(pid: int, timeout: float) -> bool:
    """Whether ``pid`` has exited (gone, or a zombie not yet reaped), waiting at most
    ``timeout`` s for it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


class Faults:
    """SIGKILL Neo4j and/or one API worker at given seconds of the run, from threads."""

    def __init__(self, settings: Settings, supervisor: int, *, neo4j_at: float | None,
                 neo4j_down: float, worker_at: float | None) -> None:
        self.settings = settings
        self.supervisor = supervisor
        self.neo4j_at = neo4j_at
        self.neo4j_down = neo4j_down
        self.worker_at = worker_at
        self.began = 0.0
        self.events: list[tuple[float, str]] = []
        self.errors: list[str] = []
        # time.time() of each kill, and when Neo4j answered again / the worker was replaced
        self.neo4j_killed: float | None = None
        self.neo4j_back: float | None = None
        self.worker_killed: float | None = None
        self.worker_back: float | None = None
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._over = threading.Event()  # the load ended: faults not yet due are cancelled

    def _note(self, message: str, error: bool = False) -> None:
        with self._lock:
            self.events.append((time.time() - self.began, message))
            if error:
                self.errors.append(message)

    def start(self) -> None:
        """Start the fault threads; seconds count from now."""
        self.began = time.time()
        for at, target in ((self.neo4j_at, self._kill_neo4j),
                           (self.worker_at, self._kill_worker)):
            if at is not None:
                thread = threading.Thread(target=target, args=(at,), daemon=True)
                thread.start()
                self._threads.append(thread)

    def join(self, timeout: float) -> None:
        """The load is over: cancel faults not yet due (an error: the run was too short
        for them), wait for the others (and Neo4j's restart) to be over."""
        self._over.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                self._note("a fault thread did not finish in time", error=True)

    def _due(self, at: float, what: str) -> bool:
        """Wait until ``at`` s into the run; False (noted as an error) if the load ended
        first."""
        if self._over.wait(max(0.0, self.began + at - time.time())):
            self._note(f"{what} at {at:.0f} s not done: the load ended first (raise "
                       "--requests or --run-time)", error=True)
            return False
        return True

    def _kill_neo4j(self, at: float) -> None:
        if not self._due(at, "Neo4j's kill"):
            return
        server = LocalNeo4j(self.settings)
        pid = server.pid()
        if pid is None:
            self._note("Neo4j: no managed server running to kill", error=True)
            return
        os.kill(pid, signal.SIGKILL)
        self.neo4j_killed = time.time()
        if not _gone(pid, 30):
            self._note(f"Neo4j pid {pid} still there 30 s after SIGKILL", error=True)
            return
        self._note(f"Neo4j pid {pid} killed (SIGKILL)")
        time.sleep(self.neo4j_down)
        began = time.monotonic()
        start = subprocess.run([sys.executable, "-m", "hub.cli", "neo4j", "start"],
                               capture_output=True, text=True, check=False, timeout=600)
        if start.returncode != 0:
            self._note(f"hub neo4j start failed ({start.returncode}): "
                       f"{(start.stdout + start.stderr)[-500:]}", error=True)
            return
        self.neo4j_back = time.time()
        self._note(f"Neo4j restarted by 'hub neo4j start' (pid {server.pid()}), Bolt answered "
                   f"after {time.monotonic() - began:.1f} s")

    def _kill_worker(self, at: float) -> None:
        if not self._due(at, "the worker's kill"):
            return
        before = worker_pids(self.supervisor)
        if not before:
            self._note("no uvicorn worker found to kill (one worker runs in process: "
                       "use --workers 2 or more)", error=True)
            return
        victim = before[0]
        os.kill(victim, signal.SIGKILL)
        self.worker_killed = time.time()
        self._note(f"API worker pid {victim} killed (SIGKILL); workers were {before}")
        began = time.monotonic()
        while time.monotonic() - began < 120:
            now = worker_pids(self.supervisor)
            if len(now) >= len(before) and victim not in now:
                self.worker_back = time.time()
                new = sorted(set(now) - set(before))
                self._note(f"supervisor spawned worker {new} after "
                           f"{time.monotonic() - began:.1f} s")
                return
            if _gone(self.supervisor, 0):
                self._note("the hub serve supervisor exited after the worker was killed "
                           "(see --server-log)", error=True)
                return
            time.sleep(0.2)
        self._note(f"the supervisor did not replace worker {victim} within 120 s",
                   error=True)

    def windows(self) -> dict[str, tuple[float, float]]:
        """When each fault's own failures are expected (``time.time()``): 503s with
        Retry-After from Neo4j's kill until ``GRACE`` s after it answers again (a worker's
        circuit breaker may still be open), connection errors from the worker's kill
        until ``GRACE`` s after its replacement."""
        found = {}
        if self.neo4j_killed is not None:
            found["retryable"] = (self.neo4j_killed,
                                  (self.neo4j_back or float("inf")) + GRACE)
        if self.worker_killed is not None:
            found["connection"] = (self.worker_killed,
                                   (self.worker_back or self.worker_killed) + GRACE)
        return found

    def report(self) -> None:
        """Print what was done, when (seconds from the start of the locust run)."""
        for at, message in sorted(self.events):
            print(f"  fault t={at:6.1f} s  {message}")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The JSON lines of a file the load wrote (none if it was never created)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]


def classify_failures(path: Path, windows: dict[str, tuple[float, float]]
                      ) -> tuple[Counter[tuple[str, str, str]], bool]:
    """Count failures by (class, request kind, detail); True when none is a real failure.

    ``retryable`` (503 with Retry-After) and ``connection`` are accepted only inside the
    window of the fault that explains them (:meth:`Faults.windows`): without a fault,
    or outside its window, every failure is a real one.
    """
    counts: Counter[tuple[str, str, str]] = Counter()
    for entry in read_jsonl(path):
        kind = entry["class"]
        begin, end = windows.get(kind, (0.0, -1.0))
        if kind != "failure" and not begin <= entry["t"] <= end:
            kind, entry["detail"] = "failure", f"{entry['detail']} (no fault explains it)"
        elif kind == "connection" and "refused" in entry["detail"]:
            # the supervisor holds the listening socket: a killed worker cannot refuse
            kind, entry["detail"] = "failure", f"{entry['detail']} (nothing listening)"
        counts[(kind, entry["name"], entry["detail"])] += 1
    return counts, not any(kind == "failure" for kind, _, _ in counts)


def print_failures(counts: Counter[tuple[str, str, str]]) -> None:
    """One line per class, kind and detail."""
    if not counts:
        print("failures: none")
        return
    totals = Counter()
    for (kind, _, _), n in counts.items():
        totals[kind] += n
    print("failures: " + ", ".join(f"{kind} {n}" for kind, n in sorted(totals.items())))
    for (kind, name, detail), n in sorted(counts.items()):
        print(f"  {kind:<10} {name:<18} {n:>6}  {detail}")
    if totals["connection"]:
        print("  (connection: requests in flight on, or sent over a kept-alive connection "
              "to, the killed worker; never answered, so never acknowledged: no "
              "acknowledged write can be lost this way)")


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return None
    return None


class RssSampler:
    """``VmRSS`` of the supervisor, each worker and Neo4j every ``every`` seconds."""

    def __init__(self, settings: Settings, supervisor: int, out: Path, every: float) -> None:
        self.settings = settings
        self.supervisor = supervisor
        self.out = out
        self.every = every
        self.rows: list[tuple[float, str, int, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.began = 0.0

    def _processes(self) -> list[tuple[str, int]]:
        found = [("supervisor", self.supervisor)]
        found += [("worker", pid) for pid in worker_pids(self.supervisor)]
        if not self.settings.uses_external_neo4j:
            pid = LocalNeo4j(self.settings).pid()
            if pid is not None:
                found.append(("neo4j", pid))
        return found

    def sample(self) -> None:
        """One sample of every process."""
        at = time.time() - self.began
        for role, pid in self._processes():
            rss = _rss_mb(pid)
            if rss is not None:
                self.rows.append((at, role, pid, rss))

    def _run(self) -> None:
        self.sample()
        while not self._stop.wait(self.every):
            self.sample()

    def start(self) -> None:
        """Sample now and every ``every`` seconds."""
        self.began = time.time()
        self._thread.start()

    def stop(self) -> None:
        """A last sample, then the CSV."""
        self._stop.set()
        self._thread.join()
        self.sample()
        with self.out.open("w", newline="", encoding="utf-8") as raw:
            writer = csv.writer(raw)
            writer.writerow(["seconds", "role", "pid", "rss_mb"])
            writer.writerows((f"{at:.1f}", role, pid, f"{rss:.1f}")
                             for at, role, pid, rss in self.rows)

    def report(self) -> None:
        """Start, end and max per process, and the growth of those there throughout."""
        series: dict[tuple[str, int], list[tuple[float, float]]] = defaultdict(list)
        for at, role, pid, rss in self.rows:
            series[(role, pid)].append((at, rss))
        if not series:
            return
        first_at = min(at for at, *_ in self.rows)
        last_at = max(at for at, *_ in self.rows)
        print(f"RSS (MB), sampled every {self.every:.0f} s over {last_at:.0f} s "
              f"({self.out.name}):")
        growth: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for (role, pid), points in sorted(series.items(), key=lambda kv: kv[1][0][0]):
            start, end = points[0], points[-1]
            whole = start[0] == first_at and end[0] == last_at
            span = "" if whole else f"  (from {start[0]:.0f} s to {end[0]:.0f} s)"
            print(f"  {role:<10} pid {pid:>7}  start {start[1]:8.1f}  end {end[1]:8.1f}  "
                  f"max {max(r for _, r in points):8.1f}{span}")
            if whole:
                group = "neo4j" if role == "neo4j" else "api"
                growth[group][0] += start[1]
                growth[group][1] += end[1]
        for group, (start_mb, end_mb) in sorted(growth.items()):
            change = end_mb - start_mb
            share = 100 * change / start_mb if start_mb else 0.0
            label = ("API (supervisor + workers there throughout)" if group == "api"
                     else "Neo4j")
            print(f"  RSS growth {label}: {start_mb:.1f} -> {end_mb:.1f} MB "
                  f"({change:+.1f} MB, {share:+.1f} %)")

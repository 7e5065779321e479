"""A Spark standalone cluster on 127.0.0.1 (one master, one worker), started with the
scripts pyspark ships (``sbin/spark-daemon.sh``, which is what ``start-master.sh`` and
``start-worker.sh`` call), for tests that must run on a real cluster, not ``local[N]``."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

MASTER = "org.apache.spark.deploy.master.Master"
WORKER = "org.apache.spark.deploy.worker.Worker"


def spark_home() -> Path:
    """The Spark distribution inside the pyspark package."""
    import pyspark

    return Path(pyspark.__file__).parent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _daemon(env: dict[str, str], *args: str, check: bool = True) -> None:
    subprocess.run([str(spark_home() / "sbin" / "spark-daemon.sh"), *args], env=env,
                   check=check, capture_output=True, timeout=120)


def kill_worker(directory: Path) -> int:
    """Kill the cluster's worker and the executors it started (SIGKILL, as a crashed node
    would go). Returns how many processes were killed."""
    import psutil

    (pid_file,) = (directory / "pids").glob("*Worker*.pid")
    worker = psutil.Process(int(pid_file.read_text().strip()))
    doomed = [*worker.children(recursive=True), worker]
    for process in doomed:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            continue
    psutil.wait_procs(doomed, timeout=30)
    return len(doomed)


def executors(directory: Path) -> int:
    """Executor processes the worker runs now."""
    import psutil

    pids = list((directory / "pids").glob("*Worker*.pid"))
    if not pids:
        return 0
    worker = psutil.Process(int(pids[0].read_text().strip()))
    found = 0
    for process in worker.children(recursive=True):
        try:
            found += "CoarseGrainedExecutorBackend" in " ".join(process.cmdline())
        except psutil.Error:  # a child that just ended
            continue
    return found


def _wait(condition: str, check: object, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except (OSError, httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    raise TimeoutError(f"the standalone cluster did not come up: {condition}")


@contextmanager
def standalone_cluster(directory: Path, cores: int = 2, memory: str = "2g"
                       ) -> Iterator[str]:
    """Start a master and one worker; yield the master URL; stop both.

    Their logs, pid files and the worker's work and scratch directories all live under
    ``directory`` (so a test can read everything they leave behind).
    """
    port, ui, worker_ui = free_port(), free_port(), free_port()
    for name in ("logs", "pids", "work", "local"):
        (directory / name).mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SPARK_HOME": str(spark_home()),
           "SPARK_LOG_DIR": str(directory / "logs"), "SPARK_PID_DIR": str(directory / "pids"),
           "SPARK_WORKER_DIR": str(directory / "work"),
           "SPARK_LOCAL_DIRS": str(directory / "local"),
           "SPARK_WORKER_CORES": str(cores), "SPARK_WORKER_MEMORY": memory,
           "SPARK_IDENT_STRING": f"hub-test-{port}", "SPARK_LOCAL_IP": "127.0.0.1"}
    url = f"spark://127.0.0.1:{port}"
    _daemon(env, "start", MASTER, "1", "--host", "127.0.0.1", "--port", str(port),
            "--webui-port", str(ui))
    try:
        _wait("master port", lambda: socket.create_connection(("127.0.0.1", port), 1).close()
              is None)
        _daemon(env, "start", WORKER, "1", "--host", "127.0.0.1", "--webui-port",
                str(worker_ui), url)
        try:
            _wait("worker registered", lambda: httpx.get(
                f"http://127.0.0.1:{ui}/json/", timeout=2).json().get("aliveworkers", 0) >= 1)
            yield url
        finally:
            _daemon(env, "stop", WORKER, "1", check=False)  # a test may have killed it
    finally:
        _daemon(env, "stop", MASTER, "1")

"""A managed local Neo4j Community server: configure, start, wait, stop, report.

The server runs from the jars cached by :mod:`hub.neo4j_dist` with the community entry point
``org.neo4j.server.CommunityEntryPoint``; its home (``conf``, ``data``, ``logs``, ``run``)
lives under the hub's data directory. Bolt listens on 127.0.0.1 only and HTTP is off. A
random initial password is set before the first start and kept in a mode-0600 file.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import string
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from hub.config import Secret, Settings
from hub.errors import Neo4jServerError
from hub.neo4j_dist import fetch_distribution

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
# The throughput collector with a fixed young generation of half the heap (see _launch):
# ingest allocates fast and keeps each transaction's state alive until commit, and G1 on
# two cores spent ~10 CPU-s of a 20,000-household ingest in collections and barriers
# (bench/bench_ingest.py: Neo4j 61 -> 52 CPU-s, GC pauses 4.8 -> 1.6 s).
_JVM_FLAGS = [
    "-XX:+UseParallelGC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+AlwaysPreTouch",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
]

# Servers started by this process, kept referenced so ``Popen`` objects are not collected
# (and warn) while the server runs detached; ``stop`` reaps them.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class ServerStatus:
    """What ``hub neo4j status`` reports (also as JSON for scripts and monitoring)."""

    running: bool
    managed: bool
    uri: str
    user: str
    password_file: str | None
    pid: int | None
    version: str
    home: str | None

    def as_dict(self) -> dict[str, object]:
        """Return the status as a JSON-ready dict."""
        return asdict(self)


class LocalNeo4j:
    """The Neo4j server the hub manages under ``settings.neo4j_home``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.home = settings.neo4j_home
        self.conf_dir = self.home / "conf"
        self.logs_dir = self.home / "logs"
        self.pid_file = self.home / "run" / "neo4j.pid"
        self.password_file = self.home / "password"

    # -- facts -------------------------------------------------------------------------
    @property
    def uri(self) -> str:
        """Bolt URI of the managed server."""
        return f"bolt://127.0.0.1:{self.settings.neo4j_port}"

    def password(self) -> Secret:
        """Read the password file written before the first start.

        Raises:
            Neo4jServerError: the server was never initialised here.
        """
        if not self.password_file.is_file():
            raise Neo4jServerError(
                f"no password file at {self.password_file}: run 'hub neo4j start' first"
            )
        return Secret(self.password_file.read_text().strip())

    def pid(self) -> int | None:
        """Pid of the running server, or ``None`` (a stale pid file is ignored)."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            proc = psutil.Process(pid)
            if _alive(proc) and ENTRY_POINT in " ".join(proc.cmdline()):
                return pid
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            pass
        return None

    def status(self) -> ServerStatus:
        """Describe the managed server without changing anything."""
        pid = self.pid()
        return ServerStatus(
            running=pid is not None and _port_open(self.settings.neo4j_port),
            managed=True,
            uri=self.uri,
            user="neo4j",
            password_file=str(self.password_file),
            pid=pid,
            version=self.settings.neo4j_version,
            home=str(self.home),
        )

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> ServerStatus:
        """Fetch (once), configure and start the server; wait until Bolt answers.

        A second call while the server runs changes nothing.

        Raises:
            Neo4jServerError: the port is taken, or Bolt does not answer in time (the
                message carries the tail of the server log).
        """
        if self.pid() is not None:
            return self.status()
        if _port_open(self.settings.neo4j_port):
            raise Neo4jServerError(
                f"port {self.settings.neo4j_port} is already in use by another program; "
                "set HUB_NEO4J_PORT or NEO4J_URI"
            )
        lib = fetch_distribution(self.settings.cache_dir, self.settings.neo4j_version)
        self._write_config()
        if not self.password_file.is_file():
            self._set_initial_password(lib)
        process = self._launch(lib)
        self._wait_for_bolt(process)
        return self.status()

    def stop(self, timeout: float = 60.0) -> bool:
        """Shut the server down cleanly (SIGTERM, then SIGKILL after ``timeout``).

        Returns:
            True if a server was running and is now stopped.
        """
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        try:
            proc = psutil.Process(pid)
            proc.send_signal(signal.SIGTERM)
            if not _wait_gone(proc, timeout):
                proc.kill()
                if not _wait_gone(proc, 10):
                    raise Neo4jServerError(f"Neo4j (pid {pid}) did not exit after SIGKILL")
        except psutil.NoSuchProcess:
            pass  # it went between our look and our signal: stopped all the same
        child = _CHILDREN.pop(pid, None)
        if child is not None:
            child.wait(timeout=10)
        self.pid_file.unlink(missing_ok=True)
        return True

    # -- steps -------------------------------------------------------------------------
    def _env(self) -> dict[str, str]:
        return {**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.conf_dir)}

    def _write_config(self) -> None:
        for sub in ("conf", "data", "logs", "run", "plugins", "import"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        s = self.settings
        lines = [
            "# written by the hub on every start; edit hub settings, not this file",
            "server.default_listen_address=127.0.0.1",
            "server.default_advertised_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{s.neo4j_port}",
            "server.bolt.enabled=true",
            "server.http.enabled=false",
            "server.https.enabled=false",
            f"server.directories.data={self.home / 'data'}",
            f"server.directories.logs={self.logs_dir}",
            f"server.directories.run={self.home / 'run'}",
            f"server.directories.plugins={self.home / 'plugins'}",
            f"server.directories.import={self.home / 'import'}",
            f"server.memory.heap.initial_size={s.neo4j_heap_mb}m",
            f"server.memory.heap.max_size={s.neo4j_heap_mb}m",
            f"server.memory.pagecache.size={s.neo4j_pagecache_mb}m",
            "db.tx_log.rotation.retention_policy=2 days 2G",
            "dbms.usage_report.enabled=false",
            "dbms.security.auth_enabled=true",
        ]
        (self.conf_dir / "neo4j.conf").write_text("\n".join(lines) + "\n")

    def _set_initial_password(self, lib: Path) -> None:
        password = new_password()
        command = [
            _java(), "-cp", f"{lib}/*", ADMIN_TOOL,
            "dbms", "set-initial-password", password,
        ]
        done = subprocess.run(
            command, env=self._env(), capture_output=True, text=True, check=False, timeout=300
        )
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-5:])
            raise Neo4jServerError(f"setting the initial Neo4j password failed:\n{tail}")
        if not (self.home / "data" / "dbms" / "auth.ini").is_file():
            raise Neo4jServerError(
                "setting the initial Neo4j password wrote no data/dbms/auth.ini; "
                "the admin tool said:\n" + (done.stdout + done.stderr).strip()[-500:]
            )
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(password + "\n")

    def _launch(self, lib: Path) -> subprocess.Popen[bytes]:
        heap = f"{self.settings.neo4j_heap_mb}m"
        command = [
            _java(), f"-Xms{heap}", f"-Xmx{heap}", f"-Xmn{self.settings.neo4j_heap_mb // 2}m",
            *_JVM_FLAGS,
            "-cp", f"{lib}/*", ENTRY_POINT,
            f"--home-dir={self.home}", f"--config-dir={self.conf_dir}",
        ]
        console = open(self.logs_dir / "console.log", "ab")  # noqa: SIM115 - the child owns it
        process = subprocess.Popen(
            command, env=self._env(), stdout=console, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True, cwd=self.home,
        )
        console.close()
        _CHILDREN[process.pid] = process
        # reap the server as soon as it exits, even when another process stopped it
        # (``hub neo4j stop`` beside ``hub demo``): no zombie java is left behind
        threading.Thread(target=process.wait, name=f"reap-neo4j-{process.pid}",
                         daemon=True).start()
        self.pid_file.write_text(f"{process.pid}\n")
        return process

    def _wait_for_bolt(self, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + self.settings.neo4j_start_timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                _CHILDREN.pop(process.pid, None)
                self.pid_file.unlink(missing_ok=True)
                raise Neo4jServerError(
                    f"Neo4j exited with code {process.returncode} while starting.\n"
                    + self.log_tail()
                )
            if _port_open(self.settings.neo4j_port) and self._bolt_answers():
                return
            time.sleep(0.5)
        self.stop(timeout=20)
        raise Neo4jServerError(
            f"Neo4j did not answer on {self.uri} within "
            f"{self.settings.neo4j_start_timeout} s.\n" + self.log_tail()
        )

    def _bolt_answers(self) -> bool:
        from neo4j import GraphDatabase
        from neo4j.exceptions import DriverError, Neo4jError

        try:
            with GraphDatabase.driver(
                self.uri, auth=("neo4j", self.password().reveal()), connection_timeout=5,
                notifications_min_severity="OFF",
            ) as driver:
                driver.verify_connectivity()
            return True
        except (DriverError, Neo4jError, OSError):
            return False

    def log_tail(self, lines: int = 25) -> str:
        """The last lines of the server's logs, for error messages."""
        parts = []
        for name in ("neo4j.log", "console.log"):
            path = self.logs_dir / name
            if path.is_file():
                tail = path.read_text(errors="replace").splitlines()[-lines:]
                parts.append(f"--- {path} ---\n" + "\n".join(tail))
        return "\n".join(parts) or "(no server log written)"


def new_password(length: int = 32) -> str:
    """A random password of letters and digits.

    Why not ``token_urlsafe``: a password starting with ``-`` is parsed as an option by
    the admin tool (``-h…`` even prints help and exits 0 without setting anything).
    """
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _alive(proc: psutil.Process) -> bool:
    """Running, and not a zombie (exited, waiting for its parent to reap it)."""
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False


def _wait_gone(proc: psutil.Process, timeout: float) -> bool:
    """Wait until ``proc`` has exited (a zombie counts: it runs no more); True if it did.

    Why not ``proc.wait``: for a server started by another process (``hub demo``) that
    has not reaped it yet, ``wait`` sees the zombie's pid and waits the full timeout.
    """
    deadline = time.monotonic() + timeout
    while _alive(proc):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    return "java"


def _port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0

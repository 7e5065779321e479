"""Per-principal token buckets shared by the worker processes of one ``hub serve``.

Why: with buckets in each process's memory, N workers would let each principal make N
times the configured rate (the kernel hands connections to whichever worker accepts
first, so a client's requests spread over all of them). Dividing the limit by N instead
would be wrong the other way: a client on one keep-alive connection stays on one worker
and would get a N-th of its rate. So the buckets live in one small SQLite file that all
workers of the server open (``<data>/run/rate-limit-<port>.sqlite``, directory mode 0700,
recreated empty when the server starts, as the in-memory buckets were). A take is one
``BEGIN IMMEDIATE`` transaction (read the bucket, refill, take, write back): SQLite's
lock makes it atomic across processes; WAL and ``synchronous=OFF`` keep it to tens of
microseconds, since a bucket lost in a power cut only resets that principal's limit.

Keys are SHA-256 digests of the principal key, so the file names no organisation or
staff member. The clock is the wall clock (the same in every process), with a step back
read as no time passed.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

_SCHEMA = ("CREATE TABLE IF NOT EXISTS bucket (key TEXT PRIMARY KEY, tokens REAL NOT NULL, "
           "last REAL NOT NULL)")
_PRUNE_EVERY = 1000  # takes between removals of full buckets (a full bucket = no row)


def reset_table(path: Path) -> None:
    """Start the server's buckets empty: remove a previous server's file (and its WAL
    companions) and create the table, so that workers starting at once only open it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.parent.chmod(0o700)
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    SharedTokenBucketLimiter(path, 1).close()


class SharedTokenBucketLimiter:
    """Token buckets in a SQLite file, for every worker of one server; thread-safe.

    Same contract as :class:`hub.api.rate_limit.TokenBucketLimiter`.
    """

    def __init__(self, path: Path, per_minute: int,
                 clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._clock = clock
        self._lock = threading.Lock()
        self._takes = 0
        self._db = sqlite3.connect(path, timeout=10.0, isolation_level=None,
                                   check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute(_SCHEMA)
        path.chmod(0o600)

    def take(self, key: str) -> float:
        """Take a token for ``key``; return 0 if allowed, else seconds until one is free."""
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                now = self._clock()
                row = self._db.execute("SELECT tokens, last FROM bucket WHERE key = ?",
                                       (digest,)).fetchone()
                tokens, last = row if row is not None else (self.capacity, now)
                tokens = min(self.capacity, tokens + max(0.0, now - last) * self.rate)
                wait = 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate
                if wait == 0.0:
                    tokens -= 1.0
                self._db.execute(
                    "INSERT INTO bucket (key, tokens, last) VALUES (?, ?, ?) ON CONFLICT(key) "
                    "DO UPDATE SET tokens = excluded.tokens, last = excluded.last",
                    (digest, tokens, now))
                self._takes += 1
                if self._takes % _PRUNE_EVERY == 0:
                    self._db.execute("DELETE FROM bucket WHERE tokens + (? - last) * ? >= ?",
                                     (now, self.rate, self.capacity))
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return wait

    def close(self) -> None:
        """Close the connection (the file stays for the other workers)."""
        self._db.close()

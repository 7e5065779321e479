"""Rate-limit buckets shared by worker processes: one limit per principal, not per worker.

Two limiters on one file stand for two workers (each its own SQLite connection, as each
worker process has); the clock is fixed so refill is decided by the test.
"""

from __future__ import annotations

from pathlib import Path

from hub.api.rate_limit_shared import SharedTokenBucketLimiter, reset_table


class _Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _workers(path: Path, per_minute: int, clock: _Clock) -> list[SharedTokenBucketLimiter]:
    reset_table(path)
    return [SharedTokenBucketLimiter(path, per_minute, clock) for _ in range(2)]


def test_two_workers_share_one_bucket_per_principal(tmp_path: Path) -> None:
    clock = _Clock()
    a, b = _workers(tmp_path / "run" / "rl.sqlite", 10, clock)
    allowed = [w.take("民政\x00staff-001") == 0 for _ in range(8) for w in (a, b)]
    assert allowed.count(True) == 10  # per-process buckets would have allowed 16
    assert allowed[:10] == [True] * 10
    assert b.take("民政\x00staff-002") == 0  # another principal has its own bucket
    assert a.take("民政\x00staff-001") == 6.0  # one token refills in 60/10 s
    clock.now += 6.0
    assert b.take("民政\x00staff-001") == 0 and a.take("民政\x00staff-001") > 0


def test_the_file_is_private_names_nobody_and_starts_empty(tmp_path: Path) -> None:
    path = tmp_path / "run" / "rl.sqlite"
    clock = _Clock()
    a, _ = _workers(path, 2, clock)
    a.take("民政\x00staff-001")
    a.take("民政\x00staff-001")
    assert a.take("民政\x00staff-001") > 0
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
    stored = b"".join(p.read_bytes() for p in path.parent.iterdir())
    assert b"staff-001" not in stored and "民政".encode() not in stored
    a.close()
    fresh, _ = _workers(path, 2, clock)  # a restarted server: buckets full again
    assert fresh.take("民政\x00staff-001") == 0

"""The head anchor file: private, append-only, whole lines, one log, greatest seq."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hub.privacy_graph.audit_anchor import AuditAnchorError, HeadAnchor, anchor_path_for
from privacy import Profile
from privacy.audit import ChainHead, authenticate_head

KEY = b"anchor-test-key-0123456789abcdef"


def _head(seq: int, log_id: str = "log-a") -> ChainHead:
    return authenticate_head(KEY, log_id, seq, f"{seq:064x}", 1, Profile.STANDARD)


def test_the_anchor_sits_beside_the_key() -> None:
    assert anchor_path_for(Path("/k/audit.key")) == Path("/k/audit-head.anchor")


def test_records_are_private_and_read_back_as_the_greatest_seq(tmp_path: Path) -> None:
    anchor = HeadAnchor(tmp_path / "keys" / "audit-head.anchor")
    assert anchor.newest() is None
    for seq in (1, 3, 2):  # concurrent appends may land out of order
        anchor.record(_head(seq))
    assert anchor.newest() == _head(3)
    assert anchor.path.stat().st_mode & 0o777 == 0o600
    assert len(anchor.path.read_bytes().splitlines()) == 3


def test_the_file_vouches_for_the_log_it_was_started_for(tmp_path: Path) -> None:
    anchor = HeadAnchor(tmp_path / "a.anchor")
    anchor.record(_head(5, "log-a"))
    anchor.record(_head(9, "log-b"))  # the graph's log was deleted and restarted
    assert anchor.newest() == _head(5, "log-a")


def test_a_torn_last_line_is_ignored_a_bad_one_inside_is_not(tmp_path: Path) -> None:
    anchor = HeadAnchor(tmp_path / "a.anchor")
    anchor.record(_head(1))
    with anchor.path.open("ab") as raw:
        raw.write(b'{"v":1,"log":"log-a","se')  # a crash mid-write
    assert anchor.newest() == _head(1)
    with anchor.path.open("ab") as raw:
        raw.write(b"\n")
    anchor.record(_head(2))
    with pytest.raises(AuditAnchorError, match="line 2"):
        anchor.newest()


def test_an_anchor_others_can_write_vouches_for_nothing(tmp_path: Path) -> None:
    anchor = HeadAnchor(tmp_path / "a.anchor")
    anchor.record(_head(1))
    os.chmod(anchor.path, 0o666)
    with pytest.raises(AuditAnchorError, match="writable"):
        anchor.newest()


def test_an_unwritable_anchor_raises_a_store_error(tmp_path: Path) -> None:
    from hub.errors import StoreError

    blocked = tmp_path / "file"
    blocked.write_text("")
    with pytest.raises(StoreError):  # the API withholds data on StoreError
        HeadAnchor(blocked / "a.anchor").record(_head(1))


def test_concurrent_records_land_as_whole_lines(tmp_path: Path) -> None:
    anchor = HeadAnchor(tmp_path / "a.anchor")
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda seq: anchor.record(_head(seq)), range(1, 201)))
    assert anchor.newest() == _head(200)
    assert len(anchor.path.read_bytes().splitlines()) == 200


_RECORDER = """
import sys
from pathlib import Path
from hub.privacy_graph.audit_anchor import HeadAnchor
from privacy import Profile
from privacy.audit import authenticate_head
worker, path = int(sys.argv[1]), Path(sys.argv[2])
anchor = HeadAnchor(path)
for i in range(150):
    seq = worker * 1000 + i + 1
    anchor.record(authenticate_head(b"anchor-test-key-0123456789abcdef", "log-a", seq,
                                    f"{seq:064x}", 1, Profile.STANDARD))
"""


def test_worker_processes_recording_at_once_land_as_whole_lines(tmp_path: Path) -> None:
    """Several API worker processes share one anchor file (O_APPEND, one write a line)."""
    path = tmp_path / "a.anchor"
    procs = [subprocess.Popen([sys.executable, "-c", _RECORDER, str(w), str(path)])
             for w in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0] * 4
    heads = list(HeadAnchor(path).heads())  # every line parses: none torn or interleaved
    assert sorted(h.seq for h in heads) == sorted(
        w * 1000 + i + 1 for w in range(4) for i in range(150))
    assert HeadAnchor(path).newest() == _head(3150)

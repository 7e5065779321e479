"""The audit chain's head, anchored outside Neo4j in an append-only file.

Why a file: the head's MAC stops someone without the audit key from *making* a head, but
not from *replaying* one. Whoever can write Neo4j can keep a copy of the head node, let
more events be written, then delete them and put the copy back: every MAC still verifies.
Only state Neo4j's writers cannot touch tells the log once went further. After each
append commits, the hub adds the new head (log id, seq, hash, ``mac_from`` and the head
MAC) as one line here. ``hub audit verify`` requires the graph to hold the log the file
was started for, to reach its greatest anchored seq, and to hold, at the seq of *every*
line, the event with that line's hash: so a head replayed and then extended again by a
restarted hub (same seqs, other events) is caught too.

Where: beside the audit key (``keys/audit.key`` → ``keys/audit-head.anchor``). Both are
the audit's trust, kept in the hub's own directory (mode 0700) and not in Neo4j: the
threat is someone who can write the database (its credentials, a Bolt session) without
the hub's files. A test that points ``HUB_AUDIT_KEY_FILE`` at a temporary directory gets
its own anchor with it. The file holds no personal data and no secret.

Cost: one ``os.write`` of ~210 bytes and one ``fsync`` per append transaction (one per
group of concurrent requests, see :mod:`.audit_group`), after the commit, so outside the
head lock. ``O_APPEND`` puts each line whole at the end even from several threads or
worker processes (``hub serve --workers N``: every worker appends to this one file);
lines of concurrent appends may land out of seq order, hence "greatest seq", not "last
line". A crash between the commit and the line leaves the anchor one append
behind, which verification accepts (the graph may be ahead of the anchor, never behind).
A log deliberately reset (a new database) needs its old anchor moved away, or verify
reports the log as replaced.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from hub.errors import StoreError
from privacy.audit import ChainHead

ANCHOR_SUFFIX = "-head.anchor"
_VERSION = 1


class AuditAnchorError(StoreError):
    """The head anchor could not be written or read; a ``StoreError`` so that the API
    withholds data exactly as for any other failed audit write."""


def anchor_path_for(audit_key_path: Path) -> Path:
    """The anchor file that belongs to an audit key file (same directory)."""
    return audit_key_path.with_name(audit_key_path.stem + ANCHOR_SUFFIX)


def _line(head: ChainHead) -> bytes:
    body = {"v": _VERSION, "log": head.log_id, "seq": head.seq, "hash": head.hash,
            "from": head.mac_from, "mac": head.mac}
    return json.dumps(body, separators=(",", ":"), sort_keys=True).encode("ascii") + b"\n"


def _parse(raw: bytes, number: int, path: Path) -> ChainHead:
    try:
        body = json.loads(raw)
        if body["v"] != _VERSION:
            raise ValueError("unknown anchor version")
        return ChainHead(str(body["log"]), int(body["seq"]), str(body["hash"]),
                         int(body["from"]), str(body["mac"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise AuditAnchorError(f"audit head anchor {path}, line {number}, is malformed") from exc


class HeadAnchor:
    """Append heads to, and read the newest head from, one anchor file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"HeadAnchor({str(self.path)!r})"

    def record(self, head: ChainHead) -> None:
        """Append ``head`` as one line and ``fsync`` it (creating the file mode 0600).

        Raises:
            AuditAnchorError: the file cannot be opened or written.
        """
        try:
            created = not self.path.exists()
            if created:
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, _line(head))
                os.fsync(fd)
            finally:
                os.close(fd)
            if created:
                _fsync_dir(self.path.parent)
        except OSError as exc:
            raise AuditAnchorError(f"cannot append to the audit head anchor {self.path}: "
                                   f"{exc.strerror}") from exc

    def heads(self) -> Iterator[ChainHead]:
        """Every head recorded, in file order (streamed: the file may be large).

        A last line cut short by a crash (no newline) is skipped; any other bad line is
        an error, since an append-only file of whole lines never holds one.

        Raises:
            AuditAnchorError: unreadable, writable by group/others, or malformed.
        """
        try:
            raw = self.path.open("rb")
        except FileNotFoundError:
            return
        except OSError as exc:
            raise AuditAnchorError(f"cannot read the audit head anchor {self.path}: "
                                   f"{exc.strerror}") from exc
        with raw:
            if os.name == "posix" and stat.S_IMODE(os.fstat(raw.fileno()).st_mode) & 0o022:
                raise AuditAnchorError(f"audit head anchor {self.path} is writable by "
                                       "group or others: it cannot vouch for anything")
            for number, line in enumerate(raw, start=1):
                if not line.endswith(b"\n"):
                    return  # torn by a crash mid-write: never acknowledged to anyone
                if line.strip():
                    yield _parse(line, number, self.path)

    def newest(self) -> ChainHead | None:
        """The greatest-seq head of the log the file was started for; ``None`` if none.

        The file vouches for one log: lines of another log id mean the graph's log was
        deleted and restarted, and verification must say so (not quietly follow the new
        log).

        Raises:
            AuditAnchorError: as :meth:`heads`.
        """
        best: ChainHead | None = None
        for head in self.heads():
            if best is None or (head.log_id == best.log_id and head.seq > best.seq):
                best = head
        return best


def _fsync_dir(directory: Path) -> None:
    """Make a newly created file's directory entry durable (POSIX)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

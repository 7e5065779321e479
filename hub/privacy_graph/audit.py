"""The append-only, hash-chained audit log in Neo4j (``hub audit verify`` checks it).

``privacy.audit`` defines events, hashing, MACs and verification; this module stores them.
Appends serialise on the ``(:AuditHead)`` node's write lock inside the same transaction
that creates the events, so two concurrent appends (threads or worker processes) can
never fork the chain (and the unique ``AuditEvent.seq`` constraint would refuse a fork
anyway). Within a process, appends are grouped (:mod:`.audit_group`): concurrent
requests' events go in one transaction, so they take that lock once per group, not once
each; every caller still returns only after its own events are durable. Each event is MAC'd, the
head is MAC'd, and every ``audit_checkpoint_every`` events a checkpoint MAC is written,
all keyed by the audit key, which lives in a file outside Neo4j (HUB_AUDIT_KEY_FILE, mode
0600). After the commit the new head is appended to the anchor file beside the key
(``hub.privacy_graph.audit_anchor``), which catches a head replayed from an earlier state.

Before extending the chain an append checks the head it found: a head whose MAC fails,
that has moved back behind what this process last wrote, or that lost its MAC while the
last event has one, is refused (the API then withholds data), so the hub never writes a
fresh, valid MAC over a head someone else moved, which would launder a truncation.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from threading import Lock
from typing import Any

from neo4j import ManagedTransaction

from graph_schema.queries import audit as q
from hub.config import Settings
from hub.errors import StoreError
from hub.privacy_graph.audit_anchor import HeadAnchor, anchor_path_for
from hub.privacy_graph.audit_group import GroupCommitter
from hub.store import Store
from privacy import (
    GENESIS_HASH,
    AuditEvent,
    ChainReport,
    Checkpoint,
    KeyFileError,
    Profile,
    event_from_record,
    event_to_record,
    make_checkpoint,
    read_audit_key_file,
    seal_event,
    subject_ref,
    utc_timestamp,
    verify_chain,
    write_audit_key_file,
)
from privacy.audit import (
    ChainHead,
    authenticate_head,
    check_anchored_heads,
    head_valid,
    new_log_id,
)

logger = logging.getLogger(__name__)
HEAD_NAME = "main"


class AuditAppendError(StoreError):
    """The chain head moved under a locked append, or was found tampered; nothing written."""


@dataclass(frozen=True)
class AuditFilter:
    """Optional filters of :meth:`AuditLog.page` (exact matches; times as ISO text)."""

    actor: str | None = None
    org: str | None = None
    purpose: str | None = None
    decision: str | None = None
    subject_ref: str | None = None
    correlation_id: str | None = None
    since: str | None = None
    until: str | None = None


def load_audit_key(settings: Settings) -> bytes:
    """Read the audit key, creating it (mode 0600) on first use.

    Raises:
        privacy.KeyFileError: the file is insecure, unreadable or malformed.
    """
    path = settings.audit_key_path
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            write_audit_key_file(path)
        except KeyFileError:
            if not path.exists():  # a concurrent first start wrote it: fine, read it
                raise
    return read_audit_key_file(path)


def _stored_head(row: Mapping[str, Any] | None) -> ChainHead:
    """The head as stored (a fresh log's is seq 0 at the genesis hash, without a MAC)."""
    if row is None:
        return ChainHead("", 0, GENESIS_HASH, 0)
    return ChainHead(row["log_id"] or "", int(row["seq"]), str(row["hash"]),
                     int(row["mac_from"] or 0), row["mac"] or "")


class AuditLog:
    """Append, read and verify the audit chain."""

    def __init__(self, store: Store, key: bytes, profile: Profile | str = Profile.STANDARD,
                 *, checkpoint_every: int = 100, anchor: HeadAnchor | None = None) -> None:
        self._store = store
        self._key = bytes(key)
        self.profile = Profile(profile)
        self.checkpoint_every = checkpoint_every
        self.anchor = anchor
        self._high_water: dict[str, int] = {}  # log id -> greatest seq committed here: the
        self._water_lock = Lock()  # head of that log never goes below it unless moved back
        self._committer = GroupCommitter(self._commit)

    @classmethod
    def open(cls, store: Store, settings: Settings) -> AuditLog:
        """The hub's log, keyed by the audit key file, anchored beside it, in the
        configured profile."""
        return cls(store, load_audit_key(settings), settings.crypto_profile,
                   checkpoint_every=settings.audit_checkpoint_every,
                   anchor=HeadAnchor(anchor_path_for(settings.audit_key_path)))

    def subject_ref(self, kind: str, subject_id: str) -> str:
        """Pseudonymous reference for a person/household id (see ``privacy.subject_ref``)."""
        return subject_ref(self._key, kind, subject_id, self.profile)

    def append(self, event: AuditEvent) -> AuditEvent:
        """Seal and store one event; returns it with ``seq``, ``hash`` and ``mac`` set."""
        return self.append_many([event])[0]

    def append_many(self, events: Sequence[AuditEvent]) -> list[AuditEvent]:
        """Seal, MAC and store events in order, all or none, and anchor the new head
        outside Neo4j; returns once they are durable. Concurrent callers' events are
        committed together (one transaction per group, see :mod:`.audit_group`).

        Raises:
            AuditAppendError: the head found fails its checks (see the module docstring).
            hub.privacy_graph.audit_anchor.AuditAnchorError: the anchor line could not be
                written (the events are committed; the caller still fails closed).
            StoreError: Neo4j refused or is unreachable after retries.
        """
        return self._committer.submit(events).result()

    async def append_many_async(self, events: Sequence[AuditEvent]) -> list[AuditEvent]:
        """:meth:`append_many` for the event loop: waits without holding a thread.

        A cancelled caller (a client gone) does not withdraw its events: they were
        decided, so they are written all the same.

        Raises:
            As :meth:`append_many`.
        """
        future = asyncio.wrap_future(self._committer.submit(events))
        return await asyncio.shield(future)

    @property
    def transactions(self) -> int:
        """Append transactions this log has run (fewer than appends under load)."""
        return self._committer.transactions

    def _commit(self, events: Sequence[AuditEvent]) -> list[AuditEvent]:
        """Append ``events`` in one transaction, then anchor the head (the committer's)."""
        if not events:
            return []

        def work(tx: ManagedTransaction) -> tuple[list[AuditEvent], ChainHead]:
            at = utc_timestamp()
            tx.run(q.LOCK_AUDIT_HEAD, name=HEAD_NAME, genesis=GENESIS_HASH,
                   profile=self.profile.value, at=at).consume()
            row = tx.run(q.READ_AUDIT_HEAD, name=HEAD_NAME).single(strict=True)
            profile = row["profile"] or self.profile.value
            found = _stored_head(row)
            self._check_found_head(tx, found, profile)
            mac_from = found.mac_from if found.mac else found.seq + 1  # legacy: from here
            seq, prev = found.seq, found.hash
            sealed: list[AuditEvent] = []
            for event in events:
                seq += 1
                sealed.append(seal_event(event, seq, prev, profile, key=self._key))
                prev = sealed[-1].hash
            head = authenticate_head(self._key, found.log_id or new_log_id(), seq, prev,
                                     mac_from, profile)
            created = tx.run(q.APPEND_AUDIT_EVENTS, name=HEAD_NAME, expected_seq=row["seq"],
                             events=[event_to_record(e) for e in sealed], seq=seq,
                             hash=prev, log_id=head.log_id, mac_from=mac_from,
                             mac=head.mac).single()
            if created is None:
                raise AuditAppendError("audit chain head moved during a locked append")
            for event in sealed:
                if event.seq % self.checkpoint_every == 0:
                    checkpoint = make_checkpoint(self._key, event, profile, at)
                    tx.run(q.CREATE_AUDIT_CHECKPOINT, checkpoint=asdict(checkpoint)).consume()
            return sealed, head

        sealed, head = self._store.transaction(work)
        with self._water_lock:
            self._high_water[head.log_id] = max(self._high_water.get(head.log_id, 0), head.seq)
        if self.anchor is not None:
            self.anchor.record(head)
        return sealed

    def _check_found_head(self, tx: ManagedTransaction, found: ChainHead, profile: str) -> None:
        """Refuse to extend a head that was moved, recomputed or stripped of its MAC."""
        if found.mac and not head_valid(self._key, found, profile):
            problem = "fails its MAC: moved or recomputed without the audit key"
        elif found.seq < (water := self._high_water.get(found.log_id, 0)):
            problem = f"is at seq {found.seq}, behind seq {water} written here"
        elif not found.mac and found.seq > 0 and (
                tx.run(q.AUDIT_EVENT_MAC, seq=found.seq).single() or {}).get("mac"):
            problem = "carries no MAC although its last event has one: it was replaced"
        else:
            return
        logger.error("audit append refused: the chain head %s", problem)
        raise AuditAppendError(f"audit append refused: the chain head {problem}; "
                               "run `hub audit verify`")

    def page(self, *, after: int = 0, limit: int = 50,
             filters: AuditFilter | None = None) -> list[AuditEvent]:
        """Events with ``seq > after`` matching ``filters``, oldest first.

        A request or a data subject is looked up by its index (few events, however long
        the log); other filters walk the log in ``seq`` order from ``after``.
        """
        f = filters or AuditFilter()
        query = (q.AUDIT_EVENTS_PAGE_BY_CORRELATION if f.correlation_id is not None
                 else q.AUDIT_EVENTS_PAGE_BY_SUBJECT if f.subject_ref is not None
                 else q.AUDIT_EVENTS_PAGE)
        rows = self._store.read(query, after=after, limit=limit, **asdict(f))
        return [event_from_record(row["e"]) for row in rows]

    def events(self, page_size: int = 10_000) -> Iterator[AuditEvent]:
        """Every event in ``seq`` order, a page per read (memory bounded by the page, on
        either side, however long the log), then any event without an integer ``seq``."""
        after = -1
        while True:
            rows = self._store.read(q.AUDIT_EVENTS_AFTER, after=after, limit=page_size)
            for row in rows:
                yield event_from_record(row["e"])
            if len(rows) < page_size:
                break
            after = int(rows[-1]["e"]["seq"])
        for row in self._store.read(q.AUDIT_EVENTS_WITHOUT_SEQ):
            yield event_from_record(row["e"])

    def _hashes_at(self, seqs: Sequence[int]) -> dict[int, str]:
        return {int(r["seq"]): str(r["hash"])
                for r in self._store.read(q.AUDIT_EVENT_HASHES, seqs=list(seqs))}

    def verify(self) -> ChainReport:
        """Check every event (hash, link, MAC), the checkpoints, the head's MAC and, when
        this log has an anchor, the chain against every head anchored outside Neo4j.

        Raises:
            hub.privacy_graph.audit_anchor.AuditAnchorError: the anchor file is unreadable or
                malformed.
        """
        rows = self._store.read(q.READ_AUDIT_HEAD, name=HEAD_NAME)
        head = _stored_head(rows[0] if rows else None)
        profile = (rows[0]["profile"] if rows else None) or self.profile.value
        checkpoints = [Checkpoint(int(r["seq"]), r["hash"], r["at"], r["mac"])
                       for r in self._store.read(q.AUDIT_CHECKPOINTS)]
        anchored = self.anchor.newest() if self.anchor is not None else None
        report = verify_chain(self.events(), profile, checkpoints=checkpoints, key=self._key,
                              head=head, anchor=anchored)
        if report.ok and self.anchor is not None and anchored is not None:
            broken = check_anchored_heads(self.anchor.heads(), self._hashes_at, key=self._key,
                                          profile=profile, log_id=head.log_id)
            report = replace(report, broken=broken)
        if report.broken is not None:
            logger.warning("audit chain broken at seq %s (%s)", report.broken.seq,
                           report.broken.kind)
        return report

"""The append-only, hash-chained audit log in Neo4j (``hub audit verify`` checks it).

``privacy.audit`` defines events, hashing and verification; this module stores them.
Appends serialise on the ``(:AuditHead)`` node's write lock inside the same transaction
that creates the events, so two concurrent requests can never fork the chain (and the
unique ``AuditEvent.seq`` constraint would refuse a fork anyway). Every
``audit_checkpoint_every`` events a checkpoint MAC is written, keyed by the audit key,
which lives in a file outside Neo4j (HUB_AUDIT_KEY_FILE, mode 0600).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass

from neo4j import ManagedTransaction

from graph_schema.queries import audit as q
from hub.config import Settings
from hub.errors import StoreError
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

logger = logging.getLogger(__name__)
HEAD_NAME = "main"


class AuditAppendError(StoreError):
    """The chain head moved under a locked append (should never happen); nothing written."""


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


class AuditLog:
    """Append, read and verify the audit chain."""

    def __init__(self, store: Store, key: bytes, profile: Profile | str = Profile.STANDARD,
                 *, checkpoint_every: int = 100) -> None:
        self._store = store
        self._key = key
        self.profile = Profile(profile)
        self.checkpoint_every = checkpoint_every

    @classmethod
    def open(cls, store: Store, settings: Settings) -> AuditLog:
        """The hub's log, keyed by the audit key file and using the configured profile."""
        return cls(store, load_audit_key(settings), settings.crypto_profile,
                   checkpoint_every=settings.audit_checkpoint_every)

    def subject_ref(self, kind: str, subject_id: str) -> str:
        """Pseudonymous reference for a person/household id (see ``privacy.subject_ref``)."""
        return subject_ref(self._key, kind, subject_id, self.profile)

    def append(self, event: AuditEvent) -> AuditEvent:
        """Seal and store one event; returns it with ``seq`` and ``hash`` set."""
        return self.append_many([event])[0]

    def append_many(self, events: Sequence[AuditEvent]) -> list[AuditEvent]:
        """Seal and store events in order, in one transaction (all or none).

        Raises:
            StoreError: Neo4j refused or is unreachable after retries.
        """
        if not events:
            return []

        def work(tx: ManagedTransaction) -> list[AuditEvent]:
            at = utc_timestamp()
            tx.run(q.LOCK_AUDIT_HEAD, name=HEAD_NAME, genesis=GENESIS_HASH,
                   profile=self.profile.value, at=at).consume()
            head = tx.run(q.READ_AUDIT_HEAD, name=HEAD_NAME).single(strict=True)
            profile = head["profile"] or self.profile.value
            seq, prev = int(head["seq"]), str(head["hash"])
            sealed: list[AuditEvent] = []
            for event in events:
                seq += 1
                sealed.append(seal_event(event, seq, prev, profile))
                prev = sealed[-1].hash
            created = tx.run(q.APPEND_AUDIT_EVENTS, name=HEAD_NAME, expected_seq=head["seq"],
                             events=[event_to_record(e) for e in sealed], seq=seq,
                             hash=prev).single()
            if created is None:
                raise AuditAppendError("audit chain head moved during a locked append")
            for event in sealed:
                if event.seq % self.checkpoint_every == 0:
                    checkpoint = make_checkpoint(self._key, event, profile, at)
                    tx.run(q.CREATE_AUDIT_CHECKPOINT, checkpoint=asdict(checkpoint)).consume()
            return sealed

        return self._store.transaction(work)

    def page(self, *, after: int = 0, limit: int = 50,
             filters: AuditFilter | None = None) -> list[AuditEvent]:
        """Events with ``seq > after`` matching ``filters``, oldest first."""
        f = filters or AuditFilter()
        rows = self._store.read(q.AUDIT_EVENTS_PAGE, after=after, limit=limit, **asdict(f))
        return [event_from_record(row["e"]) for row in rows]

    def events(self) -> Iterator[AuditEvent]:
        """Every event in ``seq`` order, streamed."""
        for row in self._store.stream(q.AUDIT_EVENTS_IN_ORDER):
            yield event_from_record(row["e"])

    def verify(self) -> ChainReport:
        """Check the whole chain, the checkpoints (with the audit key) and the head."""
        rows = self._store.read(q.READ_AUDIT_HEAD, name=HEAD_NAME)
        head = (int(rows[0]["seq"]), str(rows[0]["hash"])) if rows else (0, GENESIS_HASH)
        profile = (rows[0]["profile"] if rows else None) or self.profile.value
        checkpoints = [Checkpoint(int(r["seq"]), r["hash"], r["at"], r["mac"])
                       for r in self._store.read(q.AUDIT_CHECKPOINTS)]
        report = verify_chain(self.events(), profile, checkpoints=checkpoints, key=self._key,
                              head=head)
        if report.broken is not None:
            logger.warning("audit chain broken at seq %s (%s)", report.broken.seq,
                           report.broken.kind)
        return report


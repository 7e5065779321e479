"""The audit event model: canonical bytes, hash chaining, checkpoints, chain verification.

An :class:`AuditEvent` says who (actor, organisation, roles) did what (action, purpose,
decision, fields returned / masked / denied) about whom — as a pseudonymous
:func:`subject_ref`, never an ID number or a name — under which legal basis or consent,
in which request (correlation id). It never holds a field value.

Events are sealed into a chain (``privacy.hashchain``): each hash covers the previous
hash and the event's canonical JSON, so an edited, deleted or reordered event breaks the
chain at that point. Periodic :class:`Checkpoint` MACs, keyed by a secret kept outside the
graph, stop someone who can rewrite the whole graph from recomputing a consistent chain.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from privacy._files import read_private_bytes, write_private_atomic
from privacy.crypto import Profile, derive_key, length_prefixed, mac
from privacy.errors import KeyFileError
from privacy.hashchain import GENESIS_HASH, chain_hash, checkpoint_mac, verify_checkpoint_mac

AUDIT_KEY_BYTES = 32
_FORMAT = 1


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One audit event; ``seq``, ``prev_hash`` and ``hash`` are set by :func:`seal_event`."""

    at: str
    actor: str
    org: str
    roles: tuple[str, ...]
    purpose: str
    action: str
    decision: str  # allow | mask | deny | partial
    reason: str = ""
    legal_basis: str = ""
    consent_id: str = ""
    subject_ref: str = ""
    fields_returned: tuple[str, ...] = ()
    fields_masked: tuple[str, ...] = ()
    fields_denied: tuple[str, ...] = ()
    correlation_id: str = ""
    seq: int = 0
    prev_hash: str = GENESIS_HASH
    hash: str = ""


@dataclass(frozen=True, slots=True)
class DataSubject:
    """Whom a piece of data is about; personal GraphQL types carry one as ``audit_subject``.

    ``household_id`` lets a household's consent cover its members; ``region_code`` lets the
    access layer re-check jurisdiction on every object it returns (defence in depth).
    """

    kind: str  # "person" or "household"
    id: str
    household_id: str | None = None
    region_code: str | None = None


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A MAC over (seq, hash) of one event, made with the audit key."""

    seq: int
    hash: str
    at: str
    mac: str


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first broken link: where and what kind (``edited``, ``deleted``, ``reordered``,
    ``truncated``, ``checkpoint``)."""

    seq: int
    kind: str
    detail: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    """Result of :func:`verify_chain`."""

    events: int
    last_seq: int
    head_hash: str
    checkpoints_verified: int
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        """True when no link, checkpoint or head check failed."""
        return self.broken is None


def utc_timestamp(moment: datetime | None = None) -> str:
    """ISO-8601 UTC with microseconds and ``Z`` (sorts as text; canonical in the hash)."""
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_bytes(event: AuditEvent) -> bytes:
    """The bytes that are hashed: sorted-key compact JSON of every field but the hashes."""
    body = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(event).items()
            if k not in ("prev_hash", "hash")}
    body["format"] = _FORMAT
    return json.dumps(body, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def seal_event(event: AuditEvent, seq: int, prev_hash: str, profile: Profile | str) -> AuditEvent:
    """Return ``event`` numbered ``seq`` and chained to ``prev_hash``."""
    numbered = replace(event, seq=seq, prev_hash=prev_hash, hash="")
    return replace(numbered, hash=chain_hash(prev_hash, canonical_bytes(numbered), profile))


def event_to_record(event: AuditEvent) -> dict[str, Any]:
    """Properties for the graph (tuples become lists; no nulls, so nothing is dropped)."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(event).items()}


def event_from_record(record: Mapping[str, Any]) -> AuditEvent:
    """Rebuild an event from stored properties (unknown keys ignored)."""
    values: dict[str, Any] = {}
    for f in fields(AuditEvent):
        if f.name not in record or record[f.name] is None:
            continue
        value = record[f.name]
        values[f.name] = tuple(value) if isinstance(value, list) else value
    values.setdefault("seq", 0)
    return AuditEvent(**{"at": "", "actor": "", "org": "", "roles": (), "purpose": "",
                         "action": "", "decision": "", **values})


def _checkpoint_data(seq: int, event_hash: str) -> bytes:
    return length_prefixed(str(seq), event_hash.lower())


def make_checkpoint(key: bytes, event: AuditEvent, profile: Profile | str,
                    at: str | None = None) -> Checkpoint:
    """MAC the event's position and hash with a sub-key of the audit key."""
    sub = derive_key(Profile(profile), key, "audit-checkpoint")
    return Checkpoint(event.seq, event.hash, at or utc_timestamp(),
                      checkpoint_mac(sub, _checkpoint_data(event.seq, event.hash), profile))


def checkpoint_valid(key: bytes, checkpoint: Checkpoint, profile: Profile | str) -> bool:
    """True when the checkpoint's MAC matches its seq and hash (constant time)."""
    sub = derive_key(Profile(profile), key, "audit-checkpoint")
    return verify_checkpoint_mac(sub, _checkpoint_data(checkpoint.seq, checkpoint.hash),
                                 profile, checkpoint.mac)


def subject_ref(key: bytes, kind: str, subject_id: str, profile: Profile | str) -> str:
    """Pseudonymous reference to a data subject: a keyed MAC of its kind and hub id.

    The same person always gets the same reference (auditors can follow one subject's
    accesses), but the reference reveals nothing without the audit key, which a data
    protection officer can use to compute the reference of a given ``person_id``.
    """
    sub = derive_key(Profile(profile), key, "audit-subject-ref")
    return "sr1:" + mac(Profile(profile), sub, length_prefixed(kind, subject_id)).hex()[:32]


def verify_chain(events: Iterable[AuditEvent], profile: Profile | str, *,
                 checkpoints: Sequence[Checkpoint] = (), key: bytes | None = None,
                 head: tuple[int, str] | None = None) -> ChainReport:
    """Check a whole log, in ``seq`` order, and name the first broken link.

    Args:
        events: Events ordered by ``seq`` (streamed; the log need not fit in memory).
        profile: Hash profile the log was written with.
        checkpoints: Stored checkpoints; each must MAC-verify (when ``key`` is given) and
            match the event at its seq. One beyond the last event means truncation.
        key: The audit key; without it checkpoint MACs are not checked.
        head: ``(seq, hash)`` of the stored chain head, which must equal the last event.

    Returns:
        A :class:`ChainReport`; ``broken`` is ``None`` for an intact log.
    """
    by_seq = {c.seq: c for c in checkpoints}
    expected, prev, count, verified = 1, GENESIS_HASH, 0, 0

    def report(broken: ChainBreak | None) -> ChainReport:
        return ChainReport(count, expected - 1, prev, verified, broken)

    for c in checkpoints:
        if key is not None and not checkpoint_valid(key, c, profile):
            return report(ChainBreak(c.seq, "checkpoint", f"checkpoint at seq {c.seq} has a "
                                     "bad MAC: forged or altered"))
    for event in events:
        if event.seq < expected:
            return report(ChainBreak(event.seq, "reordered",
                                     f"seq {event.seq} appears after seq {expected - 1}"))
        if event.seq > expected:
            return report(ChainBreak(expected, "deleted",
                                     f"events {expected}..{event.seq - 1} are missing"))
        if event.prev_hash != prev:
            return report(ChainBreak(event.seq, "reordered", f"event {event.seq} does not "
                                     f"link to event {expected - 1}: moved, or one removed"))
        if chain_hash(prev, canonical_bytes(event), profile) != event.hash:
            return report(ChainBreak(event.seq, "edited",
                                     f"event {event.seq} was changed after it was written"))
        checkpoint = by_seq.get(event.seq)
        if checkpoint is not None:
            if checkpoint.hash != event.hash:
                return report(ChainBreak(event.seq, "checkpoint", f"event {event.seq} differs "
                                         "from its checkpoint: the chain was recomputed"))
            verified += 1 if key is not None else 0
        prev, expected, count = event.hash, expected + 1, count + 1
    beyond = [c.seq for c in checkpoints if c.seq >= expected]
    if beyond:
        return report(ChainBreak(expected, "truncated", f"checkpoint at seq {min(beyond)} but "
                                 f"the log ends at {expected - 1}: events were removed"))
    if head is not None and (head[0] != expected - 1 or head[1] != prev):
        return report(ChainBreak(expected, "truncated", f"chain head says seq {head[0]} but "
                                 f"the log ends at {expected - 1}"))
    return report(None)


def generate_audit_key() -> bytes:
    """Return a fresh random audit key."""
    return os.urandom(AUDIT_KEY_BYTES)


def write_audit_key_file(path: str | os.PathLike[str]) -> None:
    """Create a new audit key file (base64, mode 0600); never overwrites one.

    Raises:
        KeyFileError: the file exists or cannot be written.
    """
    data = base64.b64encode(generate_audit_key()) + b"\n"
    write_private_atomic(Path(path), data, overwrite=False)


def read_audit_key_file(path: str | os.PathLike[str]) -> bytes:
    """Read the audit key (refusing a file open to group/others).

    Raises:
        KeyFileError: missing, insecure, or not base64 of at least 16 bytes.
    """
    raw = read_private_bytes(Path(path))
    try:
        key = base64.b64decode(raw.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyFileError(f"audit key file {path} is not base64") from exc
    if len(key) < 16:
        raise KeyFileError(f"audit key file {path} holds fewer than 16 bytes")
    return key

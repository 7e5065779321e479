"""The audit event model: canonical bytes, hash chaining, MACs, checkpoints, verification.

An :class:`AuditEvent` says who (actor, organisation, roles) did what (action, purpose,
decision, fields returned / masked / denied) about whom — as a pseudonymous
:func:`subject_ref`, never an ID number or a name — under which legal basis or consent,
in which request (correlation id). It never holds a field value.

Events are sealed into a chain (``privacy.hashchain``): each hash covers the previous
hash and the event's canonical JSON, so an edited, deleted or reordered event breaks the
chain at that point. A hash chain alone proves nothing to someone who can write the
graph: they can rewrite the newest events, re-hash them and move the head, or delete the
tail and move the head back. So three things are keyed with the audit key, which lives
outside the graph:

- every event carries a MAC over its ``(seq, hash)``: a rewritten, re-hashed or inserted
  event fails at its own seq, so the report names it (one HMAC per event: cheap);
- the head carries a MAC over ``(log_id, seq, hash, mac_from)``: a recomputed head, or a
  head moved back onto an older event, fails (the MAC of an event is made with another
  sub-key, so it cannot be copied onto the head);
- periodic :class:`Checkpoint` MACs, as before.

A MAC cannot stop a *replay*: someone who kept a copy of the head from an earlier moment
(a backup, a read of the graph) can delete the events written since and put the old,
genuinely MAC'd head back. Only state kept outside Neo4j can tell; the hub appends every
new head to an anchor file (``hub.privacy_graph.audit_anchor``): :func:`verify_chain`
requires the chain to reach the greatest anchored seq with its hash, and
:func:`check_anchored_heads` that every anchored head is still in the chain (a replayed
head that was extended again re-uses anchored seqs with other events).

Logs written before event MACs existed are not rewritten: their events carry no MAC and
are reported as *legacy* (chained and checkpointed only). The first append with this
code MACs the head with ``mac_from`` = the first MAC'd seq, so the boundary itself is
authenticated: from there on an event without a MAC is a forgery.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import constant_time

from privacy._files import read_private_bytes, write_private_atomic
from privacy.crypto import MacKey, Profile, derive_key, length_prefixed, mac
from privacy.errors import KeyFileError
from privacy.hashchain import GENESIS_HASH, chain_hash, checkpoint_mac, verify_checkpoint_mac

AUDIT_KEY_BYTES = 32
_FORMAT = 1
_UNHASHED = ("prev_hash", "hash", "mac")  # the seal and the MAC cover the rest


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One audit event; ``seq``, ``prev_hash``, ``hash`` (and ``mac`` when a key is given)
    are set by :func:`seal_event`."""

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
    mac: str = ""  # "" on a legacy event, written before event MACs


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
class ChainHead:
    """Where a log ends, as the hub stored it: in the graph's head node or an anchor line.

    ``log_id`` is random per log, so the head of one log never vouches for another (a
    wiped and restarted log is told apart from a continued one); ``mac_from`` is the first
    seq sealed with an event MAC (1 for a log born with MACs); ``mac`` is "" on a legacy
    head, written before head MACs.
    """

    log_id: str
    seq: int
    hash: str
    mac_from: int
    mac: str = ""


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first broken link: where and what kind (``edited``, ``deleted``, ``reordered``,
    ``truncated``, ``checkpoint``, ``forged``, ``head``, ``anchor``, ``replaced``)."""

    seq: int
    kind: str
    detail: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    """Result of :func:`verify_chain`.

    ``legacy_events`` counts events accepted without a MAC (written before event MACs);
    ``head_authenticated`` says the head's MAC verified; ``anchored_seq`` is the seq the
    outside anchor vouched for (``None`` when no anchor was given).
    """

    events: int
    last_seq: int
    head_hash: str
    checkpoints_verified: int
    broken: ChainBreak | None
    legacy_events: int = 0
    head_authenticated: bool = False
    anchored_seq: int | None = None

    @property
    def ok(self) -> bool:
        """True when no link, MAC, checkpoint, head or anchor check failed."""
        return self.broken is None


def utc_timestamp(moment: datetime | None = None) -> str:
    """ISO-8601 UTC with microseconds and ``Z`` (sorts as text; canonical in the hash)."""
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_HASHED_FIELDS = tuple(f.name for f in fields(AuditEvent) if f.name not in _UNHASHED)


def canonical_bytes(event: AuditEvent) -> bytes:
    """The bytes that are hashed: sorted-key compact JSON of every field but hashes and MAC.

    The MAC is left out so that events written before it existed keep their hashes.
    """
    # the event is flat (strings, ints, tuples of strings): read its fields directly, as
    # ``asdict`` would give them but without its deep copy (the verifier's hot loop)
    body: dict[str, Any] = {}
    for name in _HASHED_FIELDS:
        value = getattr(event, name)
        body[name] = list(value) if isinstance(value, tuple) else value
    body["format"] = _FORMAT
    return json.dumps(body, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def _mac_key(key: bytes, profile: Profile | str, purpose: str) -> MacKey:
    """A sub-key of the audit key per use, so a MAC made for one use never passes another."""
    return MacKey(Profile(profile), derive_key(Profile(profile), key, purpose))


def _same(actual: str, expected: str) -> bool:
    return constant_time.bytes_eq(actual.encode("ascii"),
                                  expected.lower().encode("ascii", "replace"))


def _event_tag(keyed: MacKey, seq: int, event_hash: str) -> str:
    return keyed.digest(length_prefixed(str(seq), event_hash.lower())).hex()


def _head_tag(keyed: MacKey, head: ChainHead) -> str:
    return keyed.digest(length_prefixed(head.log_id, str(head.seq), head.hash.lower(),
                                        str(head.mac_from))).hex()


def seal_event(event: AuditEvent, seq: int, prev_hash: str, profile: Profile | str,
               key: bytes | None = None) -> AuditEvent:
    """Return ``event`` numbered ``seq``, chained to ``prev_hash`` and, given the audit
    ``key``, MAC'd over its seq and hash (so it cannot be rewritten and re-hashed)."""
    numbered = replace(event, seq=seq, prev_hash=prev_hash, hash="", mac="")
    sealed = replace(numbered, hash=chain_hash(prev_hash, canonical_bytes(numbered), profile))
    if key is None:
        return sealed
    return replace(sealed, mac=_event_tag(_mac_key(key, profile, "audit-event"), seq,
                                          sealed.hash))


def event_mac_valid(key: bytes, event: AuditEvent, profile: Profile | str) -> bool:
    """True when the event's MAC matches its seq and hash under the audit key."""
    keyed = _mac_key(key, profile, "audit-event")
    return bool(event.mac) and _same(_event_tag(keyed, event.seq, event.hash), event.mac)


def new_log_id() -> str:
    """A fresh random log id (128 bits, hex)."""
    return secrets.token_hex(16)


def authenticate_head(key: bytes, log_id: str, seq: int, head_hash: str, mac_from: int,
                      profile: Profile | str) -> ChainHead:
    """The head ``(log_id, seq, hash, mac_from)`` with its MAC under the audit key."""
    head = ChainHead(log_id, seq, head_hash.lower(), mac_from)
    return replace(head, mac=_head_tag(_mac_key(key, profile, "audit-head"), head))


def head_valid(key: bytes, head: ChainHead, profile: Profile | str) -> bool:
    """True when the head's (or anchor line's) MAC matches its fields (constant time)."""
    keyed = _mac_key(key, profile, "audit-head")
    return bool(head.mac) and _same(_head_tag(keyed, head), head.mac)


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
                 head: ChainHead | tuple[int, str] | None = None,
                 anchor: ChainHead | None = None) -> ChainReport:
    """Check a whole log, in ``seq`` order, and name the first broken link.

    Event-level faults are reported in ``seq`` order (so a rewritten event is named, not
    just "the head is wrong"); then the checks that need the whole log: checkpoints or the
    anchor beyond its end (truncation), the head's MAC, the head against the last event.

    Args:
        events: Events ordered by ``seq`` (streamed; the log need not fit in memory).
        profile: Hash profile the log was written with.
        checkpoints: Stored checkpoints; each must MAC-verify (when ``key`` is given) and
            match the event at its seq. One beyond the last event means truncation.
        key: The audit key; without it no MAC (event, head, checkpoint, anchor) is checked.
        head: The stored head. A :class:`ChainHead` must carry a valid MAC once the log has
            MAC'd events; a bare ``(seq, hash)`` is only compared with the last event.
        anchor: The greatest-seq head kept outside Neo4j. Its MAC must verify, the head
            must be of the same log, and the chain must reach its seq with its hash: this
            is what catches a head *replayed* from an earlier, genuine state (the other
            anchored heads are checked by :func:`check_anchored_heads`).

    Returns:
        A :class:`ChainReport`; ``broken`` is ``None`` for an intact log.
    """
    bare = isinstance(head, tuple)
    stored = ChainHead("", head[0], head[1], 0) if isinstance(head, tuple) else head
    head_ok = key is not None and stored is not None and head_valid(key, stored, profile)
    mac_from = stored.mac_from if head_ok and stored is not None and stored.mac_from else None
    event_key = _mac_key(key, profile, "audit-event") if key is not None else None
    by_seq = {c.seq: c for c in checkpoints}
    expected, prev, count, verified, legacy, seen_mac = 1, GENESIS_HASH, 0, 0, 0, False

    def report(broken: ChainBreak | None) -> ChainReport:
        return ChainReport(count, expected - 1, prev, verified, broken, legacy, head_ok,
                           anchor.seq if anchor is not None else None)

    for c in checkpoints:
        if key is not None and not checkpoint_valid(key, c, profile):
            return report(ChainBreak(c.seq, "checkpoint", f"checkpoint at seq {c.seq} has a "
                                     "bad MAC: forged or altered"))
    if anchor is not None and key is not None and not head_valid(key, anchor, profile):
        return report(ChainBreak(anchor.seq, "anchor", "the head anchor kept outside Neo4j "
                                 "has a bad MAC: not written with this audit key"))
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
        if event_key is not None and event.mac:
            if not _same(_event_tag(event_key, event.seq, event.hash), event.mac):
                return report(ChainBreak(event.seq, "forged", f"event {event.seq} has a bad "
                                         "MAC: rewritten and re-hashed without the audit key"))
            seen_mac = True
        elif event_key is not None and (seen_mac or (mac_from and event.seq >= mac_from)):
            return report(ChainBreak(event.seq, "forged", f"event {event.seq} carries no MAC "
                                     "although event MACs had begun: inserted or rewritten"))
        elif not event.mac:
            legacy += 1
        if anchor is not None and event.seq == anchor.seq and event.hash != anchor.hash:
            return report(ChainBreak(event.seq, "forged", f"event {event.seq} differs from the "
                                     "head anchored outside Neo4j: rewritten and re-hashed"))
        checkpoint = by_seq.get(event.seq)
        if checkpoint is not None:
            if checkpoint.hash != event.hash:
                return report(ChainBreak(event.seq, "checkpoint", f"event {event.seq} differs "
                                         "from its checkpoint: the chain was recomputed"))
            verified += 1 if key is not None else 0
        prev, expected, count = event.hash, expected + 1, count + 1
    last = expected - 1
    beyond = [c.seq for c in checkpoints if c.seq > last]
    if beyond:
        return report(ChainBreak(expected, "truncated", f"checkpoint at seq {min(beyond)} but "
                                 f"the log ends at {last}: events were removed"))
    if anchor is not None:
        if stored is None or anchor.log_id != stored.log_id:
            return report(ChainBreak(expected, "replaced", "the head anchored outside Neo4j "
                                     "belongs to another log: this log was deleted or swapped"))
        if anchor.seq > last:
            return report(ChainBreak(expected, "truncated", f"the head anchored outside Neo4j "
                                     f"is at seq {anchor.seq} but the log ends at {last}: "
                                     "events were removed and the head moved back"))
    if stored is not None and not bare and key is not None:
        if stored.mac and not head_ok:
            return report(ChainBreak(stored.seq, "head", "the chain head's MAC does not "
                                     "verify: moved or recomputed without the audit key"))
        if not stored.mac and (seen_mac or anchor is not None):
            return report(ChainBreak(stored.seq, "head", "the chain head carries no MAC "
                                     "although the log is authenticated: it was replaced"))
    if stored is not None and (stored.seq != last or stored.hash != prev):
        return report(ChainBreak(expected, "truncated", f"chain head says seq {stored.seq} "
                                 f"but the log ends at {last}"))
    return report(None)


def check_anchored_heads(anchored: Iterable[ChainHead],
                         hashes_at: Callable[[Sequence[int]], Mapping[int, str]], *,
                         key: bytes, profile: Profile | str, log_id: str,
                         batch: int = 5000) -> ChainBreak | None:
    """Check every head anchored outside Neo4j against the chain, not only the newest.

    Why every one: after a replayed head, a hub that keeps appending re-uses the seqs it
    had already anchored, with other events, and soon anchors a greater seq that matches
    the graph again; only the older lines still tell. Lines are checked in batches, so the
    anchor file need not fit in memory.

    Args:
        anchored: The anchor's heads in file order.
        hashes_at: Returns ``{seq: hash}`` of the stored events at the given seqs.
        key: The audit key (each line's MAC is checked).
        profile: Hash profile of the log.
        log_id: The graph's log id; the anchor must hold no other log.
        batch: Lines looked up per call of ``hashes_at``.

    Returns:
        The first line that does not hold, or ``None``.
    """
    pending: list[ChainHead] = []

    def settle() -> ChainBreak | None:
        found = hashes_at([h.seq for h in pending])
        for line in pending:
            stored = found.get(line.seq)
            if stored is None:
                return ChainBreak(line.seq, "truncated", f"the anchor outside Neo4j vouches "
                                  f"for event {line.seq}, which is gone: events were removed")
            if stored != line.hash:
                return ChainBreak(line.seq, "forged", f"event {line.seq} differs from the head "
                                  "anchored outside Neo4j at that seq: the log was cut back "
                                  "and written again")
        pending.clear()
        return None

    for line in anchored:
        if line.log_id != log_id:
            return ChainBreak(line.seq, "replaced", "the anchor outside Neo4j holds heads of "
                              "another log: this log was deleted or swapped")
        if not head_valid(key, line, profile):
            return ChainBreak(line.seq, "anchor", "a head in the anchor outside Neo4j has a "
                              "bad MAC: not written with this audit key")
        pending.append(line)
        if len(pending) >= batch and (broken := settle()) is not None:
            return broken
    return settle() if pending else None


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

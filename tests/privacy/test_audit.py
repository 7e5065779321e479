"""Audit events: canonical bytes, chaining, MACs, checkpoints, head and anchor, subject refs."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from privacy import (
    GENESIS_HASH,
    AuditEvent,
    InsecureKeyFileError,
    KeyFileError,
    Profile,
    canonical_bytes,
    event_from_record,
    event_to_record,
    make_checkpoint,
    read_audit_key_file,
    seal_event,
    subject_ref,
    verify_chain,
    write_audit_key_file,
)
from privacy.audit import (
    ChainHead,
    authenticate_head,
    check_anchored_heads,
    event_mac_valid,
    head_valid,
)

KEY = b"k" * 32


def _draft(i: int) -> AuditEvent:
    return AuditEvent(at=f"2024-03-01T09:00:{i:02d}.000000Z", actor="staff-001", org="民政",
                      roles=("caseworker",), purpose="aid_administration",
                      action="query.household", decision="allow",
                      fields_returned=("Person.name",), correlation_id=f"corr-{i}")


def _chain(n: int, profile: Profile, key: bytes | None = None, *,
           start: list[AuditEvent] | None = None) -> list[AuditEvent]:
    events = list(start or [])
    prev = events[-1].hash if events else GENESIS_HASH
    for i in range(len(events) + 1, n + 1):
        events.append(seal_event(_draft(i), i, prev, profile, key=key))
        prev = events[-1].hash
    return events


def _head(events: list[AuditEvent], profile: Profile, *, log_id: str = "log-a",
          mac_from: int = 1, key: bytes = KEY) -> ChainHead:
    last_seq, last_hash = (events[-1].seq, events[-1].hash) if events else (0, GENESIS_HASH)
    return authenticate_head(key, log_id, last_seq, last_hash, mac_from, profile)


def test_intact_chain_verifies_with_checkpoints_and_head(profile: Profile) -> None:
    events = _chain(6, profile)
    checkpoints = [make_checkpoint(KEY, events[2], profile), make_checkpoint(KEY, events[5],
                                                                            profile)]
    report = verify_chain(events, profile, checkpoints=checkpoints, key=KEY,
                          head=(6, events[-1].hash))
    assert report.ok and report.events == 6 and report.checkpoints_verified == 2
    assert verify_chain([], profile, head=(0, GENESIS_HASH)).ok


def test_sm3_and_sha256_chains_differ() -> None:
    assert _chain(1, Profile.STANDARD)[0].hash != _chain(1, Profile.NATIONAL)[0].hash


def test_edited_event_is_named(profile: Profile) -> None:
    events = _chain(5, profile)
    events[2] = replace(events[2], decision="deny")
    broken = verify_chain(events, profile).broken
    assert broken is not None and (broken.seq, broken.kind) == (3, "edited")


def test_deleted_event_is_named(profile: Profile) -> None:
    events = _chain(5, profile)
    del events[1]
    broken = verify_chain(events, profile).broken
    assert broken is not None and (broken.seq, broken.kind) == (2, "deleted")


def test_reordered_events_are_named(profile: Profile) -> None:
    events = _chain(5, profile)
    third, fourth = events[2], events[3]
    events[2], events[3] = replace(fourth, seq=3), replace(third, seq=4)
    broken = verify_chain(events, profile).broken
    assert broken is not None and (broken.seq, broken.kind) == (3, "reordered")


def test_deleted_tail_is_caught_by_head_or_checkpoint(profile: Profile) -> None:
    events = _chain(5, profile)
    head = (5, events[-1].hash)
    assert verify_chain(events[:4], profile, head=head).broken.kind == "truncated"
    checkpoint = make_checkpoint(KEY, events[4], profile)
    assert verify_chain(events[:4], profile, checkpoints=[checkpoint],
                        key=KEY).broken.kind == "truncated"


def test_recomputed_chain_is_caught_by_the_checkpoint_mac(profile: Profile) -> None:
    events = _chain(5, profile)
    checkpoint = make_checkpoint(KEY, events[3], profile)
    forged, prev = [], GENESIS_HASH
    for event in events:
        changed = replace(event, actor="someone-else") if event.seq == 2 else event
        forged.append(seal_event(changed, event.seq, prev, profile))
        prev = forged[-1].hash
    assert verify_chain(forged, profile).ok  # the chain alone cannot tell
    broken = verify_chain(forged, profile, checkpoints=[checkpoint], key=KEY).broken
    assert broken is not None and (broken.seq, broken.kind) == (4, "checkpoint")
    fake = make_checkpoint(b"x" * 32, forged[3], profile)
    assert verify_chain(forged, profile, checkpoints=[fake], key=KEY).broken.kind == "checkpoint"


def test_canonical_bytes_exclude_hashes_and_are_stable() -> None:
    event = seal_event(_draft(1), 1, GENESIS_HASH, Profile.STANDARD)
    assert canonical_bytes(event) == canonical_bytes(replace(event, hash="x", prev_hash="y",
                                                             mac="z"))
    keyed = seal_event(_draft(1), 1, GENESIS_HASH, Profile.STANDARD, key=KEY)
    assert keyed.hash == event.hash and keyed.mac and not event.mac  # legacy hashes unchanged
    assert event_from_record(event_to_record(keyed)) == keyed
    assert b'"actor":"staff-001"' in canonical_bytes(event)
    assert "民政".encode() in canonical_bytes(event)
    assert event_from_record(event_to_record(event)) == event


def test_subject_ref_is_keyed_stable_and_reveals_nothing(profile: Profile) -> None:
    ref = subject_ref(KEY, "person", "P-0001", profile)
    assert ref == subject_ref(KEY, "person", "P-0001", profile)
    assert ref.startswith("sr1:") and "P-0001" not in ref
    assert ref != subject_ref(KEY, "household", "P-0001", profile)
    assert ref != subject_ref(b"z" * 32, "person", "P-0001", profile)


def test_audit_key_file_is_private_and_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "audit.key"
    write_audit_key_file(path)
    assert len(read_audit_key_file(path)) == 32
    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(KeyFileError):
        write_audit_key_file(path)
    os.chmod(path, 0o644)
    with pytest.raises(InsecureKeyFileError):
        read_audit_key_file(path)


# -- MACs under the audit key: events, head, anchor ------------------------------------------

def _forge(events: list[AuditEvent], seq: int, profile: Profile) -> list[AuditEvent]:
    """What someone with the graph but not the key can do: rewrite ``seq``, re-hash the
    rest, keep (or copy) the MACs they find."""
    forged, prev = [], GENESIS_HASH
    for event in events:
        changed = replace(event, actor="someone-else") if event.seq == seq else event
        resealed = seal_event(changed, event.seq, prev, profile)
        forged.append(replace(resealed, mac=event.mac))
        prev = forged[-1].hash
    return forged


def test_authenticated_log_verifies_and_reports_it(profile: Profile) -> None:
    events = _chain(6, profile, KEY)
    assert all(event_mac_valid(KEY, e, profile) for e in events)
    report = verify_chain(events, profile, key=KEY, head=_head(events, profile),
                          anchor=_head(events, profile))
    assert report.ok, report.broken
    assert (report.legacy_events, report.head_authenticated, report.anchored_seq) == (0, True, 6)


def test_a_rewritten_tail_event_is_named_even_with_a_recomputed_head(profile: Profile) -> None:
    events = _chain(6, profile, KEY)
    forged = _forge(events, 5, profile)
    assert forged[4].actor == "someone-else" and forged[4].hash != events[4].hash
    recomputed = ChainHead("log-a", 6, forged[-1].hash, 1, _head(events, profile).mac)
    assert verify_chain(forged, profile).ok  # hashes and links alone cannot tell
    broken = verify_chain(forged, profile, key=KEY, head=recomputed).broken
    assert broken is not None and (broken.seq, broken.kind) == (5, "forged")
    stripped = [replace(e, mac="") if e.seq >= 5 else e for e in forged]
    broken = verify_chain(stripped, profile, key=KEY, head=recomputed).broken
    assert broken is not None and (broken.seq, broken.kind) == (5, "forged")


def test_a_head_moved_back_fails_its_mac(profile: Profile) -> None:
    events = _chain(6, profile, KEY)
    latest = _head(events, profile)
    moved = replace(latest, seq=4, hash=events[3].hash)  # tail cut, head pointed at 4
    broken = verify_chain(events[:4], profile, key=KEY, head=moved).broken
    assert broken is not None and (broken.seq, broken.kind) == (4, "head")
    borrowed = replace(moved, mac=events[3].mac)  # an event's MAC is no head MAC
    assert not head_valid(KEY, borrowed, profile)
    broken = verify_chain(events[:4], profile, key=KEY, head=borrowed).broken
    assert broken is not None and broken.kind == "head"
    forged = _head(events[:4], profile, key=b"not-the-audit-key-0123456789abcd")
    assert verify_chain(events[:4], profile, key=KEY, head=forged).broken.kind == "head"


def test_a_replayed_head_is_caught_only_by_the_anchor(profile: Profile) -> None:
    events = _chain(6, profile, KEY)
    earlier = _head(events[:4], profile)  # a genuine head someone kept a copy of
    assert verify_chain(events[:4], profile, key=KEY, head=earlier).ok  # MACs cannot tell
    broken = verify_chain(events[:4], profile, key=KEY, head=earlier,
                          anchor=_head(events, profile)).broken
    assert broken is not None and (broken.seq, broken.kind) == (5, "truncated")
    assert "seq 6" in broken.detail


def test_the_anchor_must_match_the_chain_and_be_of_this_log(profile: Profile) -> None:
    events = _chain(6, profile, KEY)
    head = _head(events, profile)
    other = authenticate_head(KEY, "log-a", 3, "ab" * 32, 1, profile)
    assert verify_chain(events, profile, key=KEY, head=head,
                        anchor=other).broken.kind == "forged"
    elsewhere = _head(events, profile, log_id="log-b")
    assert verify_chain(events, profile, key=KEY, head=head,
                        anchor=elsewhere).broken.kind == "replaced"
    unkeyed = replace(head, mac="00" * 32)
    assert verify_chain(events, profile, key=KEY, head=head,
                        anchor=unkeyed).broken.kind == "anchor"
    behind = _head(events[:5], profile)  # a crash between commit and anchor: accepted
    assert verify_chain(events, profile, key=KEY, head=head, anchor=behind).ok


def test_legacy_events_before_mac_from_are_reported_not_trusted(profile: Profile) -> None:
    events = _chain(6, profile, KEY, start=_chain(3, profile))  # 1..3 from before MACs
    head = _head(events, profile, mac_from=4)
    report = verify_chain(events, profile, key=KEY, head=head)
    assert report.ok and report.legacy_events == 3 and report.head_authenticated
    stripped = [replace(e, mac="") if e.seq == 5 else e for e in events]
    broken = verify_chain(stripped, profile, key=KEY, head=head).broken
    assert broken is not None and (broken.seq, broken.kind) == (5, "forged")
    unmaced = ChainHead("", 6, events[-1].hash, 0)  # the head's MAC stripped
    assert verify_chain(events, profile, key=KEY, head=unmaced).broken.kind == "head"
    legacy = _chain(3, profile)
    report = verify_chain(legacy, profile, key=KEY, head=ChainHead("", 3, legacy[-1].hash, 0))
    assert report.ok and report.legacy_events == 3 and not report.head_authenticated


def test_every_anchored_head_is_checked_not_only_the_newest(profile: Profile) -> None:
    original = _chain(6, profile, KEY)
    lines = [_head(original[:n], profile) for n in range(1, 7)]
    again = [replace(e, correlation_id=f"again-{e.seq}") for e in _chain(8, profile)[4:]]
    replayed = _rechain(original[:4] + again, profile)  # head put back at 4, then extended
    lines += [_head(replayed[:n], profile) for n in range(5, 9)]
    newest = max(lines, key=lambda h: h.seq)
    assert verify_chain(replayed, profile, key=KEY, head=_head(replayed, profile),
                        anchor=newest).ok  # the newest line alone is fooled

    def hashes_at(seqs: list[int]) -> dict[int, str]:
        calls.append(len(seqs))
        return {e.seq: e.hash for e in replayed if e.seq in seqs}

    calls: list[int] = []
    broken = check_anchored_heads(lines, hashes_at, key=KEY, profile=profile, log_id="log-a",
                                  batch=3)
    assert broken is not None and (broken.seq, broken.kind) == (5, "forged")
    assert calls == [3, 3]  # batched: lines 1-3 held, 4-6 found the fault
    assert check_anchored_heads(lines[:4], hashes_at, key=KEY, profile=profile,
                                log_id="log-a") is None
    assert check_anchored_heads(lines[:4], hashes_at, key=KEY, profile=profile,
                                log_id="log-b").kind == "replaced"
    bad = [*lines[:2], replace(lines[2], mac="00" * 32)]
    assert check_anchored_heads(bad, hashes_at, key=KEY, profile=profile,
                                log_id="log-a").kind == "anchor"
    assert check_anchored_heads([_head(_chain(9, profile, KEY), profile)], hashes_at, key=KEY,
                                profile=profile, log_id="log-a").kind == "truncated"


def _rechain(events: list[AuditEvent], profile: Profile) -> list[AuditEvent]:
    """Re-link events in order (sealed with the key: what the hub itself would write)."""
    out, prev = [], GENESIS_HASH
    for event in events:
        out.append(seal_event(event, event.seq, prev, profile, key=KEY))
        prev = out[-1].hash
    return out

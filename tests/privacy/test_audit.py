"""Audit events: canonical bytes, chaining, checkpoints, tamper detection, subject refs."""

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

KEY = b"k" * 32


def _draft(i: int) -> AuditEvent:
    return AuditEvent(at=f"2024-03-01T09:00:{i:02d}.000000Z", actor="staff-001", org="民政",
                      roles=("caseworker",), purpose="aid_administration",
                      action="query.household", decision="allow",
                      fields_returned=("Person.name",), correlation_id=f"corr-{i}")


def _chain(n: int, profile: Profile) -> list[AuditEvent]:
    events, prev = [], GENESIS_HASH
    for i in range(1, n + 1):
        events.append(seal_event(_draft(i), i, prev, profile))
        prev = events[-1].hash
    return events


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
    assert canonical_bytes(event) == canonical_bytes(replace(event, hash="x", prev_hash="y"))
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

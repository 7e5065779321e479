"""Tests for the audit hash-chain helpers in ``privacy.hashchain``."""

from __future__ import annotations

import hashlib

import pytest

from privacy.crypto import Profile, length_prefixed
from privacy.hashchain import GENESIS_HASH, chain_hash, checkpoint_mac, verify_checkpoint_mac

EVENTS = [b'{"event":"read","record":"GA1"}', b'{"event":"read","record":"GA2"}']


def _chain(events: list[bytes], profile: Profile) -> list[str]:
    hashes, prev = [], GENESIS_HASH
    for event in events:
        prev = chain_hash(prev, event, profile)
        hashes.append(prev)
    return hashes


@pytest.mark.parametrize("profile", list(Profile))
def test_chain_is_deterministic_and_order_sensitive(profile: Profile) -> None:
    forward = _chain(EVENTS, profile)
    assert forward == _chain(EVENTS, profile)
    assert forward != _chain(EVENTS[::-1], profile)
    assert all(len(h) == 64 and h == h.lower() for h in forward)


def test_changing_an_early_event_changes_every_later_hash() -> None:
    original = _chain([b"a", b"b", b"c"], Profile.STANDARD)
    edited = _chain([b"A", b"b", b"c"], Profile.STANDARD)
    assert all(o != e for o, e in zip(original, edited, strict=True))


def test_standard_chain_is_sha256_of_the_framed_input() -> None:
    expected = hashlib.sha256(length_prefixed("hub-audit-chain/1", GENESIS_HASH, b"e")).hexdigest()
    assert chain_hash(GENESIS_HASH, b"e", "standard") == expected
    assert chain_hash(GENESIS_HASH, b"e", "national") != expected


@pytest.mark.parametrize("profile", list(Profile))
def test_checkpoint_mac(profile: Profile) -> None:
    key = bytes(range(32))
    tag = checkpoint_mac(key, b"head|42", profile)
    assert verify_checkpoint_mac(key, b"head|42", profile, tag)
    assert verify_checkpoint_mac(key, b"head|42", profile, tag.upper())
    assert not verify_checkpoint_mac(key, b"head|43", profile, tag)
    assert not verify_checkpoint_mac(bytes(32), b"head|42", profile, tag)
    assert not verify_checkpoint_mac(key, b"head|42", profile, "zz")


def test_checkpoint_key_too_short() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        checkpoint_mac(b"short", b"x", "standard")

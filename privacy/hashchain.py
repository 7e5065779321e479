"""Hash-chain helpers for the append-only audit log (``hub audit verify``).

Each event's hash covers the previous hash and the event's bytes, so changing, removing
or reordering any past event changes every later hash. A periodic checkpoint MAC, keyed
with a secret the log writer does not store beside the log, stops an attacker who can
rewrite the whole chain from simply recomputing it. SHA-256/HMAC-SHA256 for the
``standard`` profile, SM3/HMAC-SM3 for ``national``.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import constant_time

from privacy.crypto import Profile, digest, length_prefixed, mac

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of the first event in a chain."""


def chain_hash(prev_hash: str, event_bytes: bytes, profile: Profile | str) -> str:
    """Return the hex hash of an event linked to its predecessor.

    Args:
        prev_hash: Hex hash of the previous event (``GENESIS_HASH`` for the first).
        event_bytes: Canonical serialisation of the event (e.g. sorted-key JSON).
        profile: ``standard`` (SHA-256) or ``national`` (SM3).

    Returns:
        64 lowercase hex characters.
    """
    data = length_prefixed("hub-audit-chain/1", prev_hash.lower(), event_bytes)
    return digest(Profile(profile), data).hex()


def checkpoint_mac(key: bytes, data: bytes, profile: Profile | str) -> str:
    """Return the hex HMAC of a checkpoint (e.g. the chain head hash and event count).

    Args:
        key: Checkpoint key, at least 16 bytes, kept apart from the log.
        data: The checkpoint bytes.
        profile: ``standard`` (HMAC-SHA256) or ``national`` (HMAC-SM3).
    """
    if len(key) < 16:
        raise ValueError("checkpoint key must be at least 16 bytes")
    return mac(Profile(profile), key, length_prefixed("hub-audit-checkpoint/1", data)).hex()


def verify_checkpoint_mac(key: bytes, data: bytes, profile: Profile | str, expected: str) -> bool:
    """Return True if ``expected`` is the checkpoint MAC of ``data`` (constant time)."""
    actual = checkpoint_mac(key, data, profile).encode("ascii")
    return constant_time.bytes_eq(actual, expected.lower().encode("ascii", "replace"))

"""Cryptographic primitives behind the two deployment profiles.

A *profile* picks one consistent set of algorithms for a deployment:

========== ================ ============== ==============
profile    AEAD             hash           MAC
========== ================ ============== ==============
standard   AES-256-GCM      SHA-256        HMAC-SHA256
national   SM4-GCM          SM3            HMAC-SM3
========== ================ ============== ==============

``national`` follows GB/T 39786 (commercial-cryptography evaluation) practice with the
SM-series algorithms; ``standard`` is the default elsewhere. Both AEADs use a fresh random
96-bit nonce per message and a 128-bit tag. With random nonces a single key should seal
well under 2**32 messages; key rotation (``Keyring.rotate``) keeps every version far below.

Everything here is pure (no I/O, no global state) so higher layers stay easy to test.
"""

from __future__ import annotations

import os
from enum import StrEnum

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
TAG_BYTES = 16


class Profile(StrEnum):
    """A deployment's algorithm family (see the module docstring)."""

    STANDARD = "standard"
    NATIONAL = "national"


# Short algorithm names written into ciphertext tokens; never reuse a name for another cipher.
_AEAD_NAMES = {Profile.STANDARD: "A256GCM", Profile.NATIONAL: "SM4GCM"}
_AEAD_KEY_BYTES = {Profile.STANDARD: 32, Profile.NATIONAL: 16}


class AuthenticationFailed(Exception):  # noqa: N818 - internal signal, never escapes privacy/
    """Internal: the AEAD tag did not verify. Callers turn it into a specific error."""


def aead_name(profile: Profile) -> str:
    """Return the short algorithm name a ciphertext token carries for ``profile``."""
    return _AEAD_NAMES[profile]


def profile_for_aead_name(name: str) -> Profile | None:
    """Return the profile whose AEAD is called ``name`` in tokens, or None if unknown."""
    for profile, known in _AEAD_NAMES.items():
        if known == name:
            return profile
    return None


def aead_key_bytes(profile: Profile) -> int:
    """Return the data-key length in bytes for ``profile`` (32 for AES-256, 16 for SM4)."""
    return _AEAD_KEY_BYTES[profile]


def new_aead_key(profile: Profile) -> bytes:
    """Generate a fresh random AEAD key for ``profile`` from the OS CSPRNG."""
    return os.urandom(_AEAD_KEY_BYTES[profile])


def _check_key(profile: Profile, key: bytes) -> None:
    if len(key) != _AEAD_KEY_BYTES[profile]:
        raise ValueError(
            f"{aead_name(profile)} needs a {_AEAD_KEY_BYTES[profile]}-byte key, "
            f"got {len(key)} bytes"
        )


def seal(
    profile: Profile, key: bytes, plaintext: bytes, aad: bytes, nonce: bytes | None = None
) -> bytes:
    """Encrypt and authenticate ``plaintext`` bound to ``aad``.

    Args:
        profile: Selects AES-256-GCM or SM4-GCM.
        key: The data key (32 or 16 bytes, see :func:`aead_key_bytes`).
        plaintext: Bytes to protect.
        aad: Associated data: authenticated, not encrypted, not stored in the output.
        nonce: Only for known-answer tests; production callers leave it None so a fresh
            random 96-bit nonce is drawn. Reusing a nonce under one key breaks GCM.

    Returns:
        ``nonce || ciphertext || tag``.
    """
    _check_key(profile, key)
    if nonce is None:
        nonce = os.urandom(NONCE_BYTES)
    elif len(nonce) != NONCE_BYTES:
        raise ValueError(f"nonce must be {NONCE_BYTES} bytes, got {len(nonce)}")
    if profile is Profile.STANDARD:
        return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    body = encryptor.update(plaintext) + encryptor.finalize()
    return nonce + body + encryptor.tag


def open_sealed(profile: Profile, key: bytes, sealed: bytes, aad: bytes) -> bytes:
    """Verify and decrypt the output of :func:`seal`.

    Args:
        profile: The profile the data was sealed under.
        key: The same data key.
        sealed: ``nonce || ciphertext || tag``.
        aad: The same associated data as at sealing time.

    Returns:
        The plaintext, only if the tag verifies.

    Raises:
        AuthenticationFailed: Wrong key, wrong ``aad`` or modified bytes (internal; the
            callers in ``privacy`` translate it into a specific ``DecryptionError``).
        ValueError: ``sealed`` is too short to hold a nonce and a tag.
    """
    _check_key(profile, key)
    if len(sealed) < NONCE_BYTES + TAG_BYTES:
        raise ValueError("sealed value shorter than nonce + tag")
    nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    try:
        if profile is Profile.STANDARD:
            return AESGCM(key).decrypt(nonce, body, aad)
        ciphertext, tag = body[:-TAG_BYTES], body[-TAG_BYTES:]
        decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(aad)
        return decryptor.update(ciphertext) + decryptor.finalize()
    except InvalidTag as exc:
        raise AuthenticationFailed from exc


def _hash_algorithm(profile: Profile) -> hashes.HashAlgorithm:
    return hashes.SHA256() if profile is Profile.STANDARD else hashes.SM3()


def digest(profile: Profile, data: bytes) -> bytes:
    """Return SHA-256 (standard) or SM3 (national) of ``data`` (32 bytes either way)."""
    h = hashes.Hash(_hash_algorithm(profile))
    h.update(data)
    return h.finalize()


def mac(profile: Profile, key: bytes, data: bytes) -> bytes:
    """Return HMAC-SHA256 (standard) or HMAC-SM3 (national) of ``data`` under ``key``."""
    h = hmac.HMAC(key, _hash_algorithm(profile))
    h.update(data)
    return h.finalize()


def derive_key(profile: Profile, key: bytes, purpose: str, length: int = 32) -> bytes:
    """Derive an independent sub-key of ``length`` bytes from ``key`` for ``purpose``.

    A single HMAC call (HKDF-Expand with one block), enough because ``key`` is already
    uniformly random. Distinct ``purpose`` strings give unrelated keys, so one secret
    never serves two algorithms directly.
    """
    if not 1 <= length <= 32:
        raise ValueError("derive_key yields 1..32 bytes")
    return mac(profile, key, b"hub-kdf/1\x00" + purpose.encode("utf-8") + b"\x01")[:length]


def length_prefixed(*parts: str | bytes) -> bytes:
    """Encode ``parts`` unambiguously: each as a 4-byte big-endian length then its bytes.

    Used for associated data and MAC inputs so that ("ab", "c") and ("a", "bc") differ.
    """
    out: list[bytes] = []
    for part in parts:
        raw = part.encode("utf-8") if isinstance(part, str) else part
        out.append(len(raw).to_bytes(4, "big"))
        out.append(raw)
    return b"".join(out)

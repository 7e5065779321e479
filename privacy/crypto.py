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
import struct
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
    return AeadKey(profile, key).seal(plaintext, aad, nonce)


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
    return AeadKey(profile, key).open(sealed, aad)


class AeadKey:
    """One AEAD key prepared once for sealing and opening many messages.

    Building an ``AESGCM`` object runs the AES key schedule, which costs more than
    sealing a short value; holding it per data key is most of the speed of field
    encryption. SM4-GCM has no one-shot AEAD class in ``cryptography``, so only the
    algorithm object is kept and each message still builds its own cipher context
    (the library's floor for SM4). Never reuse a nonce: leave ``nonce`` None.
    """

    __slots__ = ("_aesgcm", "_sm4", "profile")

    def __init__(self, profile: Profile, key: bytes) -> None:
        _check_key(profile, key)
        self.profile = profile
        if profile is Profile.STANDARD:
            self._aesgcm: AESGCM | None = AESGCM(key)
            self._sm4: algorithms.SM4 | None = None
        else:
            self._aesgcm = None
            self._sm4 = algorithms.SM4(key)

    @property
    def aesgcm(self) -> AESGCM | None:
        """The prepared ``AESGCM`` object (standard profile), for callers' hot loops."""
        return self._aesgcm

    def seal(self, plaintext: bytes, aad: bytes, nonce: bytes | None = None) -> bytes:
        """Return ``nonce || ciphertext || tag`` (see :func:`seal`)."""
        if nonce is None:
            nonce = os.urandom(NONCE_BYTES)
        elif len(nonce) != NONCE_BYTES:
            raise ValueError(f"nonce must be {NONCE_BYTES} bytes, got {len(nonce)}")
        if self._aesgcm is not None:
            return nonce + self._aesgcm.encrypt(nonce, plaintext, aad)
        encryptor = Cipher(self._sm4, modes.GCM(nonce)).encryptor()  # type: ignore[arg-type]
        encryptor.authenticate_additional_data(aad)
        body = encryptor.update(plaintext) + encryptor.finalize()
        return nonce + body + encryptor.tag

    def open(self, sealed: bytes, aad: bytes) -> bytes:
        """Verify and decrypt ``nonce || ciphertext || tag`` (see :func:`open_sealed`).

        Raises:
            AuthenticationFailed: The tag does not verify.
            ValueError: ``sealed`` is shorter than nonce + tag.
        """
        if len(sealed) < NONCE_BYTES + TAG_BYTES:
            raise ValueError("sealed value shorter than nonce + tag")
        nonce = sealed[:NONCE_BYTES]
        try:
            if self._aesgcm is not None:
                return self._aesgcm.decrypt(nonce, sealed[NONCE_BYTES:], aad)
            decryptor = Cipher(self._sm4, modes.GCM(nonce)).decryptor()  # type: ignore[arg-type]
            decryptor.authenticate_additional_data(aad)
            body = decryptor.update(sealed[NONCE_BYTES:-TAG_BYTES])
            return body + decryptor.finalize_with_tag(sealed[-TAG_BYTES:])
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


class MacKey:
    """An HMAC key (optionally with a fixed message prefix) prepared for many messages.

    Copying a keyed HMAC state skips the key setup (two hash blocks) and the Python-side
    algorithm checks of a fresh ``HMAC``; it measured faster here than the stdlib's
    one-shot ``hmac.digest``, which re-fetches the digest from OpenSSL on every call, and
    it serves SHA-256 and SM3 alike. ``MacKey(p, k, prefix).digest(m)`` equals
    ``mac(p, k, prefix + m)``.
    """

    __slots__ = ("_base",)

    def __init__(self, profile: Profile, key: bytes, prefix: bytes = b"") -> None:
        self._base = hmac.HMAC(key, _hash_algorithm(profile))
        if prefix:
            self._base.update(prefix)

    @property
    def state(self) -> hmac.HMAC:
        """The keyed state after ``prefix``: ``copy()`` it, never update it in place."""
        return self._base

    def digest(self, data: bytes) -> bytes:
        """Return the MAC of ``prefix + data``."""
        h = self._base.copy()
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


_U32 = struct.Struct(">I").pack


def length_prefixed(*parts: str | bytes) -> bytes:
    """Encode ``parts`` unambiguously: each as a 4-byte big-endian length then its bytes.

    Used for associated data and MAC inputs so that ("ab", "c") and ("a", "bc") differ.
    """
    out: list[bytes] = []
    for part in parts:
        raw = part.encode("utf-8") if isinstance(part, str) else part
        out += (_U32(len(raw)), raw)
    return b"".join(out)

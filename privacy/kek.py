"""The master key (KEK) that wraps every data key: an interface and a local implementation.

Envelope encryption: field values are sealed with data keys; data keys are stored only
wrapped (encrypted) by the key-encryption key. :class:`KeyEncryptionKey` is the whole
contract, so a KMS or HSM client can replace :class:`LocalKeyEncryptionKey` later without
touching the keyring or the field encryptor.

The local KEK is 32 random bytes, given as base64 (the hub passes the value of an
environment variable) or read from a file that must be mode 0600. It never seals data
itself: a wrapping key and a fingerprint are derived from it for their one purpose each.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path
from typing import Protocol, Self, runtime_checkable

from privacy._files import read_private_bytes, write_private_atomic
from privacy.crypto import (
    AuthenticationFailed,
    Profile,
    aead_key_bytes,
    derive_key,
    open_sealed,
    seal,
)
from privacy.errors import KeyFileError, KeyringError

MASTER_KEY_BYTES = 32
_WRAP_AAD = b"hub-kek-wrap/1\x00"


@runtime_checkable
class KeyEncryptionKey(Protocol):
    """What the keyring needs from a master key; implement it for a KMS or an HSM.

    ``context`` names the key being wrapped (class, version, profile); an implementation
    must bind it (e.g. as AEAD associated data or KMS encryption context) so wrapped keys
    cannot be swapped between keyring entries.
    """

    @property
    def kek_id(self) -> str:
        """A stable, non-secret fingerprint of the master key, recorded in the keyring."""
        ...

    def wrap(self, key: bytes, *, context: bytes) -> bytes:
        """Encrypt data-key bytes ``key`` bound to ``context``."""
        ...

    def unwrap(self, wrapped: bytes, *, context: bytes) -> bytes:
        """Decrypt the output of :meth:`wrap`; raise ``KeyringError`` if it fails."""
        ...


class LocalKeyEncryptionKey:
    """A master key held in process memory (from an env var value or a 0600 key file)."""

    __slots__ = ("_kek_id", "_profile", "_wrap_key")

    def __init__(self, secret: bytes, profile: Profile | str = Profile.STANDARD) -> None:
        """Derive the wrapping key and fingerprint from a 32-byte master ``secret``.

        Args:
            secret: 32 uniformly random bytes (see :func:`generate_master_key`).
            profile: ``standard`` wraps with AES-256-GCM, ``national`` with SM4-GCM.

        Raises:
            KeyFileError: ``secret`` is not 32 bytes.
        """
        if len(secret) != MASTER_KEY_BYTES:
            raise KeyFileError(
                f"master key must be {MASTER_KEY_BYTES} bytes, got {len(secret)}; create "
                "one with privacy.generate_master_key()"
            )
        self._profile = Profile(profile)
        self._wrap_key = derive_key(
            self._profile, secret, f"kek-wrap/{self._profile}", aead_key_bytes(self._profile)
        )
        fingerprint = derive_key(self._profile, secret, f"kek-id/{self._profile}", 6)
        self._kek_id = f"local-{self._profile}-{fingerprint.hex()}"

    @classmethod
    def from_base64(cls, text: str, profile: Profile | str = Profile.STANDARD) -> Self:
        """Build from base64 (standard or URL-safe alphabet; surrounding spaces ignored).

        Raises:
            KeyFileError: Not valid base64, or not 32 bytes once decoded.
        """
        cleaned = "".join(text.split()).replace("-", "+").replace("_", "/")
        try:
            raw = base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise KeyFileError(
                "master key is not valid base64; create one with privacy.generate_master_key()"
            ) from exc
        return cls(raw, profile)

    @classmethod
    def from_file(
        cls, path: str | os.PathLike[str], profile: Profile | str = Profile.STANDARD
    ) -> Self:
        """Read a base64 master key from ``path``, which must be mode 0600 (or 0400).

        Raises:
            KeyFileError: Missing, unreadable or bad content.
            InsecureKeyFileError: Group or others have any access to the file.
        """
        raw = read_private_bytes(Path(path))
        try:
            text = raw.decode("ascii")
        except UnicodeDecodeError as exc:
            raise KeyFileError(f"master key file {path} must hold base64 text") from exc
        return cls.from_base64(text, profile)

    @property
    def kek_id(self) -> str:
        """Non-secret fingerprint, e.g. ``local-standard-3f09a1c2b4d5``."""
        return self._kek_id

    @property
    def profile(self) -> Profile:
        """The profile whose AEAD wraps data keys."""
        return self._profile

    def wrap(self, key: bytes, *, context: bytes) -> bytes:
        """Seal ``key`` under the wrapping key with ``context`` as associated data."""
        return seal(self._profile, self._wrap_key, key, _WRAP_AAD + context)

    def unwrap(self, wrapped: bytes, *, context: bytes) -> bytes:
        """Open a wrapped key.

        Raises:
            KeyringError: The entry was edited, swapped with another entry, or wrapped by
                another master key.
        """
        try:
            return open_sealed(self._profile, self._wrap_key, wrapped, _WRAP_AAD + context)
        except (AuthenticationFailed, ValueError) as exc:
            raise KeyringError(
                "a wrapped key in the keyring failed to unwrap: the keyring file was "
                "edited or its entries swapped; restore it from backup"
            ) from exc

    def __repr__(self) -> str:
        return f"LocalKeyEncryptionKey(kek_id={self._kek_id!r})"


def generate_master_key() -> str:
    """Return a new random 32-byte master key as base64 text (for an env var or key file)."""
    return base64.b64encode(os.urandom(MASTER_KEY_BYTES)).decode("ascii")


def write_master_key_file(path: str | os.PathLike[str]) -> None:
    """Create ``path`` holding a new master key, mode 0600; never overwrites a file.

    Raises:
        KeyFileError: The file already exists or cannot be written.
    """
    data = (generate_master_key() + "\n").encode("ascii")
    write_private_atomic(Path(path), data, overwrite=False)

"""The keyring: versioned data keys per field class and blind-index keys, stored wrapped.

One data key per *field class* (``key_types.FieldClass``), so a leak or a rotation of one
class (say ``health``) is contained. All classes rotate together: :meth:`Keyring.rotate`
adds a new *version* holding a fresh key for every class and makes it active; new writes
use it, older versions stay readable until rewrapped and retired.

Version lifecycle::

    active --rotate()--> readable --retire()--> retired
                                  <--reinstate()--

Blind-index keys (one per ``IndexKind``) are created once and do not rotate with the
data keys: changing one means recomputing every index from decrypted values (a re-index,
not a rewrap). They use the keyring's ``index_profile`` (HMAC-SHA256 or HMAC-SM3).

On disk the keyring is JSON (``hub-keyring/1``), written atomically with mode 0600. It
holds only wrapped keys and the master key's fingerprint; it is useless without the
master key. Each wrapped key is bound to its entry (kind, class, version, profile), so
entries cannot be swapped. A :class:`Keyring` must not be mutated from several threads
at once; reading keys is safe.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from privacy._files import read_private_bytes, write_private_atomic
from privacy._keyring_doc import KeyringDoc, VersionEntry, dump_keyring, parse_keyring
from privacy.ciphertext import b64url_decode, b64url_encode
from privacy.crypto import Profile, aead_key_bytes, derive_key, new_aead_key
from privacy.errors import (
    ActiveVersionError,
    KeyringError,
    KeyringFormatError,
    KeyVersionNotFoundError,
    MasterKeyMismatchError,
    RetiredKeyVersionError,
    UnknownKeyVersionError,
)
from privacy.kek import KeyEncryptionKey
from privacy.key_types import (
    FIELD_CLASSES,
    INDEX_KINDS,
    DataKey,
    KeyVersionInfo,
    VersionStatus,
    field_class_of,
)

INDEX_KEY_BYTES = 32


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _data_context(field_class: str, version: int, profile: Profile) -> bytes:
    return f"data|{field_class}|{version}|{profile}".encode()


def _index_context(kind: str, profile: Profile) -> bytes:
    return f"index|{kind}|{profile}".encode()


class Keyring:
    """Versioned data keys and blind-index keys, unwrapped by a master key.

    Build one with :meth:`create` or :meth:`load`, not with the constructor.
    """

    def __init__(self, kek: KeyEncryptionKey, doc: KeyringDoc) -> None:
        self._kek = kek
        self._doc = doc
        self._versions = {v.version: v for v in doc.versions}
        self._data_cache: dict[tuple[str, int], DataKey] = {}
        self._index_cache: dict[str, bytes] = {}
        self._active_number = 0
        self._generation = 0

    # --- construction and persistence ----------------------------------------------------

    @classmethod
    def create(cls, kek: KeyEncryptionKey, *, profile: Profile | str = Profile.STANDARD) -> Self:
        """Create a keyring with version 1 active and fresh index keys (call :meth:`save`).

        Args:
            kek: The master key that wraps everything.
            profile: AEAD of the data keys and MAC of the blind indexes.

        Returns:
            The new keyring, in memory only.
        """
        profile = Profile(profile)
        index_keys = {
            kind: b64url_encode(
                kek.wrap(os.urandom(INDEX_KEY_BYTES), context=_index_context(kind, profile))
            )
            for kind in INDEX_KINDS
        }
        keyring = cls(kek, KeyringDoc(kek.kek_id, profile, index_keys, []))
        keyring._add_version(profile)
        return keyring

    @classmethod
    def load(cls, path: str | os.PathLike[str], kek: KeyEncryptionKey) -> Self:
        """Load a keyring file (must be mode 0600) and check it against ``kek``.

        Args:
            path: The keyring file written by :meth:`save`.
            kek: The master key that created it.

        Returns:
            The keyring, with every non-retired key already unwrapped (fail fast).

        Raises:
            KeyFileError: Missing or unreadable file.
            InsecureKeyFileError: File readable by group or others.
            KeyringFormatError: Not a valid ``hub-keyring/1`` document.
            MasterKeyMismatchError: ``kek`` is not the master key that wrapped it.
            KeyringError: A wrapped key fails to unwrap (file edited).
        """
        return cls.from_json(read_private_bytes(Path(path)).decode("utf-8", "replace"), kek)

    @classmethod
    def from_json(cls, text: str, kek: KeyEncryptionKey) -> Self:
        """Build a keyring from the JSON text of a keyring file (see :meth:`load`)."""
        doc = parse_keyring(text)
        if doc.kek_id != kek.kek_id:
            raise MasterKeyMismatchError(doc.kek_id, kek.kek_id)
        keyring = cls(kek, doc)
        keyring._unwrap_all()
        return keyring

    def to_json(self) -> str:
        """Serialise the keyring (wrapped keys only) as JSON."""
        self._doc.versions = sorted(self._versions.values(), key=lambda v: v.version)
        return dump_keyring(self._doc)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the keyring to ``path`` atomically with mode 0600, replacing any old file."""
        write_private_atomic(Path(path), self.to_json().encode("utf-8"))

    # --- inspection -----------------------------------------------------------------------

    @property
    def kek_id(self) -> str:
        """Fingerprint of the master key that wraps this keyring."""
        return self._doc.kek_id

    @property
    def active_version(self) -> int:
        """The version new writes use."""
        return self._active().version

    @property
    def profile(self) -> Profile:
        """The AEAD profile of the active version (what new writes use)."""
        return self._active().profile

    @property
    def generation(self) -> int:
        """A counter that changes whenever the active version or a version's status does.

        Lets callers such as ``FieldEncryptor`` keep state derived from data keys (e.g.
        prepared ciphers) and drop it exactly when a rotate, retire or reinstate could
        have changed which keys are usable.
        """
        return self._generation

    @property
    def index_profile(self) -> Profile:
        """The MAC profile of the blind-index keys (fixed when the keyring is created)."""
        return self._doc.index_profile

    def versions(self) -> list[KeyVersionInfo]:
        """List every data-key version, oldest first, without key material."""
        return [
            KeyVersionInfo(v.version, v.profile, v.status, v.created_at, v.retired_at)
            for v in sorted(self._versions.values(), key=lambda v: v.version)
        ]

    # --- lifecycle ------------------------------------------------------------------------

    def rotate(self, *, profile: Profile | str | None = None) -> int:
        """Add a version with fresh keys for every field class and make it active.

        The previous active version becomes ``readable``, so existing data still
        decrypts. Then :meth:`save`, rewrap the data, and :meth:`retire` the old version.

        Args:
            profile: AEAD of the new version (e.g. ``national`` to migrate to SM4-GCM);
                default keeps the current one. Blind indexes are not affected.

        Returns:
            The new active version number.
        """
        current = self._active()
        new_profile = Profile(profile) if profile is not None else current.profile
        number = self._add_version(new_profile)  # wraps first: a KEK failure changes nothing
        current.status = VersionStatus.READABLE
        self._active_number = number
        self._generation += 1
        return number

    def retire(self, version: int) -> None:
        """Retire ``version``: tokens sealed under it then raise ``RetiredKeyVersionError``.

        The wrapped key stays in the file, so :meth:`reinstate` can undo a retire that
        came before a complete rewrap.

        Raises:
            KeyVersionNotFoundError: No such version.
            ActiveVersionError: ``version`` is the active version.
        """
        entry = self._entry(version)
        if entry.status is VersionStatus.ACTIVE:
            raise ActiveVersionError(version, "retire")
        if entry.status is not VersionStatus.RETIRED:
            entry.status = VersionStatus.RETIRED
            entry.retired_at = _now()
        for cached in [k for k in self._data_cache if k[1] == version]:
            del self._data_cache[cached]
        self._generation += 1

    def reinstate(self, version: int) -> None:
        """Make a retired ``version`` readable again, to rewrap values a rewrap missed.

        Raises:
            KeyVersionNotFoundError: No such version.
        """
        entry = self._entry(version)
        if entry.status is VersionStatus.RETIRED:
            entry.status = VersionStatus.READABLE
            entry.retired_at = None
        self._generation += 1

    # --- key access -----------------------------------------------------------------------

    def active_key(self, field_class: str) -> DataKey:
        """Return the data key new values of ``field_class`` are sealed with."""
        return self.data_key(field_class, self.active_version)

    def data_key(self, field_class: str, version: int) -> DataKey:
        """Return data key ``version`` of ``field_class``.

        Raises:
            UnknownFieldClassError: ``field_class`` is not a known class.
            UnknownKeyVersionError: The keyring has no such version (or class in it).
            RetiredKeyVersionError: The version is retired.
        """
        cached = self._data_cache.get((field_class, version))
        if cached is not None:
            return cached
        name = field_class_of(field_class).value
        entry = self._versions.get(version)
        if entry is None or name not in entry.wrapped:
            raise UnknownKeyVersionError(name, version, sorted(self._versions))
        if entry.status is VersionStatus.RETIRED:
            raise RetiredKeyVersionError(name, version, self.active_version)
        raw = self._unwrap(entry.wrapped[name], _data_context(name, version, entry.profile))
        if len(raw) != aead_key_bytes(entry.profile):
            raise KeyringFormatError(f"data key {name} v{version} has the wrong length")
        key = DataKey(name, version, entry.profile, raw, derive_key(entry.profile, raw, "ctx"))
        self._data_cache[(name, version)] = key
        return key

    def index_key(self, kind: str) -> bytes:
        """Return the blind-index key of ``kind`` (one of ``INDEX_KINDS``).

        Raises:
            KeyringError: Unknown kind.
        """
        cached = self._index_cache.get(kind)
        if cached is not None:
            return cached
        if kind not in self._doc.index_keys:
            raise KeyringError(f"unknown blind-index kind {kind!r}; use one of {INDEX_KINDS}")
        raw = self._unwrap(
            self._doc.index_keys[kind], _index_context(kind, self._doc.index_profile)
        )
        self._index_cache[kind] = raw
        return raw

    # --- internals ------------------------------------------------------------------------

    def _active(self) -> VersionEntry:
        entry = self._versions.get(self._active_number)
        if entry is None or entry.status is not VersionStatus.ACTIVE:
            entry = next(v for v in self._versions.values() if v.status is VersionStatus.ACTIVE)
            self._active_number = entry.version
        return entry

    def _entry(self, version: int) -> VersionEntry:
        entry = self._versions.get(version)
        if entry is None:
            raise KeyVersionNotFoundError(version, sorted(self._versions))
        return entry

    def _unwrap(self, wrapped: str, context: bytes) -> bytes:
        try:
            blob = b64url_decode(wrapped)
        except ValueError as exc:
            raise KeyringFormatError(
                "a wrapped key in the keyring is not valid base64url; restore the keyring "
                "from backup"
            ) from exc
        return self._kek.unwrap(blob, context=context)

    def _add_version(self, profile: Profile) -> int:
        number = max(self._versions, default=0) + 1
        wrapped = {
            name: b64url_encode(
                self._kek.wrap(new_aead_key(profile), context=_data_context(name, number, profile))
            )
            for name in FIELD_CLASSES
        }
        self._versions[number] = VersionEntry(
            number, profile, VersionStatus.ACTIVE, _now(), None, wrapped
        )
        return number

    def _unwrap_all(self) -> None:
        for entry in self._versions.values():
            if entry.status is not VersionStatus.RETIRED:
                for name in entry.wrapped:
                    if name in FIELD_CLASSES:
                        self.data_key(name, entry.version)
        for kind in INDEX_KINDS:
            self.index_key(kind)

    def __repr__(self) -> str:
        return (
            f"Keyring(kek_id={self.kek_id!r}, profile={str(self.profile)!r}, "
            f"active_version={self.active_version}, versions={sorted(self._versions)})"
        )

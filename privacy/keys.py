"""The keyring: versioned data keys per field class and blind-index keys, stored wrapped.

One data key per *field class*, so a leak or a rotation of one class (say ``health``)
leaves the others alone. All classes rotate together: :meth:`Keyring.rotate` adds a new
*version* holding a fresh key for every class and makes it active; new writes use it,
older versions stay readable until rewrapped and :meth:`Keyring.retire`-d.

Version lifecycle::

    active --rotate()--> readable --retire()--> retired
                                   <--reinstate()--

Blind-index keys (one per index kind) are created once and do not rotate with the data
keys: changing one means recomputing every index from decrypted values (a re-index, not
a rewrap). They use the keyring's ``index_profile`` (HMAC-SHA256 or HMAC-SM3).

On disk the keyring is JSON (format ``hub-keyring/1``), written atomically with mode
0600, and holds only wrapped keys plus the master key's fingerprint; it is useless
without the master key. A :class:`Keyring` is not safe to mutate from several threads;
reading keys is.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Self

from privacy._files import read_private_bytes, write_private_atomic
from privacy.crypto import Profile, aead_key_bytes, derive_key, new_aead_key
from privacy.errors import (
    ActiveVersionError,
    KeyringError,
    KeyringFormatError,
    KeyVersionNotFoundError,
    MasterKeyMismatchError,
    RetiredKeyVersionError,
    UnknownFieldClassError,
    UnknownKeyVersionError,
)
from privacy.kek import KeyEncryptionKey
from privacy.tokens import b64url_decode, b64url_encode

KEYRING_FORMAT = "hub-keyring/1"
INDEX_KEY_BYTES = 32


class FieldClass(StrEnum):
    """Classes of personal data, each with its own data key."""

    IDENTIFIER = "identifier"  # resident ID number, passport, social-security number
    NAME = "name"  # person names (also former names)
    CONTACT = "contact"  # phone numbers, addresses
    FINANCIAL = "financial"  # bank accounts, balances, incomes
    HEALTH = "health"  # illness, disability detail
    FREE_TEXT = "free_text"  # caseworker notes and other unstructured text


class IndexKind(StrEnum):
    """Blind-index kinds, each with its own independent key."""

    ID_NUMBER = "id_number"
    NAME_BIRTH = "name_birth"
    PHONE = "phone"
    GENERIC = "generic"


class VersionStatus(StrEnum):
    """Where a data-key version is in its lifecycle."""

    ACTIVE = "active"  # used for new writes; exactly one
    READABLE = "readable"  # old, still decrypts, awaiting rewrap
    RETIRED = "retired"  # refuses to decrypt


FIELD_CLASSES: tuple[str, ...] = tuple(c.value for c in FieldClass)
INDEX_KINDS: tuple[str, ...] = tuple(k.value for k in IndexKind)


@dataclass(frozen=True, slots=True)
class KeyVersionInfo:
    """Public, non-secret facts about one data-key version."""

    version: int
    profile: Profile
    status: VersionStatus
    created_at: str
    retired_at: str | None


@dataclass(frozen=True, slots=True)
class DataKey:
    """An unwrapped data key; its bytes never appear in ``repr``."""

    field_class: str
    version: int
    profile: Profile
    aead_key: bytes = field(repr=False)
    check_key: bytes = field(repr=False)


@dataclass(slots=True)
class _Version:
    version: int
    profile: Profile
    status: VersionStatus
    created_at: str
    retired_at: str | None
    wrapped: dict[str, str]


def field_class_of(value: str) -> FieldClass:
    """Return ``value`` as a :class:`FieldClass`, raising ``UnknownFieldClassError``."""
    try:
        return FieldClass(value)
    except ValueError:
        raise UnknownFieldClassError(str(value), FIELD_CLASSES) from None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _data_context(field_class: str, version: int, profile: Profile) -> bytes:
    return f"data|{field_class}|{version}|{profile}".encode()


def _index_context(kind: str, profile: Profile) -> bytes:
    return f"index|{kind}|{profile}".encode()


class Keyring:
    """Versioned data keys and blind-index keys, unwrapped on demand by a master key.

    Build one with :meth:`create` or :meth:`load`, never with the constructor directly.
    """

    def __init__(
        self,
        kek: KeyEncryptionKey,
        *,
        index_profile: Profile,
        index_keys: dict[str, str],
        versions: list[_Version],
    ) -> None:
        self._kek = kek
        self._index_profile = index_profile
        self._index_wrapped = index_keys
        self._versions = {v.version: v for v in versions}
        self._data_cache: dict[tuple[str, int], DataKey] = {}
        self._index_cache: dict[str, bytes] = {}

    # --- construction and persistence ----------------------------------------------------

    @classmethod
    def create(cls, kek: KeyEncryptionKey, *, profile: Profile | str = Profile.STANDARD) -> Self:
        """Create a new keyring with version 1 active and fresh index keys (not saved).

        Args:
            kek: The master key that wraps everything.
            profile: AEAD for data keys and MAC for blind indexes.
        """
        profile = Profile(profile)
        index_keys = {
            kind: b64url_encode(
                kek.wrap(os.urandom(INDEX_KEY_BYTES), context=_index_context(kind, profile))
            )
            for kind in INDEX_KINDS
        }
        keyring = cls(kek, index_profile=profile, index_keys=index_keys, versions=[])
        keyring._add_version(profile)
        return keyring

    @classmethod
    def load(cls, path: str | os.PathLike[str], kek: KeyEncryptionKey) -> Self:
        """Load a keyring file (must be mode 0600) and check it against ``kek``.

        Raises:
            KeyFileError / InsecureKeyFileError: File missing, unreadable, too open.
            KeyringFormatError: Not a valid ``hub-keyring/1`` document.
            MasterKeyMismatchError: ``kek`` is not the master key that wrapped it.
        """
        return cls.from_json(read_private_bytes(Path(path)).decode("utf-8", "replace"), kek)

    @classmethod
    def from_json(cls, text: str, kek: KeyEncryptionKey) -> Self:
        """Parse a keyring document (see :meth:`load`); unwraps readable keys eagerly."""
        try:
            doc = json.loads(text)
            if doc.get("format") != KEYRING_FORMAT:
                raise KeyringFormatError(
                    f"keyring format {str(doc.get('format'))[:40]!r} is not supported "
                    f"(expected {KEYRING_FORMAT!r})"
                )
            versions = [
                _Version(
                    version=int(v["version"]),
                    profile=Profile(v["profile"]),
                    status=VersionStatus(v["status"]),
                    created_at=str(v["created_at"]),
                    retired_at=v.get("retired_at"),
                    wrapped={str(k): str(w) for k, w in v["data_keys"].items()},
                )
                for v in doc["versions"]
            ]
            keyring = cls(
                kek,
                index_profile=Profile(doc["index_profile"]),
                index_keys={str(k): str(w) for k, w in doc["index_keys"].items()},
                versions=versions,
            )
            kek_id = str(doc["kek_id"])
        except KeyringFormatError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise KeyringFormatError(
                "keyring file is corrupt or incomplete (bad JSON or a missing/invalid "
                "entry); restore it from backup"
            ) from exc
        if kek_id != kek.kek_id:
            raise MasterKeyMismatchError(kek_id, kek.kek_id)
        keyring._validate()
        keyring._unwrap_all()
        return keyring

    def to_json(self) -> str:
        """Serialise the keyring (wrapped keys only) as a JSON document."""
        doc: dict[str, Any] = {
            "format": KEYRING_FORMAT,
            "kek_id": self._kek.kek_id,
            "index_profile": str(self._index_profile),
            "index_keys": dict(self._index_wrapped),
            "versions": [
                {
                    "version": v.version,
                    "profile": str(v.profile),
                    "status": str(v.status),
                    "created_at": v.created_at,
                    "retired_at": v.retired_at,
                    "data_keys": dict(v.wrapped),
                }
                for v in sorted(self._versions.values(), key=lambda v: v.version)
            ],
        }
        return json.dumps(doc, indent=2, sort_keys=True) + "\n"

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the keyring to ``path`` atomically, mode 0600 (replacing any old file)."""
        write_private_atomic(Path(path), self.to_json().encode("utf-8"))

    # --- inspection -----------------------------------------------------------------------

    @property
    def kek_id(self) -> str:
        """Fingerprint of the master key that wraps this keyring."""
        return self._kek.kek_id

    @property
    def active_version(self) -> int:
        """The version new writes use."""
        return self._active().version

    @property
    def profile(self) -> Profile:
        """The AEAD profile of the active version (what new writes use)."""
        return self._active().profile

    @property
    def index_profile(self) -> Profile:
        """The MAC profile of the blind-index keys (fixed when the keyring is created)."""
        return self._index_profile

    def versions(self) -> list[KeyVersionInfo]:
        """List every data-key version, oldest first."""
        return [
            KeyVersionInfo(v.version, v.profile, v.status, v.created_at, v.retired_at)
            for v in sorted(self._versions.values(), key=lambda v: v.version)
        ]

    # --- lifecycle ------------------------------------------------------------------------

    def rotate(self, *, profile: Profile | str | None = None) -> int:
        """Add a new version with fresh keys for every class and make it active.

        The previous active version becomes ``readable``: existing data still decrypts.
        Save the keyring, then rewrap (``FieldEncryptor.rewrap``) before retiring.

        Args:
            profile: Switch AEAD for the new version (e.g. ``national`` for a migration to
                SM4); default keeps the current one.

        Returns:
            The new active version number.
        """
        current = self._active()
        current.status = VersionStatus.READABLE
        return self._add_version(Profile(profile) if profile else current.profile)

    def retire(self, version: int) -> None:
        """Mark ``version`` retired: tokens under it now raise ``RetiredKeyVersionError``.

        The wrapped key stays in the file so :meth:`reinstate` can undo a premature retire.

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
        for key in [k for k in self._data_cache if k[1] == version]:
            del self._data_cache[key]

    def reinstate(self, version: int) -> None:
        """Make a retired ``version`` readable again (to rewrap values a rewrap missed)."""
        entry = self._entry(version)
        if entry.status is VersionStatus.RETIRED:
            entry.status = VersionStatus.READABLE
            entry.retired_at = None

    # --- key access -----------------------------------------------------------------------

    def active_key(self, field_class: str) -> DataKey:
        """Return the data key new values of ``field_class`` are sealed with."""
        return self.data_key(field_class, self._active().version)

    def data_key(self, field_class: str, version: int) -> DataKey:
        """Return data key ``version`` of ``field_class`` for decryption.

        Raises:
            UnknownFieldClassError: ``field_class`` is not a known class.
            UnknownKeyVersionError: The keyring has no such version (or class in it).
            RetiredKeyVersionError: The version is retired.
        """
        cached = self._data_cache.get((field_class, version))
        if cached is not None:
            return cached
        cls = field_class_of(field_class)
        entry = self._versions.get(version)
        if entry is None or cls.value not in entry.wrapped:
            raise UnknownKeyVersionError(cls.value, version, sorted(self._versions))
        if entry.status is VersionStatus.RETIRED:
            raise RetiredKeyVersionError(cls.value, version, self.active_version)
        raw = self._unwrap(
            entry.wrapped[cls.value], _data_context(cls.value, version, entry.profile)
        )
        if len(raw) != aead_key_bytes(entry.profile):
            raise KeyringFormatError(f"data key {cls.value} v{version} has the wrong length")
        key = DataKey(
            cls.value, version, entry.profile, raw, derive_key(entry.profile, raw, "ctx-check")
        )
        self._data_cache[(cls.value, version)] = key
        return key

    def index_key(self, kind: str) -> bytes:
        """Return the blind-index key of ``kind`` (one of ``INDEX_KINDS``)."""
        cached = self._index_cache.get(kind)
        if cached is not None:
            return cached
        if kind not in self._index_wrapped:
            raise KeyringError(f"unknown blind-index kind {kind!r}; use one of {INDEX_KINDS}")
        raw = self._unwrap(self._index_wrapped[kind], _index_context(kind, self._index_profile))
        self._index_cache[kind] = raw
        return raw

    # --- internals ------------------------------------------------------------------------

    def _active(self) -> _Version:
        return next(v for v in self._versions.values() if v.status is VersionStatus.ACTIVE)

    def _unwrap(self, wrapped: str, context: bytes) -> bytes:
        try:
            blob = b64url_decode(wrapped)
        except ValueError as exc:
            raise KeyringFormatError(
                "a wrapped key in the keyring is not valid base64url; restore the keyring "
                "from backup"
            ) from exc
        return self._kek.unwrap(blob, context=context)

    def _entry(self, version: int) -> _Version:
        entry = self._versions.get(version)
        if entry is None:
            raise KeyVersionNotFoundError(version, sorted(self._versions))
        return entry

    def _add_version(self, profile: Profile) -> int:
        number = max(self._versions, default=0) + 1
        wrapped = {
            cls: b64url_encode(
                self._kek.wrap(new_aead_key(profile), context=_data_context(cls, number, profile))
            )
            for cls in FIELD_CLASSES
        }
        self._versions[number] = _Version(
            number, profile, VersionStatus.ACTIVE, _now(), None, wrapped
        )
        return number

    def _validate(self) -> None:
        active = [v for v in self._versions.values() if v.status is VersionStatus.ACTIVE]
        if len(active) != 1:
            raise KeyringFormatError(
                f"keyring must have exactly one active version, found {len(active)}; "
                "restore it from backup"
            )
        missing = [c for c in FIELD_CLASSES if c not in active[0].wrapped]
        if missing:
            raise KeyringFormatError(
                f"active key version lacks field classes {missing}; run rotate() to add "
                "a version with every class"
            )
        missing_kinds = [k for k in INDEX_KINDS if k not in self._index_wrapped]
        if missing_kinds:
            raise KeyringFormatError(f"keyring lacks blind-index keys {missing_kinds}")

    def _unwrap_all(self) -> None:
        for entry in self._versions.values():
            if entry.status is not VersionStatus.RETIRED:
                for cls in entry.wrapped:
                    if cls in FIELD_CLASSES:
                        self.data_key(cls, entry.version)
        for kind in INDEX_KINDS:
            self.index_key(kind)

    def __repr__(self) -> str:
        return (
            f"Keyring(kek_id={self.kek_id!r}, profile={str(self.profile)!r}, "
            f"active_version={self.active_version}, versions={sorted(self._versions)})"
        )

"""Field-level encryption: the API the hub calls to store and read personal fields.

Every personal value is sealed on its own, bound to *where* it lives: the node label, the
record key (e.g. ``SourceRecord.record_id``) and the property name. A value copied to
another node or property therefore fails to decrypt (``WrongContextError``) instead of
silently showing one person's data on another's record.

Rotation without downtime: :meth:`FieldEncryptor.encrypt` always uses the keyring's
active version; :meth:`FieldEncryptor.decrypt` reads any non-retired version named in
the token; :func:`rewrap_all` moves old tokens to the active version in batches. All of
this is pure (no I/O), so the hub drives the batching, progress and resume.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from privacy._sealer import KeyCipher
from privacy.ciphertext import context_bytes, parse_ciphertext, split_ciphertext
from privacy.crypto import NONCE_BYTES, Profile
from privacy.errors import (
    DecryptionError,
    MalformedCiphertextError,
    TamperedCiphertextError,
)
from privacy.key_types import FIELD_CLASSES, DataKey
from privacy.keys import Keyring

_KNOWN_CLASSES = frozenset(FIELD_CLASSES)


@dataclass(frozen=True, slots=True)
class FieldContext:
    """Where an encrypted value lives: node label, record key and property name."""

    label: str
    record_key: str
    field: str


@dataclass(frozen=True, slots=True)
class RewrapResult:
    """Outcome of rewrapping one ciphertext.

    Attributes:
        context: The context passed in (lets the caller write the ciphertext back).
        ciphertext: The ciphertext to store: new if ``changed``, else the input unchanged.
        changed: False when it already used the active version (resume-safe).
        error: Only with ``collect_errors=True``: why this ciphertext could not be
            rewrapped; ``ciphertext`` is then the input, untouched.
    """

    context: FieldContext
    ciphertext: str
    changed: bool
    error: DecryptionError | None = None


def ciphertext_version(token: str) -> int:
    """Return the data-key version a token was sealed under, without decrypting it.

    Raises:
        MalformedCiphertextError: ``token`` is not a well-formed token.
    """
    return parse_ciphertext(token).version


class FieldEncryptor:
    """Seal and open personal fields with a keyring's data keys.

    Each data key is prepared once (AES key schedule, HMAC state, token header) and kept
    per (field class, version) until the keyring's :attr:`Keyring.generation` changes,
    so a rotate, retire or reinstate takes effect on the very next call. A cache miss
    always goes through the keyring, which raises for unknown or retired versions.

    Args:
        keyring: Source of data keys; :meth:`Keyring.rotate` on it takes effect on the
            next :meth:`encrypt`.
    """

    def __init__(self, keyring: Keyring) -> None:
        self._keyring = keyring
        self._generation = keyring.generation
        self._active_version = keyring.active_version
        self._ciphers: dict[tuple[str, int], KeyCipher] = {}  # any readable version
        self._active: dict[str, KeyCipher] = {}  # field class -> active version's

    @property
    def active_version(self) -> int:
        """The key version new tokens are sealed under."""
        return self._keyring.active_version

    def encrypt(
        self, value: str, *, label: str, record_key: str, field: str, field_class: str
    ) -> str:
        """Encrypt ``value`` for property ``field`` of the ``label`` node ``record_key``.

        Args:
            value: The plaintext (any string, also empty).
            label: Node label, e.g. ``"SourceRecord"``.
            record_key: Stable key of the node, e.g. its ``record_id``; must not change
                afterwards, or the value no longer decrypts there.
            field: Property name, e.g. ``"id_number"``.
            field_class: One of ``FIELD_CLASSES``; picks the data key.

        Returns:
            An ASCII token (see ``privacy.ciphertext``) to store instead of the value.

        Raises:
            UnknownFieldClassError: ``field_class`` is not a known class.
            TypeError: ``value`` is not a str (encode numbers and dates first).
        """
        if not isinstance(value, str):
            raise TypeError(f"encrypt() takes a str value, got {type(value).__name__}")
        if self._keyring.generation != self._generation:
            self._forget()
        cipher = self._active.get(field_class) or self._active_cipher(field_class)
        return cipher.seal(value, context_bytes(label, record_key, field))

    def encrypt_many(self, items: Iterable[tuple[str, str, str, str, str]]) -> list[str]:
        """Encrypt many values; same result and errors as :meth:`encrypt` one by one.

        For ingest: the random nonces of the whole batch are drawn in one system call.

        Args:
            items: ``(value, label, record_key, field, field_class)`` tuples.

        Returns:
            One token per item, in input order.

        Raises:
            UnknownFieldClassError, TypeError: As :meth:`encrypt`, for the first bad item
                (nothing is returned then).
        """
        batch = items if isinstance(items, list | tuple) else list(items)
        nonces = os.urandom(NONCE_BYTES * len(batch))
        if self._keyring.generation != self._generation:
            self._forget()
        active = self._active
        tokens: list[str] = []
        append = tokens.append
        offset = 0
        for value, label, record_key, field, field_class in batch:
            if not isinstance(value, str):
                raise TypeError(f"encrypt() takes a str value, got {type(value).__name__}")
            cipher = active.get(field_class) or self._active_cipher(field_class)
            where = context_bytes(label, record_key, field)
            append(cipher.seal(value, where, nonces[offset : offset + NONCE_BYTES]))
            offset += NONCE_BYTES
        return tokens

    def decrypt(self, token: str, *, label: str, record_key: str, field: str) -> str:
        """Decrypt a token read from property ``field`` of the ``label`` node ``record_key``.

        Returns:
            The plaintext; never garbage: any problem raises instead.

        Raises:
            MalformedCiphertextError: Not a token, or truncated.
            UnsupportedCiphertextError: A newer token format or unknown algorithm.
            UnknownKeyVersionError: The keyring lacks the token's key version.
            RetiredKeyVersionError: The token's key version is retired.
            WrongContextError: The token belongs to another record or field.
            TamperedCiphertextError: The token was modified.
        """
        profile, field_class, version, check, sealed = split_ciphertext(token)
        if self._keyring.generation != self._generation:
            self._forget()
        cipher = self._ciphers.get((field_class, version))
        if cipher is None or cipher.key.profile is not profile:
            cipher = self._opening_cipher(profile, field_class, version)
        return cipher.open(check, sealed, context_bytes(label, record_key, field), label, field)

    def decrypt_many(self, items: Iterable[tuple[str, str, str, str]]) -> list[str]:
        """Decrypt many tokens; same result and errors as :meth:`decrypt` one by one.

        For linkage, which reads whole sets of records: saves the per-call overhead.

        Args:
            items: ``(token, label, record_key, field)`` tuples.

        Returns:
            One plaintext per item, in input order.

        Raises:
            DecryptionError: As :meth:`decrypt`, for the first bad item (nothing is
                returned then).
        """
        if self._keyring.generation != self._generation:
            self._forget()
        ciphers = self._ciphers
        plaintexts: list[str] = []
        append = plaintexts.append
        for token, label, record_key, field in items:
            profile, field_class, version, check, sealed = split_ciphertext(token)
            cipher = ciphers.get((field_class, version))
            if cipher is None or cipher.key.profile is not profile:
                cipher = self._opening_cipher(profile, field_class, version)
            where = context_bytes(label, record_key, field)
            append(cipher.open(check, sealed, where, label, field))
        return plaintexts

    def needs_rewrap(self, token: str) -> bool:
        """Return True if ``token`` is not sealed under the active key version."""
        return ciphertext_version(token) != self._keyring.active_version

    def rewrap(self, token: str, *, label: str, record_key: str, field: str) -> str:
        """Re-seal ``token`` under the active version (same field class and context).

        Returns the token unchanged if it already uses the active version, so a rewrap
        run can be interrupted and resumed. Raises like :meth:`decrypt`.
        """
        profile, field_class, version, check, sealed = split_ciphertext(token)
        if self._keyring.generation != self._generation:
            self._forget()
        if version == self._active_version:
            return token
        cipher = self._ciphers.get((field_class, version))
        if cipher is None or cipher.key.profile is not profile:
            cipher = self._opening_cipher(profile, field_class, version)
        where = context_bytes(label, record_key, field)
        plaintext = cipher.open(check, sealed, where, label, field)
        active = self._active.get(field_class) or self._active_cipher(field_class)
        return active.seal(plaintext, where)

    # --- internals ------------------------------------------------------------------------

    def _forget(self) -> None:
        """Drop every prepared cipher: the keyring's versions changed."""
        self._ciphers.clear()
        self._active.clear()
        self._generation = self._keyring.generation
        self._active_version = self._keyring.active_version

    def _active_cipher(self, field_class: str) -> KeyCipher:
        """Prepare and remember the active version's cipher for ``field_class``.

        Raises:
            UnknownFieldClassError: ``field_class`` is not a known class.
        """
        cipher = self._prepared(self._keyring.active_key(field_class))
        self._active[field_class] = cipher
        return cipher

    def _opening_cipher(self, profile: Profile, field_class: str, version: int) -> KeyCipher:
        """Check a parsed token header against the keyring (in the original order) and
        return, and remember, the cipher that opens it.
        """
        if field_class not in _KNOWN_CLASSES:
            raise MalformedCiphertextError(
                "ciphertext token names an unknown field class; it was written by a newer "
                "hub or edited"
            )
        key = self._keyring.data_key(field_class, version)
        if key.profile is not profile:
            raise TamperedCiphertextError(field_class, version)
        cipher = self._prepared(key)
        self._ciphers[(field_class, version)] = cipher
        return cipher

    def _prepared(self, key: DataKey) -> KeyCipher:
        """Return a cipher for ``key``, reusing one already built for the same key."""
        known = self._ciphers.get((key.field_class, key.version))
        return known if known is not None and known.key is key else KeyCipher(key)


def rewrap_all(
    encryptor: FieldEncryptor,
    items: Iterable[tuple[str, FieldContext]],
    *,
    collect_errors: bool = False,
) -> Iterator[RewrapResult]:
    """Rewrap many tokens lazily, one :class:`RewrapResult` per input, in input order.

    Meant for ``hub keys rewrap``: the hub reads a batch of (token, context) pairs from
    Neo4j, feeds them here, writes back the results whose ``changed`` is True, and can
    stop and resume at any point because current tokens come back unchanged.

    Args:
        encryptor: The encryptor whose keyring has the target active version.
        items: ``(token, FieldContext)`` pairs.
        collect_errors: If False (default) the first undecryptable token raises and ends
            the run; if True it is reported in ``RewrapResult.error`` and the run goes on.

    Yields:
        One result per item.

    Raises:
        DecryptionError: A token cannot be read, unless ``collect_errors`` is True.
    """
    for token, context in items:
        try:
            new_token = encryptor.rewrap(
                token, label=context.label, record_key=context.record_key, field=context.field
            )
        except DecryptionError as exc:
            if not collect_errors:
                raise
            yield RewrapResult(context, token, changed=False, error=exc)
            continue
        yield RewrapResult(context, new_token, changed=new_token != token)

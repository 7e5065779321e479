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

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from privacy.crypto import AuthenticationFailed, open_sealed, seal
from privacy.errors import (
    DecryptionError,
    MalformedCiphertextError,
    TamperedCiphertextError,
    WrongContextError,
)
from privacy.key_types import FIELD_CLASSES, DataKey
from privacy.keys import Keyring
from privacy.tokens import (
    Token,
    associated_data,
    context_bytes,
    context_check,
    format_token,
    parse_token,
)


@dataclass(frozen=True, slots=True)
class FieldContext:
    """Where an encrypted value lives: node label, record key and property name."""

    label: str
    record_key: str
    field: str


@dataclass(frozen=True, slots=True)
class RewrapResult:
    """Outcome of rewrapping one token.

    Attributes:
        context: The context passed in (lets the caller write the token back).
        token: The token to store: new if ``changed``, else the input unchanged.
        changed: False when the token already used the active version (resume-safe).
        error: Only with ``collect_errors=True``: why this token could not be rewrapped;
            ``token`` is then the input, untouched.
    """

    context: FieldContext
    token: str
    changed: bool
    error: DecryptionError | None = None


def token_version(token: str) -> int:
    """Return the data-key version a token was sealed under, without decrypting it.

    Raises:
        MalformedCiphertextError: ``token`` is not a well-formed token.
    """
    return parse_token(token).version


class FieldEncryptor:
    """Seal and open personal fields with a keyring's data keys.

    Args:
        keyring: Source of data keys; :meth:`Keyring.rotate` on it takes effect on the
            next :meth:`encrypt`.
    """

    def __init__(self, keyring: Keyring) -> None:
        self._keyring = keyring

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
            An ASCII token (see ``privacy.tokens``) to store instead of the value.

        Raises:
            UnknownFieldClassError: ``field_class`` is not a known class.
            TypeError: ``value`` is not a str (encode numbers and dates first).
        """
        if not isinstance(value, str):
            raise TypeError(f"encrypt() takes a str value, got {type(value).__name__}")
        key = self._keyring.active_key(field_class)
        return self._seal(key, value, FieldContext(label, record_key, field))

    def decrypt(self, token: str, *, label: str, record_key: str, field: str) -> str:
        """Decrypt a token read from property ``field`` of the ``label`` node ``record_key``.

        Returns:
            The plaintext; never garbage: any problem raises instead.

        Raises:
            MalformedCiphertextError: Not a token, or truncated.
            UnsupportedTokenError: A newer token format or unknown algorithm.
            UnknownKeyVersionError: The keyring lacks the token's key version.
            RetiredKeyVersionError: The token's key version is retired.
            WrongContextError: The token belongs to another record or field.
            TamperedCiphertextError: The token was modified.
        """
        parsed = parse_token(token)
        context = FieldContext(label, record_key, field)
        return self._open(parsed, context)

    def needs_rewrap(self, token: str) -> bool:
        """Return True if ``token`` is not sealed under the active key version."""
        return token_version(token) != self._keyring.active_version

    def rewrap(self, token: str, *, label: str, record_key: str, field: str) -> str:
        """Re-seal ``token`` under the active version (same field class and context).

        Returns the token unchanged if it already uses the active version, so a rewrap
        run can be interrupted and resumed. Raises like :meth:`decrypt`.
        """
        parsed = parse_token(token)
        if parsed.version == self._keyring.active_version:
            return token
        context = FieldContext(label, record_key, field)
        plaintext = self._open(parsed, context)
        return self._seal(self._keyring.active_key(parsed.field_class), plaintext, context)

    # --- internals ------------------------------------------------------------------------

    def _seal(self, key: DataKey, value: str, context: FieldContext) -> str:
        where = context_bytes(context.label, context.record_key, context.field)
        aad = associated_data(key.profile, key.field_class, key.version, where)
        sealed = seal(key.profile, key.aead_key, value.encode("utf-8"), aad)
        check = context_check(key.profile, key.check_key, where)
        return format_token(Token(key.profile, key.field_class, key.version, check, sealed))

    def _open(self, token: Token, context: FieldContext) -> str:
        if token.field_class not in FIELD_CLASSES:
            raise MalformedCiphertextError(
                "ciphertext token names an unknown field class; it was written by a newer "
                "hub or edited"
            )
        key = self._keyring.data_key(token.field_class, token.version)
        if key.profile is not token.profile:
            raise TamperedCiphertextError(token.field_class, token.version)
        where = context_bytes(context.label, context.record_key, context.field)
        if context_check(key.profile, key.check_key, where) != token.check:
            raise WrongContextError(context.label, context.field)
        aad = associated_data(key.profile, key.field_class, key.version, where)
        try:
            plaintext = open_sealed(key.profile, key.aead_key, token.sealed, aad)
            return plaintext.decode("utf-8")
        except (AuthenticationFailed, UnicodeDecodeError) as exc:
            raise TamperedCiphertextError(token.field_class, token.version) from exc


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

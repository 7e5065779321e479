"""Exceptions raised by ``privacy``, all under one root, :class:`PrivacyError`.

The tree (httpx habit: draw it once, here)::

    PrivacyError
    ├── KeyringError                     key material cannot be loaded, stored or changed
    │   ├── KeyFileError                 master-key / keyring file missing, unreadable, bad size
    │   │   └── InsecureKeyFileError     file readable or writable by group/others (not 0600)
    │   ├── KeyringFormatError           keyring JSON corrupt or of an unsupported format
    │   ├── MasterKeyMismatchError       the master key (KEK) given is not the one that wrapped it
    │   ├── KeyVersionNotFoundError      a key-management call names a version that does not exist
    │   ├── ActiveVersionError           refused: retiring/destroying the active version
    │   └── UnknownFieldClassError       field class not one of ``FIELD_CLASSES`` (also ValueError)
    ├── DecryptionError                  a field ciphertext token could not be opened
    │   ├── MalformedCiphertextError     not a token at all, or truncated / badly encoded
    │   │   └── UnsupportedCiphertextError  a newer format or an unknown algorithm
    │   ├── TamperedCiphertextError      authentication failed: bytes or header changed
    │   ├── WrongContextError            sealed for another label/record/field (moved or swapped)
    │   ├── UnknownKeyVersionError       the keyring has no such data-key version
    │   └── RetiredKeyVersionError       the data-key version was retired (rewrap missed it)
    └── InvalidIdentifierError           an ID number / phone / name cannot be normalised
                                         (also ValueError)

Rules every class keeps: a message says what went wrong and what to do next; no message,
attribute or ``repr`` ever carries a plaintext value (ID numbers, names, phones ...) or key
bytes. Context that is safe to show (field class, key version, label, field name, lengths)
is kept as attributes so callers can act on it without parsing the text. Each class
carries the API code a client sees for it (``code``, as in ``hub.errors``).
"""

from __future__ import annotations

from typing import ClassVar


class PrivacyError(Exception):
    """Root of every exception raised by the ``privacy`` package.

    Attributes:
        code: The API's ``extensions.code`` for this class when a resolver refuses a
            request with it (``INTERNAL`` unless a subclass says otherwise, as
            ``consent.InvalidConsentError`` and ``consent.ConsentDeniedError`` do).
    """

    code: ClassVar[str] = "INTERNAL"


# --- key management ---------------------------------------------------------------------


class KeyringError(PrivacyError):
    """Key material could not be loaded, stored, or changed."""


class KeyFileError(KeyringError):
    """A master-key or keyring file is missing, unreadable or has the wrong content."""


class InsecureKeyFileError(KeyFileError):
    """A key file grants access to group or others; it must be mode 0600 (or 0400).

    Attributes:
        path: The offending file.
        mode: Its permission bits, e.g. ``0o644``.
    """

    def __init__(self, path: str, mode: int) -> None:
        self.path = path
        self.mode = mode
        super().__init__(
            f"refusing to use key file {path}: its mode is {mode:04o} but it must not be "
            f"accessible to group or others; run `chmod 600 {path}` and check who may "
            "have copied it"
        )


class KeyringFormatError(KeyringError):
    """The keyring file is not valid JSON of a format this version understands."""


class MasterKeyMismatchError(KeyringError):
    """The master key (KEK) supplied is not the one that wrapped the keyring.

    Attributes:
        expected_kek_id: Fingerprint recorded in the keyring.
        actual_kek_id: Fingerprint of the master key supplied.
    """

    def __init__(self, expected_kek_id: str, actual_kek_id: str, detail: str = "") -> None:
        self.expected_kek_id = expected_kek_id
        self.actual_kek_id = actual_kek_id
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"the keyring was wrapped by master key {expected_kek_id} but master key "
            f"{actual_kek_id} was supplied{extra}; configure the master key that created "
            "this keyring (same value and same profile)"
        )


class KeyVersionNotFoundError(KeyringError):
    """A key-management operation names a version the keyring does not have."""

    def __init__(self, version: int, known: list[int]) -> None:
        self.version = version
        self.known = known
        super().__init__(f"key version {version} does not exist; the keyring has versions {known}")


class ActiveVersionError(KeyringError):
    """Refused to retire or destroy the version new writes still use."""

    def __init__(self, version: int, operation: str) -> None:
        self.version = version
        super().__init__(
            f"cannot {operation} key version {version}: it is the active version; run "
            "`rotate()` (hub keys rotate) and rewrap existing data first"
        )


class UnknownFieldClassError(KeyringError, ValueError):
    """The field class is not one of ``privacy.FIELD_CLASSES``."""

    def __init__(self, field_class: str, known: tuple[str, ...]) -> None:
        self.field_class = field_class
        super().__init__(f"unknown field class {field_class!r}; use one of {', '.join(known)}")


# --- decryption ---------------------------------------------------------------------------


class DecryptionError(PrivacyError):
    """A field ciphertext token could not be opened; no plaintext is ever returned."""


class MalformedCiphertextError(DecryptionError):
    """The value is not a well-formed ciphertext token (truncated, bad encoding ...)."""


class UnsupportedCiphertextError(MalformedCiphertextError):
    """The ciphertext names a format version or algorithm this code does not know."""


class TamperedCiphertextError(DecryptionError):
    """Authentication failed: ciphertext, tag or authenticated header bytes were changed."""

    def __init__(self, field_class: str, version: int) -> None:
        self.field_class = field_class
        self.version = version
        super().__init__(
            f"ciphertext of field class {field_class!r} (key version {version}) failed "
            "authentication: it was modified or corrupted after encryption; restore the "
            "value from its source record and re-ingest it"
        )


class WrongContextError(DecryptionError):
    """The token was sealed for another label, record or field than the one asked for.

    Typical causes: a value copied onto another node, two properties swapped, a record
    key that changed after encryption, or a token from another keyring. Detected by the
    keyed context check in the token header before the AEAD runs (which would fail too).
    """

    def __init__(self, label: str, field: str) -> None:
        self.label = label
        self.field = field
        super().__init__(
            f"ciphertext read as {label}.{field} does not belong there: it was sealed for "
            "another record or field (moved, copied or swapped) or under another keyring; "
            "look up the record the value came from instead of trusting it here"
        )


class UnknownKeyVersionError(DecryptionError):
    """The token's data-key version is not in the keyring."""

    def __init__(self, field_class: str, version: int, known: list[int]) -> None:
        self.field_class = field_class
        self.version = version
        self.known = known
        super().__init__(
            f"ciphertext of field class {field_class!r} uses key version {version}, which "
            f"this keyring does not have (it has {known}); it was written with another "
            "keyring, or the keyring file is older than the data"
        )


class RetiredKeyVersionError(DecryptionError):
    """The token's data-key version has been retired and may no longer be read."""

    def __init__(self, field_class: str, version: int, active_version: int) -> None:
        self.field_class = field_class
        self.version = version
        self.active_version = active_version
        super().__init__(
            f"ciphertext of field class {field_class!r} uses retired key version "
            f"{version}; it was missed by the rewrap to version {active_version}. "
            "Un-retire the version, run `hub keys rewrap`, then retire it again"
        )


# --- normalisation ------------------------------------------------------------------------


class InvalidIdentifierError(PrivacyError, ValueError):
    """A value cannot be normalised as the identifier kind asked for.

    Attributes:
        kind: ``"id_number"``, ``"phone"``, ``"name"`` or ``"birth_date"``.
        reason: What is wrong, without the value itself.
    """

    def __init__(self, kind: str, reason: str) -> None:
        self.kind = kind
        self.reason = reason
        super().__init__(f"invalid {kind}: {reason}")

"""The self-describing ciphertext token stored in Neo4j for each encrypted field.

Format (ASCII, six dot-separated parts, no padding)::

    enc1.<alg>.<field_class>.<version>.<check>.<payload>
    enc1.A256GCM.identifier.3.q0v1Zg.Yv5y...   (example)

- ``enc1``: token format version; a future layout gets ``enc2`` and both stay readable.
- ``alg``: ``A256GCM`` (AES-256-GCM, profile ``standard``) or ``SM4GCM`` (profile
  ``national``), so a deployment that rotates from one profile to the other can still read
  old values.
- ``field_class`` and ``version``: which data key of the keyring sealed it; rotation never
  needs a lookup table, and ``hub keys rewrap`` finds stale values by reading the header.
- ``check``: 4 bytes (b64url) of a keyed MAC of the context (label, record key, field).
  Only a diagnostic: it lets a moved/swapped value fail as ``WrongContextError`` instead
  of the generic ``TamperedCiphertextError``. Keyed, so it reveals nothing about the record
  key even if a caller put something sensitive there.
- ``payload``: b64url of ``nonce(12) || ciphertext || tag(16)``.

Security rests on the AEAD alone: the associated data binds the ciphertext to the format,
algorithm, field class, key version, label, record key and field name, so changing any
header part or moving the token breaks authentication.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from privacy.crypto import (
    NONCE_BYTES,
    TAG_BYTES,
    Profile,
    aead_name,
    length_prefixed,
    mac,
    profile_for_aead_name,
)
from privacy.errors import MalformedCiphertextError, UnsupportedTokenError

TOKEN_PREFIX = "enc1"
CHECK_BYTES = 4
_B64URL = re.compile(r"[A-Za-z0-9_-]+")
_OTHER_FORMAT = re.compile(r"enc\d+")
_FIELD_CLASS = re.compile(r"[a-z][a-z0-9_]{0,31}")
_VERSION = re.compile(r"[1-9][0-9]{0,8}")
_CHECK_TAG = length_prefixed("ctx")


@dataclass(frozen=True, slots=True)
class Token:
    """A parsed ciphertext token (header fields plus the sealed bytes)."""

    profile: Profile
    field_class: str
    version: int
    check: bytes
    sealed: bytes


def b64url_encode(raw: bytes) -> str:
    """Encode ``raw`` as unpadded base64url (RFC 4648 section 5)."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url strictly: alphabet and canonical form are both checked.

    Raises:
        ValueError: Not canonical unpadded base64url.
    """
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64url_encode(raw) != text:
        raise ValueError("non-canonical base64url")
    return raw


def format_token(token: Token) -> str:
    """Render a :class:`Token` as its ASCII string form."""
    return ".".join(
        (
            TOKEN_PREFIX,
            aead_name(token.profile),
            token.field_class,
            str(token.version),
            b64url_encode(token.check),
            b64url_encode(token.sealed),
        )
    )


def looks_like_token(text: str) -> bool:
    """Return True if ``text`` starts like a ciphertext token of any format version.

    Cheap test for scanners and migrations; it does not validate the token.
    """
    head = text.split(".", 1)[0]
    return _OTHER_FORMAT.fullmatch(head) is not None


def parse_token(text: str) -> Token:
    """Parse and validate the structure of a token string (no cryptography).

    Args:
        text: A value read from the store.

    Returns:
        The parsed :class:`Token`.

    Raises:
        UnsupportedTokenError: A token of another format version or an unknown algorithm.
        MalformedCiphertextError: Anything else that is not a well-formed ``enc1`` token.
    """
    if not isinstance(text, str):
        raise MalformedCiphertextError(
            f"expected a ciphertext token string, got {type(text).__name__}"
        )
    parts = text.split(".")
    if parts[0] != TOKEN_PREFIX:
        if _OTHER_FORMAT.fullmatch(parts[0]):
            raise UnsupportedTokenError(
                f"ciphertext token format {parts[0]!r} is not supported by this version "
                f"(it reads {TOKEN_PREFIX!r}); upgrade the hub"
            )
        raise MalformedCiphertextError(
            f"value is not a ciphertext token (expected prefix {TOKEN_PREFIX!r}); was a "
            "plaintext value stored in an encrypted property?"
        )
    if len(parts) != 6:
        raise MalformedCiphertextError(
            f"ciphertext token has {len(parts)} parts, expected 6; it was truncated or concatenated"
        )
    _, alg, field_class, version, check, payload = parts
    profile = profile_for_aead_name(alg)
    if profile is None:
        raise UnsupportedTokenError(
            f"ciphertext token names unknown algorithm {alg[:16]!r}; expected A256GCM or SM4GCM"
        )
    if not _FIELD_CLASS.fullmatch(field_class):
        raise MalformedCiphertextError("ciphertext token has an invalid field-class part")
    if not _VERSION.fullmatch(version):
        raise MalformedCiphertextError("ciphertext token has an invalid key-version part")
    try:
        check_raw = b64url_decode(check)
        sealed = b64url_decode(payload)
    except ValueError as exc:
        raise MalformedCiphertextError(
            "ciphertext token has a badly encoded check or payload part (not canonical "
            "base64url); it was truncated or edited"
        ) from exc
    if len(check_raw) != CHECK_BYTES or len(sealed) < NONCE_BYTES + TAG_BYTES:
        raise MalformedCiphertextError(
            "ciphertext token is too short to hold nonce, tag and context check; it was truncated"
        )
    return Token(profile, field_class, int(version), check_raw, sealed)


def context_bytes(label: str, record_key: str, field: str) -> bytes:
    """Encode where a value lives (label, record key, field) for AAD and context check."""
    return length_prefixed(label, record_key, field)


def associated_data(profile: Profile, field_class: str, version: int, context: bytes) -> bytes:
    """Build the AEAD associated data binding a value to its header and its place.

    Binding label, record key and field (``context``, from :func:`context_bytes`) means a
    ciphertext copied to another node or property fails to decrypt; binding algorithm,
    class and version means the header cannot be edited to point at another key.
    """
    return length_prefixed(TOKEN_PREFIX, aead_name(profile), field_class, str(version)) + context


def context_check(profile: Profile, check_key: bytes, context: bytes) -> bytes:
    """Return the 4-byte keyed context check stored in the token header (diagnostic only)."""
    return mac(profile, check_key, _CHECK_TAG + context)[:CHECK_BYTES]

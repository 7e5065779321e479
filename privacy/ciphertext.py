"""The self-describing ciphertext string stored in Neo4j for each encrypted field.

Called a "ciphertext token" in messages and older docs; it has nothing to do with the
bearer tokens (JWTs) of ``hub.auth``.

Format (ASCII, six dot-separated parts, no padding)::

    enc1.<alg>.<field_class>.<version>.<check>.<payload>
    enc1.A256GCM.identifier.3.q0v1Zg.Yv5y...   (example)

- ``enc1``: format version; a future layout gets ``enc2`` and both stay readable.
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
header part or moving the ciphertext breaks authentication.
"""

from __future__ import annotations

import re
import struct
from binascii import Error as _BinasciiError
from binascii import a2b_base64, b2a_base64
from dataclasses import dataclass
from functools import lru_cache
from typing import NoReturn

from privacy.crypto import (
    NONCE_BYTES,
    TAG_BYTES,
    Profile,
    aead_name,
    length_prefixed,
    mac,
    profile_for_aead_name,
)
from privacy.errors import MalformedCiphertextError, UnsupportedCiphertextError

CIPHERTEXT_PREFIX = "enc1"
CHECK_BYTES = 4
_OTHER_FORMAT = re.compile(r"enc\d+")
_FIELD_CLASS = re.compile(r"[a-z][a-z0-9_]{0,31}")
_VERSION = re.compile(r"[1-9][0-9]{0,8}")
# MAC input prefix of the context check (domain separation from other MACs of the key).
CHECK_PREFIX = length_prefixed("ctx")
_U32 = struct.Struct(">I").pack

# base64url <-> base64 on bytes (C speed). "+", "/" and "=" are not base64url, so they
# become "!", which strict a2b_base64 rejects like any other stray character.
_TO_URL = bytes.maketrans(b"+/", b"-_")
_FROM_URL = bytes.maketrans(b"-_+/=", b"+/!!!")
_PADDING = (b"", b"", b"==", b"=")
# Canonical form: the unused low bits of the last character must be zero (2 or 4 bits
# when the text length is 3 or 2 modulo 4).
_CANONICAL_LAST = ("", "", "AQgw", "AEIMQUYcgkosw048")


@dataclass(frozen=True, slots=True)
class Ciphertext:
    """A parsed ciphertext (header fields plus the sealed bytes)."""

    profile: Profile
    field_class: str
    version: int
    check: bytes
    sealed: bytes


def b64url_encode(raw: bytes) -> str:
    """Encode ``raw`` as unpadded base64url (RFC 4648 section 5)."""
    return b2a_base64(raw, newline=False).rstrip(b"=").translate(_TO_URL).decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url strictly: alphabet and canonical form are both checked.

    Raises:
        ValueError: Not canonical unpadded base64url.
    """
    rem = len(text) % 4
    if not text or rem == 1:
        raise ValueError("not base64url")
    if rem and text[-1] not in _CANONICAL_LAST[rem]:
        raise ValueError("non-canonical base64url")
    try:
        return a2b_base64(
            text.encode("ascii").translate(_FROM_URL) + _PADDING[rem], strict_mode=True
        )
    except (UnicodeEncodeError, _BinasciiError):
        raise ValueError("not base64url") from None


def format_ciphertext(ciphertext: Ciphertext) -> str:
    """Render a :class:`Ciphertext` as its ASCII string form."""
    c = ciphertext
    return (
        f"{CIPHERTEXT_PREFIX}.{aead_name(c.profile)}.{c.field_class}.{c.version}."
        f"{b64url_encode(c.check)}.{b64url_encode(c.sealed)}"
    )


def looks_like_ciphertext(text: str) -> bool:
    """Return True if ``text`` starts like a ciphertext token of any format version.

    Cheap test for scanners and migrations; it does not validate the token.
    """
    head = text.split(".", 1)[0]
    return _OTHER_FORMAT.fullmatch(head) is not None


def parse_ciphertext(text: str) -> Ciphertext:
    """Parse and validate the structure of a token string (no cryptography).

    Args:
        text: A value read from the store.

    Returns:
        The parsed :class:`Ciphertext`.

    Raises:
        UnsupportedCiphertextError: A token of another format version or an unknown algorithm.
        MalformedCiphertextError: Anything else that is not a well-formed ``enc1`` token.
    """
    return Ciphertext(*split_ciphertext(text))


def split_ciphertext(text: str) -> tuple[Profile, str, int, bytes, bytes]:
    """Like :func:`parse_ciphertext` but return a plain tuple (hot path of decryption).

    A store holds few distinct headers (``enc1.<alg>.<class>.<version>``), so each one is
    validated once and remembered; later tokens with that header only split off the
    check and payload and decode them. Errors are the same as :func:`parse_ciphertext`'s.

    Returns:
        ``(profile, field_class, version, check, sealed)``.

    Raises:
        UnsupportedCiphertextError, MalformedCiphertextError: As :func:`parse_ciphertext`.
    """
    if isinstance(text, str):
        parts = text.rsplit(".", 2)
        header = _HEADERS.get(parts[0]) if len(parts) == 3 else None
        if header is not None:
            check, sealed = _decode_body(parts[1], parts[2])
            return header[0], header[1], header[2], check, sealed
    return _split_new_header(text)


# Validated token headers -> (profile, field class, version). Only headers that passed
# every check get in, and the size bound keeps a stream of forged ones from using memory.
_HEADERS: dict[str, tuple[Profile, str, int]] = {}
_MAX_HEADERS = 1024


def _split_new_header(text: object) -> tuple[Profile, str, int, bytes, bytes]:
    """Fully validate ``text`` in the documented order and remember its header."""
    parts = text.split(".") if isinstance(text, str) else None
    if parts is None or len(parts) != 6 or parts[0] != CIPHERTEXT_PREFIX:
        _raise_bad_shape(text, parts)
    _, alg, field_class, version, check, payload = parts
    profile = profile_for_aead_name(alg)
    if profile is None:
        raise UnsupportedCiphertextError(
            f"ciphertext token names unknown algorithm {alg[:16]!r}; expected A256GCM or SM4GCM"
        )
    if not _FIELD_CLASS.fullmatch(field_class):
        raise MalformedCiphertextError("ciphertext token has an invalid field-class part")
    if not _VERSION.fullmatch(version):
        raise MalformedCiphertextError("ciphertext token has an invalid key-version part")
    number = int(version)
    if len(_HEADERS) >= _MAX_HEADERS:
        _HEADERS.clear()
    _HEADERS[".".join(parts[:4])] = (profile, field_class, number)
    check_raw, sealed = _decode_body(check, payload)
    return profile, field_class, number, check_raw, sealed


def _decode_body(check: str, payload: str) -> tuple[bytes, bytes]:
    """Decode the check and payload parts of a token and check their sizes.

    :func:`b64url_decode` inlined twice: this runs once per decrypted value.
    """
    rem_check, rem_payload = len(check) % 4, len(payload) % 4
    try:
        if (
            not check
            or not payload
            or rem_check == 1
            or rem_payload == 1
            or (rem_check and check[-1] not in _CANONICAL_LAST[rem_check])
            or (rem_payload and payload[-1] not in _CANONICAL_LAST[rem_payload])
        ):
            raise ValueError("not canonical base64url")
        check_raw = a2b_base64(
            check.encode("ascii").translate(_FROM_URL) + _PADDING[rem_check], strict_mode=True
        )
        sealed = a2b_base64(
            payload.encode("ascii").translate(_FROM_URL) + _PADDING[rem_payload],
            strict_mode=True,
        )
    except ValueError as exc:  # also UnicodeEncodeError and binascii.Error
        raise MalformedCiphertextError(
            "ciphertext token has a badly encoded check or payload part (not canonical "
            "base64url); it was truncated or edited"
        ) from exc
    if len(check_raw) != CHECK_BYTES or len(sealed) < NONCE_BYTES + TAG_BYTES:
        raise MalformedCiphertextError(
            "ciphertext token is too short to hold nonce, tag and context check; it was truncated"
        )
    return check_raw, sealed


def _raise_bad_shape(text: object, parts: list[str] | None) -> NoReturn:
    """Raise the error for a value that is not a string of six parts starting ``enc1``."""
    if parts is None:
        raise MalformedCiphertextError(
            f"expected a ciphertext token string, got {type(text).__name__}"
        )
    if parts[0] != CIPHERTEXT_PREFIX:
        if _OTHER_FORMAT.fullmatch(parts[0]):
            raise UnsupportedCiphertextError(
                f"ciphertext token format {parts[0]!r} is not supported by this version "
                f"(it reads {CIPHERTEXT_PREFIX!r}); upgrade the hub"
            )
        raise MalformedCiphertextError(
            f"value is not a ciphertext token (expected prefix {CIPHERTEXT_PREFIX!r}); was a "
            "plaintext value stored in an encrypted property?"
        )
    raise MalformedCiphertextError(
        f"ciphertext token has {len(parts)} parts, expected 6; it was truncated or concatenated"
    )


def context_bytes(label: str, record_key: str, field: str) -> bytes:
    """Encode where a value lives (label, record key, field) for AAD and context check.

    Equal to ``length_prefixed(label, record_key, field)``; labels and field names come
    from the schema (few distinct values), so their encodings are remembered.
    """
    if type(label) is not str or type(record_key) is not str or type(field) is not str:
        return length_prefixed(label, record_key, field)
    rk = record_key.encode("utf-8")
    return (
        (_NAMES.get(label) or _name_bytes(label))
        + _U32(len(rk))
        + rk
        + (_NAMES.get(field) or _name_bytes(field))
    )


# Length-prefixed encodings of labels and field names seen by context_bytes (bounded).
_NAMES: dict[str, bytes] = {}
_MAX_NAMES = 4096


def _name_bytes(name: str) -> bytes:
    raw = length_prefixed(name)
    if len(_NAMES) >= _MAX_NAMES:
        _NAMES.clear()
    _NAMES[name] = raw
    return raw


def associated_data(profile: Profile, field_class: str, version: int, context: bytes) -> bytes:
    """Build the AEAD associated data binding a value to its header and its place.

    Binding label, record key and field (``context``, from :func:`context_bytes`) means a
    ciphertext copied to another node or property fails to decrypt; binding algorithm,
    class and version means the header cannot be edited to point at another key.
    """
    return _aad_head(profile, field_class, version) + context


@lru_cache(maxsize=256)
def _aad_head(profile: Profile, field_class: str, version: int) -> bytes:
    """The header half of the associated data; the same for every value of one data key."""
    return length_prefixed(CIPHERTEXT_PREFIX, aead_name(profile), field_class, str(version))


def context_check(profile: Profile, check_key: bytes, context: bytes) -> bytes:
    """Return the 4-byte keyed context check stored in the token header (diagnostic only)."""
    return mac(profile, check_key, CHECK_PREFIX + context)[:CHECK_BYTES]

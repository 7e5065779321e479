"""Names and value types shared by the keyring, the field encryptor and blind indexes.

Kept apart from ``keys.py`` so callers can name a field class or an index kind without
pulling in key management.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from privacy.crypto import Profile
from privacy.errors import UnknownFieldClassError


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


def field_class_of(value: str) -> FieldClass:
    """Return ``value`` as a :class:`FieldClass`.

    Raises:
        UnknownFieldClassError: ``value`` is not one of ``FIELD_CLASSES``.
    """
    try:
        return FieldClass(value)
    except ValueError:
        raise UnknownFieldClassError(str(value), FIELD_CLASSES) from None

"""Resident identity numbers (GB 11643-1999) and disability certificate numbers.

FORMATS.md 2.1: convert full-width digits and ``Ｘ`` to ASCII, drop ASCII and ``\\u3000``
spaces, upper-case ``x``, upgrade 15 to 18 digits, then validate the checksum (with
:func:`privacy.normalise.id_check_character`, the hub's one GB 11643 check). A failed
checksum is kept as a flag (``valid=False``), never a rejection: such a row can still be
linked by name and other attributes. An 11-digit mobile number typed into the ID column is
recognised as ``kind="phone"``.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Literal, NamedTuple

from privacy.normalise import id_check_character

IdKind = Literal["id18", "id15", "invalid", "phone", "missing"]

_DIGITS = frozenset("0123456789")

# Full-width digits and letters to ASCII; spaces (ASCII, ideographic, tab, NBSP) removed.
_CLEAN_TABLE = {0xFF10 + i: ord("0") + i for i in range(10)}
_CLEAN_TABLE.update({0xFF21 + i: ord("A") + i for i in range(26)})
_CLEAN_TABLE.update({0xFF41 + i: ord("a") + i for i in range(26)})
_CLEAN_TABLE.update({ord(" "): None, 0x3000: None, ord("\t"): None, 0xA0: None})


class IdNumber(NamedTuple):
    """A normalised resident ID value.

    Attributes:
        number: the 18-character number when it could be normalised, otherwise the cleaned
            raw value (typo, transposition, phone), or ``None`` when empty.
        kind: ``id18`` (written with 18 chars), ``id15`` (legacy, upgraded), ``phone``,
            ``invalid`` (wrong length or characters) or ``missing``.
        valid: the 18-character number passes the checksum and holds a real birth date.
        birth_date: the birth date the number encodes, when valid.
        sex: the sex the number encodes (17th digit odd = 男), when valid.
    """

    number: str | None
    kind: IdKind
    valid: bool
    birth_date: date | None = None
    sex: Literal["男", "女"] | None = None


class DisabilityCert(NamedTuple):
    """A disability certificate number split per FORMATS.md 2.2."""

    id: IdNumber
    category_digit: int | None
    level_digit: int | None


def clean_id_text(raw: str) -> str:
    """Return ``raw`` with full-width characters made ASCII, spaces removed, upper-cased."""
    return raw.translate(_CLEAN_TABLE).upper()


def _birth(yyyymmdd: str) -> date | None:
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


def _checked(number: str, kind: IdKind, checksum_ok: bool) -> IdNumber:
    birth = _birth(number[6:14])
    if not checksum_ok or birth is None:
        return IdNumber(number, kind, False)
    return IdNumber(number, kind, True, birth, "男" if int(number[16]) % 2 else "女")


def _is_mobile(digits: str) -> bool:
    return len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789"


@lru_cache(maxsize=262_144)
def normalise_id(raw: str | None) -> IdNumber:
    """Normalise a resident identity number as FORMATS.md 2.1 recommends.

    Args:
        raw: the value of an ID column as written by the department.

    Returns:
        The normalised number, its kind and whether it is valid. Never raises: a bad value
        is information for linkage, not a reason to drop the row.
    """
    if raw is None:
        return IdNumber(None, "missing", False)
    value = clean_id_text(raw)
    if not value:
        return IdNumber(None, "missing", False)
    if len(value) == 18 and _DIGITS.issuperset(value[:17]) and (
        value[17] in _DIGITS or value[17] == "X"
    ):
        return _checked(value, "id18", id_check_character(value[:17]) == value[17])
    if len(value) == 15 and _DIGITS.issuperset(value):
        first17 = value[:6] + "19" + value[6:]
        upgraded = first17 + id_check_character(first17)
        return _checked(upgraded, "id15", True)
    digits = value[3:] if value.startswith("+86") else value
    digits = digits.replace("-", "")
    if _is_mobile(digits):
        return IdNumber(digits, "phone", False)
    return IdNumber(value, "invalid", False)


@lru_cache(maxsize=65_536)
def normalise_disability_cert(raw: str | None) -> DisabilityCert:
    """Split a 20-character disability certificate number into ID, category and level.

    The ID part carries the same noise as any ID (lower-case x, full-width digits, typos),
    so it is normalised with :func:`normalise_id`. A 17-character value is taken as a
    15-digit legacy ID plus the two digits.

    Args:
        raw: the 残疾人证号 value.

    Returns:
        The holder's ID and the category and level digits (``None`` when not digits).
    """
    if raw is None:
        return DisabilityCert(normalise_id(None), None, None)
    value = clean_id_text(raw)
    if len(value) in (20, 17):
        category, level = value[-2], value[-1]
        return DisabilityCert(
            normalise_id(value[:-2]),
            int(category) if category in _DIGITS else None,
            int(level) if level in _DIGITS else None,
        )
    return DisabilityCert(normalise_id(value), None, None)


def birth_date_from_id(id_number: IdNumber) -> date | None:
    """Return the birth date encoded in a valid normalised ID, else ``None``."""
    return id_number.birth_date


def sex_from_id(id_number: IdNumber) -> Literal["男", "女"] | None:
    """Return the sex encoded in a valid normalised ID (17th digit odd = 男), else ``None``."""
    return id_number.sex

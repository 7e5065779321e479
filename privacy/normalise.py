"""Normalisers for identifiers, so equal people give equal blind indexes.

A blind index only matches exact bytes, so every writer and reader must reduce a value
to one canonical form first. The rules are deliberately conservative: they undo
formatting differences (full-width characters, spaces, dots in minority names, traditional
characters, country prefixes) and the 15→18-digit ID upgrade, never spelling differences;
fuzzy matching is the linkage stage's job, on decrypted values.

Names have one normaliser, :func:`normalise_name`: ingest stores its result (sealed) and
the blind index hashes :func:`name_index_form` of it, so a name indexed at ingest and the
same name looked up as written anywhere else give the same index.

Resident ID numbers follow GB 11643-1999: 6-digit region code, 8-digit birth date,
3-digit sequence, check character ``"10X98765432"[sum(d_i * w_i) mod 11]`` with weights
7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2. Legacy 15-digit numbers omit the century (always
19) and the check character.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path

import opencc

from privacy.errors import InvalidIdentifierError

_ID_CHECK = "10X98765432"
# GB 11643 weighs digit i by w_i = 2**(17 - i) mod 11 (7, 9, 10, 5, ...) and 13 = 2 (mod 11),
# so sum(d_i * w_i) mod 11 equals 2 * int(first17, 13) mod 11: one C-level int() instead of
# 17 Python multiplications (tests/privacy/test_normalise.py checks both against each other).
# First two digits of the region code: provinces, Taiwan (71), Hong Kong (81), Macao (82).
# fmt: off
PROVINCE_CODES = frozenset(str(code) for code in (
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
    50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
))
# fmt: on
MIDDLE_DOT = "·"
# Middle-dot variants used between parts of minority and foreign names: `•` U+2022, `.`,
# `・` U+30FB, `．` U+FF0E (NFKC makes it `.`), `‧` U+2027, `∙` U+2219, `⋅` U+22C5, `･`
# U+FF65 (NFKC makes it `・`), `·` U+00B7 and Greek ano teleia U+0387.
_NAME_DOT_RUNS = re.compile("[•.・．‧∙⋅･·\u0387]+")
_SPACES = re.compile(r"\s+")
_ID_18 = re.compile(r"[0-9]{17}[0-9X]")
_ID_15 = re.compile(r"[0-9]{15}")
_DATE = re.compile(r"([0-9]{4})[^0-9]?([0-9]{1,2})[^0-9]?([0-9]{1,2})[^0-9]?")


def id_check_character(first17: str) -> str:
    """Return the GB 11643 check character (``0``-``9`` or ``X``) for 17 leading digits."""
    if len(first17) != 17 or not first17.isdigit() or not first17.isascii():
        raise InvalidIdentifierError("id_number", "the check needs exactly 17 leading digits")
    return _ID_CHECK[2 * int(first17, 13) % 11]


def upgrade_id_15_to_18(id15: str) -> str:
    """Convert a legacy 15-digit ID number to 18 digits: insert ``19``, append the check.

    Example: ``110105491231002`` → ``11010519491231002X``.
    """
    if not _ID_15.fullmatch(id15):
        raise InvalidIdentifierError("id_number", "a legacy ID number has exactly 15 digits")
    first17 = id15[:6] + "19" + id15[6:]
    return first17 + id_check_character(first17)


def plausible_birth_date(yyyymmdd: str, *, max_year: int | None = None) -> bool:
    """Return True if ``yyyymmdd`` is a real calendar date from 1900 to ``max_year``.

    ``max_year`` defaults to the current year.
    """
    if len(yyyymmdd) != 8 or not (yyyymmdd.isascii() and yyyymmdd.isdigit()):
        return False
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return False
    return 1900 <= born.year <= (max_year or date.today().year)


def is_valid_id_number(value: str) -> bool:
    """Return True if ``value`` is a canonical 18-character ID number that checks out.

    Checks: 17 digits and a check character (upper-case X), a known province code, a
    plausible birth date and the GB 11643 checksum. Does not normalise ``value``.
    """
    return (
        _ID_18.fullmatch(value) is not None
        and value[:2] in PROVINCE_CODES
        and plausible_birth_date(value[6:14])
        and id_check_character(value[:17]) == value[17]
    )


def normalise_id_number(value: str, *, verify_checksum: bool = True) -> str:
    """Reduce a resident ID number to its canonical 18-character form.

    Removes ASCII and ideographic spaces, turns full-width characters into half-width
    (NFKC), upper-cases the check character, and upgrades 15-digit numbers to 18.

    Args:
        value: The ID number as written in the source.
        verify_checksum: Reject an 18-digit number whose check character is wrong.

    Returns:
        17 digits followed by a digit or ``X``.

    Raises:
        InvalidIdentifierError: Wrong length or characters, or a checksum mismatch (the
            message never contains the value).
    """
    if type(value) is str and _ID_18.fullmatch(value):
        compact = value  # already canonical (the common case): nothing to normalise
    else:
        # ASCII is already NFKC: skip the Unicode pass for it.
        if type(value) is not str or not value.isascii():
            value = unicodedata.normalize("NFKC", value)
        compact = "".join(value.split()).upper()
        if len(compact) == 15 and _ID_15.fullmatch(compact):
            return upgrade_id_15_to_18(compact)
        if not _ID_18.fullmatch(compact):
            raise InvalidIdentifierError(
                "id_number",
                f"expected 18 characters (17 digits and a digit or X) or 15 digits after "
                f"removing spaces, got {len(compact)} characters",
            )
    if verify_checksum and id_check_character(compact[:17]) != compact[17]:
        raise InvalidIdentifierError(
            "id_number", "check character does not match (GB 11643); likely a typo"
        )
    return compact


@cache
def _t2s() -> opencc.OpenCC:
    """OpenCC's traditional-to-simplified converter (built on first use: it loads tables)."""
    return opencc.OpenCC("t2s")


@cache
def _traditional_characters() -> frozenset[str] | None:
    """Characters OpenCC's t2s character table changes, or ``None`` if it cannot be read.

    OpenCC's converter (pure Python) costs ~10 µs per name; most names have no
    traditional character at all, so they skip it.
    """
    table = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    try:
        lines = table.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    changed = set()
    for line in lines:
        key, _, values = line.partition("\t")
        if key and values.split(" ")[0] != key:
            changed.add(key)
    return frozenset(changed)


@lru_cache(maxsize=262_144)
def normalise_name(value: str) -> str:
    """Reduce a person's name to its canonical spelling (FORMATS.md section 6).

    Undoes what can be undone without guessing: NFKC (full-width letters become
    half-width), all whitespace removed, middle-dot variants unified to ``·`` (none
    leading or trailing: ``阿依古丽•买买提`` becomes ``阿依古丽·买买提``), traditional
    characters converted to simplified. Homophones, transliterations and a dropped middle
    dot are left to linkage. Idempotent. Ingest stores this spelling; the blind index
    hashes :func:`name_index_form` of it.

    Args:
        value: A name as written by a department or a user.

    Returns:
        The canonical spelling.

    Raises:
        InvalidIdentifierError: Nothing is left after normalisation.
    """
    text = _SPACES.sub("", unicodedata.normalize("NFKC", value))
    text = _NAME_DOT_RUNS.sub(MIDDLE_DOT, text).strip(MIDDLE_DOT)
    if not text:
        raise InvalidIdentifierError("name", "empty after removing spaces and dots")
    traditional = _traditional_characters()
    if traditional is None or not traditional.isdisjoint(text):
        text = str(_t2s().convert(text))
    return text


def name_index_form(value: str) -> str:
    """The form of a name a blind index hashes: :func:`normalise_name` without its middle
    dots, Latin letters case-folded.

    An exact index cannot be fuzzy, so it also ignores what the stored spelling keeps for
    display and linkage: a dropped middle dot (``阿依古丽买买提``) and letter case.

    Args:
        value: A name as written, or already normalised.

    Returns:
        The index form.

    Raises:
        InvalidIdentifierError: Nothing is left after normalisation.
    """
    return normalise_name(value).replace(MIDDLE_DOT, "").casefold()


def normalise_phone(value: str) -> str:
    """Reduce a phone number to its national digits.

    Full-width digits become ASCII, everything but digits is dropped, and a ``+86`` /
    ``0086`` country prefix (or a bare ``86`` before an 11-digit mobile) is removed;
    a landline keeps its leading ``0`` area code.

    Raises:
        InvalidIdentifierError: Fewer than 5 digits remain.
    """
    text = unicodedata.normalize("NFKC", value).strip()
    digits = "".join(ch for ch in text if ch.isascii() and ch.isdigit())
    if text.startswith("+86"):
        digits = digits[2:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith("861"):
        digits = digits[2:]
    if len(digits) < 5:
        raise InvalidIdentifierError("phone", f"only {len(digits)} digits after cleaning")
    return digits


def normalise_birth_date(value: str | date) -> str:
    """Return a birth date as ``YYYY-MM-DD``.

    Accepts a ``date``/``datetime`` or text such as ``1985-03-07``, ``19850307``,
    ``1985/3/7`` or ``1985年3月7日``.

    Raises:
        InvalidIdentifierError: Not a real calendar date.
    """
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = unicodedata.normalize("NFKC", value).strip()
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    match = _DATE.fullmatch(text)
    if match is None:
        raise InvalidIdentifierError("birth_date", "expected a date like 1985-03-07")
    try:
        return date(*(int(g) for g in match.groups())).isoformat()
    except ValueError as exc:
        raise InvalidIdentifierError("birth_date", "not a real calendar date") from exc

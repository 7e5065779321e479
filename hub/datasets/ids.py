"""Identifiers: GB 11643 ID numbers (and their noise), 户号, credit codes, plates, phones."""

from __future__ import annotations

import random
import unicodedata
from datetime import date

from privacy.normalise import id_check_character

_FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
_PLATE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
_ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def is_valid_id18(value: str) -> bool:
    """True when ``value`` is an 18-character ID with a correct check character.

    Full-width digits count as digits (NFKC), as the noise writes them.
    """
    value = unicodedata.normalize("NFKC", value)
    return (len(value) == 18 and value[:17].isascii() and value[:17].isdigit()
            and id_check_character(value[:17]) == value[17])


def make_id18(region: str, birth: date, seq: int) -> str:
    """Build a valid 18-digit ID from issuing region, birth date and 3-digit sequence."""
    first = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first + id_check_character(first)


def to_id15(id18: str) -> str:
    """The legacy 15-digit form (region + YYMMDD + sequence)."""
    return id18[:6] + id18[8:17]


def id_typo(rng: random.Random, id18: str) -> str:
    """Change one digit so that the checksum fails."""
    pos = rng.randrange(17)
    digit = rng.choice([d for d in "0123456789" if d != id18[pos]])
    return id18[:pos] + digit + id18[pos + 1:]


def id_transposition(rng: random.Random, id18: str) -> str:
    """Swap two adjacent, different characters (the checksum then always fails)."""
    spots = [i for i in range(17) if id18[i] != id18[i + 1]]
    i = rng.choice(spots)
    return id18[:i] + id18[i + 1] + id18[i] + id18[i + 2:]


def fullwidth(value: str) -> str:
    """Full-width digits (and Ｘ)."""
    return value.translate(_FULLWIDTH)


def spaces_in_id(rng: random.Random, value: str) -> str:
    """Spaces inside or after an ID, as typed in the 医保 system."""
    style = rng.random()
    if style < 0.45 and len(value) == 18:
        return f"{value[:6]} {value[6:14]} {value[14:]}"
    if style < 0.75:
        return value + " "
    cut = rng.randint(3, len(value) - 3)
    return value[:cut] + " " + value[cut:]


def mobile(rng: random.Random) -> str:
    """An 11-digit mobile number."""
    return rng.choice(("13", "15", "17", "18")) + f"{rng.randrange(10**9):09d}"


def phone_text(rng: random.Random, area: str) -> str:
    """A phone number in one of the spellings of FORMATS.md 4.6 (may be empty)."""
    r = rng.random()
    m = mobile(rng)
    if r < 0.45:
        return m
    if r < 0.58:
        return f"{m[:3]} {m[3:7]} {m[7:]}"
    if r < 0.68:
        return f"{m[:3]}-{m[3:7]}-{m[7:]}"
    if r < 0.75:
        return "+86 " + m
    if r < 0.85:
        return f"{area}-{rng.randrange(2000000, 9999999)}"
    if r < 0.93:
        return f"{m}/{mobile(rng)}"
    return ""


AREA_CODES = {"360222": "0798", "410502": "0372", "533401": "0887", "659001": "0993"}


def credit_code(rng: random.Random, kind: str, region: str) -> str:
    """Unified social credit code (GB 32100 layout with a check character)."""
    org = "".join(rng.choice(_ORG_CHARS) for _ in range(9))
    body = ("92" if kind == "个体工商户" else "91") + region + org
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = sum(_ORG_CHARS.index(c) * w for c, w in zip(body, weights, strict=True))
    return body + _ORG_CHARS[(31 - total % 31) % 31]


def plate(rng: random.Random, prefix: str) -> str:
    """Plate number: province+city prefix and 5 characters."""
    return prefix + "".join(rng.choice(_PLATE_CHARS) for _ in range(5))


def title_no(rng: random.Random, province: str, year: int, city: str, seq: int) -> str:
    """不动产权证号, e.g. ``豫(2019)安阳市不动产权第1000053号``."""
    return f"{province}({year}){city}不动产权第{rng.randint(1, 9)}{seq:06d}号"


def hukou_no(region: str, township_index: int, seq: int) -> str:
    """户号: region code + 3-digit township index + 5-digit sequence."""
    return f"{region}{township_index:03d}{seq:05d}"

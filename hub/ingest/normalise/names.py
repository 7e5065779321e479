"""Person names: one spelling for the noise of FORMATS.md section 6.

Undoes what can be undone without guessing: full-width forms (NFKC), stray ASCII and
``\\u3000`` spaces, the middle-dot variants of Uyghur/Kazakh names and traditional
characters. Homophones, transliterations and a dropped middle dot cannot be undone here;
they are linkage's job (fuzzy comparison).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import opencc
from opencc import OpenCC

MIDDLE_DOT = "·"

# `•` U+2022, `.`, `・` U+30FB, `．` U+FF0E (NFKC makes it `.`), `‧` U+2027, `∙` U+2219,
# `⋅` U+22C5, `･` U+FF65 (NFKC makes it `・`), `·` U+00B7 and Greek ano teleia U+0387.
_DOTS = re.compile("[•.・．‧∙⋅･·\u0387]+")
_SPACES = re.compile(r"\s+")
_T2S = OpenCC("t2s")


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


_TRADITIONAL = _traditional_characters()


@lru_cache(maxsize=262_144)
def normalise_name(raw: str | None) -> str | None:
    """Return the canonical spelling of a name, or ``None`` when empty.

    Args:
        raw: the name as written by the department.

    Returns:
        NFKC-normalised, spaces removed, middle dots unified to ``·`` (no leading/trailing
        dot), traditional characters converted to simplified.
    """
    if raw is None:
        return None
    value = unicodedata.normalize("NFKC", raw)
    value = _SPACES.sub("", value)
    value = _DOTS.sub(MIDDLE_DOT, value).strip(MIDDLE_DOT)
    if not value:
        return None
    if _TRADITIONAL is None or not _TRADITIONAL.isdisjoint(value):
        value = _T2S.convert(value)
    return value

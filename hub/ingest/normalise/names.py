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

from opencc import OpenCC

MIDDLE_DOT = "·"

# `•` U+2022, `.`, `・` U+30FB, `．` U+FF0E (NFKC makes it `.`), `‧` U+2027, `∙` U+2219,
# `⋅` U+22C5, `･` U+FF65 (NFKC makes it `・`), `·` U+00B7 and Greek ano teleia U+0387.
_DOTS = re.compile("[•.・．‧∙⋅･·\u0387]+")
_SPACES = re.compile(r"\s+")
_T2S = OpenCC("t2s")


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
    if not value.isascii():
        value = _T2S.convert(value)
    return value

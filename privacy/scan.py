"""Find plaintext identifiers and residents' names in text (``hub privacy scan``).

Pure detection, no I/O. Four kinds are reported:

- ``resident_id``: 18 characters (17 digits + digit/X) with a valid GB 11643 checksum, a
  known province code and a plausible birth date; or a legacy 15-digit number with a
  known province code and a plausible 19xx birth date.
- ``mobile``: a mainland mobile number ``1[3-9]xxxxxxxxx``, optionally written
  ``+86``/``0086``-prefixed and grouped 3-4-4 with spaces or hyphens.
- ``bank_card``: 13 to 19 digits (optionally in groups of four) passing the Luhn check.
- ``person_name``: the name of a resident, found by :class:`NameFinder` (built from the
  names the hub holds, decrypted in memory by the caller).

Precision rules: a candidate must be a whole run of ASCII digits, bounded by characters
that are neither ASCII letters nor digits, and not one side of a decimal point (``0.0375…``
is a float, as in a linkage model's parameters), so digits inside hex hashes, base64
payloads, floats or words are ignored; ciphertext tokens (``enc1.…``) are skipped
entirely; runs of one repeated digit are not cards. Full-width digits are read as ASCII
digits. Residual false positives: a blind-index value whose 16 hex characters happen to be
all decimal digits (about 1 in 2,000) can pass Luhn (1 in 10); scan index columns with
that in mind.

A :class:`Finding` never holds the value, only its kind, span and a masked form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from privacy.normalise import (
    PROVINCE_CODES,
    is_valid_id_number,
    plausible_birth_date,
)

_FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
# a digit run must not touch a letter or digit, nor be either side of a decimal point
_EDGE_BEFORE = r"(?<![0-9A-Za-z])(?<![0-9]\.)"
_EDGE_AFTER = r"(?![0-9A-Za-z])(?!\.[0-9])"
_TOKEN = re.compile(r"enc[0-9]+\.[A-Za-z0-9_.\-]*")
_ID = re.compile(_EDGE_BEFORE + r"(?:[0-9]{17}[0-9Xx]|[0-9]{15})" + _EDGE_AFTER)
_MOBILE = re.compile(
    _EDGE_BEFORE
    + r"(?:(?:\+|00)86[ \-]?)?(1[3-9][0-9])([ \-]?)([0-9]{4})\2([0-9]{4})"
    + _EDGE_AFTER
)
_CARD = re.compile(
    _EDGE_BEFORE
    + r"(?:[0-9]{13,19}|[0-9]{4}(?:([ \-])[0-9]{4}){2,3}(?:\1[0-9]{1,3})?)"
    + _EDGE_AFTER
)
# Prefilters for a database (valid in Python and Java regexes, matched against the whole
# value): every text in which ``find_identifiers`` or ``NameFinder`` can find something
# passes them, most other text does not. ``hub privacy scan`` runs them inside Neo4j so
# that only candidates come back.
_D = "[0-9\uff10-\uff19]"
_DIGITISH = "[0-9\uff10-\uff19 \\-]"
_NOT_BEFORE = "(?<![0-9A-Za-z\uff10-\uff19])(?<![0-9]\\.)"
# a run of 11 or more digits, spaces and hyphens, not glued to a letter, digit or decimal
# point before it: needed for any ID, mobile or card
LONG_DIGIT_RUN = f"(?s).*{_NOT_BEFORE}{_D}{_DIGITISH}{{10}}.*"
_NOT_AFTER = "(?![0-9A-Za-z\uff10-\uff19])(?!\\.[0-9])"
NUMBER_CANDIDATE = (
    "(?s).*" + _NOT_BEFORE + "(?:"
    + f"{_D}{{17}}[0-9Xx\uff10-\uff19\uff38\uff58]|{_D}{{15}}"
    + f"|1[3-9]{_D}[ \\-]?{_D}{{4}}[ \\-]?{_D}{{4}}"
    + f"|{_D}{{13,19}}|{_D}{{4}}(?:[ \\-]{_D}{{4}}){{2,3}}(?:[ \\-]{_D}{{1,3}})?"
    + ")" + _NOT_AFTER + ".*"
)
# at least two Chinese characters, as in any name the NameFinder knows (a superset: every
# character from U+3400 up; ``.*`` is the fastest form for Java's regex engine)
TEXT_CANDIDATE = "(?s).*[\u3400-\uffff].*[\u3400-\uffff].*"
# Where a text may be cut into segments without cutting a name (names hold none of these);
# few, as ``split`` in Cypher costs in proportion to their number.
SEGMENT_SEPARATORS = (":", "|", ";", ",", "\n", "\t", " ", "/", "=", '"')

# Priority when candidates overlap: the most specific kind wins.
_PRIORITY = {"resident_id": 0, "mobile": 1, "bank_card": 2, "person_name": 3}


@dataclass(frozen=True, slots=True)
class Finding:
    """A suspected plaintext identifier in scanned text.

    Attributes:
        kind: ``"resident_id"``, ``"mobile"``, ``"bank_card"`` or ``"person_name"``.
        start: Index of the first character in the scanned text.
        end: Index one past the last character (``text[start:end]`` is the match).
        masked: The value with its middle replaced by ``*``, e.g. ``6590**********123X``
            (a name keeps its first character only: ``龙**``).
    """

    kind: str
    start: int
    end: int
    masked: str


def mask_identifier(value: str) -> str:
    """Mask the middle of an identifier, keeping just enough to recognise it.

    Spaces, hyphens and a leading ``+`` are dropped first. Keeps the first 4 and last 4
    characters from 13 characters up (``6590**********123X``), first 3 and last 4 for 11
    or 12 (``138****5678``), first and last 2 for 7 to 10, and nothing below that.
    """
    compact = "".join(value.split()).replace("-", "").lstrip("+")
    n = len(compact)
    if n >= 13:
        head, tail = 4, 4
    elif n >= 11:
        head, tail = 3, 4
    elif n >= 7:
        head, tail = 2, 2
    else:
        return "*" * n
    return compact[:head] + "*" * (n - head - tail) + compact[n - tail :]


def luhn_valid(digits: str) -> bool:
    """Return True if the ASCII digit string ``digits`` passes the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _plausible_id(candidate: str) -> bool:
    candidate = candidate.upper()
    if len(candidate) == 18:
        return is_valid_id_number(candidate)
    return candidate[:2] in PROVINCE_CODES and plausible_birth_date("19" + candidate[6:12])


def find_identifiers(text: str) -> list[Finding]:
    """Report substrings of ``text`` that look like resident IDs, mobiles or bank cards.

    Args:
        text: Any text; nothing is stored or logged.

    Returns:
        Non-overlapping findings sorted by position, each with a masked value only.
    """
    scanned = text.translate(_FULLWIDTH)
    skipped = [m.span() for m in _TOKEN.finditer(scanned)]
    candidates: list[Finding] = []
    for m in _ID.finditer(scanned):
        if _plausible_id(m.group()):
            candidates.append(Finding("resident_id", *m.span(), mask_identifier(m.group())))
    for m in _MOBILE.finditer(scanned):
        number = m.group(1) + m.group(3) + m.group(4)
        candidates.append(Finding("mobile", *m.span(), mask_identifier(number)))
    for m in _CARD.finditer(scanned):
        digits = re.sub(r"[ \-]", "", m.group())
        if 13 <= len(digits) <= 19 and len(set(digits)) > 1 and luhn_valid(digits):
            candidates.append(Finding("bank_card", *m.span(), mask_identifier(digits)))
    accepted: list[Finding] = []
    for finding in sorted(candidates, key=lambda f: (_PRIORITY[f.kind], f.start)):
        span = (finding.start, finding.end)
        if not any(_overlaps(span, (a.start, a.end)) for a in accepted) and not any(
            _overlaps(span, s) for s in skipped
        ):
            accepted.append(finding)
    return sorted(accepted, key=lambda f: f.start)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


# CJK unified ideographs (with extension A) and compatibility ideographs
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# separators written inside minority names (本人名·父名), in the variants exports use
_NAME_DOTS = ("·", "•", "・", "．", ".", "")


def mask_name(name: str) -> str:
    """Keep a name's first character only (``龙**``): enough to tell findings apart."""
    return name[:1] + "*" * (len(name) - 1)


def _name_variants(name: str) -> set[str]:
    compact = "".join(name.split())
    dots = [d for d in _NAME_DOTS[:-1] if d in compact]
    if not dots:
        return {compact}
    base = compact
    for dot in dots:
        base = base.replace(dot, "\0")
    return {base.replace("\0", dot) for dot in _NAME_DOTS}


class NameFinder:
    """Finds residents' names in text, all names in one Aho–Corasick pass (pyahocorasick).

    Why the length rule: a name of three or more characters is specific enough to report
    wherever it occurs ("浮梁县峙滩镇龙春雷养殖场"), but two characters inside a longer run
    of Chinese text are too often an ordinary word or part of a place or company name; a
    two-character name is reported only as a whole segment, bounded by non-Chinese
    characters or the ends of the text ("王伟", "户主:王伟;"). Names with fewer than two
    Chinese characters are ignored. Dotted minority names match in every dot variant.

    The names stay in memory only; ``repr`` shows how many there are, nothing else.
    """

    def __init__(self, names: Iterable[str]) -> None:
        """Args:
            names: plaintext names of persons (duplicates and blanks are fine).
        """
        self._automaton = ahocorasick.Automaton()
        for name in names:
            for variant in _name_variants(name):
                if len(_CJK.findall(variant)) >= 2:
                    self._automaton.add_word(variant, len(variant))
        self._size = len(self._automaton)
        if self._size:
            self._automaton.make_automaton()

    def __len__(self) -> int:
        return self._size

    def __repr__(self) -> str:
        return f"<NameFinder of {self._size} names>"

    def find(self, text: str) -> list[Finding]:
        """Report residents' names in ``text`` (longest first where they overlap).

        Args:
            text: Any text; nothing is stored or logged.

        Returns:
            Non-overlapping ``person_name`` findings sorted by position, masked.
        """
        if not self._size or not _CJK.search(text):
            return []
        hits: list[tuple[int, int]] = []
        for last, length in self._automaton.iter(text):
            start, end = last + 1 - length, last + 1
            if length == 2 and not _segment(text, start, end):
                continue
            hits.append((start, end))
        accepted: list[Finding] = []
        for start, end in sorted(hits, key=lambda h: (h[0] - h[1], h[0])):
            if not any(_overlaps((start, end), (f.start, f.end)) for f in accepted):
                accepted.append(Finding("person_name", start, end,
                                        mask_name(text[start:end])))
        return sorted(accepted, key=lambda f: f.start)


def _segment(text: str, start: int, end: int) -> bool:
    """True if ``text[start:end]`` is not glued to Chinese characters on either side."""
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    return not _CJK.match(before) and not _CJK.match(after)

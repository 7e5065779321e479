"""Keyed blind indexes: equality lookups on encrypted fields without plaintext.

A blind index is ``HMAC(index_key, normalised value)`` (HMAC-SHA256 for the ``standard``
profile, HMAC-SM3 for ``national``), truncated and hex-encoded. Equal values give equal
indexes, so Neo4j can look up "the person with this ID number" by an indexed property,
while the value itself stays encrypted. Without the key the index reveals nothing; with
it an attacker can test guesses, so index keys are as sensitive as data keys.

**Independent keys.** Each kind (``id_number``, ``name_birth``, ``phone``, ``generic``)
has its own key, so the index columns cannot be joined to each other, and a ``generic``
index derives a separate sub-key per ``purpose``.

**Truncation: 64 bits by default.** Among n distinct values, b-bit indexes give about
n²/2^(b+1) colliding pairs. At n = 10 million people (the scale of a province's
assistance roll), 64 bits gives ~3·10⁻⁶ expected collisions, so the index is safe as an
exact join and blocking key in linkage: two people practically never merge because of an
index collision. Bucket-style privacy ("k-anonymity" from deliberate false positives)
would need about log2(n/k) bits, i.e. ~20 bits for k = 10: every lookup would return ~10
candidates to decrypt and compare, the index would be useless as a join key, and the
gain (ambiguity for someone who has already stolen the index key) is small.
Deployments that want it can pass ``bits=`` (16 to 256, a multiple of 4) but must then
confirm every candidate by decrypting. The bit count is part of the index: change it
and every index must be recomputed.

**Low-cardinality attributes are never indexed alone.** A keyed hash of sex, ethnicity,
disability grade or region (few distinct values) is broken by frequency analysis: the
largest group is obvious, and one known record unmasks everyone sharing its value. Such
an attribute may only be indexed *together with* an identifier (:meth:`BlindIndexer.combined`),
which answers "does this person have value v?" without revealing the distribution.
"""

from __future__ import annotations

from datetime import date

from privacy.crypto import MacKey, derive_key, length_prefixed
from privacy.key_types import IndexKind
from privacy.keys import Keyring
from privacy.normalise import (
    name_index_form,
    normalise_birth_date,
    normalise_id_number,
    normalise_phone,
)

DEFAULT_BITS = 64
_DOMAIN = "hub-bi/1"
# Plain str (not the enum members): they are dict keys on the hot path, and an enum
# member hashes through a Python-level ``__hash__``.
_ID_NUMBER = IndexKind.ID_NUMBER.value
_NAME_BIRTH = IndexKind.NAME_BIRTH.value
_PHONE = IndexKind.PHONE.value
_GENERIC = IndexKind.GENERIC.value


class BlindIndexer:
    """Compute blind indexes with a keyring's index keys.

    Args:
        keyring: Holds one wrapped key per index kind and the index profile.
        bits: Output length in bits (16..256, multiple of 4); see the module docstring
            for why 64 is the default.

    Raises:
        ValueError: ``bits`` out of range.
    """

    def __init__(self, keyring: Keyring, *, bits: int = DEFAULT_BITS) -> None:
        if not 16 <= bits <= 256 or bits % 4:
            raise ValueError("bits must be a multiple of 4 between 16 and 256")
        self._keyring = keyring
        self._profile = keyring.index_profile
        self._hex_chars = bits // 4
        self._macs: dict[str, MacKey] = {}

    @property
    def bits(self) -> int:
        """Length of each index in bits."""
        return self._hex_chars * 4

    def id_number(self, value: str) -> str:
        """Index a resident ID number (15 or 18 digits; normalised, checksum verified).

        Raises:
            InvalidIdentifierError: Not a valid ID number.
        """
        return self._index(_ID_NUMBER, normalise_id_number(value))

    def name_birth(self, name: str, birth_date: str | date) -> str:
        """Index a normalised name together with a birth date (``YYYY-MM-DD``).

        Names alone are low-entropy and heavily shared (王伟 …); pairing with the birth
        date makes the index specific enough for lookups and blocking.

        Raises:
            InvalidIdentifierError: Empty name or not a real date.
        """
        return self._index(_NAME_BIRTH, name_index_form(name), normalise_birth_date(birth_date))

    def phone(self, value: str) -> str:
        """Index a phone number (digits only, ``+86``/``0086`` prefix removed).

        Raises:
            InvalidIdentifierError: Fewer than 5 digits.
        """
        return self._index(_PHONE, normalise_phone(value))

    def generic(self, value: str, *, purpose: str) -> str:
        """Index an already-normalised high-cardinality ``value`` (account number …).

        Args:
            value: Used byte for byte; normalise it first.
            purpose: Names the column, e.g. ``"bank_account"``; each purpose gets its own
                derived key, so two generic columns cannot be joined.
        """
        if not purpose or "/" in purpose:
            raise ValueError("purpose must name what is indexed, e.g. 'bank_account' (no '/')")
        return self._index(f"{_GENERIC}/{purpose}", value)

    def combined(self, id_number: str, *, attribute: str, value: str) -> str:
        """Index a low-cardinality attribute bound to a person's ID number.

        The only allowed way to index attributes such as sex, disability grade or region
        code (see the module docstring): answers "does this person have ``value``?".

        Args:
            id_number: The person's ID number (normalised and verified here).
            attribute: Attribute name, e.g. ``"disability_grade"``; own derived key.
            value: The attribute value, used byte for byte.

        Raises:
            InvalidIdentifierError: ``id_number`` is not a valid ID number.
        """
        if not attribute or "/" in attribute:
            raise ValueError("attribute must name what is indexed, e.g. 'disability_grade'")
        return self._index(
            f"{_GENERIC}/combined/{attribute}", normalise_id_number(id_number), value
        )

    def _index(self, kind: str, *parts: str) -> str:
        """Return the truncated hex ``HMAC(key(kind), LP(domain, kind, *parts))``."""
        mac = self._macs.get(kind)
        if mac is None:
            mac = self._new_mac(kind)
        return mac.digest(length_prefixed(*parts)).hex()[: self._hex_chars]

    def _new_mac(self, kind: str) -> MacKey:
        """Prepare the keyed MAC of ``kind`` with the constant ``LP(domain, kind)`` prefix."""
        root, _, purpose = kind.partition("/")
        key = self._keyring.index_key(root)
        if purpose:
            key = derive_key(self._profile, key, f"blind-index/{purpose}")
        mac = MacKey(self._profile, key, length_prefixed(_DOMAIN, kind))
        self._macs[kind] = mac
        return mac

    def __repr__(self) -> str:
        return f"BlindIndexer(profile={str(self._profile)!r}, bits={self.bits})"

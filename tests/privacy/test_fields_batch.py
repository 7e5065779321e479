"""Tests for the batch API and the prepared-key cache of ``FieldEncryptor``."""

from __future__ import annotations

import pytest

from privacy.errors import (
    MalformedCiphertextError,
    RetiredKeyVersionError,
    TamperedCiphertextError,
    UnknownFieldClassError,
    WrongContextError,
)
from privacy.fields import FieldEncryptor, ciphertext_version
from privacy.keys import Keyring

ROWS = [
    ("11010519491231002X", "SourceRecord", "GA1", "id_number", "identifier"),
    ("阿依古丽·买买提", "SourceRecord", "GA1", "name", "name"),
    ("", "Person", "p-9", "note", "free_text"),
    ("13812345678", "Person", "p-9", "phone", "contact"),
]


def _items(tokens: list[str]) -> list[tuple[str, str, str, str]]:
    return [
        (t, label, key, field) for t, (_, label, key, field, _) in zip(tokens, ROWS, strict=True)
    ]


def test_encrypt_many_and_decrypt_many_round_trip(encryptor: FieldEncryptor) -> None:
    tokens = encryptor.encrypt_many(ROWS)
    assert [t.split(".")[2] for t in tokens] == [row[4] for row in ROWS]
    assert encryptor.decrypt_many(_items(tokens)) == [row[0] for row in ROWS]
    for token, (value, label, key, field, _) in zip(tokens, ROWS, strict=True):
        assert encryptor.decrypt(token, label=label, record_key=key, field=field) == value


def test_batches_accept_any_iterable_and_empty(encryptor: FieldEncryptor) -> None:
    tokens = encryptor.encrypt_many(iter(ROWS))
    assert encryptor.decrypt_many(iter(_items(tokens))) == [row[0] for row in ROWS]
    assert encryptor.encrypt_many([]) == []
    assert encryptor.decrypt_many([]) == []


def test_encrypt_many_uses_a_fresh_nonce_per_value(encryptor: FieldEncryptor) -> None:
    same = [ROWS[0]] * 50
    tokens = encryptor.encrypt_many(same)
    assert len(set(tokens)) == 50
    assert len({t.split(".")[5][:16] for t in tokens}) == 50  # the nonces differ


def test_encrypt_many_raises_like_encrypt(encryptor: FieldEncryptor) -> None:
    with pytest.raises(TypeError, match="int"):
        encryptor.encrypt_many([(5, "L", "k", "f", "identifier")])  # type: ignore[list-item]
    with pytest.raises(UnknownFieldClassError):
        encryptor.encrypt_many([("x", "L", "k", "f", "passport")])


def test_decrypt_many_raises_like_decrypt(encryptor: FieldEncryptor) -> None:
    tokens = encryptor.encrypt_many(ROWS)
    items = _items(tokens)
    moved = [(items[0][0], "SourceRecord", "GA2", "id_number")]
    with pytest.raises(WrongContextError):
        encryptor.decrypt_many([*items, *moved])
    payload = items[1][0]
    flipped = payload[:-3] + ("A" if payload[-3] != "A" else "B") + payload[-2:]
    with pytest.raises(TamperedCiphertextError):
        encryptor.decrypt_many([(flipped, *items[1][1:])])
    with pytest.raises(MalformedCiphertextError):
        encryptor.decrypt_many([("11010519491231002X", "L", "k", "f")])


def test_rotate_retire_reinstate_take_effect_on_cached_keys(
    encryptor: FieldEncryptor, keyring: Keyring
) -> None:
    where = {"label": "SourceRecord", "record_key": "GA1", "field": "id_number"}
    old = encryptor.encrypt("v", field_class="identifier", **where)
    assert encryptor.decrypt(old, **where) == "v"  # v1 cipher now cached
    generation = keyring.generation
    keyring.rotate()
    assert keyring.generation != generation
    new = encryptor.encrypt("v", field_class="identifier", **where)
    assert (ciphertext_version(old), ciphertext_version(new)) == (1, 2)
    assert encryptor.encrypt_many([("v", *where.values(), "identifier")])[0].split(".")[3] == "2"
    keyring.retire(1)
    with pytest.raises(RetiredKeyVersionError):
        encryptor.decrypt(old, **where)
    with pytest.raises(RetiredKeyVersionError):
        encryptor.decrypt_many([(old, *where.values())])
    keyring.reinstate(1)
    assert encryptor.decrypt(old, **where) == "v"
    assert encryptor.rewrap(old, **where).split(".")[3] == "2"


def test_two_encryptors_share_a_keyring(encryptor: FieldEncryptor, keyring: Keyring) -> None:
    other = FieldEncryptor(keyring)
    where = {"label": "Person", "record_key": "p", "field": "name"}
    token = other.encrypt("王华", field_class="name", **where)
    keyring.rotate()
    assert encryptor.decrypt(token, **where) == "王华"
    assert ciphertext_version(other.encrypt("王华", field_class="name", **where)) == 2

"""Tests for keyed blind indexes in ``privacy.blind_index``."""

from __future__ import annotations

import re

import pytest

from privacy.blind_index import DEFAULT_BITS, BlindIndexer
from privacy.crypto import Profile, length_prefixed, mac
from privacy.errors import InvalidIdentifierError
from privacy.kek import LocalKeyEncryptionKey
from privacy.keys import Keyring

ID = "11010519491231002X"


@pytest.fixture
def indexer(keyring: Keyring) -> BlindIndexer:
    return BlindIndexer(keyring)


def test_deterministic_and_hex_of_default_length(indexer: BlindIndexer) -> None:
    first = indexer.id_number(ID)
    assert first == indexer.id_number(ID)
    assert re.fullmatch(r"[0-9a-f]{16}", first)
    assert DEFAULT_BITS == indexer.bits == 64


def test_normalisation_makes_variants_equal(indexer: BlindIndexer) -> None:
    assert indexer.id_number("110105491231002") == indexer.id_number(ID)
    assert indexer.id_number("１１０１０５ １９４９１２３１ ００２ｘ") == indexer.id_number(ID)
    assert indexer.phone("+86 138-1234-5678") == indexer.phone("13812345678")
    assert indexer.name_birth("阿依古丽·买买提", "1985-03-07") == indexer.name_birth(
        "阿依古丽 • 买买提", "19850307"
    )


def test_different_values_differ(indexer: BlindIndexer) -> None:
    assert indexer.id_number(ID) != indexer.id_number("410502198503071234")
    assert indexer.name_birth("王华", "1981-11-04") != indexer.name_birth("王华", "1981-11-05")


def test_each_kind_uses_an_independent_key(indexer: BlindIndexer, keyring: Keyring) -> None:
    digits = "13812345678"
    values = {
        indexer.phone(digits),
        indexer.generic(digits, purpose="phone"),
        indexer.generic(digits, purpose="bank_account"),
        indexer.generic(digits, purpose="other"),
    }
    assert len(values) == 4
    keys = {keyring.index_key(k) for k in ("id_number", "name_birth", "phone", "generic")}
    assert len(keys) == 4


def test_keys_come_from_the_keyring(kek: LocalKeyEncryptionKey, profile: Profile) -> None:
    a = BlindIndexer(Keyring.create(kek, profile=profile))
    b = BlindIndexer(Keyring.create(kek, profile=profile))
    assert a.id_number(ID) != b.id_number(ID)


def test_index_survives_save_load_and_rotation(
    keyring: Keyring, kek: LocalKeyEncryptionKey
) -> None:
    before = BlindIndexer(keyring).id_number(ID)
    keyring.rotate()
    assert BlindIndexer(keyring).id_number(ID) == before
    reloaded = Keyring.from_json(keyring.to_json(), kek)
    assert BlindIndexer(reloaded).id_number(ID) == before


def test_index_is_truncated_hmac_of_the_profile(keyring: Keyring, profile: Profile) -> None:
    # White-box: HMAC-SHA256 (standard) or HMAC-SM3 (national) over the framed value.
    message = length_prefixed("hub-bi/1", "id_number", ID)
    expected = mac(profile, keyring.index_key("id_number"), message).hex()[:16]
    assert BlindIndexer(keyring).id_number(ID) == expected
    assert keyring.index_profile is profile


@pytest.mark.parametrize("bits", [16, 32, 48, 64, 128, 256])
def test_truncation_length(keyring: Keyring, bits: int) -> None:
    full = BlindIndexer(keyring, bits=256).id_number(ID)
    short = BlindIndexer(keyring, bits=bits).id_number(ID)
    assert len(short) == bits // 4
    assert full.startswith(short)


@pytest.mark.parametrize("bits", [0, 8, 12, 30, 260])
def test_bad_bit_counts(keyring: Keyring, bits: int) -> None:
    with pytest.raises(ValueError, match="bits"):
        BlindIndexer(keyring, bits=bits)


def test_combined_index_binds_attribute_to_identifier(indexer: BlindIndexer) -> None:
    a = indexer.combined(ID, attribute="disability_grade", value="2")
    assert a == indexer.combined("110105491231002", attribute="disability_grade", value="2")
    assert a != indexer.combined(ID, attribute="disability_grade", value="3")
    assert a != indexer.combined("410502198503071234", attribute="disability_grade", value="2")
    assert a != indexer.combined(ID, attribute="sex", value="2")
    assert a != indexer.generic("2", purpose="disability_grade")


def test_invalid_inputs(indexer: BlindIndexer) -> None:
    with pytest.raises(InvalidIdentifierError):
        indexer.id_number("410502198503071235")  # bad checksum
    with pytest.raises(InvalidIdentifierError):
        indexer.combined("123", attribute="sex", value="1")
    with pytest.raises(ValueError, match="purpose"):
        indexer.generic("x", purpose="")
    with pytest.raises(ValueError, match="purpose"):
        indexer.generic("x", purpose="a/b")
    with pytest.raises(ValueError, match="attribute"):
        indexer.combined(ID, attribute="", value="1")


def test_repr_shows_no_keys(indexer: BlindIndexer, keyring: Keyring) -> None:
    assert keyring.index_key("id_number").hex() not in repr(indexer)
    assert "bits=64" in repr(indexer)

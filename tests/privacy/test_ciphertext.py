"""Tests for the ciphertext token format in ``privacy.ciphertext``."""

from __future__ import annotations

import pytest

from privacy.ciphertext import (
    Ciphertext,
    associated_data,
    b64url_decode,
    b64url_encode,
    context_bytes,
    context_check,
    format_ciphertext,
    looks_like_ciphertext,
    parse_ciphertext,
)
from privacy.crypto import Profile
from privacy.errors import MalformedCiphertextError, UnsupportedCiphertextError

SAMPLE = Ciphertext(Profile.NATIONAL, "free_text", 12, b"\x01\x02\x03\x04", bytes(range(40)))


def test_format_and_parse_round_trip() -> None:
    text = format_ciphertext(SAMPLE)
    assert text.startswith("enc1.SM4GCM.free_text.12.")
    assert text.isascii() and " " not in text
    assert parse_ciphertext(text) == SAMPLE
    assert looks_like_ciphertext(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "11010519491231002X",
        "enc1.A256GCM.identifier.1.AQIDBA",
        "enc1.A256GCM.identifier.1.AQIDBA.AAAA.extra",
        "enc1.A256GCM.Identifier.1.AQIDBA." + "A" * 40,
        "enc1.A256GCM.identifier.0.AQIDBA." + "A" * 40,
        "enc1.A256GCM.identifier.01.AQIDBA." + "A" * 40,
        "enc1.A256GCM.identifier.x.AQIDBA." + "A" * 40,
        "enc1.A256GCM.identifier.1.AQID.." + "A" * 40,
        "enc1.A256GCM.identifier.1.AQIDBA.AAAA",  # shorter than nonce + tag
        "enc1.A256GCM.identifier.1.AQIDBA." + "A" * 39 + "+",
        "enc1.A256GCM.identifier.1.AQIDBA." + "A" * 41 + "B",  # non-canonical last char
    ],
)
def test_malformed_tokens_are_rejected(text: str) -> None:
    with pytest.raises(MalformedCiphertextError):
        parse_ciphertext(text)


def test_unknown_format_and_algorithm_are_unsupported_not_garbage() -> None:
    good = format_ciphertext(SAMPLE)
    with pytest.raises(UnsupportedCiphertextError, match="enc2"):
        parse_ciphertext(good.replace("enc1", "enc2", 1))
    with pytest.raises(UnsupportedCiphertextError, match="unknown algorithm"):
        parse_ciphertext(good.replace("SM4GCM", "CHACHA", 1))


def test_non_string_is_malformed() -> None:
    with pytest.raises(MalformedCiphertextError, match="bytes"):
        parse_ciphertext(b"enc1")  # type: ignore[arg-type]


def test_b64url_is_strict() -> None:
    assert b64url_decode(b64url_encode(b"\xfb\xff")) == b"\xfb\xff"
    for bad in ("A", "AB=", "A B", "+/AA"):
        with pytest.raises(ValueError):
            b64url_decode(bad)


def test_associated_data_binds_every_header_and_context_part() -> None:
    where = context_bytes("SourceRecord", "GA1", "id_number")
    header = (Profile.STANDARD, "identifier", 1)
    variants = {
        associated_data(*header, where),
        associated_data(Profile.NATIONAL, "identifier", 1, where),
        associated_data(Profile.STANDARD, "name", 1, where),
        associated_data(Profile.STANDARD, "identifier", 2, where),
        associated_data(*header, context_bytes("Person", "GA1", "id_number")),
        associated_data(*header, context_bytes("SourceRecord", "GA2", "id_number")),
        associated_data(*header, context_bytes("SourceRecord", "GA1", "name")),
        associated_data(*header, context_bytes("SourceRecord", "GA1i", "d_number")),
    }
    assert len(variants) == 8


def test_context_check_is_keyed_and_short() -> None:
    where = context_bytes("SourceRecord", "GA1", "id_number")
    a = context_check(Profile.STANDARD, b"k" * 32, where)
    assert len(a) == 4
    assert a != context_check(Profile.STANDARD, b"j" * 32, where)
    assert a != context_check(Profile.STANDARD, b"k" * 32, context_bytes("S", "GA2", "id"))

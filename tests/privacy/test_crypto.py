"""Known-answer and behaviour tests for ``privacy.crypto``."""

from __future__ import annotations

import pytest

from privacy.crypto import (
    AuthenticationFailed,
    Profile,
    aead_key_bytes,
    derive_key,
    digest,
    length_prefixed,
    mac,
    new_aead_key,
    open_sealed,
    seal,
)

# RFC 8998, Appendix A.1 (SM4-GCM test vector).
SM4_KEY = "0123456789ABCDEFFEDCBA9876543210"
SM4_IV = "00001234567800000000ABCD"
SM4_AAD = "FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2"
SM4_PT = (
    "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
    "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA"
)
SM4_CT = (
    "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
    "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
)
SM4_TAG = "83DE3541E4C2B58177E065A9BF7B62EC"

# McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16 (AES-256, 60-byte
# plaintext, 20-byte AAD); also in the NIST CAVP gcmEncryptExtIV256 set.
AES_KEY = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"
AES_IV = "cafebabefacedbaddecaf888"
AES_AAD = "feedfacedeadbeeffeedfacedeadbeefabaddad2"
AES_PT = (
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
)
AES_CT = (
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
    "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
)
AES_TAG = "76fc6ece0f4e1768cddf8853bb2d551b"


def test_sm4_gcm_matches_rfc8998_vector() -> None:
    key, iv = bytes.fromhex(SM4_KEY), bytes.fromhex(SM4_IV)
    sealed = seal(Profile.NATIONAL, key, bytes.fromhex(SM4_PT), bytes.fromhex(SM4_AAD), iv)
    assert sealed == iv + bytes.fromhex(SM4_CT) + bytes.fromhex(SM4_TAG)
    assert open_sealed(Profile.NATIONAL, key, sealed, bytes.fromhex(SM4_AAD)) == bytes.fromhex(
        SM4_PT
    )


def test_aes256_gcm_matches_gcm_spec_test_case_16() -> None:
    key, iv = bytes.fromhex(AES_KEY), bytes.fromhex(AES_IV)
    sealed = seal(Profile.STANDARD, key, bytes.fromhex(AES_PT), bytes.fromhex(AES_AAD), iv)
    assert sealed == iv + bytes.fromhex(AES_CT) + bytes.fromhex(AES_TAG)
    assert open_sealed(Profile.STANDARD, key, sealed, bytes.fromhex(AES_AAD)) == bytes.fromhex(
        AES_PT
    )


def test_sm3_and_sha256_known_answers() -> None:
    # GB/T 32905-2016 example 1 and FIPS 180-2 "abc".
    assert digest(Profile.NATIONAL, b"abc").hex() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
    assert digest(Profile.STANDARD, b"abc").hex() == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_hmac_sha256_rfc4231_case_2() -> None:
    tag = mac(Profile.STANDARD, b"Jefe", b"what do ya want for nothing?")
    assert tag.hex() == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"


@pytest.mark.parametrize("profile", list(Profile))
def test_round_trip_uses_fresh_nonces(profile: Profile) -> None:
    key = new_aead_key(profile)
    assert len(key) == aead_key_bytes(profile)
    first = seal(profile, key, b"secret", b"aad")
    second = seal(profile, key, b"secret", b"aad")
    assert first != second
    assert first[:12] != second[:12]
    assert open_sealed(profile, key, first, b"aad") == b"secret"


@pytest.mark.parametrize("profile", list(Profile))
def test_open_rejects_flipped_bit_wrong_aad_and_wrong_key(profile: Profile) -> None:
    key = new_aead_key(profile)
    sealed = seal(profile, key, b"secret", b"aad")
    for position in (0, 12, len(sealed) - 1):
        flipped = bytearray(sealed)
        flipped[position] ^= 0x01
        with pytest.raises(AuthenticationFailed):
            open_sealed(profile, key, bytes(flipped), b"aad")
    with pytest.raises(AuthenticationFailed):
        open_sealed(profile, key, sealed, b"other")
    with pytest.raises(AuthenticationFailed):
        open_sealed(profile, new_aead_key(profile), sealed, b"aad")


def test_seal_checks_key_and_nonce_lengths() -> None:
    with pytest.raises(ValueError, match="32-byte key"):
        seal(Profile.STANDARD, bytes(16), b"x", b"")
    with pytest.raises(ValueError, match="16-byte key"):
        seal(Profile.NATIONAL, bytes(32), b"x", b"")
    with pytest.raises(ValueError, match="nonce"):
        seal(Profile.STANDARD, bytes(32), b"x", b"", nonce=bytes(8))
    with pytest.raises(ValueError, match="shorter"):
        open_sealed(Profile.STANDARD, bytes(32), bytes(27), b"")


def test_length_prefixing_is_unambiguous() -> None:
    assert length_prefixed("ab", "c") != length_prefixed("a", "bc")
    assert length_prefixed("", "x") != length_prefixed("x", "")


def test_derive_key_separates_purposes_and_profiles() -> None:
    root = bytes(range(32))
    a = derive_key(Profile.STANDARD, root, "a")
    assert a != derive_key(Profile.STANDARD, root, "b")
    assert a != derive_key(Profile.NATIONAL, root, "a")
    assert len(derive_key(Profile.STANDARD, root, "a", 16)) == 16
    with pytest.raises(ValueError):
        derive_key(Profile.STANDARD, root, "a", 33)

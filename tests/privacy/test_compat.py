"""The sped-up code paths produce and accept exactly what the straightforward code did.

``data/pre_speedup_tokens.json`` was written by the package before its speed-up (with
the test master key): a keyring, tokens and blind indexes. The reference functions below
are the old, obviously-correct implementations, kept here to compare against.
"""

from __future__ import annotations

import base64
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from privacy import BlindIndexer, FieldEncryptor, Keyring, LocalKeyEncryptionKey
from privacy._sealer import KeyCipher
from privacy.ciphertext import (
    _HEADERS,
    _MAX_HEADERS,
    Ciphertext,
    b64url_decode,
    b64url_encode,
    context_bytes,
    parse_ciphertext,
)
from privacy.crypto import AeadKey, MacKey, Profile, length_prefixed, mac, open_sealed, seal
from privacy.errors import MalformedCiphertextError, PrivacyError, UnsupportedCiphertextError
from privacy.normalise import id_check_character

GOLDEN = json.loads((Path(__file__).parent / "data" / "pre_speedup_tokens.json").read_text())
PROFILES = ["standard", "national"]


def _golden_keyring(profile: str, kek: LocalKeyEncryptionKey) -> Keyring:
    return Keyring.from_json(json.dumps(GOLDEN[profile]["keyring"]), kek)


def _where(case: dict[str, Any]) -> dict[str, str]:
    return {k: case[k] for k in ("label", "record_key", "field")}


# --- reference implementations (the code before the speed-up) -----------------------------

_REF_B64URL = re.compile(r"[A-Za-z0-9_-]+")


def ref_b64url_decode(text: str) -> bytes:
    if not _REF_B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != text:
        raise ValueError("non-canonical base64url")
    return raw


def ref_parse_ciphertext(text: str) -> Ciphertext:
    if not isinstance(text, str):
        raise MalformedCiphertextError(
            f"expected a ciphertext token string, got {type(text).__name__}"
        )
    parts = text.split(".")
    if parts[0] != "enc1":
        if re.fullmatch(r"enc\d+", parts[0]):
            raise UnsupportedCiphertextError(
                f"ciphertext token format {parts[0]!r} is not supported by this version "
                f"(it reads 'enc1'); upgrade the hub"
            )
        raise MalformedCiphertextError(
            "value is not a ciphertext token (expected prefix 'enc1'); was a "
            "plaintext value stored in an encrypted property?"
        )
    if len(parts) != 6:
        raise MalformedCiphertextError(
            f"ciphertext token has {len(parts)} parts, expected 6; it was truncated or concatenated"
        )
    _, alg, field_class, version, check, payload = parts
    profile = {"A256GCM": Profile.STANDARD, "SM4GCM": Profile.NATIONAL}.get(alg)
    if profile is None:
        raise UnsupportedCiphertextError(
            f"ciphertext token names unknown algorithm {alg[:16]!r}; expected A256GCM or SM4GCM"
        )
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,31}", field_class):
        raise MalformedCiphertextError("ciphertext token has an invalid field-class part")
    if not re.fullmatch(r"[1-9][0-9]{0,8}", version):
        raise MalformedCiphertextError("ciphertext token has an invalid key-version part")
    try:
        check_raw = ref_b64url_decode(check)
        sealed = ref_b64url_decode(payload)
    except ValueError as exc:
        raise MalformedCiphertextError(
            "ciphertext token has a badly encoded check or payload part (not canonical "
            "base64url); it was truncated or edited"
        ) from exc
    if len(check_raw) != 4 or len(sealed) < 28:
        raise MalformedCiphertextError(
            "ciphertext token is too short to hold nonce, tag and context check; it was truncated"
        )
    return Ciphertext(profile, field_class, int(version), check_raw, sealed)


def ref_check_character(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


# --- golden data --------------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_tokens_written_before_the_speed_up_still_decrypt(
    profile: str, kek: LocalKeyEncryptionKey
) -> None:
    encryptor = FieldEncryptor(_golden_keyring(profile, kek))
    for case in GOLDEN[profile]["tokens"]:
        for token in (case["token"], case["nonce_0_11_token"]):
            assert encryptor.decrypt(token, **_where(case)) == case["value"]
    items = [
        (c["token"], c["label"], c["record_key"], c["field"]) for c in GOLDEN[profile]["tokens"]
    ]
    assert encryptor.decrypt_many(items) == [c["value"] for c in GOLDEN[profile]["tokens"]]


@pytest.mark.parametrize("profile", PROFILES)
def test_sealing_reproduces_old_tokens_byte_for_byte(
    profile: str, kek: LocalKeyEncryptionKey
) -> None:
    keyring = _golden_keyring(profile, kek)
    for case in GOLDEN[profile]["tokens"]:
        cipher = KeyCipher(keyring.data_key(case["field_class"], 1))
        where = context_bytes(case["label"], case["record_key"], case["field"])
        assert cipher.seal(case["value"], where, bytes(range(12))) == case["nonce_0_11_token"]


@pytest.mark.parametrize("profile", PROFILES)
def test_blind_indexes_are_unchanged(profile: str, kek: LocalKeyEncryptionKey) -> None:
    keyring = _golden_keyring(profile, kek)
    for bits, expected in GOLDEN[profile]["indexes"].items():
        indexer = BlindIndexer(keyring, bits=int(bits))
        got = [
            indexer.id_number("11010519491231002X"),
            indexer.id_number("110105491231002"),
            indexer.name_birth("阿依古丽·买买提", "1985-03-07"),
            indexer.phone("+86 138-1234-5678"),
            indexer.generic("6222021234567890128", purpose="bank_account"),
            indexer.combined("11010519491231002X", attribute="disability_grade", value="2"),
        ]
        assert got == expected


@pytest.mark.parametrize("profile", PROFILES)
def test_new_tokens_open_with_the_plain_primitives(
    profile: str, kek: LocalKeyEncryptionKey
) -> None:
    # Format, associated data and context check are the documented ones.
    keyring = _golden_keyring(profile, kek)
    token = FieldEncryptor(keyring).encrypt(
        "王华", label="Person", record_key="p-1", field="name", field_class="name"
    )
    parsed = parse_ciphertext(token)
    key = keyring.data_key("name", 1)
    where = length_prefixed("Person", "p-1", "name")
    aad = length_prefixed("enc1", token.split(".")[1], "name", "1") + where
    assert parsed.check == mac(key.profile, key.check_key, length_prefixed("ctx") + where)[:4]
    assert open_sealed(key.profile, key.aead_key, parsed.sealed, aad) == "王华".encode()


# --- equivalence with the reference implementations ---------------------------------------


def _random_texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = "AQgwEIMcz09-_+/=.~ \n\u00e9\uff21"
    texts = ["", "A", "AA", "AB", "AAA", "AAB", "AAAA", "AQ", "AR", "AAE", "AAF"]
    for _ in range(count):
        texts.append("".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 10))))
        raw = rng.randbytes(rng.randrange(0, 40))
        texts.append(b64url_encode(raw))
    return texts


def test_b64url_decode_matches_reference() -> None:
    for text in _random_texts(1, 3000):
        try:
            expected: bytes | None = ref_b64url_decode(text)
        except ValueError:
            expected = None
        try:
            got: bytes | None = b64url_decode(text)
        except ValueError:
            got = None
        assert got == expected, text


def test_b64url_encode_matches_reference() -> None:
    rng = random.Random(2)
    for size in range(0, 70):
        raw = rng.randbytes(size)
        assert b64url_encode(raw) == base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _outcome(call: Any, *args: Any, **kwargs: Any) -> tuple[str, str]:
    try:
        return ("ok", repr(call(*args, **kwargs)))
    except PrivacyError as exc:
        return (type(exc).__name__, str(exc))


@pytest.mark.parametrize("profile", PROFILES)
def test_mutated_tokens_fail_the_same_way_on_every_path(
    profile: str, kek: LocalKeyEncryptionKey
) -> None:
    # The parser fails exactly like the old one (type and message), single and batch
    # decrypt agree, and a second pass (headers now cached) gives the same outcome.
    encryptor = FieldEncryptor(_golden_keyring(profile, kek))
    case = GOLDEN[profile]["tokens"][1]
    where = _where(case)
    rng = random.Random(3)
    token = case["token"]
    mutants = [token, token + ".", token[:-1], token.replace(".", "..", 1), "x" + token]
    for _ in range(400):
        pos = rng.randrange(len(token))
        mutants.append(token[:pos] + rng.choice("A_-.9x=é") + token[pos + 1 :])
    for mutant in mutants:
        assert _outcome(parse_ciphertext, mutant) == _outcome(ref_parse_ciphertext, mutant)
        first = _outcome(encryptor.decrypt, mutant, **where)
        assert _outcome(encryptor.decrypt, mutant, **where) == first
        batch = _outcome(
            encryptor.decrypt_many, [(mutant, where["label"], where["record_key"], where["field"])]
        )
        assert batch[0] == first[0]
        if first[0] != "ok":
            assert case["value"] not in first[1]


def test_header_cache_is_bounded() -> None:
    for version in range(1, _MAX_HEADERS + 50):
        parse_ciphertext(f"enc1.A256GCM.name.{version}.AAAAAA.{'A' * 38}")
    assert len(_HEADERS) <= _MAX_HEADERS


def test_check_character_matches_weighted_sum() -> None:
    rng = random.Random(4)
    for _ in range(2000):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        assert id_check_character(first17) == ref_check_character(first17)


def test_context_bytes_matches_length_prefixed() -> None:
    for parts in [("SourceRecord", "GA1", "id_number"), ("", "", ""), ("人员", "键-7", "姓名")]:
        assert context_bytes(*parts) == length_prefixed(*parts)


@pytest.mark.parametrize("profile", [Profile.STANDARD, Profile.NATIONAL])
def test_prepared_keys_match_one_shot_functions(profile: Profile) -> None:
    key = bytes(range(32 if profile is Profile.STANDARD else 16))
    nonce, aad = bytes(12), b"aad"
    prepared = AeadKey(profile, key)
    assert prepared.seal(b"value", aad, nonce) == seal(profile, key, b"value", aad, nonce)
    assert prepared.open(seal(profile, key, b"value", aad), aad) == b"value"
    assert MacKey(profile, key, b"pre").digest(b"fix") == mac(profile, key, b"prefix")

"""Tests for ``privacy.fields``: round trips, tamper detection, rotation and rewrap."""

from __future__ import annotations

import pytest

from privacy.ciphertext import b64url_decode, b64url_encode
from privacy.crypto import Profile
from privacy.errors import (
    DecryptionError,
    MalformedCiphertextError,
    RetiredKeyVersionError,
    TamperedCiphertextError,
    UnknownFieldClassError,
    UnknownKeyVersionError,
    WrongContextError,
)
from privacy.fields import FieldContext, FieldEncryptor, ciphertext_version, rewrap_all
from privacy.kek import LocalKeyEncryptionKey
from privacy.key_types import FIELD_CLASSES
from privacy.keys import Keyring

ID_NUMBER = "11010519491231002X"
WHERE = {"label": "SourceRecord", "record_key": "GA00000050", "field": "id_number"}
SAMPLES = {
    "identifier": ID_NUMBER,
    "name": "阿依古丽·买买提",
    "contact": "江西省景德镇市浮梁县浮梁镇人民路39号28栋6单元1203室",
    "financial": "6222021234567890128 余额 12345.67",
    "health": "尿毒症，肢体残疾二级",
    "free_text": "",  # empty strings round-trip too
}


def _seal(encryptor: FieldEncryptor, value: str = ID_NUMBER, **overrides: str) -> str:
    where = {**WHERE, **overrides}
    return encryptor.encrypt(value, field_class="identifier", **where)


def _edit(token: str, part: int, new: str) -> str:
    parts = token.split(".")
    parts[part] = new
    return ".".join(parts)


@pytest.mark.parametrize("field_class", FIELD_CLASSES)
def test_round_trip_every_field_class(encryptor: FieldEncryptor, field_class: str) -> None:
    value = SAMPLES[field_class]
    token = encryptor.encrypt(value, field_class=field_class, **WHERE)
    assert token.isascii()
    assert value == "" or value not in token
    assert token.split(".")[2] == field_class
    assert encryptor.decrypt(token, **WHERE) == value


def test_token_names_the_profile_algorithm(encryptor: FieldEncryptor, profile: Profile) -> None:
    algorithm = _seal(encryptor).split(".")[1]
    assert algorithm == {"standard": "A256GCM", "national": "SM4GCM"}[profile]


def test_same_value_encrypts_differently_each_time(encryptor: FieldEncryptor) -> None:
    assert _seal(encryptor) != _seal(encryptor)


def test_unknown_field_class_on_encrypt(encryptor: FieldEncryptor) -> None:
    with pytest.raises(UnknownFieldClassError):
        encryptor.encrypt("x", field_class="passport", **WHERE)


def test_encrypt_takes_only_strings(encryptor: FieldEncryptor) -> None:
    with pytest.raises(TypeError, match="int"):
        encryptor.encrypt(12345, field_class="financial", **WHERE)  # type: ignore[arg-type]


# --- tampering: each case raises its own error, never returns garbage ---------------------


@pytest.mark.parametrize("offset", [0, 11, 12, 20, -1])
def test_flipped_payload_byte_is_tampered(encryptor: FieldEncryptor, offset: int) -> None:
    token = _seal(encryptor)
    sealed = bytearray(b64url_decode(token.split(".")[5]))
    sealed[offset] ^= 0x80
    with pytest.raises(TamperedCiphertextError) as info:
        encryptor.decrypt(_edit(token, 5, b64url_encode(bytes(sealed))), **WHERE)
    assert ID_NUMBER not in str(info.value)


def test_truncated_payload(encryptor: FieldEncryptor) -> None:
    token = _seal(encryptor)
    payload = b64url_decode(token.split(".")[5])
    with pytest.raises(TamperedCiphertextError):
        encryptor.decrypt(_edit(token, 5, b64url_encode(payload[:-1])), **WHERE)
    with pytest.raises(MalformedCiphertextError):
        encryptor.decrypt(token[:30], **WHERE)


def test_edited_header_class_is_tampered(encryptor: FieldEncryptor) -> None:
    token = _seal(encryptor)
    # Same version, another class: another key, so the keyed context check fails first
    # (and the AEAD, which binds the class, would fail after it).
    with pytest.raises(WrongContextError):
        encryptor.decrypt(_edit(token, 2, "name"), **WHERE)
    with pytest.raises(MalformedCiphertextError, match="unknown field class"):
        encryptor.decrypt(_edit(token, 2, "passport"), **WHERE)


def test_edited_header_algorithm_is_tampered(encryptor: FieldEncryptor, profile: Profile) -> None:
    other = "SM4GCM" if profile is Profile.STANDARD else "A256GCM"
    with pytest.raises(TamperedCiphertextError):
        encryptor.decrypt(_edit(_seal(encryptor), 1, other), **WHERE)


def test_ciphertext_moved_to_another_record(encryptor: FieldEncryptor) -> None:
    token = _seal(encryptor)
    with pytest.raises(WrongContextError) as info:
        encryptor.decrypt(token, **{**WHERE, "record_key": "GA00000051"})
    assert (info.value.label, info.value.field) == ("SourceRecord", "id_number")
    assert ID_NUMBER not in str(info.value) and "GA00000051" not in str(info.value)


def test_swapped_fields_and_labels_are_wrong_context(encryptor: FieldEncryptor) -> None:
    token = _seal(encryptor)
    with pytest.raises(WrongContextError):
        encryptor.decrypt(token, **{**WHERE, "field": "name"})
    with pytest.raises(WrongContextError):
        encryptor.decrypt(token, **{**WHERE, "label": "Person"})


def test_forged_context_check_still_fails_authentication(encryptor: FieldEncryptor) -> None:
    # An attacker who moves a token and also forges the check byte-for-byte from another
    # token of the target record still cannot pass the AEAD.
    moved = _seal(encryptor, record_key="A")
    target = _seal(encryptor, "x", record_key="B")
    forged = _edit(moved, 4, target.split(".")[4])
    with pytest.raises(TamperedCiphertextError):
        encryptor.decrypt(forged, **{**WHERE, "record_key": "B"})


def test_unknown_key_version(encryptor: FieldEncryptor) -> None:
    token = _edit(_seal(encryptor), 3, "9")
    with pytest.raises(UnknownKeyVersionError) as info:
        encryptor.decrypt(token, **WHERE)
    assert info.value.version == 9


def test_wrong_version_that_exists_fails(encryptor: FieldEncryptor, keyring: Keyring) -> None:
    token = _seal(encryptor)
    keyring.rotate()
    with pytest.raises(WrongContextError):
        encryptor.decrypt(_edit(token, 3, "2"), **WHERE)


def test_token_from_another_keyring(
    encryptor: FieldEncryptor, kek: LocalKeyEncryptionKey, profile: Profile
) -> None:
    other = FieldEncryptor(Keyring.create(kek, profile=profile))
    with pytest.raises(WrongContextError):
        other.decrypt(_seal(encryptor), **WHERE)


def test_plaintext_in_an_encrypted_property_is_malformed(encryptor: FieldEncryptor) -> None:
    with pytest.raises(MalformedCiphertextError) as info:
        encryptor.decrypt(ID_NUMBER, **WHERE)
    assert ID_NUMBER not in str(info.value)


# --- rotation, rewrap, retirement ---------------------------------------------------------


def test_data_written_before_rotate_reads_after(
    encryptor: FieldEncryptor, keyring: Keyring
) -> None:
    old = _seal(encryptor)
    keyring.rotate()
    new = _seal(encryptor)
    assert (ciphertext_version(old), ciphertext_version(new)) == (1, 2)
    assert encryptor.decrypt(old, **WHERE) == encryptor.decrypt(new, **WHERE) == ID_NUMBER
    assert encryptor.needs_rewrap(old) and not encryptor.needs_rewrap(new)


def test_rewrap_moves_to_active_version_and_is_idempotent(
    encryptor: FieldEncryptor, keyring: Keyring
) -> None:
    old = _seal(encryptor)
    keyring.rotate()
    new = encryptor.rewrap(old, **WHERE)
    assert ciphertext_version(new) == 2
    assert encryptor.decrypt(new, **WHERE) == ID_NUMBER
    assert encryptor.rewrap(new, **WHERE) == new


def test_rewrap_all_then_retire(encryptor: FieldEncryptor, keyring: Keyring) -> None:
    items = [
        (
            encryptor.encrypt(SAMPLES[c], field_class=c, **{**WHERE, "record_key": f"R{i}"}),
            FieldContext("SourceRecord", f"R{i}", "id_number"),
        )
        for i, c in enumerate(FIELD_CLASSES)
    ]
    keyring.rotate()
    # Resume: the first item was already rewrapped by an interrupted run.
    first_token, first_ctx = items[0]
    items[0] = (
        encryptor.rewrap(
            first_token,
            label=first_ctx.label,
            record_key=first_ctx.record_key,
            field=first_ctx.field,
        ),
        first_ctx,
    )
    results = list(rewrap_all(encryptor, iter(items)))
    assert [r.context for r in results] == [ctx for _, ctx in items]
    assert [r.changed for r in results] == [False] + [True] * (len(items) - 1)
    assert all(ciphertext_version(r.ciphertext) == 2 for r in results)
    assert all(r.error is None for r in results)
    keyring.retire(1)
    for result, class_name in zip(results, FIELD_CLASSES, strict=True):
        ctx = result.context
        plain = encryptor.decrypt(
            result.ciphertext, label=ctx.label, record_key=ctx.record_key, field=ctx.field
        )
        assert plain == SAMPLES[class_name]
    old_token, ctx = items[1]
    with pytest.raises(RetiredKeyVersionError) as info:
        encryptor.decrypt(old_token, label=ctx.label, record_key=ctx.record_key, field=ctx.field)
    assert (info.value.version, info.value.active_version) == (1, 2)


def test_rewrap_all_stops_or_collects_on_bad_tokens(
    encryptor: FieldEncryptor, keyring: Keyring
) -> None:
    good = _seal(encryptor)
    ctx = FieldContext(**WHERE)
    keyring.rotate()
    batch = [(good, FieldContext("SourceRecord", "elsewhere", "id_number")), (good, ctx)]
    with pytest.raises(WrongContextError):
        list(rewrap_all(encryptor, batch))
    results = list(rewrap_all(encryptor, batch, collect_errors=True))
    assert isinstance(results[0].error, WrongContextError)
    assert results[0].ciphertext == good and not results[0].changed
    assert results[1].error is None and results[1].changed


def test_rotation_to_another_profile_migrates_by_rewrap(kek: LocalKeyEncryptionKey) -> None:
    keyring = Keyring.create(kek, profile="standard")
    encryptor = FieldEncryptor(keyring)
    old = _seal(encryptor)
    keyring.rotate(profile="national")
    new = encryptor.rewrap(old, **WHERE)
    assert old.split(".")[1] == "A256GCM" and new.split(".")[1] == "SM4GCM"
    assert encryptor.decrypt(new, **WHERE) == encryptor.decrypt(old, **WHERE) == ID_NUMBER


def test_errors_never_contain_the_plaintext(encryptor: FieldEncryptor, keyring: Keyring) -> None:
    token = _seal(encryptor)
    keyring.rotate()
    keyring.retire(1)
    caught: list[DecryptionError] = []
    for attempt in (
        lambda: encryptor.decrypt(token, **WHERE),
        lambda: encryptor.decrypt(token.replace("A", "B", 1) + "x", **WHERE),
        lambda: encryptor.decrypt(ID_NUMBER, **WHERE),
    ):
        with pytest.raises(DecryptionError) as info:
            attempt()
        caught.append(info.value)
    for error in caught:
        assert ID_NUMBER not in str(error) and ID_NUMBER not in repr(error)

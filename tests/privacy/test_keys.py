"""Tests for the keyring in ``privacy.keys``: persistence, rotation, retirement."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from privacy.crypto import Profile
from privacy.errors import (
    ActiveVersionError,
    InsecureKeyFileError,
    KeyringError,
    KeyringFormatError,
    KeyVersionNotFoundError,
    MasterKeyMismatchError,
    RetiredKeyVersionError,
    UnknownFieldClassError,
    UnknownKeyVersionError,
)
from privacy.kek import LocalKeyEncryptionKey, generate_master_key
from privacy.key_types import FIELD_CLASSES, INDEX_KINDS, VersionStatus
from privacy.keys import Keyring


def test_create_has_one_active_version_with_every_class(keyring: Keyring) -> None:
    assert keyring.active_version == 1
    [info] = keyring.versions()
    assert info.status is VersionStatus.ACTIVE and info.retired_at is None
    keys = {keyring.active_key(c).aead_key for c in FIELD_CLASSES}
    assert len(keys) == len(FIELD_CLASSES)  # independent key per class
    assert len(FIELD_CLASSES) >= 6
    assert len({keyring.index_key(k) for k in INDEX_KINDS}) == len(INDEX_KINDS)


def test_data_key_lengths_follow_profile(kek: LocalKeyEncryptionKey) -> None:
    assert len(Keyring.create(kek).active_key("name").aead_key) == 32
    national = Keyring.create(kek, profile="national")
    assert len(national.active_key("name").aead_key) == 16
    assert national.profile is Profile.NATIONAL is national.index_profile


def test_save_and_load_round_trip_with_mode_0600(
    keyring: Keyring, kek: LocalKeyEncryptionKey, tmp_path: Path
) -> None:
    keyring.rotate()
    path = tmp_path / "keyring.json"
    keyring.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = Keyring.load(path, kek)
    assert loaded.versions() == keyring.versions()
    for version in (1, 2):
        for name in FIELD_CLASSES:
            assert loaded.data_key(name, version) == keyring.data_key(name, version)
    for kind in INDEX_KINDS:
        assert loaded.index_key(kind) == keyring.index_key(kind)
    assert list(tmp_path.iterdir()) == [path]  # no temporary files left behind


def test_keyring_file_holds_no_raw_keys(keyring: Keyring) -> None:
    text = keyring.to_json()
    for name in FIELD_CLASSES:
        key = keyring.active_key(name).aead_key
        assert key.hex() not in text
    assert "data_keys" in json.loads(text)["versions"][0]


def test_load_refuses_a_group_readable_keyring(
    keyring: Keyring, kek: LocalKeyEncryptionKey, tmp_path: Path
) -> None:
    path = tmp_path / "keyring.json"
    keyring.save(path)
    os.chmod(path, 0o644)
    with pytest.raises(InsecureKeyFileError):
        Keyring.load(path, kek)


def test_load_with_another_master_key_is_a_clear_mismatch(keyring: Keyring) -> None:
    other = LocalKeyEncryptionKey.from_base64(generate_master_key())
    with pytest.raises(MasterKeyMismatchError) as info:
        Keyring.from_json(keyring.to_json(), other)
    assert info.value.expected_kek_id == keyring.kek_id
    assert info.value.actual_kek_id == other.kek_id


def test_swapped_wrapped_keys_fail_to_unwrap(keyring: Keyring, kek: LocalKeyEncryptionKey) -> None:
    doc = json.loads(keyring.to_json())
    keys = doc["versions"][0]["data_keys"]
    keys["identifier"], keys["health"] = keys["health"], keys["identifier"]
    with pytest.raises(KeyringError, match="failed to unwrap"):
        Keyring.from_json(json.dumps(doc), kek)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda doc: doc.update(format="hub-keyring/9"),
        lambda doc: doc.pop("index_keys"),
        lambda doc: doc["versions"][0].update(status="readable"),
        lambda doc: doc["versions"][0]["data_keys"].pop("health"),
        lambda doc: doc["versions"].append(dict(doc["versions"][0])),
        lambda doc: doc["versions"][0]["data_keys"].update(name="***"),
        lambda doc: doc["index_keys"].pop("phone"),
    ],
    ids=["format", "no-index", "no-active", "missing-class", "dup", "bad-b64", "no-kind"],
)
def test_corrupt_keyrings_are_format_errors(
    keyring: Keyring, kek: LocalKeyEncryptionKey, mutate: object
) -> None:
    doc = json.loads(keyring.to_json())
    mutate(doc)  # type: ignore[operator]
    with pytest.raises(KeyringFormatError):
        Keyring.from_json(json.dumps(doc), kek)


def test_not_json_is_a_format_error(kek: LocalKeyEncryptionKey) -> None:
    with pytest.raises(KeyringFormatError, match="corrupt"):
        Keyring.from_json("{not json", kek)


def test_rotate_adds_an_active_version_and_keeps_old_readable(keyring: Keyring) -> None:
    old = keyring.active_key("identifier")
    assert keyring.rotate() == 2
    assert keyring.active_version == 2
    assert keyring.active_key("identifier") != old
    assert keyring.data_key("identifier", 1) == old
    statuses = [(v.version, v.status) for v in keyring.versions()]
    assert statuses == [(1, VersionStatus.READABLE), (2, VersionStatus.ACTIVE)]


def test_rotate_can_switch_profile(kek: LocalKeyEncryptionKey) -> None:
    keyring = Keyring.create(kek)
    keyring.rotate(profile="national")
    assert keyring.profile is Profile.NATIONAL
    assert keyring.index_profile is Profile.STANDARD  # indexes do not change
    assert [v.profile for v in keyring.versions()] == [Profile.STANDARD, Profile.NATIONAL]


def test_retire_refuses_the_active_version_and_unknown_versions(keyring: Keyring) -> None:
    with pytest.raises(ActiveVersionError, match="active version"):
        keyring.retire(1)
    with pytest.raises(KeyVersionNotFoundError, match="does not exist"):
        keyring.retire(7)


def test_retire_and_reinstate(keyring: Keyring, kek: LocalKeyEncryptionKey, tmp_path: Path) -> None:
    original = keyring.data_key("name", 1)  # warm the cache: retire must still take effect
    keyring.rotate()
    keyring.retire(1)
    with pytest.raises(RetiredKeyVersionError) as info:
        keyring.data_key("name", 1)
    assert (info.value.version, info.value.active_version) == (1, 2)
    path = tmp_path / "keyring.json"
    keyring.save(path)
    reloaded = Keyring.load(path, kek)  # retired keys are not unwrapped at load
    assert reloaded.versions()[0].status is VersionStatus.RETIRED
    assert reloaded.versions()[0].retired_at is not None
    with pytest.raises(RetiredKeyVersionError):
        reloaded.data_key("name", 1)
    reloaded.reinstate(1)
    assert reloaded.versions()[0].status is VersionStatus.READABLE
    assert reloaded.data_key("name", 1) == original


def test_unknown_version_and_class(keyring: Keyring) -> None:
    with pytest.raises(UnknownKeyVersionError) as info:
        keyring.data_key("identifier", 5)
    assert info.value.known == [1]
    with pytest.raises(UnknownFieldClassError):
        keyring.active_key("passport")
    with pytest.raises(KeyringError, match="blind-index kind"):
        keyring.index_key("sex")


def test_reprs_hide_key_bytes(keyring: Keyring) -> None:
    key = keyring.active_key("health")
    assert key.aead_key.hex() not in repr(key)
    assert "aead_key" not in repr(key)
    assert "active_version=1" in repr(keyring)
    assert key.aead_key.hex() not in repr(keyring)


class _FailingKek:
    """A pluggable KEK (as a KMS client would be) whose wrap can be made to fail."""

    def __init__(self, inner: LocalKeyEncryptionKey) -> None:
        self.inner = inner
        self.fail = False

    @property
    def kek_id(self) -> str:
        return self.inner.kek_id

    def wrap(self, key: bytes, *, context: bytes) -> bytes:
        if self.fail:
            raise KeyringError("KMS unavailable")
        return self.inner.wrap(key, context=context)

    def unwrap(self, wrapped: bytes, *, context: bytes) -> bytes:
        return self.inner.unwrap(wrapped, context=context)


def test_a_failed_rotate_changes_nothing(kek: LocalKeyEncryptionKey) -> None:
    custom = _FailingKek(kek)
    keyring = Keyring.create(custom)
    before = keyring.to_json()
    custom.fail = True
    with pytest.raises(KeyringError, match="KMS"):
        keyring.rotate()
    assert keyring.to_json() == before
    assert keyring.active_version == 1
    custom.fail = False
    assert keyring.rotate() == 2
    assert Keyring.from_json(keyring.to_json(), kek).active_version == 2

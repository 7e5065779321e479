"""Tests for the master key (KEK) in ``privacy.kek``."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from privacy.crypto import Profile
from privacy.errors import InsecureKeyFileError, KeyFileError, KeyringError
from privacy.kek import (
    KeyEncryptionKey,
    LocalKeyEncryptionKey,
    generate_master_key,
    write_master_key_file,
)


def test_local_kek_satisfies_the_protocol(kek: LocalKeyEncryptionKey) -> None:
    assert isinstance(kek, KeyEncryptionKey)


def test_wrap_unwrap_is_bound_to_context(kek: LocalKeyEncryptionKey) -> None:
    wrapped = kek.wrap(b"k" * 32, context=b"data|identifier|1|standard")
    assert kek.unwrap(wrapped, context=b"data|identifier|1|standard") == b"k" * 32
    with pytest.raises(KeyringError, match="failed to unwrap"):
        kek.unwrap(wrapped, context=b"data|name|1|standard")


def test_kek_id_depends_on_key_and_profile(master_key_b64: str) -> None:
    standard = LocalKeyEncryptionKey.from_base64(master_key_b64)
    national = LocalKeyEncryptionKey.from_base64(master_key_b64, Profile.NATIONAL)
    other = LocalKeyEncryptionKey.from_base64(generate_master_key())
    assert standard.kek_id == LocalKeyEncryptionKey.from_base64(master_key_b64).kek_id
    assert len({standard.kek_id, national.kek_id, other.kek_id}) == 3
    assert standard.kek_id.startswith("local-standard-")


def test_repr_never_shows_key_material(kek: LocalKeyEncryptionKey, master_key_b64: str) -> None:
    raw = base64.b64decode(master_key_b64)
    assert master_key_b64 not in repr(kek)
    assert raw.hex() not in repr(kek)
    assert kek.kek_id in repr(kek)


def test_from_base64_accepts_url_safe_and_whitespace(master_key_b64: str) -> None:
    url_safe = master_key_b64.replace("+", "-").replace("/", "_").rstrip("=")
    a = LocalKeyEncryptionKey.from_base64(f"  {url_safe}\n")
    assert a.kek_id == LocalKeyEncryptionKey.from_base64(master_key_b64).kek_id


@pytest.mark.parametrize("text", ["not base64!", base64.b64encode(bytes(16)).decode(), ""])
def test_from_base64_rejects_bad_keys_without_echoing_them(text: str) -> None:
    with pytest.raises(KeyFileError) as info:
        LocalKeyEncryptionKey.from_base64(text)
    if text:
        assert text not in str(info.value)


def test_key_file_must_be_0600(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    write_master_key_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    LocalKeyEncryptionKey.from_file(path)
    os.chmod(path, 0o400)
    LocalKeyEncryptionKey.from_file(path)
    for mode in (0o640, 0o604, 0o644, 0o660):
        os.chmod(path, mode)
        with pytest.raises(InsecureKeyFileError, match="chmod 600") as info:
            LocalKeyEncryptionKey.from_file(path)
        assert info.value.mode == mode


def test_key_file_written_once_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    write_master_key_file(path)
    with pytest.raises(KeyFileError, match="refusing to overwrite"):
        write_master_key_file(path)
    text = path.read_text()
    assert (
        LocalKeyEncryptionKey.from_file(path).kek_id
        == LocalKeyEncryptionKey.from_base64(text).kek_id
    )


def test_missing_and_binary_key_files(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="does not exist"):
        LocalKeyEncryptionKey.from_file(tmp_path / "absent.key")
    binary = tmp_path / "binary.key"
    binary.write_bytes(b"\xff" * 32)
    os.chmod(binary, 0o600)
    with pytest.raises(KeyFileError, match="base64"):
        LocalKeyEncryptionKey.from_file(binary)
    with pytest.raises(KeyFileError, match="not a regular file"):
        LocalKeyEncryptionKey.from_file(tmp_path)


def test_generated_keys_are_32_random_bytes() -> None:
    keys = {generate_master_key() for _ in range(5)}
    assert len(keys) == 5
    assert all(len(base64.b64decode(k)) == 32 for k in keys)

"""Shared fixtures for the privacy tests: master keys, keyrings and encryptors."""

from __future__ import annotations

import pytest

from privacy import FieldEncryptor, Keyring, LocalKeyEncryptionKey, Profile

# A fixed test master key (base64 of 32 bytes); never used outside tests.
TEST_MASTER_KEY = "3q2+78r+ur7erb7vyv66vt6tvu/K/rq+3q2+78r+ur4="


@pytest.fixture
def master_key_b64() -> str:
    return TEST_MASTER_KEY


@pytest.fixture
def kek() -> LocalKeyEncryptionKey:
    return LocalKeyEncryptionKey.from_base64(TEST_MASTER_KEY)


@pytest.fixture(params=[Profile.STANDARD, Profile.NATIONAL], ids=["standard", "national"])
def profile(request: pytest.FixtureRequest) -> Profile:
    return request.param


@pytest.fixture
def keyring(kek: LocalKeyEncryptionKey, profile: Profile) -> Keyring:
    return Keyring.create(kek, profile=profile)


@pytest.fixture
def encryptor(keyring: Keyring) -> FieldEncryptor:
    return FieldEncryptor(keyring)

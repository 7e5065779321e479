"""Open the hub's keys: master key (KEK), wrapped keyring, encryptor and blind indexer.

``privacy`` never reads configuration; this module is where the hub turns its settings
into the objects ``privacy`` needs. On first use it creates a random master key file
(mode 0600) and a keyring under ``<data_dir>/keys`` unless HUB_MASTER_KEY is given.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from hub.config import Settings
from privacy import (
    BlindIndexer,
    FieldEncryptor,
    Keyring,
    LocalKeyEncryptionKey,
    write_master_key_file,
)


@dataclass
class PrivacyKit:
    """Everything that encrypts, decrypts and indexes personal data for one hub."""

    keyring: Keyring
    keyring_path: Path
    encryptor: FieldEncryptor
    indexer: BlindIndexer

    def save_keyring(self) -> None:
        """Persist the keyring after a rotate or retire."""
        self.keyring.save(self.keyring_path)


_lock = threading.Lock()


def _master_key(settings: Settings) -> LocalKeyEncryptionKey:
    if settings.master_key is not None:
        return LocalKeyEncryptionKey.from_base64(
            settings.master_key.reveal(), settings.crypto_profile
        )
    path = settings.master_key_file or settings.keys_dir / "master.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_master_key_file(path)
    return LocalKeyEncryptionKey.from_file(path, settings.crypto_profile)


def open_privacy(settings: Settings) -> PrivacyKit:
    """Load (or create on first use) the master key and keyring of this hub.

    Raises:
        privacy.PrivacyError: the key file is insecure or the keyring does not open.
    """
    with _lock:
        kek = _master_key(settings)
        path = settings.keys_dir / "keyring.json"
        if path.exists():
            keyring = Keyring.load(path, kek)
        else:
            keyring = Keyring.create(kek, profile=settings.crypto_profile)
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            keyring.save(path)
    return PrivacyKit(
        keyring=keyring,
        keyring_path=path,
        encryptor=FieldEncryptor(keyring),
        indexer=BlindIndexer(keyring, bits=settings.blind_index_bits),
    )

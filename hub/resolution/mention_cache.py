"""Sealed cache of the decrypted mention frame, so an incremental link skips re-reading
and re-decrypting every mention already linked.

Reading and decrypting all mentions dominated an incremental run (two thirds of it on
400k mentions). After each run the frame (personal columns decrypted, no ``person_id``)
and each mention's ``row_hash`` are packed (``frame_codec``) and sealed with the keyring's AEAD
(AES-256-GCM, or SM4-GCM for the national profile) under a key derived from the active
``identifier`` data key. The associated data binds the blob to its purpose, the
``LinkRun`` that wrote it, the mention count and the key version, so a blob from another
run, a rotated-away or retired key, or a modified file does not open and the caller
falls back to a full load. No plaintext personal data reaches the disk: the file holds
only a small JSON header (run id, count, version) and the ciphertext; mode 0600 in a
0700 directory.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hub.resolution.frame_codec import pack, unpack
from privacy import Keyring
from privacy.crypto import Profile, aead_key_bytes, derive_key, length_prefixed, open_sealed, seal

PURPOSE = "hub/linkage/mention-cache/v1"
_KEY_CLASS = "identifier"
_FILE = "mentions.sealed"


@dataclass(frozen=True)
class CacheState:
    """The graph state a cache blob must match: the last run and its mention count."""

    run_id: str
    mentions: int


@dataclass
class CachedFrame:
    """What the cache holds: the decrypted frame and the ``row_hash`` of each mention."""

    frame: pd.DataFrame
    row_hashes: pd.Series


def _aad(state: CacheState, version: int) -> bytes:
    return length_prefixed(PURPOSE, state.run_id, str(state.mentions), str(version))


def _key(keyring: Keyring, version: int) -> tuple[Profile, bytes]:
    data_key = keyring.data_key(_KEY_CLASS, version)
    raw = derive_key(data_key.profile, data_key.aead_key, PURPOSE,
                     aead_key_bytes(data_key.profile))
    return data_key.profile, raw


class MentionCache:
    """One sealed file ``<directory>/mentions.sealed``; every failure reads as a miss."""

    def __init__(self, directory: Path, keyring: Keyring) -> None:
        self.path = directory / _FILE
        self.keyring = keyring

    def save(self, state: CacheState, cached: CachedFrame) -> None:
        """Seal and write atomically (0600 file, 0700 directory)."""
        self.write(self.seal(state, cached))

    def seal(self, state: CacheState, cached: CachedFrame) -> bytes:
        """The file's bytes (header + ciphertext) for ``cached`` at ``state``.

        Separate from :meth:`write` so a run can seal in the background while it writes
        to the graph, and put the file in place only once its ``LinkRun`` is recorded.
        """
        version = self.keyring.active_version
        profile, key = _key(self.keyring, version)
        plain = pack(cached.frame, cached.row_hashes)
        sealed = seal(profile, key, plain, _aad(state, version))
        header = json.dumps({"run_id": state.run_id, "mentions": state.mentions,
                             "version": version}).encode() + b"\n"
        return header + sealed

    def write(self, blob: bytes) -> None:
        """Put a blob from :meth:`seal` in place atomically (0600 file, 0700 directory)."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.path.parent, 0o700)
        fd, tmp = tempfile.mkstemp(prefix=".mentions.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(blob)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def load(self, state: CacheState) -> CachedFrame | None:
        """The cached frame if it was sealed for exactly ``state`` under the active key
        version and verifies; otherwise None (stale, tampered, rotated, missing)."""
        try:
            blob = self.path.read_bytes()
            head, sealed = blob.split(b"\n", 1)
            meta = json.loads(head)
            version = int(meta["version"])
            if (meta["run_id"], meta["mentions"]) != (state.run_id, state.mentions) \
                    or version != self.keyring.active_version:
                return None
            profile, key = _key(self.keyring, version)
            plain = open_sealed(profile, key, sealed, _aad(state, version))
        except Exception:  # any unreadable cache is a miss, never an error
            return None
        # authenticated under our own key, so the pickle inside was written by this hub
        frame, hashes = unpack(plain)
        return CachedFrame(frame, hashes)

    def clear(self) -> None:
        """Remove the file (after a failed run, or when it no longer matches)."""
        self.path.unlink(missing_ok=True)

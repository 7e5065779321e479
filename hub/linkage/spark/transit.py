"""What the Spark engine hands to Spark instead of plaintext: keyed hashes and sealed rows.

Spark writes what it moves: shuffle and spill files, cached blocks, the staged input, event
logs. None of it may hold a name, ID number, phone or address, so nothing the engine gives
Spark is plaintext:

* **keys compared for equality only** (blocking keys, the valid ID number of the
  cannot-link rule and the m labels, the context the name-only rules join on) become 64-bit
  keyed hashes: ``HMAC(run key, kind, value)`` truncated. Equal values give equal hashes, so
  Spark's equi-joins and the driver's context rules see the same groups; without the key
  the hashes cannot be searched, and a new key each run makes them unlinkable across runs;
* **values the comparison kernels must read** (names and their pinyin, the ID number, the
  birth date, sex, region) are sealed per mention with AES-256-GCM (SM4-GCM under the
  national profile) under the same run key and opened **inside the comparison task**, in
  the Python worker's memory, only for the pairs of the batch at hand; the levels that come
  out are small integers.

The run key is random, made by the driver for one run and never written by the hub. It is
not the keyring's: a leaked run key opens only what one run staged, which Spark deletes with
its scratch directories. It reaches the executors inside the task closure, over Spark's RPC
channel: on a real cluster turn on ``spark.authenticate`` and ``spark.network.crypto.enabled``
so that channel is authenticated and encrypted, and keep ``spark.io.encryption.enabled`` (the
hub's default) so any block Spark does spill is encrypted too.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from privacy.crypto import AeadKey, MacKey, Profile, aead_key_bytes, derive_key, length_prefixed

_AAD = b"hub/linkage/spark/features/v1"
_HASH_PURPOSE = "hub/linkage/spark/keys/v1"
_SEAL_PURPOSE = "hub/linkage/spark/seal/v1"


def _plain(value: Any) -> Any:
    """A JSON-able scalar: numpy numbers as Python numbers, pandas missing as None."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


@dataclass(frozen=True)
class RunKey:
    """The per-run secret: picklable (bytes and a profile name) so tasks can carry it.

    Attributes:
        profile: ``standard`` (AES-256-GCM, HMAC-SHA256) or ``national`` (SM4, SM3).
        secret: 32 random bytes; both sub-keys are derived from it.
    """

    profile: str
    secret: bytes = field(repr=False)

    @classmethod
    def new(cls, profile: Profile | str) -> RunKey:
        """A fresh random key for one run."""
        return cls(str(Profile(profile)), os.urandom(32))

    def _mac(self) -> MacKey:
        profile = Profile(self.profile)
        return MacKey(profile, derive_key(profile, self.secret, _HASH_PURPOSE))

    def _aead(self) -> AeadKey:
        profile = Profile(self.profile)
        return AeadKey(profile, derive_key(profile, self.secret, _SEAL_PURPOSE,
                                           aead_key_bytes(profile)))

    def hashes(self, kind: str, values: pd.Series | np.ndarray) -> pd.arrays.IntegerArray:
        """Signed 64-bit keyed hashes of ``values`` (``<NA>`` where missing), one MAC per
        distinct value.

        Args:
            kind: What the values are (a blocking rule, a column): part of the MAC input,
                so equal text under two kinds hashes apart.
            values: The values; compared as their ``str``.
        """
        mac = self._mac()
        codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
        table = np.fromiter(
            (int.from_bytes(mac.digest(length_prefixed(kind, str(u)))[:8], "little",
                            signed=True) for u in uniques), dtype=np.int64, count=len(uniques))
        present = codes >= 0
        values = np.zeros(len(codes), np.int64)
        values[present] = table[codes[present]]
        return pd.arrays.IntegerArray(values, ~present)

    def seal_rows(self, frame: pd.DataFrame, columns: Sequence[str]) -> list[bytes]:
        """One sealed blob per row holding ``columns`` (JSON inside, never on disk)."""
        aead = self._aead()
        parts = [[_plain(v) for v in frame[c].astype(object).tolist()] for c in columns]
        return [aead.seal(json.dumps(row, ensure_ascii=False).encode("utf-8"), _AAD)
                for row in zip(*parts, strict=True)] if columns else [b""] * len(frame)

    def open_rows(self, blobs: Sequence[bytes], columns: Sequence[str]) -> pd.DataFrame:
        """Inverse of :meth:`seal_rows`: the rows' ``columns`` (object dtype).

        Raises:
            privacy.crypto.AuthenticationFailed: A blob was not sealed under this key.
        """
        aead = self._aead()
        rows = [json.loads(aead.open(bytes(blob), _AAD)) for blob in blobs]
        data = {c: [row[i] for row in rows] for i, c in enumerate(columns)}
        return pd.DataFrame(data, columns=list(columns), dtype=object)

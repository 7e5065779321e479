"""Privacy benchmarks: field encryption/decryption and blind indexes per profile.

Run ``python bench/bench_privacy.py [--n 100000]``. Benchmarks are classes with ``setup``
and ``time_*`` methods (asv style); ``main`` runs each once on ``n`` synthetic, valid
resident ID numbers and prints operations per second for AES-256-GCM (``standard``) and
SM4-GCM (``national``), plus HMAC-SHA256 / HMAC-SM3 blind indexes and a rewrap pass.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import date, timedelta

from privacy import (
    BlindIndexer,
    FieldContext,
    FieldEncryptor,
    Keyring,
    LocalKeyEncryptionKey,
    Profile,
    generate_master_key,
    id_check_character,
    rewrap_all,
)

_REGIONS = ("110105", "310104", "360222", "360281", "410502", "440305", "510107", "650102")


def synthetic_id_numbers(n: int, seed: int = 7) -> list[str]:
    """Return ``n`` distinct-ish valid 18-digit ID numbers (region, birth date, checksum)."""
    rng = random.Random(seed)
    start = date(1930, 1, 1)
    out = []
    for _ in range(n):
        born = start + timedelta(days=rng.randrange(365 * 90))
        first17 = f"{rng.choice(_REGIONS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
        out.append(first17 + id_check_character(first17))
    return out


class FieldEncryptionBench:
    """Encrypt, decrypt and rewrap ID numbers bound to their SourceRecord context."""

    def setup(self, ids: list[str], profile: Profile) -> None:
        kek = LocalKeyEncryptionKey.from_base64(generate_master_key())
        self.keyring = Keyring.create(kek, profile=profile)
        self.encryptor = FieldEncryptor(self.keyring)
        self.ids = ids
        self.keys = [f"GA{i:08d}" for i in range(len(ids))]
        self.tokens: list[str] = []

    def time_encrypt(self) -> None:
        encrypt = self.encryptor.encrypt
        self.tokens = [
            encrypt(
                v, label="SourceRecord", record_key=k, field="id_number", field_class="identifier"
            )
            for v, k in zip(self.ids, self.keys, strict=True)
        ]

    def time_decrypt(self) -> None:
        decrypt = self.encryptor.decrypt
        for token, key, value in zip(self.tokens, self.keys, self.ids, strict=True):
            if decrypt(token, label="SourceRecord", record_key=key, field="id_number") != value:
                raise AssertionError("round trip failed")

    def time_rewrap(self) -> None:
        self.keyring.rotate()
        items = (
            (t, FieldContext("SourceRecord", k, "id_number"))
            for t, k in zip(self.tokens, self.keys, strict=True)
        )
        changed = sum(r.changed for r in rewrap_all(self.encryptor, items))
        if changed != len(self.tokens):
            raise AssertionError("rewrap missed tokens")


class BlindIndexBench:
    """Blind-index ID numbers (normalise + checksum + truncated HMAC)."""

    def setup(self, ids: list[str], profile: Profile) -> None:
        kek = LocalKeyEncryptionKey.from_base64(generate_master_key())
        self.indexer = BlindIndexer(Keyring.create(kek, profile=profile))
        self.ids = ids

    def time_id_number(self) -> None:
        index = self.indexer.id_number
        if len({index(v) for v in self.ids}) < len(set(self.ids)):
            raise AssertionError("64-bit index collision on distinct IDs")


def _rate(n: int, run: Callable[[], None]) -> float:
    started = time.perf_counter()
    run()
    return n / (time.perf_counter() - started)


def main() -> None:
    """Run every benchmark once and print a table of operations per second."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="ID numbers to process")
    n = parser.parse_args().n
    ids = synthetic_id_numbers(n)
    print(f"privacy benchmarks on {n:,} synthetic valid ID numbers (ops/s)")
    print(
        f"{'profile':<10} {'algorithms':<26} {'encrypt':>10} {'decrypt':>10} "
        f"{'rewrap':>10} {'blind idx':>10}"
    )
    names = {Profile.STANDARD: "AES-256-GCM / HMAC-SHA256", Profile.NATIONAL: "SM4-GCM / HMAC-SM3"}
    for profile in Profile:
        fields = FieldEncryptionBench()
        fields.setup(ids, profile)
        encrypt = _rate(n, fields.time_encrypt)
        decrypt = _rate(n, fields.time_decrypt)
        rewrap = _rate(n, fields.time_rewrap)
        indexes = BlindIndexBench()
        indexes.setup(ids, profile)
        blind = _rate(n, indexes.time_id_number)
        print(
            f"{profile.value:<10} {names[profile]:<26} {encrypt:>10,.0f} {decrypt:>10,.0f} "
            f"{rewrap:>10,.0f} {blind:>10,.0f}"
        )


if __name__ == "__main__":
    main()

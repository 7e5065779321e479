"""Privacy benchmarks: field encryption/decryption and blind indexes per profile.

Run ``python bench/bench_privacy.py [--n 100000] [--repeat 5]``. Benchmarks are classes
with ``setup`` and ``time_*`` methods (asv style); ``main`` runs each ``repeat`` times on
``n`` synthetic, valid resident ID numbers and prints operations per second for
AES-256-GCM (``standard``) and SM4-GCM (``national``), plus HMAC-SHA256 / HMAC-SM3 blind
indexes, a rewrap pass and the batch APIs (``encrypt_many`` / ``decrypt_many``). Each
figure is "best / median" of the repeats: the machine is shared, so the best run shows
what the code can do and the median what a busy machine gives. ``--clock cpu`` times
with the process's CPU time instead of the wall clock, which other busy processes
disturb less.
"""

from __future__ import annotations

import argparse
import random
import statistics
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
        self.v1_tokens: list[str] = []

    def time_encrypt(self) -> None:
        encrypt = self.encryptor.encrypt
        self.tokens = [
            encrypt(
                v, label="SourceRecord", record_key=k, field="id_number", field_class="identifier"
            )
            for v, k in zip(self.ids, self.keys, strict=True)
        ]
        if not self.v1_tokens:
            self.v1_tokens = self.tokens

    def time_encrypt_many(self) -> None:
        items = [
            (v, "SourceRecord", k, "id_number", "identifier")
            for v, k in zip(self.ids, self.keys, strict=True)
        ]
        if len(self.encryptor.encrypt_many(items)) != len(items):
            raise AssertionError("encrypt_many lost values")

    def time_decrypt_many(self) -> None:
        items = [
            (t, "SourceRecord", k, "id_number") for t, k in zip(self.tokens, self.keys, strict=True)
        ]
        if self.encryptor.decrypt_many(items) != self.ids:
            raise AssertionError("round trip failed")

    def time_decrypt(self) -> None:
        decrypt = self.encryptor.decrypt
        for token, key, value in zip(self.tokens, self.keys, self.ids, strict=True):
            if decrypt(token, label="SourceRecord", record_key=key, field="id_number") != value:
                raise AssertionError("round trip failed")

    def time_rewrap(self) -> None:
        # Rotates first: each repeat rewraps the version-1 tokens to a fresh version.
        self.keyring.rotate()
        items = (
            (t, FieldContext("SourceRecord", k, "id_number"))
            for t, k in zip(self.v1_tokens, self.keys, strict=True)
        )
        changed = sum(r.changed for r in rewrap_all(self.encryptor, items))
        if changed != len(self.v1_tokens):
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


def _rates(
    n: int, run: Callable[[], None], repeat: int, clock: Callable[[], float] = time.perf_counter
) -> tuple[float, float]:
    """Run ``run`` ``repeat`` times; return (best, median) operations per second."""
    rates = []
    for _ in range(repeat):
        started = clock()
        run()
        rates.append(n / (clock() - started))
    return max(rates), statistics.median(rates)


def _cell(rates: tuple[float, float]) -> str:
    return f"{rates[0] / 1000:,.0f}k/{rates[1] / 1000:,.0f}k"


def main() -> None:
    """Run every benchmark and print a table of operations per second (best/median)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="ID numbers to process")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure")
    parser.add_argument(
        "--clock", choices=("wall", "cpu"), default="wall", help="wall clock or process CPU time"
    )
    args = parser.parse_args()
    n, repeat = args.n, args.repeat
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    ids = synthetic_id_numbers(n)
    print(
        f"privacy benchmarks on {n:,} synthetic valid ID numbers, "
        f"ops/s as best/median of {repeat} runs ({args.clock} clock)"
    )
    columns = ("encrypt", "decrypt", "rewrap", "blind idx", "enc_many", "dec_many")
    print(f"{'profile':<10} {'algorithms':<26} " + " ".join(f"{c:>11}" for c in columns))
    names = {Profile.STANDARD: "AES-256-GCM / HMAC-SHA256", Profile.NATIONAL: "SM4-GCM / HMAC-SM3"}
    for profile in Profile:
        fields = FieldEncryptionBench()
        fields.setup(ids, profile)
        encrypt = _rates(n, fields.time_encrypt, repeat, clock)
        decrypt = _rates(n, fields.time_decrypt, repeat, clock)
        rewrap = _rates(n, fields.time_rewrap, repeat, clock)
        encrypt_many = _rates(n, fields.time_encrypt_many, repeat, clock)
        decrypt_many = _rates(n, fields.time_decrypt_many, repeat, clock)
        indexes = BlindIndexBench()
        indexes.setup(ids, profile)
        blind = _rates(n, indexes.time_id_number, repeat, clock)
        cells = (encrypt, decrypt, rewrap, blind, encrypt_many, decrypt_many)
        print(
            f"{profile.value:<10} {names[profile]:<26} "
            + " ".join(f"{_cell(c):>11}" for c in cells)
        )


if __name__ == "__main__":
    main()

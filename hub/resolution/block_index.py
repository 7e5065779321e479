"""The blocking-key index: which mentions hold a key, looked up without reading them all.

An incremental run must find the mentions a batch can pair with, and the rows, households
and roster entries around them, without loading every mention (``neighbourhood.py``). This
index answers "which mentions hold key K" from files on disk:

* every key (``hub.linkage.block_keys``: each equality blocking rule, the department row,
  the household key, each roster rule's ``match_on``) becomes a 64-bit keyed hash:
  ``HMAC(sub-key, kind, value)`` truncated, under a sub-key derived from the keyring's
  ``generic`` blind-index key, so the files hold no plaintext and cannot be searched without
  the key (the same protection as the graph's blind indexes);
* a **segment** is four ``.npy`` arrays: the hashes sorted, the owning mention of each, and
  the mention keys (``source:record_id:role``, already plain in the graph) as one byte blob
  with offsets. Files are memory-mapped: a look-up reads the pages its binary searches
  touch, not the index;
* a full run writes one base segment; each incremental run appends a segment for the
  mentions it loaded (their keys as they are now, so a changed row is found by its new
  values; its old entries only add candidates, which blocking re-checks); past
  ``MAX_SEGMENTS`` they are merged into a new base;
* ``index.json`` binds the segments to the ``LinkRun`` that wrote them, the mention count,
  the key version and the blocking rules. It is replaced last and atomically, after the run
  is recorded: any mismatch (a crash between the two, a rotated key, other rules) makes the
  index unusable and the run falls back to reading every mention, which rebuilds it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from privacy import Keyring
from privacy.crypto import MacKey, derive_key, length_prefixed

PURPOSE = "hub/linkage/block-index/v1"
FORMAT = 2
"""Layout of the keys (``hub.linkage.block_keys``); part of every header's rules digest, so
an index written in another layout is never read."""
MAX_SEGMENTS = 24
_HEADER = "index.json"
_PARTS = ("hash", "owner", "blob", "offsets")


@dataclass(frozen=True)
class IndexState:
    """What the index must match to be used: the last run, its mention count, the rules."""

    run_id: str
    mentions: int
    rules: str


def rules_digest(names: Iterable[str]) -> str:
    """A short digest of the blocking configuration the keys were made with."""
    text = "\n".join([f"format {FORMAT}", *names])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class KeyHasher:
    """64-bit keyed hashes of ``(kind, value)``, one MAC per distinct value."""

    def __init__(self, keyring: Keyring) -> None:
        self.version = keyring.active_version
        key = keyring.index_key("generic")
        self._mac = MacKey(keyring.profile, derive_key(keyring.profile, key, PURPOSE))

    def hash_values(self, kind: str, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions of the present values and their hashes (``uint64``)."""
        codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
        table = np.fromiter(
            (int.from_bytes(self._mac.digest(length_prefixed(kind, str(u)))[:8], "little")
             for u in uniques), dtype=np.uint64, count=len(uniques))
        where = np.flatnonzero(codes >= 0)
        return where, table[codes[where]]


@dataclass
class Segment:
    """One segment: sorted hashes, their owners, and the owners' mention keys."""

    hashes: np.ndarray
    owners: np.ndarray
    blob: np.ndarray
    offsets: np.ndarray

    def keys_at(self, owners: np.ndarray) -> list[str]:
        """Mention keys of the given owner numbers."""
        raw = self.blob
        return [bytes(raw[self.offsets[i]:self.offsets[i + 1]]).decode("utf-8")
                for i in owners.tolist()]

    def holders(self, wanted: np.ndarray) -> np.ndarray:
        """Owner numbers (distinct) of entries whose hash is in ``wanted`` (sorted)."""
        lo = np.searchsorted(self.hashes, wanted, side="left")
        hi = np.searchsorted(self.hashes, wanted, side="right")
        counts = hi - lo
        if not counts.any():
            return np.empty(0, np.int64)
        starts = np.repeat(lo, counts)
        steps = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        return np.unique(np.asarray(self.owners[starts + steps]))


def build_segment(keys: list[str], entries: Iterable[tuple[np.ndarray, np.ndarray]]
                  ) -> Segment:
    """A segment from mention keys and ``(owner positions, hashes)`` per kind."""
    owners_parts, hash_parts = [], []
    for owners, hashes in entries:
        owners_parts.append(owners.astype(np.int32))
        hash_parts.append(hashes)
    owners = np.concatenate(owners_parts) if owners_parts else np.empty(0, np.int32)
    hashes = np.concatenate(hash_parts) if hash_parts else np.empty(0, np.uint64)
    order = np.argsort(hashes, kind="stable")
    encoded = [k.encode("utf-8") for k in keys]
    offsets = np.zeros(len(encoded) + 1, np.int64)
    offsets[1:] = np.cumsum([len(e) for e in encoded])
    blob = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    return Segment(hashes[order], owners[order], blob, offsets)


def merge_segments(segments: list[Segment]) -> Segment:
    """One segment holding every entry of ``segments`` (the compaction of a long tail)."""
    keys: list[str] = []
    entries = []
    for segment in segments:
        base = len(keys)
        count = len(segment.offsets) - 1
        keys.extend(segment.keys_at(np.arange(count)))
        entries.append((np.asarray(segment.owners, np.int64) + base,
                        np.asarray(segment.hashes)))
    return build_segment(keys, entries)


class BlockIndex:
    """The index files under ``<cache_dir>/block-index``; every failure reads as a miss."""

    def __init__(self, directory: Path, keyring: Keyring) -> None:
        self.directory = directory / "block-index"
        self.keyring = keyring

    def _header(self) -> dict[str, object] | None:
        try:
            header = json.loads((self.directory / _HEADER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return header if isinstance(header, dict) else None

    def open(self, state: IndexState) -> list[Segment] | None:
        """The segments if they were written for exactly ``state`` under the active key
        version; otherwise None."""
        header = self._header()
        if header is None or (header.get("run_id"), header.get("mentions"),
                              header.get("rules"), header.get("version")) != (
                state.run_id, state.mentions, state.rules, self.keyring.active_version):
            return None
        try:
            return [self._load(str(name)) for name in header["segments"]]  # type: ignore[union-attr]
        except (OSError, ValueError, KeyError):
            return None

    def _load(self, name: str) -> Segment:
        arrays = [np.load(self.directory / f"{name}.{part}.npy", mmap_mode="r",
                          allow_pickle=False) for part in _PARTS]
        return Segment(*arrays)

    def _save(self, name: str, segment: Segment) -> None:
        for part, array in zip(_PARTS, (segment.hashes, segment.owners, segment.blob,
                                        segment.offsets), strict=True):
            path = self.directory / f"{name}.{part}.npy"
            with path.open("wb") as handle:
                np.save(handle, np.asarray(array), allow_pickle=False)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(path, 0o600)

    def write(self, state: IndexState, segment: Segment, *, replace: bool) -> None:
        """Add ``segment`` (or make it the only one with ``replace``), then point the header
        at ``state``. Segments no header names are removed afterwards."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.directory, 0o700)
        header = self._header()
        names = [] if replace or header is None else list(header.get("segments", []))  # type: ignore[call-overload]
        if len(names) >= MAX_SEGMENTS:
            segment = merge_segments([*(self._load(n) for n in names), segment])
            names = []
        name = f"seg-{state.run_id}"
        self._save(name, segment)
        names.append(name)
        body = json.dumps({"run_id": state.run_id, "mentions": state.mentions,
                           "rules": state.rules, "version": self.keyring.active_version,
                           "segments": names})
        fd, tmp = tempfile.mkstemp(prefix=".index.", dir=self.directory)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.directory / _HEADER)
        keep = set(names)
        for path in self.directory.glob("seg-*.npy"):
            if path.name.rsplit(".", 2)[0] not in keep:
                path.unlink(missing_ok=True)

    def clear(self) -> None:
        """Forget the index (the next incremental run reads every mention)."""
        (self.directory / _HEADER).unlink(missing_ok=True)


def lookup(segments: list[Segment], hashes: np.ndarray) -> set[str]:
    """Mention keys holding any of ``hashes``, across every segment."""
    wanted = np.unique(hashes.astype(np.uint64))
    found: set[str] = set()
    for segment in segments:
        found.update(segment.keys_at(segment.holders(wanted)))
    return found

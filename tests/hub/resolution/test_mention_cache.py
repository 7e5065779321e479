"""The sealed mention cache: round trip, no plaintext at rest, and every mismatch a miss."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from hub.resolution.mention_cache import CachedFrame, CacheState, MentionCache
from privacy import Keyring, LocalKeyEncryptionKey

MASTER = "3q2+78r+ur7erb7vyv66vt6tvu/K/rq+3q2+78r+ur4="
NAME, ID_NUMBER = "欧阳娜娜", "110101199003078515"


@pytest.fixture
def keyring() -> Keyring:
    return Keyring.create(LocalKeyEncryptionKey.from_base64(MASTER))


def _cached() -> CachedFrame:
    frame = pd.DataFrame({"mention_key": ["a:1:p"], "name": [NAME], "id_number": [ID_NUMBER],
                          "birth_date": [date(1990, 3, 7)]}, index=["a:1:p"])
    return CachedFrame(frame, pd.Series(["h1"], index=frame.index, dtype=object))


STATE = CacheState("L1", 1)


def test_round_trip_private_files_and_no_plaintext(tmp_path: Path, keyring: Keyring) -> None:
    cache = MentionCache(tmp_path / "cache", keyring)
    cache.save(STATE, _cached())
    loaded = cache.load(STATE)
    assert loaded is not None
    pd.testing.assert_frame_equal(loaded.frame, _cached().frame)
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.path.parent.stat().st_mode) == 0o700
    blob = cache.path.read_bytes()
    for secret in (NAME, ID_NUMBER, "1990-03-07"):
        assert secret.encode() not in blob
        assert secret.encode("utf-16-le") not in blob


@pytest.mark.parametrize("state", [CacheState("L2", 1), CacheState("L1", 2)])
def test_other_graph_state_is_a_miss(tmp_path: Path, keyring: Keyring,
                                     state: CacheState) -> None:
    cache = MentionCache(tmp_path, keyring)
    cache.save(STATE, _cached())
    assert cache.load(state) is None


def test_tampered_or_relabelled_cache_is_a_miss(tmp_path: Path, keyring: Keyring) -> None:
    cache = MentionCache(tmp_path, keyring)
    cache.save(STATE, _cached())
    blob = bytearray(cache.path.read_bytes())
    blob[-20] ^= 1
    cache.path.write_bytes(bytes(blob))
    assert cache.load(STATE) is None
    cache.save(STATE, _cached())
    # a header rewritten to claim another run does not open under that run's binding
    text = cache.path.read_bytes().replace(b'"run_id": "L1"', b'"run_id": "L9"')
    cache.path.write_bytes(text)
    assert cache.load(CacheState("L9", 1)) is None


def test_rotated_or_retired_key_is_a_miss(tmp_path: Path, keyring: Keyring) -> None:
    cache = MentionCache(tmp_path, keyring)
    cache.save(STATE, _cached())
    old = keyring.active_version
    keyring.rotate()
    assert cache.load(STATE) is None
    keyring.retire(old)
    assert cache.load(STATE) is None
    cache.save(STATE, _cached())  # rebuilt under the new version
    assert cache.load(STATE) is not None


def test_missing_cache_is_a_miss(tmp_path: Path, keyring: Keyring) -> None:
    assert MentionCache(tmp_path, keyring).load(STATE) is None


def test_frame_codec_round_trip_keeps_values_and_types() -> None:
    from hub.resolution.frame_codec import pack, unpack

    frame = pd.DataFrame({
        "name": [NAME, None, "a\x1fb"],  # a separator in the text falls back to pickle
        "sex": ["F", None, "M"],
        "birth_date": [date(1990, 3, 7), None, date(2001, 1, 2)],
        "id_valid": [True, False, True],
    }, index=["k1", "k2", "k3"])
    hashes = pd.Series(["h1", None, "h3"], index=frame.index, dtype=object)
    out, out_hashes = unpack(pack(frame, hashes))
    pd.testing.assert_frame_equal(out, frame)
    pd.testing.assert_series_equal(out_hashes, hashes)
    empty, _ = unpack(pack(frame.iloc[:0], hashes.iloc[:0]))
    assert list(empty.columns) == list(frame.columns) and empty.empty

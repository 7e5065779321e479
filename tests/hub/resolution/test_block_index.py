"""The blocking-key index: look-ups, segments, and every mismatch a miss."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hub.linkage.block_keys import blocking_keys, context_keys, indexable, joined
from hub.linkage.presets import hub_settings
from hub.linkage.settings import BlockingRule
from hub.linkage.standardise import standardise
from hub.resolution.block_index import (
    MAX_SEGMENTS,
    BlockIndex,
    IndexState,
    KeyHasher,
    build_segment,
    lookup,
    merge_segments,
)
from hub.resolution.neighbourhood import segment_for
from privacy import Keyring, LocalKeyEncryptionKey

MASTER = "3q2+78r+ur7erb7vyv66vt6tvu/K/rq+3q2+78r+ur4="
NAME, ID_NUMBER = "欧阳娜娜", "110101199003078515"


@pytest.fixture
def keyring() -> Keyring:
    return Keyring.create(LocalKeyEncryptionKey.from_base64(MASTER))


def _mentions() -> pd.DataFrame:
    rows = [
        ("gongan_hukou:1:本人", "gongan_hukou", "1", "本人", NAME, ID_NUMBER, "1990-03-07",
         "hukou:A"),
        ("yibao_medical:9:本人", "yibao_medical", "9", "本人", NAME, None, "1990-03-07", None),
        ("minzheng_aid:5:经办人", "minzheng_aid", "5", "经办人", "王波", None, None, None),
        ("staff_roster:2:本人", "staff_roster", "2", "本人", "王波", None, None, None),
    ]
    df = pd.DataFrame(rows, columns=["mention_key", "source", "record_id", "role", "name",
                                     "id_number", "birth_date", "household_key"])
    df["row_key"] = df["source"] + ":" + df["record_id"]
    df["id_kind"] = np.where(df["id_number"].notna(), "id18", None)
    df["id_valid"] = df["id_number"].notna()
    df["sex"] = None
    df["region_code"] = "110101"
    return standardise(df.set_index("mention_key", drop=False))


def test_the_hub_preset_blocks_on_equalities_only() -> None:
    settings = hub_settings()
    assert indexable(settings)
    settings.blocking_rules.append(BlockingRule("sn", "sorted_neighbourhood", ["name_canon"]))
    assert not indexable(settings)


def test_keys_join_the_rule_columns_and_skip_missing_values() -> None:
    df = _mentions()
    keys = dict(blocking_keys(df, hub_settings()))
    rule = "block_on_name_and_id_region_when_id_invalid"
    assert keys[f"{rule}|lacking"][0] is None  # it holds a valid ID
    assert keys[f"{rule}|holding"][0] is not None
    by_name_dob = keys["block_on_name_and_birth_date"]
    assert by_name_dob[0] == by_name_dob[1] is not None  # same name, same date
    assert by_name_dob[2] is None  # no birth date, no key
    assert joined(df, ["surname", "given_name"])[0] == "欧阳\x1f娜娜"
    context = dict(context_keys(df, hub_settings()))
    assert context["row"][0] == "gongan_hukou:1" and context["household"][1] is None
    roster = context["name_only:staff_roster_by_name_and_region"]
    # the 经办人 and the roster entry carry the roster key; the residents do not
    assert roster[2] == roster[3] is not None and roster[0] is None


def test_lookup_finds_every_holder_of_a_key_across_segments(keyring: Keyring) -> None:
    df = _mentions()
    hasher = KeyHasher(keyring)
    base = segment_for(df.iloc[:2], hasher, hub_settings())
    tail = segment_for(df.iloc[2:], hasher, hub_settings())
    name_dob = dict(blocking_keys(df.iloc[:1], hub_settings()))["block_on_name_and_birth_date"]
    wanted = hasher.hash_values("block_on_name_and_birth_date", name_dob)[1]
    assert lookup([base, tail], wanted) == {"gongan_hukou:1:本人", "yibao_medical:9:本人"}
    roster_kind = "name_only:staff_roster_by_name_and_region"
    wanted = hasher.hash_values(roster_kind, dict(context_keys(df.iloc[3:], hub_settings()))[
        roster_kind])[1]
    assert lookup([base, tail], wanted) == {"minzheng_aid:5:经办人", "staff_roster:2:本人"}
    # a key nobody holds, and the same value under another kind, find nothing
    assert lookup([base, tail], hasher.hash_values("row", np.array(["nowhere:0"]))[1]) == set()
    assert lookup([base, tail], hasher.hash_values("row", name_dob)[1]) == set()
    merged = merge_segments([base, tail])
    assert lookup([merged], wanted) == {"minzheng_aid:5:经办人", "staff_roster:2:本人"}


def test_a_record_holding_the_column_fetches_only_records_lacking_it(keyring: Keyring) -> None:
    df = _mentions()  # the same name twice: with an ID number, and without one
    third = df.iloc[:1].copy()
    third.index = ["renshe_employment:3:本人"]
    df = pd.concat([df, third])  # another record holding the same ID and name
    hasher = KeyHasher(keyring)
    rule = "block_on_name_when_id_missing"
    settings = hub_settings()
    settings.blocking_rules.append(BlockingRule(rule, "exact_when_missing", ["name_canon"],
                                                when_missing="id_key"))
    index = segment_for(df, hasher, settings)

    def found(position: int) -> set[str]:
        keys = dict(blocking_keys(df.iloc[[position]], settings, lookup=True))
        return lookup([index], np.concatenate([
            hasher.hash_values(kind, keys[kind])[1] for kind in keys if kind.startswith(rule)]))

    assert found(0) == {"yibao_medical:9:本人"}  # holding: only the one lacking an ID
    assert found(1) == {"gongan_hukou:1:本人", "yibao_medical:9:本人",
                        "renshe_employment:3:本人"}  # lacking: everyone with the name


def test_the_files_hold_no_plaintext_and_a_mismatch_is_a_miss(keyring: Keyring,
                                                              tmp_path: Path) -> None:
    df = _mentions()
    index = BlockIndex(tmp_path, keyring)
    state = IndexState("L1", 4, "rules")
    index.write(state, segment_for(df, KeyHasher(keyring), hub_settings()), replace=True)
    files = list(index.directory.iterdir())
    raw = b"".join(p.read_bytes() for p in files)
    for secret in (NAME, ID_NUMBER, "王波", "19900307"):
        assert secret.encode() not in raw
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
    assert stat.S_IMODE(index.directory.stat().st_mode) == 0o700
    assert index.open(state) is not None
    for other in (IndexState("L2", 4, "rules"), IndexState("L1", 5, "rules"),
                  IndexState("L1", 4, "other rules")):
        assert index.open(other) is None
    (index.directory / "index.json").write_text("not json")
    assert index.open(state) is None


def test_segments_are_appended_then_merged(keyring: Keyring, tmp_path: Path) -> None:
    index = BlockIndex(tmp_path, keyring)
    hasher = KeyHasher(keyring)
    index.write(IndexState("L0", 0, "r"), build_segment([], []), replace=True)
    for number in range(1, MAX_SEGMENTS + 2):
        keys = [f"s:{number}:本人"]
        entry = hasher.hash_values("row", np.array([f"s:{number}"], dtype=object))
        index.write(IndexState(f"L{number}", number, "r"), build_segment(keys, [entry]),
                    replace=False)
    header = json.loads((index.directory / "index.json").read_text())
    assert len(header["segments"]) <= MAX_SEGMENTS
    segments = index.open(IndexState(f"L{MAX_SEGMENTS + 1}", MAX_SEGMENTS + 1, "r"))
    assert segments is not None
    everything = hasher.hash_values(
        "row", np.array([f"s:{n}" for n in range(1, MAX_SEGMENTS + 2)], dtype=object))[1]
    assert len(lookup(segments, everything)) == MAX_SEGMENTS + 1
    # files of segments the header no longer names are gone
    named = {f"{n}.{part}.npy" for n in header["segments"]
             for part in ("hash", "owner", "blob", "offsets")}
    assert {p.name for p in index.directory.glob("seg-*.npy")} == named

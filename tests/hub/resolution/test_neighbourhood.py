"""Incremental runs through the blocking-key index: the batch's neighbourhood only, and the
same people as a run that reads every mention."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pytest

from graph_schema.queries import resolution as q
from hub.config import Settings
from hub.ingest.run import IngestOptions, ingest_directory
from hub.linkage import link
from hub.linkage.block_keys import blocking_keys
from hub.linkage.presets import hub_settings
from hub.linkage.standardise import standardise
from hub.privacy_graph.kit import PrivacyKit, open_privacy
from hub.resolution import run_link
from hub.resolution.block_index import BlockIndex, IndexState, KeyHasher, lookup
from hub.resolution.evaluate import evaluate_graph, read_truth
from hub.resolution.load import load_mentions, load_mentions_by_key
from hub.resolution.neighbourhood import pending_mentions
from hub.resolution.service import decisions_frame, index_rules, latest_settings
from hub.store import Store
from tests.conftest import SAMPLE_DIR

pytestmark = pytest.mark.neo4j

MAPPING = (
    "MATCH (r:SourceRecord)-[:RESOLVES_TO]->(p:Person) RETURN r.mention_key AS k, p.person_id AS p"
)
HELD = "minzheng_aid"  # rows with 经办人 and family members: the name-only rules' context
HELD_LINES = 40


@pytest.fixture(scope="module")
def kit(settings: Settings) -> PrivacyKit:
    return open_privacy(settings)


def people_by_mention(store: Store) -> dict[str, str]:
    return {r["k"]: r["p"] for r in store.read(MAPPING)}


def expected_people(store: Store, kit: PrivacyKit) -> dict[str, str]:
    """What an incremental run over every mention gives (the path without an index)."""
    frame = load_mentions(store, kit.encryptor)
    is_new = frame["person_id"].isna()
    result = link(frame[is_new].drop(columns="person_id"), latest_settings(store),
                  existing=frame[~is_new], decisions=decisions_frame(store))
    return {str(k): str(v) for k, v in result.person_ids.items()}


class _Counting:
    """An encryptor that counts the tokens an incremental run opens."""

    def __init__(self, inner: object) -> None:
        self.inner, self.opened = inner, 0

    def decrypt_many(self, items: Iterable[tuple[str, str, str, str]]) -> list[str]:
        items = list(items)
        self.opened += len(items)
        return self.inner.decrypt_many(items)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


LIVE_PERSONS = "MATCH (p:Person) WHERE p.merged_into IS NULL RETURN count(p) AS n"
EMPTY_LIVE_PERSONS = ("MATCH (p:Person) WHERE p.merged_into IS NULL "
                      "AND NOT (p)<-[:RESOLVES_TO]-() RETURN count(p) AS n")


def write_held_back(source: Path, target: Path, held: int) -> None:
    """The sample without the last ``held`` data lines of the held file."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("truth"), dirs_exist_ok=True)
    lines = (source / f"{HELD}.csv").read_bytes().splitlines(keepends=True)
    (target / f"{HELD}.csv").write_bytes(b"".join(lines[: len(lines) - held]))


def test_an_indexed_incremental_run_equals_a_run_over_every_mention(
        clean_store: Store, kit: PrivacyKit, tmp_path: Path) -> None:
    cache_dir, copy = tmp_path / "cache", tmp_path / "set"
    write_held_back(SAMPLE_DIR, copy, HELD_LINES)
    ingest_directory(clean_store, kit, copy)
    first = run_link(clean_store, kit, cache_dir=cache_dir)
    assert first.mode == "full" and "index" in first.phases
    header = json.loads((cache_dir / "block-index" / "index.json").read_text())
    assert header["run_id"] == first.run_id and len(header["segments"]) == 1
    # no plaintext in the index files: the sample's names and ID numbers are absent
    blob = b"".join(p.read_bytes() for p in (cache_dir / "block-index").glob("*.npy"))
    people = pd.read_csv(SAMPLE_DIR / "truth" / "persons.csv", dtype=str)
    for column in ("name", "id18"):
        if column in people:
            assert not any(v.encode() in blob for v in people[column].dropna().head(200))

    # the held-back rows arrive
    write_held_back(SAMPLE_DIR, copy, 0)
    ingest_directory(clean_store, kit, copy, IngestOptions(only={HELD}))
    # ingest marked exactly the new records, so the run seeks them by index
    marked = clean_store.read(q.PENDING_MENTIONS)[0]
    assert marked["unresolved"] == len(marked["keys"]) > HELD_LINES
    assert clean_store.read(q.UNRESOLVED_MENTION_COUNT)[0]["n"] == marked["unresolved"]
    assert sorted(pending_mentions(clean_store)) == sorted(marked["keys"])
    expected = expected_people(clean_store, kit)
    counting = _Counting(kit.encryptor)
    summary = run_link(clean_store, dataclasses.replace(kit, encryptor=counting),
                       cache_dir=cache_dir)
    assert summary.mode == "incremental" and "neighbourhood" in summary.phases
    assert summary.new_mentions > HELD_LINES
    after = people_by_mention(clean_store)
    assert after == expected
    # the people who lost every mention (merged into another) are retired, found by
    # look-up rather than a scan: no live person is left empty
    assert clean_store.read(EMPTY_LIVE_PERSONS)[0]["n"] == 0
    assert summary.persons == clean_store.read(LIVE_PERSONS)[0]["n"] >= first.persons
    # it read the batch's neighbourhood, not the graph: three sealed fields per mention
    assert counting.opened < 3 * summary.mentions / 2
    report = evaluate_graph(clean_store, read_truth(SAMPLE_DIR / "truth" / "person_map.csv"))
    assert report["precision"] >= 0.999 and report["recall"] >= 0.995
    header = json.loads((cache_dir / "block-index" / "index.json").read_text())
    assert header["run_id"] == summary.run_id and len(header["segments"]) == 2

    # nothing pending: nothing changes, and the index stays bound to the latest run
    quiet = run_link(clean_store, kit, cache_dir=cache_dir)
    assert quiet.new_mentions == 0 and people_by_mention(clean_store) == after
    assert json.loads((cache_dir / "block-index" / "index.json").read_text())["run_id"] \
        == quiet.run_id

    # a linked row is corrected: ingest marks it, the next run re-reads it, keeps its person
    # and indexes its new values
    hukou = (copy / "gongan_hukou.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    fields = hukou[1].split(",")
    record_id, name = fields[0], fields[2]
    fields[2] = name[0] + "晓" + name[1:]
    hukou[1] = ",".join(fields)
    (copy / "gongan_hukou.csv").write_text("".join(hukou), encoding="utf-8")
    ingest_directory(clean_store, kit, copy, IngestOptions(only={"gongan_hukou"}))
    changed = f"gongan_hukou:{record_id}:本人"
    assert clean_store.read(q.PENDING_MENTIONS)[0]["keys"] == [changed]
    fixed = run_link(clean_store, kit, cache_dir=cache_dir)
    assert fixed.new_mentions == 0 and people_by_mention(clean_store) == after
    assert clean_store.read(q.PENDING_MENTIONS)[0]["keys"] == []
    segments = BlockIndex(cache_dir, kit.keyring).open(IndexState(
        fixed.run_id, fixed.mentions, index_rules(latest_settings(clean_store))))
    assert segments is not None
    now = standardise(load_mentions_by_key(clean_store, kit.encryptor, [changed]))
    assert now["name"].iloc[0] == fields[2]
    rule = "block_on_name_and_birth_date"
    wanted = KeyHasher(kit.keyring).hash_values(rule, dict(blocking_keys(now, hub_settings()))[
        rule])[1]
    assert changed in lookup(segments, wanted)

    # a record written unmarked and unlinked (by code older than the mark) is still found
    clean_store.write("MATCH (r:SourceRecord {mention_key: $key})-[l:RESOLVES_TO]->() "
                      "DELETE l", key=changed)
    assert clean_store.read(q.PENDING_MENTIONS)[0]["keys"] == []
    assert pending_mentions(clean_store) == [changed]

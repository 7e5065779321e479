"""Entity resolution on the real graph: quality against truth, stability, review, explain."""

from __future__ import annotations

import csv
from collections.abc import Iterable

import pandas as pd
import pytest

from hub.config import Settings
from hub.privacy_graph.kit import PrivacyKit, open_privacy
from hub.resolution import run_link
from hub.resolution.evaluate import evaluate_graph, read_truth
from hub.resolution.load import load_mentions
from hub.resolution.review import decide_pair, explain_pair
from hub.store import Store
from tests.conftest import SAMPLE_DIR

pytestmark = pytest.mark.neo4j

TRUTH = SAMPLE_DIR / "truth"
MAPPING = (
    "MATCH (r:SourceRecord)-[:RESOLVES_TO]->(p:Person) RETURN r.mention_key AS k, p.person_id AS p"
)


@pytest.fixture(scope="module")
def kit(settings: Settings) -> PrivacyKit:
    return open_privacy(settings)


def _mapping(store: Store) -> dict[str, str]:
    return {r["k"]: r["p"] for r in store.read(MAPPING)}


def test_sample_links_with_truth_quality(linked_sample: Store) -> None:
    report = evaluate_graph(linked_sample, read_truth(TRUTH / "person_map.csv"))
    assert report["precision"] >= 0.999
    assert report["recall"] >= 0.995
    assert report["review_share"] <= 0.01
    assert report["evaluated"] == report["mentions"]


def test_one_person_per_true_person(linked_sample: Store) -> None:
    persons = linked_sample.read("MATCH (p:Person) WHERE p.merged_into IS NULL "
                                 "RETURN count(p) AS n")[0]["n"]
    with (TRUTH / "persons.csv").open(encoding="utf-8") as handle:
        assert persons == sum(1 for _ in csv.DictReader(handle))


def test_two_distinct_valid_ids_never_share_a_person(linked_sample: Store, kit: PrivacyKit
                                                     ) -> None:
    frame = load_mentions(linked_sample, kit.encryptor)
    valid = frame[frame["id_valid"] & (frame["id_kind"] == "id18")]
    distinct = valid.groupby("person_id")["id_number"].nunique()
    assert int(distinct.max()) == 1


def test_person_ids_are_stable_across_runs(linked_sample: Store, kit: PrivacyKit) -> None:
    before = _mapping(linked_sample)
    summary = run_link(linked_sample, kit)
    assert summary.mode == "incremental" and summary.links_written == 0
    run_link(linked_sample, kit, full=True)
    assert _mapping(linked_sample) == before


def test_households_match_truth(linked_sample: Store, kit: PrivacyKit) -> None:
    with (TRUTH / "households.csv").open(encoding="utf-8") as handle:
        truth = list(csv.DictReader(handle))
    ours = {r["id"]: r for r in linked_sample.read(
        "MATCH (h:Household) RETURN h.household_id AS id, h.urban_rural AS area, "
        "h.township AS township")}
    assert len(ours) == len(truth)
    for row in truth:
        key = "HH" + kit.indexer.generic(row["hukou_no"], purpose="hukou_no")[:16]
        assert ours[key]["area"] == row["urban_rural"]
        assert ours[key]["township"] == row["township"]


def test_explain_shows_each_comparison(linked_sample: Store, kit: PrivacyKit) -> None:
    pair = linked_sample.read(
        "MATCH (a:SourceRecord {source: 'gongan_hukou'})-[:RESOLVES_TO]->(p:Person)"
        "<-[:RESOLVES_TO]-(b:SourceRecord {source: 'minzheng_aid', role: '救助对象'}) "
        "RETURN a.mention_key AS a, b.mention_key AS b LIMIT 1")[0]
    parts, total = explain_pair(linked_sample, kit, pair["a"], pair["b"])
    names = [p[0] for p in parts]
    assert names[0] == "prior" and "id_number" in names and "name" in names
    assert total == pytest.approx(sum(p[2] for p in parts))
    assert total > 0


def test_a_rejected_pair_stays_apart(linked_sample: Store, kit: PrivacyKit) -> None:
    pair = linked_sample.read(
        "MATCH (a:SourceRecord {source: 'gongan_hukou'})-[:RESOLVES_TO]->(p:Person)"
        "<-[:RESOLVES_TO]-(b:SourceRecord {source: 'yinhang_deposits'}) "
        "RETURN a.mention_key AS a, b.mention_key AS b LIMIT 1")[0]
    try:
        decide_pair(linked_sample, pair["a"], pair["b"], accept=False, clerk="test")
        for full in (True, False, True):
            run_link(linked_sample, kit, full=full)
            mapping = _mapping(linked_sample)
            assert mapping[pair["a"]] != mapping[pair["b"]]
    finally:
        linked_sample.write("MATCH (q:ReviewPair) DETACH DELETE q")
        run_link(linked_sample, kit, full=True)
    mapping = _mapping(linked_sample)
    assert mapping[pair["a"]] == mapping[pair["b"]]


def test_incremental_batch_matches_a_full_link(clean_store: Store, kit: PrivacyKit,
                                               tmp_path) -> None:
    import shutil

    from hub.ingest.run import IngestOptions, ingest_directory

    copy = tmp_path / "set"
    shutil.copytree(SAMPLE_DIR, copy, ignore=shutil.ignore_patterns("truth"))
    ingest_directory(clean_store, kit, copy, IngestOptions(
        only={p.stem for p in copy.glob("*.csv")} - {"yinhang_deposits"}))
    run_link(clean_store, kit)
    first = _mapping(clean_store)
    ingest_directory(clean_store, kit, copy, IngestOptions(only={"yinhang_deposits"}))
    summary = run_link(clean_store, kit)
    assert summary.mode == "incremental" and summary.new_mentions > 1000
    after = _mapping(clean_store)
    assert {k: after[k] for k in first} == first
    report = evaluate_graph(clean_store, read_truth(TRUTH / "person_map.csv"))
    assert report["precision"] >= 0.999 and report["recall"] >= 0.995
    assert pd.Series(after).nunique() == pd.Series(first).nunique()
    # the incremental run projected only the people it touched; a full run agrees
    projected = _projection_counts(clean_store)
    assert projected["OWNS"] > 0
    run_link(clean_store, kit, full=True)
    assert _projection_counts(clean_store) == projected


def _projection_counts(store: Store) -> dict[str, int]:
    return {r["t"]: r["n"] for r in store.read(
        "MATCH (:Person)-[r:GRANTED_TO|HANDLED_BY|OWNS|HAS|COVERS|MEMBER_OF|KIN_OF|SUPPORTS]-"
        "() RETURN type(r) AS t, count(r) AS n")}


def test_incremental_link_uses_the_sealed_mention_cache(clean_store: Store, kit: PrivacyKit,
                                                        tmp_path) -> None:
    import shutil

    from graph_schema.queries import resolution as q
    from hub.ingest.run import IngestOptions, ingest_directory
    from hub.resolution.load import load_mentions_cached
    from hub.resolution.mention_cache import CacheState, MentionCache

    copy, cache_dir = tmp_path / "set", tmp_path / "cache"
    shutil.copytree(SAMPLE_DIR, copy, ignore=shutil.ignore_patterns("truth"))
    ingest_directory(clean_store, kit, copy, IngestOptions(
        only={p.stem for p in copy.glob("*.csv")} - {"yinhang_deposits"}))
    run_link(clean_store, kit, cache_dir=cache_dir)
    cache = MentionCache(cache_dir, kit.keyring)
    ingest_directory(clean_store, kit, copy, IngestOptions(only={"yinhang_deposits"}))
    last = clean_store.read(q.LATEST_LINK_RUN_STATE)[0]
    cached = cache.load(CacheState(last["run_id"], last["mentions"]))
    assert cached is not None

    opened: list[int] = []

    class Counting:
        def decrypt_many(self, items: Iterable[tuple[str, str, str, str]]) -> list[str]:
            items = list(items)  # the loader streams them
            opened.append(len(items))
            return kit.encryptor.decrypt_many(items)

    frame, hashes = load_mentions_cached(clean_store, Counting(), cached)  # type: ignore[arg-type]
    full, full_hashes = load_mentions_cached(clean_store, kit.encryptor, None)
    new = int(full["person_id"].isna().sum())
    assert 1000 < new < len(full) and sum(opened) <= 3 * new
    pd.testing.assert_frame_equal(frame.sort_index(), full.sort_index(), check_dtype=False)
    pd.testing.assert_series_equal(hashes.sort_index(), full_hashes.sort_index(),
                                   check_dtype=False, check_names=False)

    # the cache serves incremental runs without a blocking-key index (test_neighbourhood)
    shutil.rmtree(cache_dir / "block-index")
    summary = run_link(clean_store, kit, cache_dir=cache_dir)
    assert summary.mode == "incremental" and summary.new_mentions == new
    assert "neighbourhood" not in summary.phases
    # the new run resealed the cache; a tampered one is ignored and the run still works
    blob = bytearray(cache.path.read_bytes())
    blob[-1] ^= 1
    cache.path.write_bytes(bytes(blob))
    last = clean_store.read(q.LATEST_LINK_RUN_STATE)[0]
    assert cache.load(CacheState(last["run_id"], last["mentions"])) is None
    before = _mapping(clean_store)
    assert run_link(clean_store, kit, cache_dir=cache_dir).new_mentions == 0
    assert _mapping(clean_store) == before

"""Ingest into the real Neo4j: counts per export, idempotence, updates, no plaintext."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_schema.queries import ingest as q
from graph_schema.queries.maintenance import CLEAR_GRAPH
from hub.config import Settings
from hub.ingest.run import ingest_directory
from hub.privacy_graph.kit import PrivacyKit, open_privacy
from hub.privacy_graph.scan import scan_graph
from hub.store import Store
from tests.conftest import SAMPLE_DIR

pytestmark = pytest.mark.neo4j

TRUTH = SAMPLE_DIR / "truth"


def _truth_rows(name: str) -> list[dict[str, str]]:
    with (TRUTH / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def expected_records_per_source() -> dict[str, int]:
    """Distinct good records per export: the manifest's distinct ids (an empty id counted
    once) minus its bad rows, each of which carries its own id or the empty one."""
    return {row["file"].removesuffix(".csv"): int(row["distinct_records"]) - int(row["bad_rows"])
            for row in _truth_rows("manifest.csv")}


@pytest.fixture(scope="module")
def kit(settings: Settings) -> PrivacyKit:
    return open_privacy(settings)


@pytest.fixture(scope="module")
def ingested(store: Store, kit: PrivacyKit):
    store.run_autocommit(CLEAR_GRAPH)
    return ingest_directory(store, kit, SAMPLE_DIR)


def test_quarantine_is_exactly_the_bad_rows(ingested) -> None:
    got = {(r.file, r.line_no, r.reason) for r in ingested.quarantine}
    want = {(r["file"], int(r["line_no"]), r["reason"]) for r in _truth_rows("bad_rows.csv")}
    assert got == want
    assert all(r.detail for r in ingested.quarantine)
    assert ingested.problems == []


def test_every_good_record_is_in_the_graph(ingested, store: Store) -> None:
    facts = store.read("MATCH (f:Fact) WHERE NOT f.fact_key CONTAINS ':aid' "
                       "AND NOT f.fact_key ENDS WITH ':death' "
                       "RETURN f.source AS source, count(f) AS n")
    got = {r["source"]: r["n"] for r in facts}
    assert got == expected_records_per_source()


def test_mentions_match_the_truth_person_map(ingested, store: Store) -> None:
    bad = {(r["file"].removesuffix(".csv"), r["record_id"]) for r in _truth_rows("bad_rows.csv")}
    want = {(r["file"].removesuffix(".csv"), r["record_id"], r["role"])
            for r in _truth_rows("person_map.csv")
            if (r["file"].removesuffix(".csv"), r["record_id"]) not in bad}
    got = {(r["source"], r["record_id"], r["role"]) for r in store.read(
        "MATCH (r:SourceRecord) RETURN r.source AS source, r.record_id AS record_id, "
        "r.role AS role")}
    assert got == want


def test_batches_are_recorded(ingested, store: Store) -> None:
    batches = store.read("MATCH (b:IngestBatch) RETURN b.source AS source, "
                         "b.quarantined AS quarantined")
    assert len(batches) == 18
    assert sum(b["quarantined"] for b in batches) == len(_truth_rows("bad_rows.csv"))


def test_no_plaintext_identifier_after_ingest(ingested, store: Store, kit: PrivacyKit) -> None:
    report = scan_graph(store, encryptor=kit.encryptor)
    assert report.properties > 10_000 and report.names > 1_000
    assert report.findings == []


def test_personal_fields_decrypt_back(ingested, store: Store, kit: PrivacyKit) -> None:
    record = store.read(
        "MATCH (r:SourceRecord {source: 'gongan_hukou', record_id: 'GA00000050'})"
        " RETURN r.mention_key AS key, r.enc_name AS name, r.enc_id_number AS id"
    )[0]
    assert "王华" not in record["name"]
    name = kit.encryptor.decrypt(record["name"], label="SourceRecord", record_key=record["key"],
                                 field="name")
    number = kit.encryptor.decrypt(record["id"], label="SourceRecord", record_key=record["key"],
                                   field="id_number")
    assert (name, number) == ("王华", "360222198111045293")


@pytest.fixture
def own_graph(store: Store, kit: PrivacyKit) -> Iterator[Store]:
    """The graph emptied for one test, then given back ingested as ``ingested`` left it, so
    the module's other tests find the same graph whichever order they run in."""
    store.run_autocommit(CLEAR_GRAPH)
    yield store
    store.run_autocommit(CLEAR_GRAPH)
    ingest_directory(store, kit, SAMPLE_DIR)


def test_reingest_changes_nothing_and_an_edit_updates(own_graph: Store, kit: PrivacyKit,
                                                      tmp_path: Path) -> None:
    store = own_graph
    copy = tmp_path / "set"
    shutil.copytree(SAMPLE_DIR, copy, ignore=shutil.ignore_patterns("truth"))
    ingest_directory(store, kit, copy)
    before = store.read(q.GRAPH_COUNTS)
    ingest_directory(store, kit, copy)
    assert store.read(q.GRAPH_COUNTS) == before

    aid = copy / "minzheng_aid.csv"
    raw = aid.read_bytes()
    edited = raw.replace(b",1129,202011,", b",1130,202011,", 1)
    assert edited != raw
    aid.write_bytes(edited)
    ingest_directory(store, kit, copy)
    after = store.read(q.GRAPH_COUNTS)[0]
    # the edited file is a new batch: one more IngestBatch, nothing else
    assert after["relationships"] == before[0]["relationships"]
    assert after["nodes"] == before[0]["nodes"] + 1
    node = store.read("MATCH (a:AidRecord {fact_key: 'minzheng_aid:MZJZ00000013'}) "
                      "RETURN a.amount AS amount, a.history AS history")[0]
    assert node["amount"] == 1130
    assert len(node["history"]) == 1

"""The Spark engine on the real graph (``local[2]``): the in-process engine's people, ids,
methods, weights and review queue, clerical decisions respected, no plaintext left behind."""

from __future__ import annotations

import csv
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from hub.cli import app
from hub.config import Settings
from hub.linkage.presets import hub_settings
from hub.linkage.spark import SparkEngineError, SparkOptions
from hub.linkage.spark.engine import link_on_spark
from hub.linkage.spark.session import spark_session
from hub.linkage.spark.stage import stage
from hub.linkage.spark.transit import RunKey
from hub.privacy_graph.kit import PrivacyKit, open_privacy
from hub.resolution import LinkSummary, run_link
from hub.resolution.evaluate import evaluate_graph, read_truth
from hub.resolution.load import iter_mention_batches
from hub.resolution.review import decide_pair
from hub.resolution.service import decisions_frame
from hub.resolution.spark_link import read_ahead, resolved_batches
from hub.store import Store
from tests.conftest import SAMPLE_DIR, test_environ
from tests.spark_cluster import executors, kill_worker, standalone_cluster

pytestmark = [
    pytest.mark.neo4j, pytest.mark.slow,
    # PySpark 4.0 leaves the local sockets it collects results through to the garbage
    # collector (ResourceWarning from its own code, not the hub's)
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

TRUTH = SAMPLE_DIR / "truth"
LINKS = ("MATCH (r:SourceRecord)-[l:RESOLVES_TO]->(p:Person) "
         "RETURN r.mention_key AS k, p.person_id AS p, l.method AS m, l.weight AS w")
QUEUE = ("MATCH (q:ReviewPair) WHERE q.status = 'pending' RETURN q.pair_key AS k, "
         "q.reason AS reason, q.weight AS w, q.person_a AS a, q.person_b AS b ORDER BY k")
# Spark in the suite: two cores, modest memory
SPARK_ENV = {"HUB_SPARK_MASTER": "local[2]", "HUB_SPARK_MEMORY": "1g"}


@pytest.fixture(scope="module")
def kit(settings: Settings) -> PrivacyKit:
    return open_privacy(settings)


def _links(store: Store) -> dict[str, tuple[Any, ...]]:
    return {r["k"]: (r["p"], r["m"], r["w"]) for r in store.read(LINKS)}


def _hub(*args: str, **env: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={**test_environ(), **env})
    return result.exit_code, f"{result.output}{result.exception!r}"


def _pair(store: Store, source_b: str, same: bool) -> tuple[str, str]:
    """Two mentions (a 户籍 one and one from ``source_b``) of one person or of two."""
    where = "p = q" if same else "p <> q AND a.mention_key < b.mention_key"
    row = store.read(
        "MATCH (a:SourceRecord {source: 'gongan_hukou'})-[:RESOLVES_TO]->(p:Person), "
        "(b:SourceRecord {source: $source})-[:RESOLVES_TO]->(q:Person) "
        f"WHERE {where} RETURN a.mention_key AS a, b.mention_key AS b "
        "ORDER BY a, b LIMIT 1", source=source_b)[0]
    return row["a"], row["b"]


@pytest.fixture
def decided(linked_sample: Store) -> Iterator[tuple[tuple[str, str], tuple[str, str]]]:
    """The linked sample with one pair of one person rejected and one pair of two people
    accepted by a clerk (both engines must obey them); the decisions go afterwards."""
    rejected = _pair(linked_sample, "yinhang_deposits", same=True)
    accepted = _pair(linked_sample, "minzheng_aid", same=False)
    decide_pair(linked_sample, *rejected, accept=False, clerk="test")
    decide_pair(linked_sample, *accepted, accept=True, clerk="test")
    yield rejected, accepted
    linked_sample.write("MATCH (q:ReviewPair) DETACH DELETE q")


def test_spark_engine_gives_the_in_process_result(
        linked_sample: Store, decided: tuple[tuple[str, str], tuple[str, str]],
        kit: PrivacyKit, tmp_path: Path) -> None:
    """A full in-process run, then ``hub link run --engine spark --master local[2]``: the
    same person per mention, the same ids, methods and weights, the same review queue."""
    (rejected_a, rejected_b), (accepted_a, accepted_b) = decided
    run_link(linked_sample, kit, full=True)
    links, queue = _links(linked_sample), linked_sample.read(QUEUE)
    assert links[rejected_a][0] != links[rejected_b][0]
    assert links[accepted_a][0] == links[accepted_b][0]
    methods = {m for _, m, _ in links.values()}
    assert {"clerical", "exact_id", "probabilistic", "singleton"} <= methods
    # mentions attached by a name-only rule: their edges are fetched back from Spark
    assert methods & {rule.name for rule in hub_settings().name_only_rules}
    assert any(r["reason"] == "rejected_pair" for r in queue)

    code, output = _hub("link", "run", "--full", "--engine", "spark", **SPARK_ENV,
                        HUB_SPARK_DIR=str(tmp_path / "spark"))
    assert code == 0, output
    run = linked_sample.read("MATCH (r:LinkRun) RETURN r.engine AS engine, r.mode AS mode, "
                             "r.links_written AS written ORDER BY r.finished_at DESC LIMIT 1")
    assert run == [{"engine": "spark", "mode": "full", "written": 0}]
    assert _links(linked_sample) == links
    assert linked_sample.read(QUEUE) == queue
    # the staged mentions are gone; Spark's scratch directory is all that is left
    assert not any((tmp_path / "spark" / "staging").iterdir())
    report = evaluate_graph(linked_sample, read_truth(TRUTH / "person_map.csv"))
    assert report["recall"] >= 0.995


def test_persist_reads_each_batch_back_one_ahead_in_order(linked_sample: Store,
                                                          kit: PrivacyKit) -> None:
    """The Spark run's persist reads the next batch while it writes one: every batch comes
    back whole, with its own mentions, in the order the batches were made."""
    keys = sorted(_links(linked_sample))[:60]
    batches = [pd.DataFrame({"person_id": "P"}, index=pd.Index(keys[start:start + 7]))
               for start in range(0, len(keys), 7)]
    got = [(list(batch.index), sorted(frame.index))
           for batch, frame in read_ahead(linked_sample, kit, iter(batches))]
    assert [batch for batch, _ in got] == [list(batch.index) for batch in batches]
    assert all(sorted(batch) == read for batch, read in got)
    assert len(got) == 9 and sum(len(read) for _, read in got) == 60


def test_resolved_batches_keep_people_whole_and_in_id_order(tmp_path: Path) -> None:
    """Written the way the engine writes its result (range-partitioned by person id and
    sorted inside each part), the result comes back part by part in batches that never
    split a person, people in id order, every mention once."""
    from hub.linkage.spark.resolved import write_resolved

    rng = np.random.default_rng(5)
    person = [f"P{n:05d}" for n in rng.integers(0, 300, 2_000)]
    frame = pd.DataFrame({"pos": np.arange(2_000), "key": [f"k{i:05d}" for i in range(2_000)],
                          "person_id": person, "method": "exact_id", "weight": 3.5})
    options = SparkOptions(master="local[2]", work_dir=tmp_path / "spark", memory="1g",
                           partitions=4)
    with spark_session(options) as spark:
        write_resolved(spark.createDataFrame(frame), 600_000, tmp_path / "resolves")
    assert len(list((tmp_path / "resolves").glob("*.parquet"))) == 3
    batches = list(resolved_batches(tmp_path / "resolves", 64))
    keys = [k for batch in batches for k in batch.index]
    assert sorted(keys) == sorted(frame["key"])
    owners = [set(batch["person_id"]) for batch in batches]
    assert all(not (a & b) for i, a in enumerate(owners) for b in owners[i + 1:])
    ids = [p for batch in batches for p in batch["person_id"]]
    assert ids == sorted(person)  # people in id order, as a text sort
    # batches of about 64 (a short one may end each part), none split inside a person
    assert len(batches) <= 2_000 // 64 + 3
    assert all(len(batch) - batch["person_id"].value_counts().max() < 64 for batch in batches)


def _secrets() -> list[str]:
    """The sample's names and ID numbers (from its truth)."""
    with (TRUTH / "persons.csv").open(encoding="utf-8") as handle:
        people = list(csv.DictReader(handle))
    return sorted({p["name"] for p in people} | {p["id18"] for p in people if p["id18"]})


def _size(path: Path) -> int:
    """The file's size; 0 once Spark has dropped it (blocks go while the session runs)."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _scan(root: Path, secrets: list[str]) -> dict[str, list[str]]:
    """Every file under ``root`` holding one of ``secrets`` (UTF-8), with what it holds."""
    found: dict[str, list[str]] = {}
    for path in (p for p in root.rglob("*") if p.is_file()):
        try:
            data = path.read_bytes()
        except FileNotFoundError:  # a block Spark dropped (unpersist) between list and read
            continue
        hits = [s for s in secrets if s.encode("utf-8") in data]
        if hits:
            found[str(path.relative_to(root))] = hits
    return found


def test_a_standalone_cluster_links_the_sample_the_same(linked_sample: Store,
                                                        tmp_path: Path) -> None:
    """A master and a worker on 127.0.0.1 started from pyspark's own scripts; ``hub link
    run --engine spark --master spark://127.0.0.1:PORT`` gives the in-process result, and
    the worker's logs and work directories hold no name or ID number."""
    before = _links(linked_sample)
    cluster = tmp_path / "cluster"
    with standalone_cluster(cluster, cores=2, memory="2g") as url:
        code, output = _hub("link", "run", "--full", "--engine", "spark", "--master", url,
                            HUB_SPARK_MEMORY="1g", HUB_SPARK_DIR=str(tmp_path / "spark"))
        assert code == 0, output
        executors = [p for p in (cluster / "work").rglob("stderr") if p.stat().st_size]
    assert executors, "no executor ran on the worker"
    run = linked_sample.read("MATCH (r:LinkRun) RETURN r.engine AS engine, r.mode AS mode, "
                             "r.links_written AS written ORDER BY r.finished_at DESC LIMIT 1")
    assert run == [{"engine": "spark", "mode": "full", "written": 0}]
    assert _links(linked_sample) == before
    assert _scan(cluster, _secrets()) == {}


def test_a_worker_killed_mid_run_is_named_and_a_rerun_gives_the_same_result(
        linked_sample: Store, kit: PrivacyKit, tmp_path: Path) -> None:
    """The worker (and its executor) killed while the run is under way: the run stops
    with a message saying the cluster's executors were lost, the graph's links are as
    they were (nothing half-written), and a rerun gives the same people."""
    before = _links(linked_sample)
    cluster = tmp_path / "cluster"
    outcome: list[BaseException | LinkSummary] = []
    with standalone_cluster(cluster, cores=2, memory="2g") as url:
        options = SparkOptions(master=url, work_dir=tmp_path / "spark", memory="1g",
                               partitions=4, lost_after=10)

        def link() -> None:
            try:
                outcome.append(run_link(linked_sample, kit, full=True, spark=options))
            except BaseException as exc:  # handed to the test thread
                outcome.append(exc)

        runner = threading.Thread(target=link, daemon=True)  # never holds pytest up
        runner.start()
        deadline = time.monotonic() + 180
        # under way on the cluster: an executor runs and the staged mentions are linked
        while time.monotonic() < deadline and not (
                executors(cluster) and list((tmp_path / "spark" / "staging").glob("*/run"))):
            time.sleep(0.5)
        time.sleep(5)
        assert kill_worker(cluster) >= 2
        runner.join(timeout=300)
    assert not runner.is_alive()
    (error,) = outcome
    assert isinstance(error, SparkEngineError), error
    assert "every Spark executor was lost" in str(error)
    assert "nothing was written" in str(error)
    assert _links(linked_sample) == before
    summary = run_link(linked_sample, kit, full=True, spark=SparkOptions(
        master="local[2]", work_dir=tmp_path / "spark", memory="1g", partitions=4))
    assert summary.links_written == 0
    assert _links(linked_sample) == before


def test_the_spark_run_leaves_no_plaintext_behind(linked_sample: Store, kit: PrivacyKit,
                                                  tmp_path: Path) -> None:
    """Every file under Spark's scratch, the staged Parquet and the event log is read
    while the session still holds them, with Spark's own encryption and compression
    off (so a plaintext value would show as written): no name and no ID number of the
    sample is in any of them."""
    secrets = _secrets()
    assert len(secrets) > 1000
    options = SparkOptions(
        master="local[2]", work_dir=tmp_path / "spark", memory="1g", partitions=4,
        event_log=True, compression="none", conf={
            "spark.io.encryption.enabled": "false", "spark.shuffle.compress": "false",
            "spark.shuffle.spill.compress": "false", "spark.rdd.compress": "false",
            "spark.broadcast.compress": "false", "spark.eventLog.compress": "false",
            "spark.sql.parquet.compression.codec": "uncompressed",
            "spark.checkpoint.compress": "false"})
    key = RunKey.new(kit.keyring.profile)
    work = options.work_dir / "staging" / "run"
    with spark_session(options) as spark:
        staged = stage(iter_mention_batches(linked_sample, kit.encryptor, 2000),
                       work / "mentions", hub_settings(), key, options.compression)
        result = link_on_spark(spark, staged, hub_settings(), key,
                               decisions_frame(linked_sample), work / "run")
        files = [p for p in options.work_dir.rglob("*") if p.is_file()]
        shuffle = [p for p in files if "blockmgr" in str(p) and _size(p) > 0]
        canary = options.work_dir / "local" / "canary.txt"
        canary.write_text(f"a stray {secrets[7]} in a temp file", encoding="utf-8")
        found = _scan(options.work_dir, secrets)
    # the scan reads what Spark wrote (shuffle blocks, staged parts, the event log) and
    # would have seen a value: the canary is its only finding
    assert len(shuffle) > 10, "no shuffle files were written"
    assert any(p.suffix == ".parquet" for p in files)
    assert any("events" in str(p) for p in files)
    assert found == {"local/canary.txt": [secrets[7]]}
    resolved = pd.concat(pq.read_table(p).to_pandas() for p in result.resolves_to.glob("*.parquet"))
    assert resolved["person_id"].nunique() > 800


def test_an_incremental_batch_on_spark_gives_the_in_process_result(
        clean_store: Store, kit: PrivacyKit, tmp_path: Path) -> None:
    """The sample without its bank file, linked; then the bank file arrives. The Spark
    engine's incremental run writes exactly what the in-process engine's run would
    (computed in memory from the same graph state): persons, ids, methods, weights and the
    new review pairs; existing ids stay."""
    from hub.ingest.run import IngestOptions, ingest_directory
    from hub.linkage import link
    from hub.resolution.load import load_mentions
    from hub.resolution.service import latest_settings

    copy = tmp_path / "set"
    shutil.copytree(SAMPLE_DIR, copy, ignore=shutil.ignore_patterns("truth"))
    ingest_directory(clean_store, kit, copy, IngestOptions(
        only={p.stem for p in copy.glob("*.csv")} - {"yinhang_deposits"}))
    run_link(clean_store, kit)
    first = _links(clean_store)
    ingest_directory(clean_store, kit, copy, IngestOptions(only={"yinhang_deposits"}))

    frame = load_mentions(clean_store, kit.encryptor)
    is_new = frame["person_id"].isna()
    assert is_new.sum() > 1000
    expected = link(frame[is_new].drop(columns="person_id"), latest_settings(clean_store),
                    existing=frame[~is_new], decisions=decisions_frame(clean_store))

    options = SparkOptions(master="local[2]", work_dir=tmp_path / "spark", memory="1g",
                           partitions=4)
    summary = run_link(clean_store, kit, spark=options)
    assert summary.mode == "incremental" and summary.new_mentions == int(is_new.sum())
    # a bank file reaches nearly every household of the sample: its neighbourhood is all
    assert int(is_new.sum()) < summary.neighbourhood <= summary.mentions
    after = _links(clean_store)
    assert {k: after[k] for k in first} == first
    assert {k: p for k, (p, _, _) in after.items()} == expected.person_ids.to_dict()
    changed = expected.resolves_to[
        expected.person_ids != frame["person_id"].reindex(expected.person_ids.index)]
    assert len(changed) == int(is_new.sum())
    for key, row in changed.iterrows():
        weight = None if pd.isna(row["weight"]) else row["weight"]
        assert after[key] == (row["person_id"], row["method"], weight), key
    pending = {r["k"] for r in clean_store.read(QUEUE)}
    assert {f"{min(a, b)}|{max(a, b)}" for a, b in zip(
        expected.review_queue["key_a"], expected.review_queue["key_b"], strict=True)} <= pending


def test_a_small_incremental_batch_on_spark_clusters_only_its_neighbourhood(
        clean_store: Store, kit: PrivacyKit, tmp_path: Path) -> None:
    """Forty held-back 低保 rows (经办人 and family members: the name-only rules' context)
    arrive after a full run. The Spark run brings only their neighbourhood to the driver,
    in rounds, and writes what the in-process run over every mention gives."""
    from hub.ingest.run import IngestOptions, ingest_directory
    from tests.hub.resolution.test_neighbourhood import (
        HELD,
        HELD_LINES,
        expected_people,
        people_by_mention,
        write_held_back,
    )

    copy = tmp_path / "set"
    write_held_back(SAMPLE_DIR, copy, HELD_LINES)
    ingest_directory(clean_store, kit, copy)
    run_link(clean_store, kit)
    write_held_back(SAMPLE_DIR, copy, 0)
    ingest_directory(clean_store, kit, copy, IngestOptions(only={HELD}))
    expected = expected_people(clean_store, kit)

    options = SparkOptions(master="local[2]", work_dir=tmp_path / "spark", memory="1g",
                           partitions=4)
    summary = run_link(clean_store, kit, spark=options)
    assert summary.mode == "incremental" and summary.new_mentions > HELD_LINES
    assert people_by_mention(clean_store) == expected
    assert summary.new_mentions < summary.neighbourhood < summary.mentions / 2
    assert summary.rounds >= 1


def test_a_failing_spark_job_is_named_and_leaves_no_plaintext_in_the_message(
        linked_sample: Store, kit: PrivacyKit, tmp_path: Path) -> None:
    """Every task fails (its rows were sealed under another run's key): the run stops
    with a ``SparkEngineError`` naming what failed, and the message quotes no value."""
    options = SparkOptions(master="local[2]", work_dir=tmp_path / "spark", memory="1g",
                           partitions=4)
    work = options.work_dir / "staging" / "run"
    with spark_session(options) as spark:
        staged = stage(iter_mention_batches(linked_sample, kit.encryptor, 2000),
                       work / "mentions", hub_settings(), RunKey.new("standard"), "snappy")
        with pytest.raises(SparkEngineError, match="Spark failed while linking") as caught:
            link_on_spark(spark, staged, hub_settings(), RunKey.new("standard"),
                          decisions_frame(linked_sample), work / "run")
    message = str(caught.value)
    assert "nothing was written" in message
    assert not [s for s in _secrets() if s in message]


def test_spark_that_does_not_start_changes_nothing(linked_sample: Store,
                                                   tmp_path: Path) -> None:
    before = _links(linked_sample)
    code, output = _hub("link", "run", "--full", "--engine", "spark", "--master", "local[0]",
                        HUB_SPARK_DIR=str(tmp_path / "spark"))
    assert code == 1
    assert "Spark did not start on master local[0]" in output
    assert _links(linked_sample) == before

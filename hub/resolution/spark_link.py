"""``hub link run --engine spark``: link on Spark, write the result in batches.

Mentions leave Neo4j a page at a time and are staged without plaintext
(``hub.linkage.spark.stage``), Spark links them with the in-process engine's model and
kernels (``hub.linkage.spark.engine``), and nothing is written until Spark has finished, so
a failed run leaves the graph's links as they were.

A full run (the first, or ``full``) writes its result people by people, a batch at a time,
read from the Parquet Spark wrote one part at a time (the driver never holds the whole
result): each batch's mentions are read again and decrypted for the people's sealed identity, as
``persist.person_rows`` does in process, with the same rows and queries
(``persist.write_people`` / ``persist.finish_run``); person ids are the in-process full
run's (a hash of each person's smallest mention key). A later run is incremental, as the
in-process engine's: new mentions against the existing people with the stored model,
existing ids kept, only the people it changed written and rebuilt. It stages every mention
(Spark's equi-joins need no index) and brings only the batch's neighbourhood to the
driver (``hub.linkage.spark.neighbourhood``). The blocking-key index and the
mention cache are not built by this engine: they are cleared, and the next in-process
incremental run reads every mention once to rebuild them.
"""

from __future__ import annotations

import json
import shutil
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from graph_schema.queries import resolution as q
from hub.linkage.presets import hub_settings
from hub.linkage.spark.engine import IncrementalLink, SparkLinkResult, link_on_spark
from hub.linkage.spark.errors import SparkEngineError
from hub.linkage.spark.session import SparkOptions, spark_session
from hub.linkage.spark.stage import stage
from hub.linkage.spark.transit import RunKey
from hub.privacy_graph.kit import PrivacyKit
from hub.resolution.block_index import BlockIndex
from hub.resolution.load import iter_mention_batches, load_mentions_by_key
from hub.resolution.mention_cache import MentionCache
from hub.resolution.persist import (
    finish_run,
    person_rows,
    resolves_rows,
    review_rows,
    write_people,
)
from hub.resolution.service import (
    LinkSummary,
    _phase,
    decisions_frame,
    latest_settings,
    rebuild_on_people,
)
from hub.store import Store

WRITE_BATCH = 20_000
"""Mentions per write batch (whole people: a batch ends at a person's last mention)."""


def resolved_batches(path: Path, size: int) -> Iterator[pd.DataFrame]:
    """The run's result (``person_id``, ``method``, ``weight`` by mention key), whole
    people, about ``size`` mentions at a time, people in id order.

    Read one Parquet part at a time: the parts are ranges of person ids, in order, and
    each is sorted by person (``resolved.write_resolved``), so no person spans two parts
    and the driver never holds the whole result.
    """
    for part in sorted(path.glob("*.parquet")):
        frame = pq.read_table(part, columns=["key", "person_id", "method", "weight"]
                              ).to_pandas().set_index("key")
        ids = frame["person_id"].to_numpy(dtype=object)
        start = 0
        while start < len(frame):
            end = min(start + size, len(frame))
            while end < len(frame) and ids[end] == ids[end - 1]:
                end += 1
            yield frame.iloc[start:end]
            start = end


def read_ahead(store: Store, kit: PrivacyKit, batches: Iterator[pd.DataFrame]
               ) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Each batch (indexed by mention key) with its mentions read back and decrypted, the
    next batch read while the caller writes this one.

    Read and write in turn, Neo4j waited while the hub decrypted and sealed, and the hub
    waited while Neo4j read: the persist phase of a 200,000-household run took 471 s
    where the in-process one, which keeps its mentions, took 218 s. Batches hold
    different mentions, so writing one does not change what the next reads. One read in
    flight keeps at most two batches of decrypted mentions in memory.
    """
    def read(batch: pd.DataFrame) -> pd.DataFrame:
        return load_mentions_by_key(store, kit.encryptor, batch.index.astype(str).tolist())

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="spark-read-back") as pool:
        waiting: tuple[pd.DataFrame, Future[pd.DataFrame]] | None = None
        for batch in batches:
            ahead = (batch, pool.submit(read, batch))
            if waiting is not None:
                yield waiting[0], waiting[1].result()
            waiting = ahead
        if waiting is not None:
            yield waiting[0], waiting[1].result()


def _write(store: Store, kit: PrivacyKit, run_id: str, result: SparkLinkResult,
           size: int) -> dict[str, int]:
    """Persons and RESOLVES_TO batch by batch, then the review queue and retirements."""
    counts = {"links": 0, "new": 0}
    for batch, frame in read_ahead(store, kit, resolved_batches(result.resolves_to, size)):
        people = person_rows(frame, batch["person_id"], kit.encryptor, kit.indexer)
        links = resolves_rows(batch, frame["person_id"])
        write_people(store, run_id, people, links)
        counts["links"] += len(links)
        counts["new"] += int(frame["person_id"].isna().sum())
    counts["retired"] = finish_run(store, run_id, review_rows(result.review_queue),
                                   result.redirects, close_stale=True)
    counts["review"] = len(result.review_queue)
    return counts


def _write_incremental(store: Store, kit: PrivacyKit, run_id: str, linked: IncrementalLink
                       ) -> tuple[list[str], dict[str, int]]:
    """An incremental run's writes, as ``service._write`` makes them: only the people
    whose mentions changed are read back (to seal their identity) and written."""
    result, previous = linked.result, linked.previous
    person_of = result.person_ids
    before = previous.reindex(person_of.index)
    moved = (person_of != before).to_numpy()
    changed = set(person_of[moved])
    keys = person_of.index[person_of.isin(changed).to_numpy()].tolist()
    people = (person_rows(load_mentions_by_key(store, kit.encryptor, keys), person_of,
                          kit.encryptor, kit.indexer, only=changed) if keys else [])
    links = resolves_rows(result.resolves_to, previous)
    vacated = sorted(set(before[moved].dropna()) | set(result.redirects))
    write_people(store, run_id, people, links)
    retired = finish_run(store, run_id, review_rows(result.review_queue), result.redirects,
                         close_stale=False, vacated=vacated)
    touched = sorted(changed | set(before[moved].dropna()) | set(result.redirects))
    return touched, {"links": len(links), "retired": retired,
                     "new": int(previous.isna().sum()), "review": len(result.review_queue)}


def run_link_spark(store: Store, kit: PrivacyKit, options: SparkOptions, *,
                   full: bool = False, cache_dir: Path | None = None, page: int = 50_000,
                   write_batch: int = WRITE_BATCH) -> LinkSummary:
    """Link the graph's mentions on Spark and rebuild households and projections.

    As in process, the first run and ``full`` link every mention from scratch; a later run
    links the mentions without a person against the existing people with the stored
    model, and existing ids stay.

    Args:
        store: The graph.
        kit: Keys: the driver decrypts each page of mentions in memory to stage it.
        options: Where and how Spark runs.
        full: Relink every mention.
        cache_dir: The in-process engine's cache directory; its index and mention cache
            are cleared (this run does not keep them up to date).
        page: Mentions read from the graph at a time.
        write_batch: Mentions written at a time.

    Raises:
        SparkEngineError: Spark could not run the link; the graph is unchanged.
    """
    began = time.monotonic()
    phases: dict[str, float] = {}
    run_id = time.strftime("L%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:6]
    key = RunKey.new(kit.keyring.profile)
    work = options.work_dir / "staging" / run_id
    stored = None if full else latest_settings(store)
    settings = stored or hub_settings()
    result: SparkLinkResult | IncrementalLink | None = None
    try:
        with spark_session(options) as spark:
            phases["session"] = round(time.monotonic() - began, 2)  # Spark's start-up
            with _phase(phases, "load"):
                staged = stage(iter_mention_batches(store, kit.encryptor, page),
                               work / "mentions", settings, key, options.compression)
            total = int(store.read(q.MENTION_COUNT)[0]["mentions"])
            if staged.n != total:
                raise SparkEngineError(
                    f"staged {staged.n:,} mentions but the graph holds {total:,}: it changed "
                    "while the run read it; run again")
            incremental = stored is not None and staged.new_count < staged.n
            if not incremental or staged.new_count:
                with _phase(phases, "linkage"):
                    result = link_on_spark(spark, staged, settings, key,
                                           decisions_frame(store), work / "run",
                                           incremental=incremental)
        counts = {"links": 0, "retired": 0, "new": staged.new_count, "review": 0}
        touched: list[str] | None = None if not incremental else []
        with _phase(phases, "persist"):
            if isinstance(result, SparkLinkResult):
                phases.update({f"spark_{k}": v for k, v in result.phases.items()})
                counts = _write(store, kit, run_id, result, write_batch)
            elif result is not None:
                touched, counts = _write_incremental(store, kit, run_id, result)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    households = rebuild_on_people(store, kit, touched, phases)
    store.run_autocommit(q.CLEAR_ALL_LINK_PENDING)
    summary = LinkSummary(
        run_id=run_id, mode="incremental" if incremental else "full", mentions=staged.n,
        new_mentions=counts["new"], read_mentions=staged.n,
        persons=int(store.read(q.LIVE_PERSON_COUNT)[0]["n"]),
        links_written=counts["links"],
        review_queue=len(result.review_queue) if result is not None else 0,
        retired_persons=counts["retired"], households=households,
        seconds=round(time.monotonic() - began, 2), phases=phases,
        neighbourhood=len(result.previous) if isinstance(result, IncrementalLink) else 0,
        rounds=result.rounds if isinstance(result, IncrementalLink) else 0)
    used = result.settings if result is not None else settings
    store.write(q.RECORD_LINK_RUN, run_id=run_id, props={
        **{k: v for k, v in asdict(summary).items() if k not in ("run_id", "phases")},
        "engine": "spark",
        "phases_json": json.dumps(phases),
        "settings_json": used.to_json(),
        "blocking_counts": (json.dumps(result.blocking_counts) if result is not None
                            else None),
    })
    if cache_dir is not None:
        BlockIndex(cache_dir, kit.keyring).clear()
        MentionCache(cache_dir, kit.keyring).clear()
    return summary

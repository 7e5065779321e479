"""``hub link``: resolve every mention in the graph into people, then rebuild what hangs
off people (households, kinship, projected facts).

A first run links everything; later runs are incremental: mentions without a person are
linked against the existing people, whose ids stay. ``full=True`` relinks from scratch
(ids are deterministic, so unchanged clusters keep theirs). Clerical decisions stored in
the graph are always passed in and always win.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from graph_schema.queries import projection as pq
from graph_schema.queries import resolution as q
from hub.linkage import LinkageSettings, link
from hub.linkage.block_keys import indexable
from hub.linkage.pipeline import LinkResult
from hub.linkage.spark.session import SparkOptions
from hub.linkage.standardise import standardise
from hub.privacy_graph.kit import PrivacyKit
from hub.resolution.block_index import (
    BlockIndex,
    IndexState,
    KeyHasher,
    Segment,
    build_segment,
    rules_digest,
)
from hub.resolution.households import build_households
from hub.resolution.load import load_mentions_cached, mention_state
from hub.resolution.mention_cache import CachedFrame, CacheState, MentionCache
from hub.resolution.neighbourhood import NeighbourhoodTooWideError, link_neighbourhood, segment_for
from hub.resolution.persist import person_rows, resolves_rows, review_rows, write_result
from hub.resolution.preflight import check_memory
from hub.store import Store

# one background thread for a run's side work: reading the mention state while the cache
# opens, sealing the next cache while the run writes (see run_link)
_BACKGROUND = ThreadPoolExecutor(max_workers=1, thread_name_prefix="link-background")


@dataclass
class LinkSummary:
    """What a link run did, for the CLI table and the ``LinkRun`` node."""

    run_id: str
    mode: str
    mentions: int
    new_mentions: int
    persons: int
    links_written: int
    review_queue: int
    retired_persons: int
    households: int
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)
    read_mentions: int = 0
    """Mentions read and decrypted: all of them, or an indexed run's neighbourhood."""
    rounds: int = 0
    """Rounds an incremental run took to gather its neighbourhood (0 otherwise)."""
    neighbourhood: int = 0
    """Mentions an incremental run clustered: the batch and the people it can change (0
    for a full run)."""


def latest_settings(store: Store) -> LinkageSettings | None:
    """The trained settings of the last run, reused so weights stay comparable."""
    rows = store.read(q.LATEST_LINK_RUN)
    if not rows or not rows[0]["settings_json"]:
        return None
    return LinkageSettings.from_json(rows[0]["settings_json"])


def decisions_frame(store: Store) -> pd.DataFrame:
    """Clerical decisions (accepted / rejected pairs) as linkage expects them."""
    rows = store.read(q.DECIDED_REVIEW_PAIRS)
    return pd.DataFrame(rows, columns=["key_a", "key_b", "decision"])


@contextmanager
def _phase(phases: dict[str, float], name: str) -> Iterator[None]:
    """Add the wall seconds of a block to ``phases[name]`` (kept on the ``LinkRun``)."""
    began = time.monotonic()
    try:
        yield
    finally:
        phases[name] = round(phases.get(name, 0.0) + time.monotonic() - began, 2)


def _cached_frame(store: Store, cache: MentionCache | None, full: bool
                  ) -> CachedFrame | None:
    """The sealed frame of the last run if it still matches the graph, else None."""
    if cache is None or full:
        return None
    rows = store.read(q.LATEST_LINK_RUN_STATE)
    if not rows or rows[0]["mentions"] is None:
        return None
    return cache.load(CacheState(rows[0]["run_id"], int(rows[0]["mentions"])))


def index_rules(settings: LinkageSettings) -> str:
    """Digest of what the blocking-key index was built for (rules and name-only rules)."""
    return rules_digest([*(f"{r.name}|{r.kind}|{r.columns}|{r.when_missing}"
                           for r in settings.blocking_rules),
                         *(f"{r.name}|{r.roles}|{r.target_sources}|{r.match_on}"
                           for r in settings.name_only_rules)])


def _open_index(store: Store, index: BlockIndex | None, full: bool
                ) -> tuple[LinkageSettings, list[Segment]] | None:
    """The trained settings and the index segments when an incremental run can look its
    neighbourhood up (an index written for the last run, rules that are equalities)."""
    if index is None or full:
        return None
    rows = store.read(q.LATEST_LINK_RUN_STATE)
    settings = latest_settings(store)
    if not rows or rows[0]["mentions"] is None or settings is None \
            or not indexable(settings):
        return None
    segments = index.open(IndexState(rows[0]["run_id"], int(rows[0]["mentions"]),
                                     index_rules(settings)))
    return (settings, segments) if segments is not None else None


@dataclass
class _Outcome:
    """What the linkage step of either path hands to the writing steps."""

    frame: pd.DataFrame
    result: LinkResult | None
    incremental: bool
    new_mentions: int
    pending: list[str] = field(default_factory=list)
    rounds: int = 0


def _link_all(store: Store, kit: PrivacyKit, cache: MentionCache | None, full: bool,
              phases: dict[str, float]) -> tuple[_Outcome, pd.Series]:
    """Read every mention (through the sealed cache when it matches) and link."""
    with _phase(phases, "load"):
        # the graph's mention state is read while the cache is opened: that query is
        # mostly Neo4j's time, the cache mostly ours
        # (only when there is a cache file: a miss reads everything anyway)
        state = (_BACKGROUND.submit(mention_state, store)
                 if cache is not None and not full and cache.path.is_file() else None)
        cached = _cached_frame(store, cache, full)
        frame, row_hashes = load_mentions_cached(
            store, kit.encryptor, cached,
            state.result() if state is not None and cached is not None else None)
        is_new = frame["person_id"].isna()
        decisions = decisions_frame(store)
    incremental = not full and not is_new.all()
    with _phase(phases, "linkage"):
        if incremental:
            result = None if not is_new.any() else link(
                frame[is_new].drop(columns="person_id"), latest_settings(store),
                existing=frame[~is_new], decisions=decisions)
        else:
            result = link(frame.drop(columns="person_id"), None, decisions=decisions)
    return _Outcome(frame, result, incremental, int(is_new.sum())), row_hashes


def _link_neighbourhood(store: Store, kit: PrivacyKit, settings: LinkageSettings,
                        segments: list[Segment], phases: dict[str, float]) -> _Outcome | None:
    """Link the pending mentions against their looked-up neighbourhood (None: too wide)."""
    with _phase(phases, "neighbourhood"):
        try:
            hood = link_neighbourhood(store, kit.encryptor, segments, KeyHasher(kit.keyring),
                                      settings, decisions_frame(store))
        except NeighbourhoodTooWideError:
            return None
    if hood is None:
        return _Outcome(pd.DataFrame({"person_id": []}), None, True, 0)
    new = int(hood.frame["person_id"].isna().sum())
    return _Outcome(hood.frame, hood.result, True, new, hood.pending, hood.rounds)


def _next_segment(outcome: _Outcome, settings: LinkageSettings, hasher: KeyHasher,
                  indexed: bool) -> Segment:
    """The blocking-key index entries this run adds: the pending mentions' after an
    indexed run, every mention's (a new base) after a run that read them all."""
    if indexed:
        if outcome.frame.empty or "name_canon" not in outcome.frame:
            return build_segment([], [])
        return segment_for(outcome.frame, hasher, settings, only=outcome.pending)
    result = outcome.result
    frame = (result.frame if result is not None and result.frame is not None
             else standardise(outcome.frame.drop(columns="person_id")))
    return segment_for(frame, hasher, settings)


def _write(store: Store, kit: PrivacyKit, run_id: str, outcome: _Outcome,
           phases: dict[str, float]) -> tuple[list[str], dict[str, int]]:
    """Persons, RESOLVES_TO and the review queue, then households and projections.

    Returns:
        The people whose mentions changed, and the counts for the summary.
    """
    frame, result, incremental = outcome.frame, outcome.result, outcome.incremental
    counts = {"persons": 0, "links": 0, "review": 0, "retired": 0}
    touched: list[str] = []
    if result is not None:
        with _phase(phases, "persist"):
            previous = frame["person_id"]
            person_of = result.person_ids
            before = previous.reindex(person_of.index)
            moved = person_of != before
            people = person_rows(frame, person_of, kit.encryptor, kit.indexer,
                                 only=set(person_of[moved]) if incremental else None)
            link_rows = resolves_rows(result.resolves_to, previous)
            queue = review_rows(result.review_queue)
            vacated = sorted(set(before[moved].dropna()) | set(result.redirects))
            counts["retired"] = write_result(store, run_id, people, link_rows, queue,
                                             result.redirects, close_stale=not incremental,
                                             vacated=vacated if incremental else None)
            counts.update(persons=person_of.nunique(), links=len(link_rows), review=len(queue))
            # people gaining or losing a mention: only their households and projections
            # change in an incremental run
            touched = sorted(set(person_of[moved]) | set(before[moved].dropna())
                             | set(result.redirects))
    counts["households"] = rebuild_on_people(store, kit, touched if incremental else None,
                                             phases)
    return touched, counts


def rebuild_on_people(store: Store, kit: PrivacyKit, touched: list[str] | None,
                      phases: dict[str, float]) -> int:
    """Households and projected facts, for the ``touched`` people or (None) everyone.

    Returns:
        The households built.
    """
    with _phase(phases, "households"):
        households = build_households(store, kit.encryptor, rebuild=touched is None,
                                      persons=touched)
    with _phase(phases, "projection"):
        if touched is not None:
            for statement in pq.PERSON_PROJECTIONS:
                store.write(statement, persons=touched)
        else:
            for statement in pq.PROJECTIONS:
                store.run_autocommit(statement)
    return households


def run_link(store: Store, kit: PrivacyKit, *, full: bool = False,
             cache_dir: Path | None = None, memory_check: bool = True,
             available_memory: int | None = None,
             spark: SparkOptions | None = None) -> LinkSummary:
    """Link the graph's mentions into people and rebuild the structures on top.

    Three ways, chosen here: a **full** run reads and links every mention; an
    **incremental** run with a usable blocking-key index reads only the pending mentions'
    neighbourhood (``neighbourhood.py``: cost follows the batch); without one it reads every
    mention (through the sealed mention cache) and links the new ones against them, and
    rebuilds the index.

    Args:
        store: the graph.
        kit: keys to decrypt what linkage compares (in memory only).
        full: relink every mention instead of only the new ones.
        cache_dir: where to keep the sealed mention cache and the blocking-key index
            (``<data_dir>/cache``); without it every incremental run reads every mention.
        memory_check: before a full run (``full`` or the first), refuse it when its
            estimated peak memory exceeds the available memory (``preflight.py``);
            ``False`` for people who know the estimate is too cautious.
        available_memory: bytes taken as available instead of asking the system.
        spark: run on Apache Spark with these options instead (``spark_link.py``; its
            incremental runs read every mention), without the memory check (Spark's
            memory is bounded by partitions).

    Raises:
        LinkMemoryError: the memory check refused a full run; nothing was read or written.
        SparkEngineError: the Spark engine could not run; nothing was written.
    """
    if spark is not None:
        from hub.resolution.spark_link import run_link_spark

        return run_link_spark(store, kit, spark, full=full, cache_dir=cache_dir)
    if memory_check and (full or not store.read(q.LATEST_LINK_RUN_STATE)):
        check_memory(store, available_memory)
    began = time.monotonic()
    phases: dict[str, float] = {}
    run_id = time.strftime("L%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:6]
    cache = MentionCache(cache_dir, kit.keyring) if cache_dir is not None else None
    index = BlockIndex(cache_dir, kit.keyring) if cache_dir is not None else None
    opened = _open_index(store, index, full)
    outcome = _link_neighbourhood(store, kit, *opened, phases) if opened else None
    row_hashes = None
    if outcome is None:
        outcome, row_hashes = _link_all(store, kit, cache, full, phases)
    result = outcome.result
    indexed = row_hashes is None
    settings = (result.settings if result is not None
                else opened[0] if opened else latest_settings(store))
    segment = None
    if index is not None and settings is not None and indexable(settings):
        with _phase(phases, "index"):
            segment = _next_segment(outcome, settings, KeyHasher(kit.keyring), indexed)
    if result is not None:
        result.frame = None
    # a run that read every mention seals the next mention cache in the background while
    # it writes its few changes (incremental) or at the end (a full run keeps this process
    # busy); the file is put in place only after the LinkRun it is bound to is recorded
    next_cache = (CacheState(run_id, len(outcome.frame)),
                  CachedFrame(outcome.frame.drop(columns="person_id"), row_hashes)
                  ) if cache is not None and row_hashes is not None else None
    sealing = (_BACKGROUND.submit(cache.seal, *next_cache)
               if cache is not None and next_cache is not None and outcome.incremental
               else None)
    _, counts = _write(store, kit, run_id, outcome, phases)
    mentions = (int(store.read(q.MENTION_COUNT)[0]["mentions"]) if indexed
                else len(outcome.frame))
    if indexed:
        counts["persons"] = int(store.read(q.LIVE_PERSON_COUNT)[0]["n"])
        store.run_autocommit(q.CLEAR_LINK_PENDING, keys=outcome.pending)
    else:
        store.run_autocommit(q.CLEAR_ALL_LINK_PENDING)
    summary = LinkSummary(run_id=run_id, mode="incremental" if outcome.incremental else "full",
                          mentions=mentions, new_mentions=outcome.new_mentions,
                          read_mentions=len(outcome.frame), rounds=outcome.rounds,
                          neighbourhood=len(outcome.frame) if outcome.incremental else 0,
                          persons=counts["persons"], links_written=counts["links"],
                          review_queue=counts["review"], retired_persons=counts["retired"],
                          households=counts["households"],
                          seconds=round(time.monotonic() - began, 2), phases=phases)
    store.write(q.RECORD_LINK_RUN, run_id=run_id, props={
        **{k: v for k, v in asdict(summary).items() if k not in ("run_id", "phases")},
        "engine": "inprocess",
        "phases_json": json.dumps(phases),
        # kept even when nothing was linked: the next run reuses the trained model
        "settings_json": settings.to_json() if settings is not None else None,
        "blocking_counts": json.dumps(result.blocking_counts) if result is not None else None,
    })
    if index is not None:
        if segment is not None and settings is not None:
            index.write(IndexState(run_id, mentions, index_rules(settings)), segment,
                        replace=not indexed)
        else:
            index.clear()
    if cache is not None:
        if next_cache is not None:
            with _phase(phases, "cache"):
                cache.write(sealing.result() if sealing is not None
                            else cache.seal(*next_cache))
        else:
            cache.clear()  # an indexed run leaves it behind the graph
    return summary

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
from hub.privacy_kit import PrivacyKit
from hub.resolution.households import build_households
from hub.resolution.load import load_mentions_cached, mention_state
from hub.resolution.mention_cache import CachedFrame, CacheState, MentionCache
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


def run_link(store: Store, kit: PrivacyKit, *, full: bool = False,
             cache_dir: Path | None = None, memory_check: bool = True,
             available_memory: int | None = None) -> LinkSummary:
    """Link the graph's mentions into people and rebuild the structures on top.

    Args:
        store: the graph.
        kit: keys to decrypt what linkage compares (in memory only).
        full: relink every mention instead of only the new ones.
        cache_dir: where to keep the sealed mention cache (``<data_dir>/cache``); an
            incremental run then reads and decrypts only mentions the cache lacks.
        memory_check: before a full run (``full`` or the first), refuse it when its
            estimated peak memory exceeds the available memory (``preflight.py``);
            ``False`` for people who know the estimate is too cautious.
        available_memory: bytes taken as available instead of asking the system.

    Raises:
        LinkMemoryError: the memory check refused a full run; nothing was read or written.
    """
    if memory_check and (full or not store.read(q.LATEST_LINK_RUN_STATE)):
        check_memory(store, available_memory)
    began = time.monotonic()
    phases: dict[str, float] = {}
    run_id = time.strftime("L%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:6]
    cache = MentionCache(cache_dir, kit.keyring) if cache_dir is not None else None
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
        previous = frame["person_id"]
        is_new = previous.isna()
        decisions = decisions_frame(store)
    incremental = not full and not is_new.all()
    with _phase(phases, "linkage"):
        if incremental:
            if not is_new.any():
                result = None
            else:
                result = link(frame[is_new].drop(columns="person_id"), latest_settings(store),
                              existing=frame[~is_new], decisions=decisions)
        else:
            result = link(frame.drop(columns="person_id"), None, decisions=decisions)
    # an incremental run seals the next cache while it writes its few changes (mostly
    # waiting on Neo4j; not during linkage, which needs the CPU). A full run's writes keep
    # this process busy, so it seals at the end. Either way the file is put in place only
    # after the LinkRun it is bound to is recorded.
    next_cache = (CacheState(run_id, len(frame)),
                  CachedFrame(frame.drop(columns="person_id"), row_hashes)
                  ) if cache is not None else None
    sealing = (_BACKGROUND.submit(cache.seal, *next_cache)
               if cache is not None and next_cache is not None and incremental else None)
    persons = links = review = retired = 0
    touched: list[str] = []
    if result is not None:
        with _phase(phases, "persist"):
            person_of = result.person_ids
            before = previous.reindex(person_of.index)
            moved = person_of != before
            people = person_rows(frame, person_of, kit.encryptor, kit.indexer,
                                 only=set(person_of[moved]) if incremental else None)
            link_rows = resolves_rows(result.resolves_to, previous)
            queue = review_rows(result.review_queue)
            retired = write_result(store, run_id, people, link_rows, queue, result.redirects,
                                   close_stale=not incremental)
            persons, links, review = person_of.nunique(), len(link_rows), len(queue)
            # people gaining or losing a mention: only their households and projections
            # change in an incremental run
            touched = sorted(set(person_of[moved]) | set(before[moved].dropna())
                             | set(result.redirects))
    with _phase(phases, "households"):
        households = build_households(store, kit.encryptor, rebuild=not incremental,
                                      persons=touched if incremental else None)
    with _phase(phases, "projection"):
        if incremental:
            for statement in pq.PERSON_PROJECTIONS:
                store.write(statement, persons=touched)
        else:
            for statement in pq.PROJECTIONS:
                store.run_autocommit(statement)
    summary = LinkSummary(run_id=run_id, mode="incremental" if incremental else "full",
                          mentions=len(frame), new_mentions=int(is_new.sum()),
                          persons=persons, links_written=links, review_queue=review,
                          retired_persons=retired, households=households,
                          seconds=round(time.monotonic() - began, 2), phases=phases)
    store.write(q.RECORD_LINK_RUN, run_id=run_id, props={
        **{k: v for k, v in asdict(summary).items() if k not in ("run_id", "phases")},
        "phases_json": json.dumps(phases),
        "settings_json": result.settings.to_json() if result is not None else None,
        "blocking_counts": json.dumps(result.blocking_counts) if result is not None else None,
    })
    if cache is not None and next_cache is not None:
        with _phase(phases, "cache"):
            cache.write(sealing.result() if sealing is not None else cache.seal(*next_cache))
    return summary

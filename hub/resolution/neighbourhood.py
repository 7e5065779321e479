"""Incremental linking in proportion to the batch: read only what the batch can change.

A batch can change only the people it pairs with and the name-only mentions around them
(``hub.linkage.incremental``). This module reads exactly that neighbourhood from the graph
and the blocking-key index (``block_index.py``), instead of every mention:

1. the pending mentions (no person yet, or their row changed: ``LinkPending``);
2. their **candidates**: every mention holding one of their blocking keys (index look-up),
   plus the mentions of clerical decisions (which always take part);
3. a linkage run on what is loaded tells which mentions it may change (``changed``: the
   people with a linking pair or a decision, and the targets of name-only mentions);
4. the **context** those need, read hop by hop: all mentions of those people; the rows and
   households they appear in and all mentions of the people there (the name-only rules'
   neighbours); in those people's rows, the mentions that may be unresolved name-only ones
   (no ID number, alone in their person: the graph answers that without decrypting); the
   people in those subjects' rows and everyone sharing a row or household with them (the
   subjects' relatives); and the roster entries equal on a roster rule's ``match_on``. Every
   mention read in a subject's reach comes with all mentions of its person.

If the context holds mentions not yet loaded, they are loaded and step 3 runs again; when
nothing is missing the result is what a run over every mention gives (a test compares the
two on the sample, the benchmark at 20,000 households). Each hop is an index look-up or one
Cypher round trip, so the cost follows the batch and its neighbourhood, not the graph.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from graph_schema.queries import resolution as q
from hub.linkage.block_keys import (
    HOUSEHOLD,
    ROW,
    blocking_keys,
    context_keys,
    roster_kind,
)
from hub.linkage.pipeline import LinkResult, link
from hub.linkage.settings import LinkageSettings
from hub.linkage.standardise import standardise
from hub.resolution.block_index import KeyHasher, Segment, build_segment, lookup
from hub.resolution.load import load_mentions_by_key
from hub.store import Store
from privacy import FieldEncryptor

log = logging.getLogger(__name__)

MAX_ROUNDS = 6
"""Rounds of "link, then load the context it needs" before giving up (the caller then
reads every mention). Each round only adds mentions; in practice two suffice."""


class NeighbourhoodTooWideError(RuntimeError):
    """The context kept growing past :data:`MAX_ROUNDS`; read every mention instead."""


@dataclass
class Neighbourhood:
    """What an indexed incremental run read and produced."""

    frame: pd.DataFrame
    """The loaded mentions (decrypted, with ``person_id``), indexed by mention key."""
    pending: list[str]
    """The mentions this run linked (new, or changed since they were linked)."""
    result: LinkResult | None
    """None when every pending mention already has a person (only changed rows)."""
    rounds: int


class _Loader:
    """Loads mentions by key once each and keeps them standardised."""

    def __init__(self, store: Store, encryptor: FieldEncryptor) -> None:
        self.store, self.encryptor = store, encryptor
        self.parts: list[pd.DataFrame] = []
        self.keys: set[str] = set()
        self.closed: set[str] = set()

    def add(self, keys: Iterable[str]) -> int:
        """Load the keys not loaded yet; returns how many were added."""
        missing = sorted(set(keys) - self.keys)
        if missing:
            raw = load_mentions_by_key(self.store, self.encryptor, missing)
            self.parts.append(standardise(raw))
            self.keys.update(raw.index)
        return len(missing)

    def frame(self) -> pd.DataFrame:
        if len(self.parts) > 1:
            self.parts = [pd.concat(self.parts)]
        return self.parts[0]

    def whole_people(self, keys: Iterable[str]) -> set[str]:
        """``keys`` and every mention of their people (asked once per key)."""
        todo = sorted(set(keys) - self.closed)
        found: set[str] = set(keys)
        for start in range(0, len(todo), 20_000):
            chunk = todo[start:start + 20_000]
            rows = self.store.read(q.PERSON_MENTIONS, keys=chunk)
            found.update(rows[0]["keys"] if rows else [])
        self.closed.update(todo)
        self.closed.update(found)
        return found


def _hashes(hasher: KeyHasher, keyed: Iterable[tuple[str, np.ndarray]]) -> np.ndarray:
    parts = [hasher.hash_values(kind, values)[1] for kind, values in keyed]
    return np.concatenate(parts) if parts else np.empty(0, np.uint64)


def _members(segments: list[Segment], hasher: KeyHasher, frame: pd.DataFrame,
             keys: set[str], kinds: tuple[str, ...]) -> set[str]:
    """Every mention sharing a ``kinds`` group key with one of ``keys``."""
    chosen = frame.loc[frame.index.isin(list(keys))]
    keyed = [(kind, chosen[f"{kind}_key"].to_numpy(object)) for kind in kinds
             if f"{kind}_key" in chosen]
    return lookup(segments, _hashes(hasher, keyed)) | keys


def _roster_entries(segments: list[Segment], hasher: KeyHasher, frame: pd.DataFrame,
                    keys: set[str], settings: LinkageSettings) -> set[str]:
    """Mentions equal on a roster rule's ``match_on`` to one of ``keys`` (targets or role
    holders)."""
    chosen = frame.loc[frame.index.isin(list(keys))]
    keyed = [(kind, values) for kind, values in context_keys(chosen, settings)
             if kind.startswith(roster_kind(""))]
    return lookup(segments, _hashes(hasher, keyed))


def _context(loader: _Loader, segments: list[Segment], hasher: KeyHasher,
             changed: set[str], settings: LinkageSettings) -> set[str]:
    """The mentions a run that changes ``changed`` reads (see the module docstring)."""
    def members(keys: set[str], kinds: tuple[str, ...]) -> set[str]:
        loader.add(keys)
        return _members(segments, hasher, loader.frame(), keys, kinds)

    scope = loader.whole_people(changed)
    near = loader.whole_people(members(scope, (ROW, HOUSEHOLD)))
    # the name-only subjects in the near people's rows: mentions the graph says may be
    # unresolved name-only ones, and the candidates loaded there without their people
    # (they must be whole to be judged alone or not)
    hot = members(near, (ROW,))
    rows = loader.store.read(q.NAME_ONLY_SUBJECTS, keys=sorted(hot))
    subjects = loader.whole_people(set(rows[0]["keys"] if rows else [])
                                   | (hot & (loader.keys - loader.closed)))
    anchors = loader.whole_people(members(subjects, (ROW,)))
    relatives = loader.whole_people(members(anchors, (ROW, HOUSEHOLD)))
    loader.add(relatives)
    roster = loader.whole_people(
        _roster_entries(segments, hasher, loader.frame(), scope | subjects, settings))
    log.debug("context: scope %d, near %d, rows %d, subjects %d, relatives %d, roster %d",
              len(scope), len(near), len(hot), len(subjects), len(relatives), len(roster))
    return near | subjects | relatives | roster


def pending_mentions(store: Store) -> list[str]:
    """Return the keys of the mentions an incremental run must link.

    Reads the marked records through the label index; only when the count store shows
    more mentions without a person than are marked (records written before ingest marked
    them) does it scan every record instead, so no unlinked mention is ever skipped.
    """
    marked = store.read(q.PENDING_MENTIONS)[0]
    unresolved = int(store.read(q.UNRESOLVED_MENTION_COUNT)[0]["n"])
    if unresolved > int(marked["unresolved"]):
        log.info("%d mentions without a person are unmarked; scanning every record",
                 unresolved - int(marked["unresolved"]))
        return list(store.read(q.PENDING_MENTIONS_SCAN)[0]["keys"])
    return list(marked["keys"])


def link_neighbourhood(store: Store, encryptor: FieldEncryptor, segments: list[Segment],
                       hasher: KeyHasher, settings: LinkageSettings,
                       decisions: pd.DataFrame) -> Neighbourhood | None:
    """Link the pending mentions against their neighbourhood only.

    Returns:
        None when nothing is pending.

    Raises:
        NeighbourhoodTooWideError: the context did not settle in :data:`MAX_ROUNDS` rounds.
    """
    pending = pending_mentions(store)
    if not pending:
        return None
    loader = _Loader(store, encryptor)
    loader.add(pending)
    batch = loader.frame()
    candidates = lookup(segments, _hashes(hasher, blocking_keys(batch, settings,
                                                                lookup=True)))
    decided = set(decisions["key_a"].astype(str)) | set(decisions["key_b"].astype(str))
    loader.add(candidates | decided)
    log.debug("pending %d, candidates %d, decided %d", len(pending), len(candidates),
              len(decided))
    for rounds in range(1, MAX_ROUNDS + 1):
        began = time.monotonic()
        frame = loader.frame()
        # a changed row that has a person keeps it unless the batch moves it, as in a
        # run over every mention: only mentions without a person are the new batch
        is_new = frame["person_id"].isna().to_numpy()
        if not is_new.any():
            return Neighbourhood(frame, pending, None, 0)
        result = link(frame[is_new].drop(columns="person_id"), settings,
                      existing=frame[~is_new], decisions=decisions)
        changed = set(result.changed) if result.changed is not None else set(frame.index)
        linked = time.monotonic()
        before = len(loader.keys)
        loader.add(_context(loader, segments, hasher, changed, settings))
        log.debug("round %d: linked %d mentions in %.2f s (%d changed), context read in "
                  "%.2f s: %d mentions", rounds, before, linked - began, len(changed),
                  time.monotonic() - linked, len(loader.keys))
        if len(loader.keys) == before:
            return Neighbourhood(loader.frame(), pending, result, rounds)
    raise NeighbourhoodTooWideError(f"the batch's context still grew after {MAX_ROUNDS} rounds")


def segment_for(frame: pd.DataFrame, hasher: KeyHasher, settings: LinkageSettings,
                only: Iterable[str] | None = None) -> Segment:
    """The index entries of ``frame``'s (standardised) mentions, or of ``only`` those."""
    if only is not None:
        frame = frame.loc[frame.index.isin(list(only))]
    keys = [str(k) for k in frame.index]
    entries = [hasher.hash_values(kind, values)
               for kind, values in (*blocking_keys(frame, settings),
                                    *context_keys(frame, settings))]
    return build_segment(keys, entries)

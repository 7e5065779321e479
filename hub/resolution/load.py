"""Load mentions from the graph into the linkage DataFrame, decrypting only what it needs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any, LiteralString

import pandas as pd
from neo4j.exceptions import Neo4jError

from graph_schema import labels
from graph_schema.queries import resolution as q
from hub.errors import StoreError
from hub.ingest.gc_tuning import fewer_gc_passes
from hub.linkage.frame import MENTION_COLUMNS
from hub.resolution.mention_cache import CachedFrame
from hub.store import Store, quiet
from privacy import FieldEncryptor

_SEALED = (("enc_name", "name"), ("enc_id_number", "id_number"), ("enc_birth_date", "birth_date"))


_SHARED = ("source", "role", "id_kind", "sex", "region_code")
"""Low-cardinality text columns: one string object per distinct value, not per mention."""


def _shared(values: list[Any]) -> list[Any]:
    """``values`` with equal strings replaced by one object (the driver makes one each)."""
    seen: dict[Any, Any] = {}
    return [seen.setdefault(v, v) for v in values]


def frame_from_columns(columns: Mapping[str, list[Any]], encryptor: FieldEncryptor
                       ) -> pd.DataFrame:
    """Build the linkage frame (indexed by mention key) from graph columns.

    Column lists, not a dict per row: 400k dicts of 14 entries (twice, before and after
    decryption) were most of a full run's load peak, and the memory they left behind
    was still held while linkage ran. Every token is opened in one streamed
    ``decrypt_many`` call per field (per-token calls cost more than the AES itself).
    """
    keys = columns.get("mention_key") or []
    n = len(keys)
    data: dict[str, list[Any]] = {c: columns.get(c) or [None] * n for c in MENTION_COLUMNS}
    for name in _SHARED:
        data[name] = _shared(data[name])
    for prop, field in _SEALED:
        tokens = columns.get(prop) or [None] * n
        where = [i for i, token in enumerate(tokens) if token]
        plain = encryptor.decrypt_many(
            (tokens[i], labels.SOURCE_RECORD, keys[i], field) for i in where)
        column: list[Any] = [None] * n
        parse = date.fromisoformat if field == "birth_date" else None
        for i, value in zip(where, plain, strict=True):
            column[i] = parse(value) if parse else value
        data[field] = column
    data["row_key"] = [f"{s}:{r}" for s, r in zip(data["source"], data["record_id"],
                                                   strict=True)]
    data["id_valid"] = [bool(v) for v in data["id_valid"]]
    data["person_id"] = columns.get("person_id") or [None] * n
    df = pd.DataFrame(data, columns=[*MENTION_COLUMNS, "person_id"])
    df = df.set_index("mention_key", drop=False)
    df.index.name = None
    return df


def frame_from_records(records: list[dict[str, Any]], encryptor: FieldEncryptor
                       ) -> pd.DataFrame:
    """Build the linkage frame (indexed by mention key) from graph rows (a few records)."""
    names = {name for record in records for name in record}
    return frame_from_columns({name: [r.get(name) for r in records] for name in names},
                              encryptor)


def _plain_columns(store: Store, text: LiteralString, **params: Any) -> dict[str, list[Any]]:
    """A read's result as one list per column (all values plain: strings, numbers, booleans).

    ``Record.data()`` walks every value looking for nodes and paths to convert, and a dict
    per record costs ~650 bytes: records are kept as the driver's tuples and transposed.
    """
    try:
        with store.driver.session(database=store.database) as session:
            result = session.run(text, quiet(params))
            keys = result.keys()
            records = list(result)
    except Neo4jError as exc:
        raise StoreError(f"loading mentions failed: {exc.code}") from exc
    return {key: [record[i] for record in records] for i, key in enumerate(keys)}


def load_mentions(store: Store, encryptor: FieldEncryptor) -> pd.DataFrame:
    """Every mention in the graph with its current ``person_id`` (None if never linked)."""
    return load_mentions_cached(store, encryptor, None)[0]


def _full_load(store: Store, encryptor: FieldEncryptor) -> tuple[pd.DataFrame, pd.Series]:
    columns = _plain_columns(store, q.MENTIONS_FOR_LINKAGE)
    frame = frame_from_columns(columns, encryptor)
    hashes = columns.get("row_hash") or [None] * len(frame)
    return frame, pd.Series(hashes, index=frame.index, dtype=object)


def load_mentions_by_key(store: Store, encryptor: FieldEncryptor, keys: list[str],
                         chunk: int = 50_000) -> pd.DataFrame:
    """The given mentions with their current ``person_id`` (an incremental run's
    neighbourhood: ``neighbourhood.py``)."""
    parts = [frame_from_columns(_plain_columns(store, q.MENTIONS_FOR_LINKAGE_BY_KEY,
                                               keys=keys[start:start + chunk]), encryptor)
             for start in range(0, len(keys), chunk)]
    frame = pd.concat(parts) if len(parts) > 1 else parts[0]
    return frame.drop(columns="row_hash", errors="ignore")


def iter_mention_batches(store: Store, encryptor: FieldEncryptor, size: int = 50_000
                         ) -> Iterator[pd.DataFrame]:
    """Every mention, ``size`` at a time in mention-key order, decrypted one page at a time
    (the Spark engine stages each page and lets it go).

    Each page starts after the largest key of the one before (keyset paging: no page
    re-reads the ones before it). A key the graph orders differently from Python can only
    make a page repeat a mention, never skip one; the caller checks the order.
    """
    after = ""
    while True:
        columns = _plain_columns(store, q.MENTIONS_FOR_LINKAGE_PAGE, after=after, limit=size)
        keys = columns.get("mention_key") or []
        if not keys:
            return
        yield frame_from_columns(columns, encryptor)
        after = max(keys)


def mention_state(store: Store) -> pd.DataFrame:
    """Every mention's ``row_hash`` and current ``person_id``, indexed by mention key.

    Separate so a caller can run it while it opens the cache (the query is mostly
    Neo4j's time, the cache mostly ours).
    """
    return pd.DataFrame.from_records(
        _plain_columns(store, q.MENTION_STATE)["rows"][0],
        columns=["mention_key", "row_hash", "person_id"]).set_index("mention_key")


def load_mentions_cached(store: Store, encryptor: FieldEncryptor,
                         cached: CachedFrame | None, state: pd.DataFrame | None = None
                         ) -> tuple[pd.DataFrame, pd.Series]:
    """Like :func:`load_mentions`, plus each mention's ``row_hash`` (for the next cache).

    With a cache, only mentions it lacks or whose ``row_hash`` changed are read in full
    and decrypted; ``person_id`` always comes from the graph (review decisions move
    mentions between runs). Without one, everything is read.

    Args:
        state: :func:`mention_state`, if the caller already has it.
    """
    with fewer_gc_passes():
        if cached is None:
            return _full_load(store, encryptor)
        if state is None:
            state = mention_state(store)
        hashes = state["row_hash"].astype(object)
        known = cached.row_hashes.reindex(hashes.index)
        fresh = known.notna() & (known == hashes)
        keep = cached.frame.loc[hashes.index[fresh.to_numpy()]]
        missing = hashes.index[~fresh.to_numpy()].tolist()
        parts = [keep]
        if missing:
            columns = _plain_columns(store, q.MENTIONS_FOR_LINKAGE_BY_KEY, keys=missing)
            parts.append(frame_from_columns(columns, encryptor).drop(columns="person_id"))
        frame = pd.concat(parts).reindex(hashes.index)
        frame.index.name = None
        frame["person_id"] = state["person_id"].reindex(frame.index).to_numpy()
        hashes.index.name = None
        return frame, hashes

"""Load mentions from the graph into the linkage DataFrame, decrypting only what it needs."""

from __future__ import annotations

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


def _decrypt_records(records: list[dict[str, Any]], encryptor: FieldEncryptor
                     ) -> list[dict[str, Any]]:
    """Graph rows → linkage rows, every token opened in one ``decrypt_many`` call
    (per-token calls cost more than the AES itself for 400k mentions)."""
    rows: list[dict[str, Any]] = []
    items: list[tuple[str, str, str, str]] = []
    targets: list[tuple[dict[str, Any], str]] = []
    for record in records:
        key = record["mention_key"]
        row = {column: record.get(column) for column in MENTION_COLUMNS}
        for prop, field in _SEALED:
            row[field] = None
            token = record.get(prop)
            if token:
                items.append((token, labels.SOURCE_RECORD, key, field))
                targets.append((row, field))
        row["row_key"] = f"{record['source']}:{record['record_id']}"
        row["id_valid"] = bool(record.get("id_valid"))
        row["person_id"] = record.get("person_id")
        rows.append(row)
    for (row, field), plain in zip(targets, encryptor.decrypt_many(items), strict=True):
        row[field] = date.fromisoformat(plain) if field == "birth_date" else plain
    return rows


def frame_from_records(records: list[dict[str, Any]], encryptor: FieldEncryptor
                       ) -> pd.DataFrame:
    """Build the linkage frame (indexed by mention key) from graph rows."""
    rows = _decrypt_records(records, encryptor)
    df = pd.DataFrame.from_records(rows, columns=[*MENTION_COLUMNS, "person_id"])
    df = df.set_index("mention_key", drop=False)
    df.index.name = None
    return df


def _plain_records(store: Store, text: LiteralString, **params: Any) -> list[dict[str, Any]]:
    """Records of a read whose values are all plain (strings, numbers, booleans).

    ``Record.data()`` walks every value looking for nodes and paths to convert; for
    400k mentions × 13 columns that walk took two thirds of the load. Zipping the keys
    with the record's values gives the same dicts for plain values.
    """
    try:
        with store.driver.session(database=store.database) as session:
            result = session.run(text, quiet(params))
            keys = result.keys()
            return [dict(zip(keys, record, strict=True)) for record in result]
    except Neo4jError as exc:
        raise StoreError(f"loading mentions failed: {exc.code}") from exc


def load_mentions(store: Store, encryptor: FieldEncryptor) -> pd.DataFrame:
    """Every mention in the graph with its current ``person_id`` (None if never linked)."""
    return load_mentions_cached(store, encryptor, None)[0]


def _full_load(store: Store, encryptor: FieldEncryptor) -> tuple[pd.DataFrame, pd.Series]:
    records = _plain_records(store, q.MENTIONS_FOR_LINKAGE)
    frame = frame_from_records(records, encryptor)
    return frame, pd.Series([r.get("row_hash") for r in records], index=frame.index,
                            dtype=object)


def mention_state(store: Store) -> pd.DataFrame:
    """Every mention's ``row_hash`` and current ``person_id``, indexed by mention key.

    Separate so a caller can run it while it opens the cache (the query is mostly
    Neo4j's time, the cache mostly ours).
    """
    return pd.DataFrame.from_records(
        _plain_records(store, q.MENTION_STATE)[0]["rows"],
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
            records = _plain_records(store, q.MENTIONS_FOR_LINKAGE_BY_KEY, keys=missing)
            parts.append(frame_from_records(records, encryptor).drop(columns="person_id"))
        frame = pd.concat(parts).reindex(hashes.index)
        frame.index.name = None
        frame["person_id"] = state["person_id"].reindex(frame.index).to_numpy()
        hashes.index.name = None
        return frame, hashes

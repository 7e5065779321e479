"""Load mentions from the graph into the linkage DataFrame, decrypting only what it needs."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from graph_schema import labels
from graph_schema.queries import resolution as q
from hub.linkage.frame import MENTION_COLUMNS
from hub.store import Store
from privacy import FieldEncryptor

_SEALED = (("enc_name", "name"), ("enc_id_number", "id_number"), ("enc_birth_date", "birth_date"))


def decrypt_mention(record: dict[str, Any], encryptor: FieldEncryptor) -> dict[str, Any]:
    """One graph row → one linkage row (plain values live only in memory)."""
    key = record["mention_key"]
    row = {column: record.get(column) for column in MENTION_COLUMNS}
    for prop, field in _SEALED:
        token = record.get(prop)
        row[field] = (encryptor.decrypt(token, label=labels.SOURCE_RECORD, record_key=key,
                                        field=field) if token else None)
    if row["birth_date"]:
        row["birth_date"] = date.fromisoformat(row["birth_date"])
    row["row_key"] = f"{record['source']}:{record['record_id']}"
    row["id_valid"] = bool(record.get("id_valid"))
    row["person_id"] = record.get("person_id")
    return row


def frame_from_records(records: list[dict[str, Any]], encryptor: FieldEncryptor
                       ) -> pd.DataFrame:
    """Build the linkage frame (indexed by mention key) from graph rows."""
    rows = [decrypt_mention(r, encryptor) for r in records]
    df = pd.DataFrame.from_records(rows, columns=[*MENTION_COLUMNS, "person_id"])
    df = df.set_index("mention_key", drop=False)
    df.index.name = None
    return df


def load_mentions(store: Store, encryptor: FieldEncryptor) -> pd.DataFrame:
    """Every mention in the graph with its current ``person_id`` (None if never linked)."""
    return frame_from_records(list(store.stream(q.MENTIONS_FOR_LINKAGE)), encryptor)

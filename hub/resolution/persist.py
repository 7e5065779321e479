"""Write a linkage result into the graph: persons, RESOLVES_TO links, the review queue."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import pandas as pd

from graph_schema import labels
from graph_schema.queries import resolution as q
from hub.store import Store
from privacy import BlindIndexer, FieldEncryptor

_SOURCE_RANK = {"gongan_hukou": 0, "minzheng_members": 1, "minzheng_aid": 2}


def representatives(frame: pd.DataFrame, person_of: pd.Series) -> pd.DataFrame:
    """One mention per person that speaks for it: 户籍 first, then a valid ID, then any.

    Vectorised (one sort, one drop_duplicates) because it runs over every mention.
    """
    linked = frame.assign(
        person_id=person_of.reindex(frame.index),
        _invalid=~frame["id_valid"].astype(bool),
        _rank=frame["source"].map(_SOURCE_RANK).fillna(9),
    )
    linked = linked[linked["person_id"].notna()]
    counts = linked.groupby("person_id").size()
    sources = linked.groupby("person_id")["source"].agg(lambda s: sorted(set(s)))
    reps = (linked.sort_values(["person_id", "_invalid", "_rank", "mention_key"])
            .drop_duplicates("person_id").set_index("person_id"))
    return reps.assign(mention_count=counts, sources=sources)


def _iso_date(value: object) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return None


def person_rows(frame: pd.DataFrame, person_of: pd.Series, encryptor: FieldEncryptor,
                indexer: BlindIndexer, only: set[str] | None = None) -> list[dict[str, Any]]:
    """One parameter row per person: canonical sealed identity, region, sources.

    Sealed in one ``encrypt_many`` call: a full run writes ~60k people.

    Args:
        only: restrict to these person ids (an incremental run touches few people).
    """
    if only is not None:
        # a person's representative depends on its own mentions only: narrow first
        # instead of ranking all 400k mentions for a few dozen people
        person_of = person_of[person_of.isin(only)]
        frame = frame.loc[frame.index.intersection(person_of.index)]
    reps = representatives(frame, person_of)
    rows: list[dict[str, Any]] = []
    items: list[tuple[str, str, str, str, str]] = []
    targets: list[dict[str, Any]] = []
    columns = ("region_code", "sex", "mention_count", "sources", "id_valid", "name",
               "id_number", "birth_date")
    for person_id, region, sex, count, sources, id_valid, name, id_number, birth in zip(
            reps.index, *(reps[c] for c in columns), strict=True):
        key = str(person_id)
        props: dict[str, Any] = {"mention_count": int(count), "sources": list(sources),
                                 "id_valid": bool(id_valid)}
        if isinstance(region, str):
            props["region_code"] = region
        if isinstance(sex, str):
            props["sex"] = sex
        for field, value in (("name", name), ("id_number", id_number),
                             ("birth_date", _iso_date(birth))):
            if isinstance(value, str) and value:
                items.append((value, labels.PERSON, key, field,
                              "name" if field == "name" else "identifier"))
                targets.append(props)
        if id_valid and isinstance(id_number, str):
            props["bi_id"] = indexer.id_number(id_number)
        rows.append({"person_id": key, "props": props})
    for props, (_, _, _, field, _), token in zip(targets, items,
                                                encryptor.encrypt_many(items), strict=True):
        props[f"enc_{field}"] = token
    return rows


def resolves_rows(resolves_to: pd.DataFrame, previous: pd.Series) -> list[dict[str, Any]]:
    """RESOLVES_TO rows for mentions that are new or changed person."""
    changed = resolves_to[resolves_to["person_id"] != previous.reindex(resolves_to.index)]
    weights = changed["weight"].astype(float)
    return [{"mention_key": str(key), "person_id": str(person), "method": str(method),
             "weight": None if math.isnan(weight) else weight}
            for key, person, method, weight in zip(
                changed.index, changed["person_id"], changed["method"], weights, strict=True)]


def review_rows(queue: pd.DataFrame) -> list[dict[str, Any]]:
    """Review-queue rows keyed by the ordered pair of mention keys."""
    rows = []
    for _, row in queue.iterrows():
        a, b = sorted((str(row["key_a"]), str(row["key_b"])))
        rows.append({"pair_key": f"{a}|{b}", "key_a": a, "key_b": b,
                     "weight": float(row["weight"]) if pd.notna(row["weight"]) else None,
                     "reason": str(row["reason"]),
                     "person_a": str(row.get("person_a", "")),
                     "person_b": str(row.get("person_b", ""))})
    return rows


def write_result(store: Store, run_id: str, persons: list[dict[str, Any]],
                 links: list[dict[str, Any]], review: list[dict[str, Any]],
                 redirects: dict[str, str], *, close_stale: bool = True,
                 vacated: list[str] | None = None) -> int:
    """Persist one run; returns how many persons were retired (merged or emptied).

    Args:
        close_stale: close pending review pairs this run did not raise again. Only a
            full run compares every pair; an incremental one compares the batch's pairs
            only, so the others stay pending.
        vacated: the people who lost a mention in this run, when the caller knows them
            (an incremental run): only they are checked for emptiness, instead of every
            person in the graph.
    """
    write_people(store, run_id, persons, links)
    return finish_run(store, run_id, review, redirects, close_stale=close_stale,
                      vacated=vacated)


def write_people(store: Store, run_id: str, persons: list[dict[str, Any]],
                 links: list[dict[str, Any]]) -> None:
    """Upsert persons and set RESOLVES_TO: the part of :func:`write_result` a caller may
    repeat batch by batch (the Spark engine writes its result so)."""
    store.write_batches(q.UPSERT_PERSONS, persons, run_id=run_id)
    store.write_batches(q.SET_RESOLVES_TO, links, run_id=run_id)


def finish_run(store: Store, run_id: str, review: list[dict[str, Any]],
               redirects: dict[str, str], *, close_stale: bool = True,
               vacated: list[str] | None = None) -> int:
    """The rest of :func:`write_result`, once all people are written: the review queue,
    stale review pairs closed, emptied persons retired (how many is returned)."""
    store.write_batches(q.UPSERT_REVIEW_PAIRS, review, run_id=run_id)
    if close_stale:
        store.write(q.CLOSE_STALE_REVIEW_PAIRS, run_id=run_id)
    retired = (store.write(q.RETIRE_EMPTY_PERSONS, run_id=run_id, redirects=redirects)
               if vacated is None else
               store.write(q.RETIRE_VACATED_PERSONS, run_id=run_id, redirects=redirects,
                           persons=vacated))
    return int(retired[0]["retired"]) if retired else 0

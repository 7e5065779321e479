"""Write canonical rows into the graph: encrypted source records, facts, provenance.

Personal values are sealed through ``privacy`` (bound to label, record key and property
name; one ``encrypt_many`` call per batch) and looked up through blind indexes; nothing
personal reaches Neo4j in plaintext. Each batch is one transaction of a few ``UNWIND``
statements (records, then facts per label), so an interrupted ingest keeps what was
acknowledged and a re-run completes it identically.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, LiteralString

from neo4j import ManagedTransaction

from graph_schema import labels
from graph_schema.queries import ingest as q
from hub.ingest.facts import FactNode, facts_of
from hub.ingest.model import CanonicalRow, Mention
from hub.privacy_graph.kit import PrivacyKit
from hub.store import BulkRows, Store

# property name → privacy field class (anything not listed is free text)
FIELD_CLASSES: dict[str, str] = {
    "name": "name", "business_name": "name", "employer": "name",
    "id_number": "identifier", "birth_date": "identifier", "cert_no": "identifier",
    "student_no": "identifier", "plate": "identifier", "hukou_no": "identifier",
    "family_no": "identifier", "recipient_no": "identifier", "title_no": "identifier",
    "credit_code": "identifier",
    "address": "contact", "phones": "contact",
    "institution": "financial", "balance": "financial", "contribution_base": "financial",
    "monthly_deposit": "financial", "monthly_income": "financial",
    "income_amount": "financial", "tax_paid": "financial", "monthly_pension": "financial",
    "income_per_capita_year": "financial",
    "diagnosis": "health", "hospital": "health", "major_illness": "health",
    "serious_illness": "health", "serious_illness_declared": "health",
    "has_disability": "health", "disability_category": "health",
    "disability_level": "health", "category": "health", "level": "health",
}


# household and case identifiers: sealed like personal data, joined through blind indexes
INDEXED_IDENTIFIERS: frozenset[str] = frozenset({"hukou_no", "family_no", "recipient_no",
                                                 "title_no", "credit_code"})


def sealed_property(field: str) -> str:
    """Neo4j property holding the ciphertext of ``field`` (``enc_<field>``)."""
    return f"enc_{field}"


class _SealQueue:
    """Values of one batch waiting to be encrypted, with where each token goes.

    Collected first and sealed in one ``encrypt_many`` call: per-value ``encrypt`` calls
    cost a system call for the nonce and a Python frame each, which at ~2 million values
    for 20,000 households was a third of the ingest's CPU.
    """

    __slots__ = ("items", "targets")

    def __init__(self) -> None:
        self.items: list[tuple[str, str, str, str, str]] = []
        self.targets: list[tuple[dict[str, Any], str]] = []

    def add(self, target: dict[str, Any], value: str, *, label: str, record_key: str,
            field: str) -> None:
        """Queue ``value``; its token will be stored in ``target['enc_<field>']``."""
        self.items.append((value, label, record_key, field,
                           FIELD_CLASSES.get(field, "free_text")))
        self.targets.append((target, sealed_property(field)))

    def seal(self, kit: PrivacyKit) -> None:
        """Encrypt every queued value and put each token in place."""
        tokens = kit.encryptor.encrypt_many(self.items)
        for (target, prop), token in zip(self.targets, tokens, strict=True):
            target[prop] = token


class GraphWriter:
    """Turns canonical rows into parameter maps and writes them through the store."""

    def __init__(self, store: Store | None, kit: PrivacyKit) -> None:
        """Args:
            store: where ``commit`` writes (None for a writer that only prepares).
            kit: keys that seal personal fields and compute blind indexes.
        """
        self.store = store
        self.kit = kit

    def source_record_row(self, mention: Mention, row: CanonicalRow, batch_id: str,
                          seals: _SealQueue) -> dict[str, Any]:
        """Properties of one ``SourceRecord``: plain facts, blind indexes, and (queued in
        ``seals``) ciphertexts of its personal fields."""
        key = mention.mention_key
        props: dict[str, Any] = {
            "mention_key": key, "row_hash": row.row_hash, "batch_id": batch_id,
            "source": mention.source, "record_id": mention.record_id, "role": mention.role,
            "line_no": row.line_no, "id_kind": mention.id_kind, "id_valid": mention.id_valid,
        }
        if mention.region_code is not None:
            props["region_code"] = mention.region_code
        if mention.sex is not None:
            props["sex"] = mention.sex
        birth = mention.birth_date.isoformat() if mention.birth_date else None
        for field, value in (("name", mention.name), ("id_number", mention.id_number),
                             ("birth_date", birth)):
            if value:
                seals.add(props, value, label=labels.SOURCE_RECORD, record_key=key,
                          field=field)
        indexer = self.kit.indexer
        if mention.id_number and mention.id_valid:
            props["bi_id"] = indexer.id_number(mention.id_number)
        elif mention.id_number and mention.id_kind not in ("phone", "missing"):
            # a typo'd number can still equal the same typo elsewhere; own key, never
            # equal to a valid number's index
            props["bi_id"] = indexer.generic(mention.id_number, purpose="id_number_unchecked")
        if mention.id_kind == "phone" and mention.id_number:
            props["bi_phone"] = indexer.phone(mention.id_number)
        if mention.name and mention.birth_date:
            props["bi_name_birth"] = indexer.name_birth(mention.name, mention.birth_date)
        return props

    def fact_row(self, fact: FactNode, row: CanonicalRow, batch_id: str, seals: _SealQueue
                 ) -> dict[str, Any]:
        """Parameters of one fact node (its sealed fields queued in ``seals``)."""
        props = {k: v for k, v in fact.props.items() if v is not None}
        props.update(fact_key=fact.fact_key, row_hash=row.row_hash, batch_id=batch_id)
        sealed = dict(fact.sealed)
        for field in INDEXED_IDENTIFIERS.intersection(props):
            value = str(props.pop(field))
            sealed[field] = value
            props[f"bi_{field}"] = self.kit.indexer.generic(value, purpose=field)
        for field, value in sealed.items():
            seals.add(props, value, label=fact.label, record_key=fact.fact_key, field=field)
        return {"props": props,
                "mentions": list(dict.fromkeys(m.mention_key for m in row.mentions))}

    def prepare(self, rows: Sequence[CanonicalRow], *, batch_id: str,
                sensitive: frozenset[str]) -> PreparedBatch:
        """Encrypt and index a batch of rows into query parameters (CPU work, no I/O).

        A mention key named twice in a batch keeps its first record, as a MERGE would.
        """
        seals = _SealQueue()
        records: dict[str, dict[str, Any]] = {}
        facts: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            for mention in row.mentions:
                if mention.mention_key not in records:
                    records[mention.mention_key] = self.source_record_row(
                        mention, row, batch_id, seals)
            for fact in facts_of(row, sensitive):
                facts[fact.label].append(self.fact_row(fact, row, batch_id, seals))
        seals.seal(self.kit)
        return PreparedBatch(len(rows), list(records.values()), dict(facts))

    def commit(self, batch: PreparedBatch, *, fresh: bool = False) -> int:
        """Write a prepared batch in one transaction (source records, then facts by label).

        Args:
            batch: from :meth:`prepare`.
            fresh: the batch's source has nothing in the graph yet, so plain ``CREATE``
                is safe (and much cheaper than ``MERGE``); otherwise every node and link
                is merged on its key.

        Returns:
            The number of rows written.
        """
        if self.store is None:
            raise RuntimeError("this GraphWriter has no store to commit to")

        def work(tx: ManagedTransaction) -> None:
            if fresh:
                tx.run(q.CREATE_SOURCE_RECORDS, rows=BulkRows(batch.records)).consume()
            else:
                _merge_then_update(tx, q.MERGE_SOURCE_RECORDS, q.UPDATE_CHANGED_SOURCE_RECORDS,
                                   batch.records, _record_key)
            for label, facts in batch.facts.items():
                create, merge = q.fact_statements(label)
                if fresh:
                    tx.run(create, rows=BulkRows(facts)).consume()
                else:
                    _merge_then_update(tx, merge, q.UPDATE_CHANGED_FACTS, facts, _fact_key)

        self.store.transaction(work)
        return batch.rows

    def write(self, rows: Sequence[CanonicalRow], *, batch_id: str,
              sensitive: frozenset[str]) -> int:
        """Prepare and commit (merging) a batch of rows; returns the rows written."""
        return self.commit(self.prepare(rows, batch_id=batch_id, sensitive=sensitive))


@dataclass(slots=True)
class PreparedBatch:
    """Query parameters of one batch, ready to commit: records, and facts by label."""

    rows: int
    records: list[dict[str, Any]]
    facts: dict[str, list[dict[str, Any]]]


def _record_key(row: dict[str, Any]) -> str:
    return str(row["mention_key"])


def _fact_key(row: dict[str, Any]) -> str:
    return str(row["props"]["fact_key"])


def _merge_then_update(tx: ManagedTransaction, merge: LiteralString, update: LiteralString,
                       rows: list[dict[str, Any]], key: Callable[[dict[str, Any]], str]
                       ) -> None:
    """MERGE every row; send again only the rows whose content changed."""
    if not rows:
        return
    changed = {record["changed"] for record in tx.run(merge, rows=BulkRows(rows))}
    if changed:
        tx.run(update, rows=BulkRows(row for row in rows if key(row) in changed)).consume()

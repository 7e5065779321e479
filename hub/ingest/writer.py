"""Write canonical rows into the graph: encrypted source records, facts, provenance.

Personal values are sealed field by field through ``privacy`` (bound to label, record key
and property name) and looked up through blind indexes; nothing personal reaches Neo4j in
plaintext. Each call writes one batch of rows in a few ``UNWIND`` transactions, so an
interrupted ingest keeps what was acknowledged and a re-run completes it identically.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, LiteralString

from neo4j import ManagedTransaction

from graph_schema import labels
from graph_schema.queries import ingest as q
from hub.ingest.facts import FactNode, facts_of
from hub.ingest.model import CanonicalRow, Mention
from hub.privacy_kit import PrivacyKit
from hub.store import Store

# property name → privacy field class (anything not listed is free text)
FIELD_CLASSES: dict[str, str] = {
    "name": "name", "business_name": "name",
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


class GraphWriter:
    """Turns canonical rows into parameter maps and writes them through the store."""

    def __init__(self, store: Store, kit: PrivacyKit) -> None:
        self.store = store
        self.kit = kit

    def _seal(self, value: str, *, label: str, record_key: str, field: str) -> str:
        return self.kit.encryptor.encrypt(
            value, label=label, record_key=record_key, field=field,
            field_class=FIELD_CLASSES.get(field, "free_text"),
        )

    def source_record_row(self, mention: Mention, row: CanonicalRow, batch_id: str
                          ) -> dict[str, Any]:
        """Parameters of one ``SourceRecord``: plain facts, ciphertexts, blind indexes."""
        key = mention.mention_key
        props: dict[str, Any] = {
            "source": mention.source, "record_id": mention.record_id, "role": mention.role,
            "line_no": row.line_no, "id_kind": mention.id_kind, "id_valid": mention.id_valid,
            "region_code": mention.region_code, "sex": mention.sex,
        }
        plain = {"name": mention.name, "id_number": mention.id_number,
                 "birth_date": mention.birth_date.isoformat() if mention.birth_date else None}
        for field, value in plain.items():
            if value:
                props[sealed_property(field)] = self._seal(
                    value, label=labels.SOURCE_RECORD, record_key=key, field=field)
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
        return {"mention_key": key, "row_hash": row.row_hash, "batch_id": batch_id,
                "props": {k: v for k, v in props.items() if v is not None}}

    def fact_row(self, fact: FactNode, row: CanonicalRow, batch_id: str) -> dict[str, Any]:
        """Parameters of one fact node, its sealed fields encrypted."""
        props = dict(fact.props)
        sealed = dict(fact.sealed)
        for field in INDEXED_IDENTIFIERS.intersection(props):
            value = str(props.pop(field))
            sealed[field] = value
            props[f"bi_{field}"] = self.kit.indexer.generic(value, purpose=field)
        for field, value in sealed.items():
            props[sealed_property(field)] = self._seal(
                value, label=fact.label, record_key=fact.fact_key, field=field)
        return {"fact_key": fact.fact_key, "label": fact.label, "row_hash": row.row_hash,
                "batch_id": batch_id, "props": {k: v for k, v in props.items() if v is not None},
                "mentions": [m.mention_key for m in row.mentions]}

    def prepare(self, rows: Sequence[CanonicalRow], *, batch_id: str,
                sensitive: frozenset[str]) -> PreparedBatch:
        """Encrypt and index a batch of rows into query parameters (CPU work, no I/O)."""
        records = [self.source_record_row(m, row, batch_id) for row in rows for m in row.mentions]
        facts = [self.fact_row(fact, row, batch_id)
                 for row in rows for fact in facts_of(row, sensitive)]
        return PreparedBatch(len(rows), records, facts)

    def commit(self, batch: PreparedBatch) -> int:
        """Write a prepared batch in one transaction (source records, then facts).

        Returns:
            The number of rows written.
        """
        def work(tx: ManagedTransaction) -> None:
            _merge_then_update(tx, q.MERGE_SOURCE_RECORDS, q.UPDATE_CHANGED_SOURCE_RECORDS,
                               batch.records, "mention_key")
            _merge_then_update(tx, q.MERGE_FACTS, q.UPDATE_CHANGED_FACTS, batch.facts,
                               "fact_key")
            links = [{"fact_key": f["fact_key"], "label": f["label"], "mentions": f["mentions"]}
                     for f in batch.facts]
            tx.run(q.LABEL_AND_LINK_FACTS, rows=links).consume()

        self.store.transaction(work)
        return batch.rows

    def write(self, rows: Sequence[CanonicalRow], *, batch_id: str,
              sensitive: frozenset[str]) -> int:
        """Prepare and commit a batch of rows; returns the number of rows written."""
        return self.commit(self.prepare(rows, batch_id=batch_id, sensitive=sensitive))


@dataclass(slots=True)
class PreparedBatch:
    """Query parameters of one batch, ready to commit."""

    rows: int
    records: list[dict[str, Any]]
    facts: list[dict[str, Any]]


def _merge_then_update(tx: ManagedTransaction, merge: LiteralString, update: LiteralString,
                       rows: list[dict[str, Any]], key: str) -> None:
    """MERGE every row; send again only the rows whose content changed."""
    if not rows:
        return
    changed = {record["changed"] for record in tx.run(merge, rows=rows)}
    if changed:
        tx.run(update, rows=[row for row in rows if row[key] in changed]).consume()

"""Which graph facts a canonical row yields: labels, keys and normalised aid properties.

One row can carry several facts: a 户籍 row is a household entry and, for a dead person,
a death; a student row with 资助 is also an aid record; a 医保 settlement with 医疗救助支付
is also medical aid; a disability certificate with 两项补贴 is also a subsidy. Every aid,
whichever department pays it, is an ``AidRecord`` with the same properties (programme,
department, amount, period, start, end, region_code), so the aid chain of a person is one
query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from graph_schema import labels
from graph_schema.labels import KIND_LABELS
from hub.ingest.model import CanonicalRow


@dataclass(slots=True)
class FactNode:
    """One fact node to write: label, key, plaintext properties, fields to encrypt."""

    label: str
    fact_key: str
    props: dict[str, Any]
    sealed: dict[str, str] = field(default_factory=dict)


def graph_value(value: Any) -> Any:
    """Convert a parsed value to something Neo4j stores (Decimal → float)."""
    if isinstance(value, Decimal):
        return float(value)
    return value


def sealed_text(value: Any) -> str:
    """Text form of a sensitive value before encryption (dates ISO, decimals exact)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def facts_of(row: CanonicalRow, sensitive: frozenset[str]) -> list[FactNode]:
    """Every fact node a row yields (main fact first).

    Args:
        row: an accepted canonical row.
        sensitive: fact fields of this export that are encrypted, never stored plain.
    """
    label, department = KIND_LABELS[row.kind]
    base_key = f"{row.source}:{row.record_id}"
    props: dict[str, Any] = {"source": row.source, "record_id": row.record_id,
                             "kind": row.kind, "department": department}
    sealed: dict[str, str] = {}
    for name, value in row.facts.items():
        if value is None:
            continue
        if name in sensitive:
            sealed[name] = sealed_text(value)
        else:
            props[name] = graph_value(value)
    for name, value in row.personal.items():
        if value:
            sealed[name] = value
    if label == labels.ASSET:
        props["asset_kind"] = row.kind
    if label == labels.AID_RECORD:
        props.update(_main_aid_props(row))
    return [FactNode(label, base_key, props, sealed), *_derived(row, department, base_key)]


def _main_aid_props(row: CanonicalRow) -> dict[str, Any]:
    """Common aid properties for exports whose main fact is itself an aid record."""
    f = row.facts
    if row.kind == "basic_aid":
        props = {"programme": f.get("programme"), "amount": f.get("monthly_amount"),
                 "period": "monthly", "start": f.get("start_month"),
                 "end": f.get("end_month")}
    elif row.kind == "housing_aid":
        one_off = f.get("aid_type") == "危房改造"
        props = {"programme": f.get("aid_type"), "amount": f.get("amount"),
                 "period": "one_off" if one_off else "monthly",
                 "start": f.get("start_date"), "end": f.get("end_date")}
    else:  # disaster_aid
        props = {"programme": f.get("aid_item"), "amount": f.get("amount"),
                 "period": "one_off", "start": f.get("paid_date"), "end": f.get("paid_date")}
    return {k: graph_value(v) for k, v in props.items() if v is not None}


def _aid(row: CanonicalRow, department: str, key: str, **props: Any) -> FactNode:
    clean = {k: graph_value(v) for k, v in props.items() if v is not None}
    clean.update(source=row.source, record_id=row.record_id, kind="aid", department=department)
    return FactNode(labels.AID_RECORD, key, clean)


def _derived(row: CanonicalRow, department: str, base_key: str) -> list[FactNode]:
    """Facts a row carries besides its main one (aid inside a student row, a death …)."""
    f = row.facts
    kind = row.kind
    if kind == "student" and f.get("aid_items"):
        return [_aid(row, department, base_key + ":aid",
                     programme=";".join(f["aid_items"]), amount=f.get("aid_amount"),
                     period="yearly", start=f.get("school_year_start"))]
    if kind == "disability" and f.get("subsidy_type") not in (None, "无"):
        return [_aid(row, department, base_key + ":aid", programme=f.get("subsidy_type"),
                     amount=f.get("subsidy_amount"), period="monthly",
                     start=f.get("subsidy_start_month"), end=f.get("subsidy_end_month"))]
    if kind == "medical_settlement" and (f.get("medical_aid_paid") or 0) > 0:
        return [_aid(row, department, base_key + ":aid", programme="医疗救助",
                     amount=f.get("medical_aid_paid"), period="one_off",
                     start=f.get("settlement_date"), end=f.get("settlement_date"))]
    if kind == "hukou_membership" and f.get("status") == "死亡":
        return [FactNode(labels.DEATH, base_key + ":death",
                         {"source": row.source, "record_id": row.record_id, "kind": "death",
                          "department": department, "date": f.get("status_date")})]
    return []

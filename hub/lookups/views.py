"""The plain views the lookups return: a person, a fact, a source record behind a node.

Personal values stay sealed in them (:class:`hub.lookups.sealed.Sealed`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph_schema import labels
from hub.lookups.sealed import Sealed, sealed_fields


@dataclass
class PersonView:
    """A person: pseudonymous key, plain attributes, sealed identity."""

    person_id: str
    region_code: str | None
    status: str | None
    sex: str | None
    household_id: str | None
    sealed: dict[str, Sealed] = field(default_factory=dict)

    @classmethod
    def from_props(cls, props: dict[str, Any]) -> PersonView:
        """Build from a Person node's properties."""
        return cls(person_id=props["person_id"], region_code=props.get("region_code"),
                   status=props.get("status"), sex=props.get("sex"),
                   household_id=props.get("household_id"),
                   sealed=sealed_fields(props, labels.PERSON, props["person_id"]))


@dataclass
class FactView:
    """An aid record or asset: plain facts, sealed details, its key for provenance."""

    fact_key: str
    label: str
    props: dict[str, Any]
    sealed: dict[str, Sealed]
    person_id: str | None = None

    @classmethod
    def from_props(cls, props: dict[str, Any], label: str) -> FactView:
        """Build from a fact node's properties (``person_id`` may be projected in)."""
        plain = {k: v for k, v in props.items()
                 if not k.startswith(("enc_", "bi_")) and k not in ("history", "row_hash")}
        return cls(fact_key=props["fact_key"], label=label, props=plain,
                   sealed=sealed_fields(props, label, props["fact_key"]),
                   person_id=props.get("person_id"))


@dataclass
class ProvenanceView:
    """One department record behind a node."""

    source: str
    record_id: str
    role: str | None
    batch_id: str | None
    method: str | None = None
    weight: float | None = None

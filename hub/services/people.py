"""People, households, aid chains and provenance for the API (one round trip each)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graph_schema import labels
from graph_schema.queries import people as q
from hub.services.sealed import Sealed, sealed_fields
from hub.store import Store
from privacy import BlindIndexer, InvalidIdentifierError, normalise_id_number


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
class MemberView:
    """A member of a household with relation, status and legal supporters."""

    person: PersonView
    relation: str | None
    status: str | None
    until: date | None
    supporters: list[tuple[str, str]]


@dataclass
class HouseholdView:
    """A household with members, their aid and assets."""

    household_id: str
    region_code: str | None
    urban_rural: str | None
    township: str | None
    members: list[MemberView]
    aid: list[FactView]
    assets: list[FactView]


@dataclass
class ProvenanceView:
    """One department record behind a node."""

    source: str
    record_id: str
    role: str | None
    batch_id: str | None
    method: str | None = None
    weight: float | None = None


def find_person(store: Store, indexer: BlindIndexer, *, id_number: str | None = None,
                person_id: str | None = None, regions: list[str] | None = None
                ) -> PersonView | None:
    """A person by resident ID number (through its blind index) or by person id.

    Raises:
        InvalidIdentifierError: the ID number cannot be normalised to a valid one.
    """
    if person_id is not None:
        rows = store.read(q.PERSON_BY_ID, person_id=person_id, regions=regions)
    elif id_number is not None:
        bi_id = indexer.id_number(normalise_id_number(id_number))
        rows = store.read(q.PERSON_BY_BLIND_ID, bi_id=bi_id, regions=regions) or store.read(
            q.PERSON_BY_MENTION_BLIND_ID, bi_id=bi_id, regions=regions)
    else:
        return None
    return PersonView.from_props(rows[0]["person"]) if rows else None


def household(store: Store, household_id: str, regions: list[str] | None = None
              ) -> HouseholdView | None:
    """A household with members, supporters, aid and assets, or None (unknown / out of
    jurisdiction)."""
    rows = store.read(q.HOUSEHOLD_VIEW, household_id=household_id, regions=regions)
    if not rows:
        return None
    row = rows[0]
    props = row["household"]
    members = [MemberView(person=PersonView.from_props(m["person"]),
                          relation=m["relation"], status=m["status"],
                          until=m["until"],
                          supporters=[(s["person_id"], s["kind"]) for s in m["supporters"]
                                      if s["person_id"]])
               for m in row["members"]]
    return HouseholdView(
        household_id=props["household_id"], region_code=props.get("region_code"),
        urban_rural=props.get("urban_rural"), township=props.get("township"),
        members=members,
        aid=[FactView.from_props(a, labels.AID_RECORD) for a in row["aid"]],
        assets=[FactView.from_props(a, labels.ASSET) for a in row["assets"]])


def aid_chain(store: Store, person_id: str, regions: list[str] | None = None
              ) -> list[FactView]:
    """Every aid record, from every department, of the person and their household."""
    rows = store.read(q.AID_CHAIN, person_id=person_id, regions=regions)
    chain = []
    for row in rows:
        view = FactView.from_props(row["aid"], labels.AID_RECORD)
        view.person_id = row["person_id"]
        chain.append(view)
    return chain


def provenance(store: Store, *, person_id: str | None = None, fact_key: str | None = None,
               regions: list[str] | None = None) -> list[ProvenanceView]:
    """The department records a person or a fact came from."""
    if person_id is not None:
        rows = store.read(q.SOURCE_RECORDS_OF_PERSON, person_id=person_id, regions=regions)
    elif fact_key is not None:
        rows = store.read(q.SOURCE_RECORDS_OF_FACT, fact_key=fact_key)
    else:
        return []
    return [ProvenanceView(source=r["source"], record_id=r["record_id"], role=r["role"],
                           batch_id=r["batch_id"], method=r.get("method"),
                           weight=r.get("weight")) for r in rows]


__all__ = ["FactView", "HouseholdView", "InvalidIdentifierError", "MemberView",
           "PersonView", "ProvenanceView", "aid_chain", "find_person", "household",
           "provenance"]

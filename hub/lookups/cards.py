"""The API's reads of people, households and aid: one round trip per root field.

Each lookup returns a :class:`Lookup` that says whether the anchor exists and whether it
lies in the caller's jurisdiction, decided by the query itself after the indexed anchor
match: an anchor outside ``regions`` is reported (so the refusal can be audited) but none
of its data leaves Neo4j. The batch functions back the resolvers' DataLoaders: one query
for a whole list level, whatever its length.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from graph_schema import labels
from graph_schema.queries import people as q
from hub.lookups.sealed import Sealed
from hub.lookups.views import FactView, PersonView, ProvenanceView
from hub.store import Store
from privacy import BlindIndexer, normalise_id_number

T = TypeVar("T")


@dataclass
class Lookup(Generic[T]):
    """The outcome of a root lookup: found at all, in jurisdiction, and the view."""

    found: bool
    allowed: bool = False
    subject_id: str | None = None
    region_code: str | None = None
    value: T | None = None


@dataclass
class AidView:
    """One aid record as received by one person (recipient or covered family member)."""

    fact: FactView
    person_id: str
    person_region: str | None
    link: str  # GRANTED_TO (recipient) or COVERS (member of the covered family)


@dataclass
class MemberCard:
    """A household member with the membership's relation and status."""

    person: PersonView
    relation: str | None
    status: str | None
    supporters: list[tuple[str, str]]


@dataclass
class AssetCard:
    """Which kind of asset a member holds and which department reported it (no values)."""

    person_id: str
    kind: str | None
    department: str | None
    role: str | None


@dataclass
class HouseholdCard:
    """A household with its members, their aid and their assets."""

    household_id: str
    region_code: str | None
    urban_rural: str | None
    township: str | None
    address: Sealed | None
    members: list[MemberCard] = field(default_factory=list)
    aid: list[AidView] = field(default_factory=list)
    assets: list[AssetCard] = field(default_factory=list)


@dataclass
class ContactCard:
    """Sealed address (户籍) and phone numbers of a person, where any department has them."""

    address: Sealed | None = None
    phones: Sealed | None = None


def blind_id(indexer: BlindIndexer, id_number: str) -> str:
    """The blind index of a resident ID number.

    Raises:
        privacy.InvalidIdentifierError: not a valid ID number (the message never echoes it).
    """
    return indexer.id_number(normalise_id_number(id_number))


def _lookup(row: dict[str, Any] | None, id_key: str) -> Lookup[Any]:
    if row is None or row.get(id_key) is None:
        return Lookup(found=False)
    return Lookup(found=True, allowed=bool(row["allowed"]), subject_id=row[id_key],
                  region_code=row.get("region_code") or row.get("region"))


def person_card(store: Store, *, person_id: str | None = None, bi_id: str | None = None,
                regions: list[str] | None) -> Lookup[PersonView]:
    """A person by hub id or by the blind index of an ID number."""
    if person_id is not None:
        rows = store.read(q.PERSON_CARD_BY_ID, person_id=person_id, regions=regions)
    else:
        rows = store.read(q.PERSON_CARD_BY_BLIND_ID, bi_id=bi_id, regions=regions)
    found: Lookup[PersonView] = _lookup(rows[0] if rows else None, "person_id")
    if found.allowed and rows[0]["person"] is not None:
        found.value = PersonView.from_props(rows[0]["person"])
    return found


def people_by_name_birth(store: Store, *, bi_name_birth: str, regions: list[str] | None,
                         first: int) -> list[Lookup[PersonView]]:
    """The live people whose records carry this name + birth date blind index, by id.

    At most ``first`` inside ``regions`` (with their view) and ``first`` outside them
    (found but not allowed, without a view: their refusal is audited).
    """
    rows = store.read(q.PEOPLE_BY_NAME_BIRTH, bi_name_birth=bi_name_birth, regions=regions,
                      first=first)
    found: list[Lookup[PersonView]] = []
    for row in rows:
        lookup: Lookup[PersonView] = _lookup(row, "person_id")
        if lookup.allowed and row["person"] is not None:
            lookup.value = PersonView.from_props(row["person"])
        found.append(lookup)
    return found


def aid_view(row: dict[str, Any]) -> AidView:
    """An aid row (node properties plus ``person_id``, ``person_region``, ``link``)."""
    return AidView(fact=FactView.from_props(row, labels.AID_RECORD), person_id=row["person_id"],
                   person_region=row.get("person_region"), link=row.get("link") or "GRANTED_TO")


def household_card(store: Store, *, household_id: str | None = None, bi_id: str | None = None,
                   regions: list[str] | None) -> Lookup[HouseholdCard]:
    """A household by id or by a current member's ID-number blind index."""
    rows = store.read(q.HOUSEHOLD_CARD, household_id=household_id, bi_id=bi_id,
                      regions=regions)
    row = rows[0] if rows else None
    found: Lookup[HouseholdCard] = _lookup(row, "household_id")
    if not found.allowed or row is None or row["household"] is None:
        return found
    props = row["household"]
    address = None
    if row["enc_address"]:
        address = Sealed(row["enc_address"], labels.HUKOU_ENTRY, row["address_key"], "address")
    found.value = HouseholdCard(
        household_id=props["household_id"], region_code=props.get("region_code"),
        urban_rural=props.get("urban_rural"), township=props.get("township"),
        address=address,
        members=[MemberCard(person=PersonView.from_props(m["person"]), relation=m["relation"],
                            status=m["status"],
                            supporters=[(s["person_id"], s["kind"]) for s in m["supporters"]
                                        if s["person_id"]])
                 for m in row["members"]],
        aid=[aid_view(a) for a in row["aid"]],
        assets=[AssetCard(person_id=a["person_id"], kind=a["kind"], department=a["department"],
                          role=a["role"]) for a in row["assets"]])
    return found


def aid_chain_card(store: Store, *, person_id: str | None = None,
                   household_id: str | None = None, regions: list[str] | None
                   ) -> Lookup[list[AidView]]:
    """一户（人）一条救助链: the aid of a person and of their household, or of a household.

    ``subject_id`` of the result is the household when there is one (a household's
    authorisation covers the chain), else the person.
    """
    rows = store.read(q.AID_CHAIN_CARD, person_id=person_id, household_id=household_id,
                      regions=regions)
    row = rows[0] if rows else None
    if row is None:
        return Lookup(found=False)
    found: Lookup[list[AidView]] = Lookup(
        found=True, allowed=bool(row["allowed"]), region_code=row["region"],
        subject_id=row["household_id"])
    if found.allowed:
        found.value = [aid_view(a) for a in row["aid"]]
    return found


def aid_of_people(store: Store, person_ids: list[str], regions: list[str] | None
                  ) -> dict[str, list[AidView]]:
    """Aid received by each of many people (one query; for a DataLoader)."""
    out: dict[str, list[AidView]] = defaultdict(list)
    for row in store.read(q.AID_OF_PEOPLE, person_ids=person_ids, regions=regions):
        out[row["owner"]].append(aid_view(row["aid"]))
    return out


def provenance_of_people(store: Store, person_ids: list[str], regions: list[str] | None
                         ) -> dict[str, list[ProvenanceView]]:
    """The department records behind each of many people (one query)."""
    out: dict[str, list[ProvenanceView]] = defaultdict(list)
    for r in store.read(q.SOURCE_RECORDS_OF_PEOPLE, person_ids=person_ids, regions=regions):
        out[r["owner"]].append(ProvenanceView(
            source=r["source"], record_id=r["record_id"], role=r["role"],
            batch_id=r["batch_id"], method=r["method"], weight=r["weight"]))
    return out


def contacts_of_people(store: Store, person_ids: list[str], regions: list[str] | None
                       ) -> dict[str, ContactCard]:
    """Sealed address and phones of each of many people (one query)."""
    out: dict[str, ContactCard] = {}
    for r in store.read(q.CONTACTS_OF_PEOPLE, person_ids=person_ids, regions=regions):
        card = ContactCard()
        if r["enc_address"]:
            card.address = Sealed(r["enc_address"], labels.HUKOU_ENTRY, r["address_key"],
                                  "address")
        if r["enc_phones"]:
            card.phones = Sealed(r["enc_phones"], labels.AID_RECORD, r["phones_key"], "phones")
        out[r["owner"]] = card
    return out


def provenance_card(store: Store, person_id: str, regions: list[str] | None
                    ) -> tuple[Lookup[list[ProvenanceView]], str | None]:
    """The department records behind one person, and the person's household id."""
    rows = store.read(q.SOURCE_RECORDS_CARD, person_id=person_id, regions=regions)
    row = rows[0] if rows else None
    found: Lookup[list[ProvenanceView]] = _lookup(row, "person_id")
    if row is None:
        return found, None
    if found.allowed:
        found.value = [ProvenanceView(source=r["source"], record_id=r["record_id"],
                                      role=r["role"], batch_id=r["batch_id"],
                                      method=r["method"], weight=r["weight"])
                       for r in row["records"]]
    return found, row["household_id"]

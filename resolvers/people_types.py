"""GraphQL types of the linked graph: Person, Household, Member, AidRecord, SourceRecord.

Every object carries whom it is about (``audit_subject``) so the policy enforcer can
decide, mask or deny each field, check jurisdiction and consent, and audit the access.
Sealed values are decrypted inside the field resolver, which runs only when the policy
allowed the field (or masks it). Nested lists (a person's aid chain, provenance, contact
details) load through per-request DataLoaders: one query per list level.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from hub.lookups.cards import (
    AidView,
    AssetCard,
    ContactCard,
    HouseholdCard,
    MemberCard,
    aid_of_people,
    contacts_of_people,
    provenance_of_people,
)
from hub.lookups.sealed import Sealed
from hub.lookups.views import PersonView, ProvenanceView
from hub.store import Store
from privacy import DataSubject
from resolvers.context import HubContext
from resolvers.errors import client_error

LINKS = {"GRANTED_TO": "recipient", "COVERS": "covered_member"}


def _reveal(info: Info[HubContext, Any], sealed: Sealed | None) -> str | None:
    if sealed is None:
        return None
    kit = info.context.kit
    if kit is None:
        raise client_error("field keys unavailable", "UNAVAILABLE")
    return sealed.reveal(kit.encryptor)


def _loader(info: Info[HubContext, Any], name: str,
            batch: Callable[[Store, list[str], list[str] | None], dict[str, Any]],
            default: Callable[[], Any]) -> DataLoader[str, Any]:
    """The request's DataLoader ``name``: one ``batch`` query for all keys of a level."""
    ctx = info.context
    found = ctx.loaders.get(name)
    if found is None:
        async def load(keys: list[str]) -> list[Any]:
            result = await run_in_threadpool(batch, ctx.store, list(keys), ctx.regions)
            return [result.get(key, default()) for key in keys]

        found = ctx.loaders[name] = DataLoader(load_fn=load)
    return found


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def person_subject(view: PersonView, household_id: str | None = None) -> DataSubject:
    """Whom a person's fields are about (household for household consent)."""
    return DataSubject("person", view.person_id, household_id=household_id or view.household_id,
                       region_code=view.region_code)


@strawberry.type(name="SourceRecord", description="A department record behind a person.")
class SourceRecordType:
    source: str | None = strawberry.field(description="Department export it came from.")
    record_id: str | None
    role: str | None = strawberry.field(description="The person's role in that record.")
    batch_id: str | None
    method: str | None = strawberry.field(description="How the record was linked.")
    weight: float | None = strawberry.field(description="Match weight of the link.")
    audit_subject: strawberry.Private[DataSubject]

    @classmethod
    def build(cls, view: ProvenanceView, subject: DataSubject) -> SourceRecordType:
        """From a provenance view about ``subject``."""
        return cls(source=view.source, record_id=view.record_id, role=view.role,
                   batch_id=view.batch_id, method=view.method, weight=view.weight,
                   audit_subject=subject)


@strawberry.type(name="AidRecord", description="One aid grant, from any department.")
class AidRecordType:
    record_key: str | None = strawberry.field(description="The aid record's hub key.")
    person_id: str | None = strawberry.field(description="Who receives or is covered.")
    programme: str | None
    department: str | None
    period: str | None = strawberry.field(description="monthly, yearly or one_off.")
    start: str | None
    end: str | None
    region_code: str | None
    link: str | None = strawberry.field(description="recipient or covered_member.")
    amount: float | None = strawberry.field(
        description="Amount per period (departments see only their own).")
    audit_subject: strawberry.Private[DataSubject]
    owner_org: strawberry.Private[str]

    @classmethod
    def build(cls, aid: AidView, household_id: str | None = None) -> AidRecordType:
        """From an aid view; the subject is the person receiving or covered by it."""
        props = aid.fact.props
        department = props.get("department") or ""
        amount = props.get("amount")
        return cls(
            record_key=aid.fact.fact_key, person_id=aid.person_id,
            programme=props.get("programme"), department=department or None,
            period=props.get("period"), start=_iso(props.get("start")),
            end=_iso(props.get("end")),
            region_code=props.get("region_code") or aid.person_region,
            link=LINKS.get(aid.link, aid.link),
            amount=float(amount) if isinstance(amount, int | float) else None,
            audit_subject=DataSubject("person", aid.person_id, household_id=household_id,
                                      region_code=aid.person_region),
            owner_org=department)


@strawberry.type(name="Person", description="A resolved person; identity fields are sealed.")
class PersonType:
    person_id: str | None
    region_code: str | None
    household_id: str | None
    sex: str | None
    status: str | None = strawberry.field(description="正常, 死亡, … as registered.")
    view: strawberry.Private[PersonView]
    audit_subject: strawberry.Private[DataSubject]

    @classmethod
    def build(cls, view: PersonView, household_id: str | None = None) -> PersonType:
        """From a person view (``household_id`` of the household it was reached through)."""
        return cls(person_id=view.person_id, region_code=view.region_code,
                   household_id=view.household_id, sex=view.sex, status=view.status,
                   view=view, audit_subject=person_subject(view, household_id))

    @strawberry.field(description="Name (decrypted only when the policy allows).")
    def name(self, info: Info[HubContext, Any]) -> str | None:
        return _reveal(info, self.view.sealed.get("name"))

    @strawberry.field(description="Resident ID number (masked for most purposes).")
    def id_number(self, info: Info[HubContext, Any]) -> str | None:
        return _reveal(info, self.view.sealed.get("id_number"))

    @strawberry.field(description="Birth date, ISO.")
    def birth_date(self, info: Info[HubContext, Any]) -> str | None:
        return _reveal(info, self.view.sealed.get("birth_date"))

    async def _contacts(self, info: Info[HubContext, Any]) -> ContactCard:
        loader = _loader(info, "people.contacts", contacts_of_people, ContactCard)
        return await loader.load(self.view.person_id)

    @strawberry.field(description="Phone numbers known to any department (; separated).")
    async def phone(self, info: Info[HubContext, Any]) -> str | None:
        return _reveal(info, (await self._contacts(info)).phones)

    @strawberry.field(description="Registered (户籍) address.")
    async def address(self, info: Info[HubContext, Any]) -> str | None:
        return _reveal(info, (await self._contacts(info)).address)

    @strawberry.field(description="Aid this person receives or is covered by.")
    async def aid_chain(self, info: Info[HubContext, Any]) -> list[AidRecordType]:
        loader = _loader(info, "people.aid", aid_of_people, list)
        household = self.audit_subject.household_id
        return [AidRecordType.build(a, household)
                for a in await loader.load(self.view.person_id)]

    @strawberry.field(description="Department records this person was resolved from.")
    async def source_records(self, info: Info[HubContext, Any]) -> list[SourceRecordType]:
        loader = _loader(info, "people.provenance", provenance_of_people, list)
        return [SourceRecordType.build(r, self.audit_subject)
                for r in await loader.load(self.view.person_id)]


@strawberry.type(name="Supporter", description="A legal supporter (赡养/抚养/扶养) of a member.")
class SupporterType:
    person_id: str | None
    kind: str | None
    audit_subject: strawberry.Private[DataSubject]


@strawberry.enum(name="MemberState",
                 description="Whether a member still counts in the household.")
class MemberState(Enum):
    LIVING = "living"
    DECEASED = "deceased"
    MOVED_OUT = "moved_out"
    UNKNOWN = "unknown"


def member_state(membership: str | None, person_status: str | None) -> MemberState:
    """The member's state from the 户籍 membership (正常/死亡/迁出) and the person's
    status (a death registered on another row counts too)."""
    if membership == "死亡" or person_status == "死亡":
        return MemberState.DECEASED
    if membership == "迁出":
        return MemberState.MOVED_OUT
    return MemberState.LIVING if membership == "正常" else MemberState.UNKNOWN


@strawberry.type(name="Member", description="A household member and the membership.")
class MemberType:
    person: PersonType | None
    relation: str | None = strawberry.field(description="Relation to the head (户主, 配偶 …).")
    status: str | None = strawberry.field(description="Membership status (正常, 迁出 …).")
    state: MemberState = strawberry.field(
        description="LIVING, DECEASED or MOVED_OUT: whether the member counts in the "
                    "household (verification counts the LIVING ones).")
    supporters: list[SupporterType] | None
    audit_subject: strawberry.Private[DataSubject]

    @classmethod
    def build(cls, card: MemberCard, household_id: str) -> MemberType:
        """From a member card of ``household_id``."""
        person = PersonType.build(card.person, household_id)
        subject = person.audit_subject
        return cls(person=person, relation=card.relation, status=card.status,
                   state=member_state(card.status, card.person.status),
                   supporters=[SupporterType(person_id=pid, kind=kind, audit_subject=subject)
                               for pid, kind in card.supporters],
                   audit_subject=subject)


@strawberry.type(name="Asset", description="An asset a member holds (kind only, no values).")
class AssetType:
    person_id: str | None
    kind: str | None
    department: str | None
    role: str | None
    audit_subject: strawberry.Private[DataSubject]


@strawberry.type(name="Household", description="A household with members, aid and assets.")
class HouseholdType:
    household_id: str | None
    region_code: str | None
    urban_rural: str | None
    township: str | None
    members: list[MemberType] | None
    aid: list[AidRecordType] | None
    assets: list[AssetType] | None
    card: strawberry.Private[HouseholdCard]
    audit_subject: strawberry.Private[DataSubject]

    @classmethod
    def build(cls, card: HouseholdCard) -> HouseholdType:
        """From a household card."""
        subject = DataSubject("household", card.household_id, household_id=card.household_id,
                              region_code=card.region_code)
        members = {m.person.person_id: m for m in card.members}

        def owner(asset: AssetCard) -> DataSubject:
            member = members.get(asset.person_id)
            return (person_subject(member.person, card.household_id) if member is not None
                    else subject)

        return cls(
            household_id=card.household_id, region_code=card.region_code,
            urban_rural=card.urban_rural, township=card.township,
            members=[MemberType.build(m, card.household_id) for m in card.members],
            aid=[AidRecordType.build(a, card.household_id) for a in card.aid],
            assets=[AssetType(person_id=a.person_id, kind=a.kind, department=a.department,
                              role=a.role, audit_subject=owner(a)) for a in card.assets],
            card=card, audit_subject=subject)

    @strawberry.field(description="Registered (户籍) address of the household.")
    def address(self, info: Info[HubContext, Any]) -> str | None:
        return _reveal(info, self.card.address)

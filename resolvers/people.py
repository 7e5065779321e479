"""Root fields of the linked graph: ``person``, ``people``, ``household``, ``aidChain``,
``sourceRecords``.

Each root field runs one query (jurisdiction decided in it, after the indexed anchor
match), then, where the declared purpose needs it, checks consent for the subject it
found (household authorisation for verification, the person's consent for charity
matching) before returning anything. Outside the caller's jurisdiction a root field
returns nothing, and the refusal is audited. Under a consent purpose an unknown subject
is refused like one without consent, so the API is no oracle of who is in the hub.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from graphql import GraphQLError
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from hub.api.field_policy import action_of
from hub.lookups.cards import (
    Lookup,
    aid_chain_card,
    blind_id,
    household_card,
    people_by_name_birth,
    person_card,
    provenance_card,
)
from privacy import PURPOSE_RULES, ConsentDeniedError, DataSubject, InvalidIdentifierError
from resolvers.context import HubContext
from resolvers.errors import client_error
from resolvers.people_types import (
    AidRecordType,
    HouseholdType,
    PersonType,
    SourceRecordType,
    person_subject,
)
from resolvers.permissions import PurposeAllowed

MAX_PEOPLE = 50
MAX_NAME_CHARS = 64
CONSENT_MESSAGE = ("no consent in force for this purpose from the data subject "
                   "(missing, expired or revoked)")


def bad_input(message: str) -> GraphQLError:
    """A refusal of malformed arguments (the message never echoes a value)."""
    return client_error(message, "BAD_INPUT")


def _one_of(**arguments: Any) -> None:
    given = [name for name, value in arguments.items() if value]
    if len(given) != 1:
        raise bad_input(f"give exactly one of {', '.join(arguments)}")


def _blind(info: Info[HubContext, Any], id_number: str) -> str:
    kit = info.context.kit
    if kit is None:
        raise client_error("field keys unavailable", "UNAVAILABLE")
    try:
        return blind_id(kit.indexer, id_number)
    except InvalidIdentifierError:
        raise bad_input("idNumber is not a valid resident ID number") from None


def _needs_consent(info: Info[HubContext, Any]) -> bool:
    purpose = info.context.purpose
    return purpose is not None and PURPOSE_RULES[purpose].consent_from is not None


def _refuse_consent(info: Info[HubContext, Any], reason: str,
                    subject: DataSubject | None = None) -> GraphQLError:
    if reason == "not_found":
        info.context.access.note_denial(action_of(info), "consent_missing", subject)
    return client_error(CONSENT_MESSAGE, "CONSENT_REQUIRED")


def admit(info: Info[HubContext, Any], lookup: Lookup[Any], subject: DataSubject | None
          ) -> bool:
    """False (and the refusal noted) when nothing may be returned about the anchor.

    Raises:
        GraphQLError: ``CONSENT_REQUIRED`` for an unknown subject under a consent purpose.
    """
    if not lookup.found:
        if _needs_consent(info):
            raise _refuse_consent(info, "not_found")
        return False
    if not lookup.allowed:
        info.context.access.note_denial(action_of(info), "out_of_jurisdiction", subject)
        return False
    return True


async def check_consent(info: Info[HubContext, Any], subject: DataSubject) -> None:
    """Consent for the declared purpose from ``subject`` (or its household), or refuse.

    A household authorisation found for a person also covers the other members reached
    through it (the household's aid chain).

    Raises:
        GraphQLError: ``CONSENT_REQUIRED`` (missing, expired or revoked; audited).
    """
    access = info.context.access
    action = action_of(info)
    try:
        consent = await access.require_consent(subject, action=action)
    except ConsentDeniedError:
        raise _refuse_consent(info, "denied") from None
    if consent is not None and consent.subject_kind == "household":
        access.remember_consent(DataSubject("household", consent.subject_id), consent,
                                action=action)


async def resolve_person(info: Info[HubContext, None], id_number: str | None = None,
                         person_id: strawberry.ID | None = None) -> PersonType | None:
    """A person by resident ID number (through its blind index) or by hub person id."""
    _one_of(id_number=id_number, person_id=person_id)
    ctx = info.context
    bi_id = _blind(info, id_number) if id_number else None
    lookup = await run_in_threadpool(
        lambda: person_card(ctx.store, person_id=str(person_id) if person_id else None,
                            bi_id=bi_id, regions=ctx.regions))
    subject = (DataSubject("person", lookup.subject_id, region_code=lookup.region_code)
               if lookup.subject_id else None)
    if not admit(info, lookup, subject) or lookup.value is None:
        return None
    await check_consent(info, person_subject(lookup.value))
    return PersonType.build(lookup.value)


def _blind_name_birth(info: Info[HubContext, Any], name: str, birth_date: date) -> str:
    """The blind index ingest stores on a record (``bi_name_birth``), computed the same way."""
    kit = info.context.kit
    if kit is None:
        raise client_error("field keys unavailable", "UNAVAILABLE")
    try:
        return kit.indexer.name_birth(name, birth_date)
    except InvalidIdentifierError:
        raise bad_input("name is empty once normalised") from None


async def resolve_people(info: Info[HubContext, None], name: str, birth_date: date,
                         first: int = 20) -> list[PersonType]:
    """The people whose department records carry this name and birth date.

    Each match is decided like ``person``: outside the jurisdiction it is left out and the
    refusal audited; under a consent purpose a match without consent is left out (audited),
    and no match at all is refused like missing consent (no oracle of who is in the hub).
    """
    if not 1 <= first <= MAX_PEOPLE:
        raise bad_input(f"first must be between 1 and {MAX_PEOPLE}")
    if len(name) > MAX_NAME_CHARS:
        raise bad_input(f"name is longer than {MAX_NAME_CHARS} characters")
    ctx = info.context
    bi_name_birth = _blind_name_birth(info, name, birth_date)
    lookups = await run_in_threadpool(
        lambda: people_by_name_birth(ctx.store, bi_name_birth=bi_name_birth,
                                     regions=ctx.regions, first=first))
    people: list[PersonType] = []
    for lookup in lookups:
        subject = DataSubject("person", str(lookup.subject_id), region_code=lookup.region_code)
        if not admit(info, lookup, subject) or lookup.value is None:
            continue
        try:
            await check_consent(info, person_subject(lookup.value))
        except GraphQLError:
            continue  # refused and audited; the other matches may still be returned
        people.append(PersonType.build(lookup.value))
    if not people and _needs_consent(info):
        reason = "denied" if any(lookup.allowed for lookup in lookups) else "not_found"
        raise _refuse_consent(info, reason)
    return people


async def resolve_household(info: Info[HubContext, None], household_id: str | None = None,
                            id_number: str | None = None) -> HouseholdType | None:
    """A household by id, or the current household of the person with that ID number."""
    _one_of(household_id=household_id, id_number=id_number)
    ctx = info.context
    bi_id = _blind(info, id_number) if id_number else None
    lookup = await run_in_threadpool(
        lambda: household_card(ctx.store, household_id=household_id, bi_id=bi_id,
                               regions=ctx.regions))
    subject = (DataSubject("household", lookup.subject_id, region_code=lookup.region_code)
               if lookup.subject_id else None)
    if not admit(info, lookup, subject) or lookup.value is None:
        return None
    await check_consent(info, DataSubject("household", lookup.value.household_id,
                                          region_code=lookup.region_code))
    return HouseholdType.build(lookup.value)


async def resolve_aid_chain(info: Info[HubContext, None], person_id: strawberry.ID | None = None,
                            household_id: str | None = None) -> list[AidRecordType]:
    """一户（人）一条救助链: aid from every department for a person and their household."""
    _one_of(person_id=person_id, household_id=household_id)
    ctx = info.context
    lookup = await run_in_threadpool(
        lambda: aid_chain_card(ctx.store, person_id=str(person_id) if person_id else None,
                               household_id=household_id, regions=ctx.regions))
    purpose = ctx.purpose
    person_consent = purpose is not None and PURPOSE_RULES[purpose].consent_from == "person"
    if lookup.subject_id and not (person_id and person_consent):
        subject = DataSubject("household", lookup.subject_id, region_code=lookup.region_code)
    else:
        subject = DataSubject("person", str(person_id), household_id=lookup.subject_id,
                              region_code=lookup.region_code)
    if not admit(info, lookup, subject) or lookup.value is None:
        return []
    await check_consent(info, subject)
    return [AidRecordType.build(aid, lookup.subject_id) for aid in lookup.value]


async def resolve_source_records(info: Info[HubContext, None], person_id: strawberry.ID
                                 ) -> list[SourceRecordType]:
    """Provenance: which department records (ids only) a person was resolved from."""
    ctx = info.context
    lookup, household_id = await run_in_threadpool(
        provenance_card, ctx.store, str(person_id), ctx.regions)
    subject = DataSubject("person", str(person_id), household_id=household_id,
                          region_code=lookup.region_code)
    if not admit(info, lookup, subject) or lookup.value is None:
        return []
    await check_consent(info, subject)
    return [SourceRecordType.build(record, subject) for record in lookup.value]


@strawberry.type
class PeopleQuery:
    person: PersonType | None = strawberry.field(
        resolver=resolve_person, permission_classes=[PurposeAllowed],
        description="A person by `idNumber` (blind index) or `personId`; null if unknown "
                    "or outside your jurisdiction.")
    people: list[PersonType] = strawberry.field(
        resolver=resolve_people, permission_classes=[PurposeAllowed],
        description="The people whose department records carry this name and birth date "
                    "(name + birth date blind index), at most `first` (1 to 50); those "
                    "outside your jurisdiction are left out.")
    household: HouseholdType | None = strawberry.field(
        resolver=resolve_household, permission_classes=[PurposeAllowed],
        description="A household by `householdId` or a current member's `idNumber`.")
    aid_chain: list[AidRecordType] = strawberry.field(
        resolver=resolve_aid_chain, permission_classes=[PurposeAllowed],
        description="Every aid record, from every department, of a person and their "
                    "household (or of a household).")
    source_records: list[SourceRecordType] = strawberry.field(
        resolver=resolve_source_records, permission_classes=[PurposeAllowed],
        description="The department records behind a person (provenance).")

"""A small schema of personal types, built like the real one, to exercise enforcement.

Its types carry the names in ``privacy.GRAPHQL_FIELD_CLASSES`` (Person, Household,
AidRecord) and follow the recipe the hub's resolvers use: personal objects carry
``audit_subject`` (and ``owner_org`` where an ``own`` rule applies) as
``strawberry.Private``; root fields check consent with ``consent_required``.
"""

from __future__ import annotations

import contextlib

import strawberry
from strawberry.types import Info

from hub.api.extensions import ApiLimits, hardening_extensions
from privacy import ConsentDeniedError, DataSubject
from resolvers.context import HubContext
from resolvers.permissions import PurposeAllowed, consent_required
from resolvers.schema import HubSchema

HOUSEHOLDS = {
    "HH-1": ("659001", "新疆五家渠市青湖路1号",
             [("P-1", "阿依古丽·买买提", "659001198001011230")]),
    "HH-9": ("533401", "云南迪庆香格里拉市", [("P-9", "扎西", "533401199001011234")]),
}
AID = [("低保", "民政", 812.5), ("医疗救助", "医保", 3000.0)]


@strawberry.type(name="Person")
class PersonT:
    person_id: str
    name: str | None
    id_number: str | None
    audit_subject: strawberry.Private[DataSubject]


@strawberry.type(name="AidRecord")
class AidRecordT:
    programme: str
    department: str
    amount: float | None
    audit_subject: strawberry.Private[DataSubject]
    owner_org: strawberry.Private[str]


@strawberry.type(name="Household")
class HouseholdT:
    household_id: str
    address: str | None
    members: list[PersonT] | None
    audit_subject: strawberry.Private[DataSubject]


def _household(household_id: str) -> HouseholdT:
    region, address, members = HOUSEHOLDS[household_id]
    subject = DataSubject("household", household_id, region_code=region)
    people = [PersonT(person_id=pid, name=name, id_number=idn,
                      audit_subject=DataSubject("person", pid, household_id=household_id,
                                                region_code=region))
              for pid, name, idn in members]
    return HouseholdT(household_id=household_id, address=address, members=people,
                      audit_subject=subject)


@strawberry.type(name="Query")
class PersonalQuery:
    @strawberry.field(permission_classes=[PurposeAllowed,
                                          consent_required("household", "household_id")])
    def household(self, household_id: str) -> HouseholdT:
        return _household(household_id)

    @strawberry.field
    async def person(self, info: Info[HubContext, None], person_id: str) -> PersonT:
        """Checks consent but returns the object either way: its fields fail closed."""
        if person_id == "boom":
            raise RuntimeError("lookup failed for 659001198001011230")
        subject = DataSubject("person", person_id, region_code="659001")
        with contextlib.suppress(ConsentDeniedError):
            await info.context.access.require_consent(subject, action="query.person")
        return PersonT(person_id=person_id, name="阿依古丽·买买提",
                       id_number="659001198001011230", audit_subject=subject)

    @strawberry.field
    def aid_chain(self, person_id: str) -> list[AidRecordT]:
        """No consent check at all: under a consent purpose its fields are denied."""
        subject = DataSubject("person", person_id, region_code="659001")
        return [AidRecordT(programme=p, department=d, amount=a, audit_subject=subject,
                           owner_org=d) for p, d, a in AID]


personal_schema = HubSchema(query=PersonalQuery,
                            extensions=hardening_extensions(ApiLimits(), dev_mode=False))

"""A small schema of personal types, built like the real one, to exercise enforcement.

Its types carry the names in ``privacy.GRAPHQL_FIELD_CLASSES`` (Person, Household,
AidRecord) and follow the recipe the hub's resolvers use: personal objects carry
``audit_subject`` (and ``owner_org`` where an ``own`` rule applies) as
``strawberry.Private``; root fields check consent with :func:`consent_required`, a
permission class kept here because only this schema checks consent that way (the hub's
resolvers call ``access.require_consent`` after their lookup).
"""

from __future__ import annotations

import contextlib
from typing import Any

import strawberry
from strawberry.permission import BasePermission
from strawberry.types import Info

from hub.api.extensions import ApiLimits, hardening_extensions
from hub.api.field_policy import action_of
from privacy import ConsentDeniedError, DataSubject
from resolvers.context import HubContext
from resolvers.permissions import PurposeAllowed
from resolvers.schema import HubSchema

HOUSEHOLDS = {
    "HH-1": ("659001", "新疆五家渠市青湖路1号",
             [("P-1", "阿依古丽·买买提", "659001198001011230")]),
    "HH-9": ("533401", "云南迪庆香格里拉市", [("P-9", "扎西", "533401199001011234")]),
}
AID = [("低保", "民政", 812.5), ("医疗救助", "医保", 3000.0)]


def consent_required(subject_kind: str, argument: str) -> type[BasePermission]:
    """A permission requiring consent for the subject named by ``argument``.

    Args:
        subject_kind: ``"household"`` or ``"person"``.
        argument: The Python name of the field argument holding the subject's hub id
            (``household_id`` for ``householdId``).

    Purposes that need no consent pass. On success the consent id is noted for the
    audit event and objects about that subject (or, for household authorisations, its
    members) may be resolved.
    """

    class ConsentRequired(BasePermission):
        message = ("no consent in force for this purpose from the data subject "
                   "(missing, expired or revoked)")
        error_extensions = {"code": "CONSENT_REQUIRED"}  # noqa: RUF012

        async def has_permission(self, source: Any, info: Info[HubContext, Any],
                                 **kwargs: Any) -> bool:
            subject_id = kwargs.get(argument)
            if not subject_id:
                return False
            subject = DataSubject(subject_kind, str(subject_id))
            try:
                await info.context.access.require_consent(subject, action=action_of(info))
            except ConsentDeniedError:
                return False
            return True

    ConsentRequired.__name__ = f"ConsentRequired_{subject_kind}_{argument}"
    return ConsentRequired


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

"""Strawberry permission classes; each delegates to ``privacy.policy`` via the guard.

Field-level decisions (allow / mask / deny per field class) are applied to every field
by ``hub.api.field_policy.PolicyEnforcer``; these classes add the checks that need a
root field's arguments or want one clear refusal instead of many field errors:

- :class:`PurposeAllowed`: one of the caller's roles may act for the declared purpose;
- :func:`consent_required`: consent for the declared purpose is on file for the subject
  named by an argument (household authorisation for verification, the recipient's
  consent for charity matching), in force now and granted to the caller's organisation.
"""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission
from strawberry.types import Info

from hub.api.field_policy import action_of
from privacy import ConsentDeniedError, DataSubject, Purpose, purpose_allowed
from resolvers.context import HubContext


class PurposeAllowed(BasePermission):
    """The caller's roles include one the policy allows for the declared purpose."""

    message = "your role may not act for the declared purpose"
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012

    def has_permission(self, source: Any, info: Info[HubContext, Any], **kwargs: Any) -> bool:
        access = info.context.access
        if access.purpose is not None and purpose_allowed(access.principal, access.purpose):
            return True
        access.note_denial(action_of(info), "no_role_for_purpose")
        return False


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


def purpose_required(purpose: Purpose) -> type[BasePermission]:
    """A permission requiring the declared purpose to be exactly ``purpose``.

    For root fields whose meaning is bound to one purpose (``verifyHousehold`` needs
    ``verification`` and so the household's consent; ``monitoringAlerts`` needs
    ``monitoring``), so that a role allowed the field's access class under another purpose
    cannot call them for that purpose.
    """

    class PurposeRequired(BasePermission):
        message = f"this field needs the declared purpose '{purpose.value}'"
        error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012

        def has_permission(self, source: Any, info: Info[HubContext, Any],
                           **kwargs: Any) -> bool:
            access = info.context.access
            if access.purpose is purpose:
                return True
            access.note_denial(action_of(info), "wrong_purpose")
            return False

    PurposeRequired.__name__ = f"PurposeRequired_{purpose.value}"
    return PurposeRequired

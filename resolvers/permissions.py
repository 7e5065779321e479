"""Strawberry permission classes; each delegates to ``privacy.policy`` via the guard.

Field-level decisions (allow / mask / deny per field class) are applied to every field
by ``hub.api.field_policy.PolicyEnforcer``; these classes add the checks that need a
root field's arguments or want one clear refusal instead of many field errors:

- :class:`PurposeAllowed`: one of the caller's roles may act for the declared purpose;
- :func:`purpose_required`: the declared purpose is exactly the one a field is bound to.

Consent is checked inside the resolvers (``access.require_consent``), after the lookup
that names the subject.
"""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission
from strawberry.types import Info

from hub.api.field_policy import action_of
from privacy import Purpose, purpose_allowed
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

"""``me``: who the API thinks you are (no personal data of anyone else)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers.context import HubContext


@strawberry.type(name="Principal", description="The authenticated caller and the request.")
class PrincipalType:
    subject: str = strawberry.field(description="Token subject (staff or system id).")
    org: str = strawberry.field(description="Department code or charity id.")
    roles: list[str] = strawberry.field(description="Roles known to the hub.")
    regions: list[str] = strawberry.field(description="Jurisdiction region codes.")
    national: bool = strawberry.field(description="True when rows are not region-limited.")
    purpose: str | None = strawberry.field(description="Purpose declared in X-Purpose.")
    correlation_id: str = strawberry.field(description="Quote it when reporting a problem.")


def resolve_me(info: Info[HubContext, None]) -> PrincipalType:
    """The principal from the verified token, the declared purpose and correlation id."""
    ctx = info.context
    principal = ctx.principal
    return PrincipalType(
        subject=principal.subject, org=principal.org, roles=list(principal.roles),
        regions=list(principal.regions), national=ctx.regions is None,
        purpose=ctx.purpose.value if ctx.purpose is not None else None,
        correlation_id=ctx.correlation_id)

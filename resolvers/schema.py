"""The strawberry schema: root query and mutation types assembled from resolver modules."""

from __future__ import annotations

import strawberry

from resolvers.health import Health, resolve_health


@strawberry.type
class Query:
    health: Health = strawberry.field(resolver=resolve_health, description="Service health.")


schema = strawberry.Schema(query=Query)

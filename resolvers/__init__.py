"""GraphQL types, queries and mutations; thin, calling services in ``hub``."""

from resolvers.schema import schema

__all__ = ["schema"]

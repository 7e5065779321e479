"""The Neo4j model: labels and relationship types, migrations, named queries."""

from graph_schema.migrate import is_current, migrate, schema_version
from graph_schema.migrations import LATEST_VERSION, Migration, all_migrations

__all__ = [
    "LATEST_VERSION",
    "Migration",
    "all_migrations",
    "is_current",
    "migrate",
    "schema_version",
]

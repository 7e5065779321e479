"""Queries about the schema itself: recording and reading the applied migration version."""

RECORD_MIGRATION = """
MERGE (m:SchemaMigration {version: $version})
ON CREATE SET m.name = $name, m.applied_at = datetime()
"""

SCHEMA_VERSION = """
OPTIONAL MATCH (m:SchemaMigration)
RETURN coalesce(max(m.version), 0) AS version
"""

PING = "RETURN 1 AS ok"

APPLIED_MIGRATIONS = "MATCH (m:SchemaMigration) RETURN m.version AS version"

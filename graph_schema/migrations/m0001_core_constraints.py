"""Uniqueness constraints on the keys of the core nodes, and their lookup indexes.

Fact nodes (aid, assets, income, …) carry the label ``Fact`` besides their own
(``AidRecord``, ``Asset`` …) and are keyed by ``fact_key`` = ``<source>:<record id>`` (plus a
suffix when one row yields several facts), so re-ingesting a row finds its node.
"""

STATEMENTS = (
    "CREATE CONSTRAINT schema_migration_version IF NOT EXISTS "
    "FOR (m:SchemaMigration) REQUIRE m.version IS UNIQUE",
    "CREATE CONSTRAINT source_record_key IF NOT EXISTS "
    "FOR (r:SourceRecord) REQUIRE r.mention_key IS UNIQUE",
    "CREATE CONSTRAINT person_id IF NOT EXISTS FOR (p:Person) REQUIRE p.person_id IS UNIQUE",
    "CREATE CONSTRAINT household_id IF NOT EXISTS "
    "FOR (h:Household) REQUIRE h.household_id IS UNIQUE",
    "CREATE CONSTRAINT fact_key IF NOT EXISTS FOR (f:Fact) REQUIRE f.fact_key IS UNIQUE",
    "CREATE CONSTRAINT consent_id IF NOT EXISTS FOR (c:Consent) REQUIRE c.consent_id IS UNIQUE",
    "CREATE CONSTRAINT ingest_batch_id IF NOT EXISTS "
    "FOR (b:IngestBatch) REQUIRE b.batch_id IS UNIQUE",
    "CREATE CONSTRAINT health_probe_key IF NOT EXISTS "
    "FOR (p:HealthProbe) REQUIRE p.key IS UNIQUE",
    "CREATE INDEX source_record_source IF NOT EXISTS "
    "FOR (r:SourceRecord) ON (r.source, r.record_id)",
    "CREATE INDEX source_record_bi_id IF NOT EXISTS FOR (r:SourceRecord) ON (r.bi_id)",
    "CREATE INDEX source_record_bi_name_birth IF NOT EXISTS "
    "FOR (r:SourceRecord) ON (r.bi_name_birth)",
    "CREATE INDEX household_region IF NOT EXISTS FOR (h:Household) ON (h.region_code)",
    "CREATE INDEX aid_record_region IF NOT EXISTS FOR (a:AidRecord) ON (a.region_code)",
    "CREATE INDEX fact_source IF NOT EXISTS FOR (f:Fact) ON (f.source)",
)

"""Node labels and relationship types of the hub's graph (DESIGN.md "Graph model").

These names are part of the contract with every query; a test checks that every label and
relationship type used in ``graph_schema.queries`` is declared here.
"""

from __future__ import annotations

from typing import Final

# -- node labels ---------------------------------------------------------------------------
SOURCE_RECORD: Final = "SourceRecord"
PERSON: Final = "Person"
HOUSEHOLD: Final = "Household"
AID_RECORD: Final = "AidRecord"
ASSET: Final = "Asset"
INCOME_RECORD: Final = "IncomeRecord"
DISABILITY: Final = "Disability"
ILLNESS: Final = "Illness"
DEATH: Final = "Death"
CONSENT: Final = "Consent"
DONATION: Final = "Donation"
CHARITY: Final = "Charity"
MATCH: Final = "Match"
SCHEMA_MIGRATION: Final = "SchemaMigration"
INGEST_BATCH: Final = "IngestBatch"
HEALTH_PROBE: Final = "HealthProbe"

NODE_LABELS: Final = frozenset({
    SOURCE_RECORD, PERSON, HOUSEHOLD, AID_RECORD, ASSET, INCOME_RECORD, DISABILITY,
    ILLNESS, DEATH, CONSENT, DONATION, CHARITY, MATCH, SCHEMA_MIGRATION, INGEST_BATCH,
    HEALTH_PROBE,
})

# -- relationship types --------------------------------------------------------------------
RESOLVES_TO: Final = "RESOLVES_TO"
MEMBER_OF: Final = "MEMBER_OF"
SUPPORTS: Final = "SUPPORTS"
GRANTED_TO: Final = "GRANTED_TO"
OWNS: Final = "OWNS"
GIVEN_BY: Final = "GIVEN_BY"
FROM_RECORD: Final = "FROM_RECORD"

RELATIONSHIP_TYPES: Final = frozenset({
    RESOLVES_TO, MEMBER_OF, SUPPORTS, GRANTED_TO, OWNS, GIVEN_BY, FROM_RECORD,
})

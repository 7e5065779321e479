"""Node labels and relationship types of the hub's graph (DESIGN.md "Graph model").

These names are part of the contract with every query; a test checks that every label and
relationship type used in any module of ``graph_schema.queries`` is declared here, and
``graph_schema.properties`` declares the properties of each.
"""

from __future__ import annotations

from typing import Final

# -- node labels ---------------------------------------------------------------------------
SOURCE_RECORD: Final = "SourceRecord"
FACT: Final = "Fact"
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
REFERRAL: Final = "Referral"
SCHEMA_MIGRATION: Final = "SchemaMigration"
INGEST_BATCH: Final = "IngestBatch"
HEALTH_PROBE: Final = "HealthProbe"
HUKOU_ENTRY: Final = "HukouEntry"
FAMILY_MEMBERSHIP: Final = "FamilyMembership"
MEDICAL_SETTLEMENT: Final = "MedicalSettlement"
STUDENT_RECORD: Final = "StudentRecord"
MONITORING_CASE: Final = "MonitoringCase"
STAFF_MEMBER: Final = "StaffMember"
REGION_STANDARD: Final = "RegionStandard"
ALERT: Final = "Alert"
AUDIT_EVENT: Final = "AuditEvent"
AUDIT_HEAD: Final = "AuditHead"
AUDIT_CHECKPOINT: Final = "AuditCheckpoint"
# entity resolution: one node per ``hub link run`` (its model and counts), and the pairs
# the model doubts, queued for clerical review
LINK_RUN: Final = "LinkRun"
REVIEW_PAIR: Final = "ReviewPair"
# a source record waiting for a link run (new, or its row changed): ingest adds it, the run
# removes it. A label, not an indexed property: the label index is updated for every new
# node anyway, where a range index on the mark was one more entry per record
LINK_PENDING: Final = "LinkPending"
# the access-policy digest the hub last recorded in its audit log
POLICY_VERSION: Final = "PolicyVersion"

NODE_LABELS: Final = frozenset({
    SOURCE_RECORD, FACT, PERSON, HOUSEHOLD, AID_RECORD, ASSET, INCOME_RECORD, DISABILITY,
    ILLNESS, DEATH, CONSENT, DONATION, CHARITY, MATCH, SCHEMA_MIGRATION, INGEST_BATCH,
    HEALTH_PROBE, HUKOU_ENTRY, FAMILY_MEMBERSHIP, MEDICAL_SETTLEMENT, STUDENT_RECORD,
    MONITORING_CASE, STAFF_MEMBER, REGION_STANDARD, AUDIT_EVENT, AUDIT_HEAD, AUDIT_CHECKPOINT,
    ALERT, REFERRAL, LINK_RUN, REVIEW_PAIR, POLICY_VERSION, LINK_PENDING,
})

# Labels a ``Fact`` node written by ingest may carry besides ``Fact`` (key ``fact_key``).
FACT_LABELS: Final = frozenset({
    AID_RECORD, ASSET, INCOME_RECORD, DISABILITY, ILLNESS, DEATH, HUKOU_ENTRY,
    FAMILY_MEMBERSHIP, MEDICAL_SETTLEMENT, STUDENT_RECORD, MONITORING_CASE, STAFF_MEMBER,
    REGION_STANDARD,
})

# -- relationship types --------------------------------------------------------------------
RESOLVES_TO: Final = "RESOLVES_TO"
MEMBER_OF: Final = "MEMBER_OF"
SUPPORTS: Final = "SUPPORTS"
GRANTED_TO: Final = "GRANTED_TO"
OWNS: Final = "OWNS"
GIVEN_BY: Final = "GIVEN_BY"
FROM_RECORD: Final = "FROM_RECORD"
# projections and kinship written by ``hub link`` (graph_schema/queries/projection.py,
# households.py), read by monitoring
HAS: Final = "HAS"
COVERS: Final = "COVERS"
HANDLED_BY: Final = "HANDLED_BY"
KIN_OF: Final = "KIN_OF"
# monitoring alerts: what an alert is about, and the facts that prove it
ABOUT: Final = "ABOUT"
EVIDENCED_BY: Final = "EVIDENCED_BY"
# charity matching: who offers a donation, what a referral is for, whom and under which consent
OFFERED_BY: Final = "OFFERED_BY"
FOR_DONATION: Final = "FOR_DONATION"
REFERS: Final = "REFERS"
UNDER_CONSENT: Final = "UNDER_CONSENT"

RELATIONSHIP_TYPES: Final = frozenset({
    RESOLVES_TO, MEMBER_OF, SUPPORTS, GRANTED_TO, OWNS, GIVEN_BY, FROM_RECORD,
    HAS, COVERS, HANDLED_BY, KIN_OF, ABOUT, EVIDENCED_BY,
    OFFERED_BY, FOR_DONATION, REFERS, UNDER_CONSENT,
})

# -- fact kinds ----------------------------------------------------------------------------
# The fact kind of an ingest mapping (its TOML ``kind``) → (label of its main fact node,
# department that reports it). Graph vocabulary: ingest writes these nodes, verification
# (hub.rules) and monitoring read them back by the same label.
KIND_LABELS: Final[dict[str, tuple[str, str]]] = {
    "hukou_membership": (HUKOU_ENTRY, "公安"),
    "basic_aid": (AID_RECORD, "民政"),
    "civil_affairs_member": (FAMILY_MEMBERSHIP, "民政"),
    "medical_settlement": (MEDICAL_SETTLEMENT, "医保"),
    "student": (STUDENT_RECORD, "教育"),
    "housing_aid": (AID_RECORD, "住建"),
    "employment": (INCOME_RECORD, "人社"),
    "disability": (DISABILITY, "残联"),
    "real_estate": (ASSET, "不动产"),
    "vehicle": (ASSET, "车管"),
    "business": (ASSET, "市场监管"),
    "tax_income": (INCOME_RECORD, "税务"),
    "housing_fund": (ASSET, "公积金"),
    "deposit": (ASSET, "银行"),
    "disaster_aid": (AID_RECORD, "应急"),
    "rural_monitoring": (MONITORING_CASE, "乡村振兴"),
    "staff": (STAFF_MEMBER, "民政"),
    "standard": (REGION_STANDARD, "民政"),
}

"""Audit log and consent: one event per ``seq``, one chain head, checkpoints, lookups.

``AuditEvent.seq`` unique is the last line of defence against a forked chain: even if two
appends raced past the head lock, the second ``CREATE`` of the same ``seq`` fails.
Consent lookups go from the subject (``GIVEN_BY``), so only the id needs a constraint
(in m0001); ``grantee`` and ``purpose`` are indexed for the consent admin views.
"""

STATEMENTS = (
    "CREATE CONSTRAINT audit_event_seq IF NOT EXISTS "
    "FOR (e:AuditEvent) REQUIRE e.seq IS UNIQUE",
    "CREATE CONSTRAINT audit_head_name IF NOT EXISTS "
    "FOR (h:AuditHead) REQUIRE h.name IS UNIQUE",
    "CREATE CONSTRAINT audit_checkpoint_seq IF NOT EXISTS "
    "FOR (c:AuditCheckpoint) REQUIRE c.seq IS UNIQUE",
    "CREATE INDEX audit_event_at IF NOT EXISTS FOR (e:AuditEvent) ON (e.at)",
    "CREATE INDEX audit_event_actor IF NOT EXISTS FOR (e:AuditEvent) ON (e.actor)",
    "CREATE INDEX audit_event_subject_ref IF NOT EXISTS FOR (e:AuditEvent) ON (e.subject_ref)",
    "CREATE INDEX audit_event_correlation IF NOT EXISTS "
    "FOR (e:AuditEvent) ON (e.correlation_id)",
    "CREATE INDEX consent_grantee_purpose IF NOT EXISTS FOR (c:Consent) ON (c.grantee, c.purpose)",
)

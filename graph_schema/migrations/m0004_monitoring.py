"""Monitoring alerts: one node per stable alert key, looked up by status, region and type.

``Person(household_id)`` serves the household joins of the detections (members of one 户
sharing housing aid, the living members of a covered household).
"""

STATEMENTS = (
    "CREATE CONSTRAINT alert_key IF NOT EXISTS FOR (a:Alert) REQUIRE a.alert_key IS UNIQUE",
    "CREATE INDEX alert_status IF NOT EXISTS FOR (a:Alert) ON (a.status)",
    "CREATE INDEX alert_region IF NOT EXISTS FOR (a:Alert) ON (a.region_code)",
    "CREATE INDEX alert_type IF NOT EXISTS FOR (a:Alert) ON (a.type)",
    "CREATE INDEX alert_department IF NOT EXISTS FOR (a:Alert) ON (a.department)",
    "CREATE INDEX person_household IF NOT EXISTS FOR (p:Person) ON (p.household_id)",
    "CREATE INDEX aid_record_programme IF NOT EXISTS FOR (a:AidRecord) ON (a.programme)",
    "CREATE INDEX aid_record_kind IF NOT EXISTS FOR (a:AidRecord) ON (a.kind)",
)

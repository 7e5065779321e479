"""Consent records: ``(:Consent)-[:GIVEN_BY]->(:Person|:Household)``.

Subjects are anchored by their unique key first; the jurisdiction filter
(``$regions IS NULL OR … IN $regions``) follows the anchor, so it never scans.
Timestamps are Neo4j ``datetime`` values (UTC).
"""

HOUSEHOLD_IN_JURISDICTION = """
MATCH (s:Household {household_id: $subject_id})
RETURN s.region_code IS NOT NULL AND ($regions IS NULL OR s.region_code IN $regions) AS allowed
"""

PERSON_IN_JURISDICTION = """
MATCH (s:Person {person_id: $subject_id})
OPTIONAL MATCH (s)-[:MEMBER_OF]->(h:Household)
WITH s, collect(h.region_code) + CASE WHEN s.region_code IS NULL THEN [] ELSE [s.region_code] END
     AS codes
RETURN $regions IS NULL OR any(code IN codes WHERE code IN $regions) AS allowed
"""

CREATE_HOUSEHOLD_CONSENT = """
MATCH (s:Household {household_id: $subject_id})
CREATE (c:Consent)-[:GIVEN_BY]->(s)
SET c = $props
RETURN properties(c) AS c, 'household' AS subject_kind, s.household_id AS subject_id
"""

CREATE_PERSON_CONSENT = """
MATCH (s:Person {person_id: $subject_id})
CREATE (c:Consent)-[:GIVEN_BY]->(s)
SET c = $props
RETURN properties(c) AS c, 'person' AS subject_kind, s.person_id AS subject_id
"""

CONSENT_BY_ID = """
MATCH (c:Consent {consent_id: $consent_id})-[:GIVEN_BY]->(s)
RETURN properties(c) AS c,
       CASE WHEN s:Person THEN 'person' ELSE 'household' END AS subject_kind,
       coalesce(s.person_id, s.household_id) AS subject_id
"""

# first revocation wins: revoking twice keeps the original time and author
REVOKE_CONSENT = """
MATCH (c:Consent {consent_id: $consent_id})-[:GIVEN_BY]->(s)
SET c.revoked_at = coalesce(c.revoked_at, $at),
    c.revoked_by = coalesce(c.revoked_by, $by)
RETURN properties(c) AS c,
       CASE WHEN s:Person THEN 'person' ELSE 'household' END AS subject_kind,
       coalesce(s.person_id, s.household_id) AS subject_id
"""

HOUSEHOLD_CONSENTS = """
MATCH (s:Household {household_id: $subject_id})<-[:GIVEN_BY]-(c:Consent)
WHERE c.purpose = $purpose AND c.grantee = $grantee
RETURN properties(c) AS c, 'household' AS subject_kind, s.household_id AS subject_id
"""

# a person's own consents and those of every household they currently belong to
PERSON_CONSENTS = """
MATCH (p:Person {person_id: $subject_id})
OPTIONAL MATCH (p)-[m:MEMBER_OF]->(h:Household)
WHERE coalesce(m.status, '正常') = '正常'
WITH p, collect(DISTINCT h) AS households
UNWIND [p] + households AS s
MATCH (c:Consent)-[:GIVEN_BY]->(s)
WHERE c.purpose = $purpose AND c.grantee = $grantee
RETURN properties(c) AS c,
       CASE WHEN s:Person THEN 'person' ELSE 'household' END AS subject_kind,
       coalesce(s.person_id, s.household_id) AS subject_id
"""

PERSON_OWN_CONSENTS = """
MATCH (s:Person {person_id: $subject_id})<-[:GIVEN_BY]-(c:Consent)
WHERE c.purpose = $purpose AND c.grantee = $grantee
RETURN properties(c) AS c, 'person' AS subject_kind, s.person_id AS subject_id
"""

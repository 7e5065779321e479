"""Queries behind the API's person, household, aid-chain and provenance fields.

Each returns everything its root field needs in one round trip; jurisdiction is a
predicate on the anchor (``$regions`` null = nationwide).
"""

PERSON_BY_BLIND_ID = """
MATCH (p:Person {bi_id: $bi_id})
WHERE p.merged_into IS NULL AND ($regions IS NULL OR p.region_code IN $regions)
RETURN p {.*} AS person
LIMIT 1
"""

# a person found through a mention's blind index (people whose own record has no valid ID)
PERSON_BY_MENTION_BLIND_ID = """
MATCH (:SourceRecord {bi_id: $bi_id})-[:RESOLVES_TO]->(p:Person)
WHERE p.merged_into IS NULL AND ($regions IS NULL OR p.region_code IN $regions)
RETURN p {.*} AS person
LIMIT 1
"""

PERSON_BY_ID = """
MATCH (p:Person {person_id: $person_id})
WHERE $regions IS NULL OR p.region_code IN $regions
RETURN p {.*} AS person
"""

HOUSEHOLD_VIEW = """
MATCH (hh:Household {household_id: $household_id})
WHERE $regions IS NULL OR hh.region_code IN $regions
CALL (hh) {
  MATCH (m:Person)-[rel:MEMBER_OF]->(hh)
  OPTIONAL MATCH (s:Person)-[sup:SUPPORTS]->(m)
  WITH m, rel, collect(DISTINCT {person_id: s.person_id, kind: sup.kind}) AS supporters
  RETURN collect({person: m {.*}, relation: rel.relation, status: rel.status,
                  until: rel.until, supporters: supporters}) AS members
}
CALL (hh) {
  MATCH (:Person)-[:MEMBER_OF {status: '正常'}]->(hh)
  MATCH (m:Person)-[:MEMBER_OF]->(hh)
  MATCH (a:AidRecord)-[:GRANTED_TO|COVERS]->(m)
  RETURN collect(DISTINCT a {.*, person_id: m.person_id}) AS aid
}
CALL (hh) {
  MATCH (m:Person)-[:MEMBER_OF {status: '正常'}]->(hh)
  MATCH (m)-[o:OWNS]->(a:Asset)
  RETURN collect(DISTINCT a {.*, person_id: m.person_id, role: o.role}) AS assets
}
RETURN hh {.*} AS household, members, aid, assets
"""

# every aid record of a person and of the members of their current household
AID_CHAIN = """
MATCH (p:Person {person_id: $person_id})
WHERE $regions IS NULL OR p.region_code IN $regions
OPTIONAL MATCH (p)-[:MEMBER_OF {status: '正常'}]->(hh:Household)<-[:MEMBER_OF]-(m:Person)
WITH p, collect(DISTINCT m) + [p] AS people
UNWIND people AS person
MATCH (a:AidRecord)-[rel:GRANTED_TO|COVERS]->(person)
RETURN DISTINCT a {.*} AS aid, person.person_id AS person_id, type(rel) AS link
ORDER BY aid.start
"""

SOURCE_RECORDS_OF_PERSON = """
MATCH (r:SourceRecord)-[l:RESOLVES_TO]->(p:Person {person_id: $person_id})
WHERE $regions IS NULL OR p.region_code IN $regions
RETURN r.source AS source, r.record_id AS record_id, r.role AS role,
       r.batch_id AS batch_id, l.method AS method, l.weight AS weight
ORDER BY source, record_id
"""

SOURCE_RECORDS_OF_FACT = """
MATCH (f:Fact {fact_key: $fact_key})-[:FROM_RECORD]->(r:SourceRecord)
RETURN r.source AS source, r.record_id AS record_id, r.role AS role,
       r.batch_id AS batch_id, f.department AS department
"""

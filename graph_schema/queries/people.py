"""Queries behind the API's person, household, aid-chain and provenance fields.

Each returns everything its root field needs in one round trip; jurisdiction is a
predicate on the anchor (``$regions`` null = nationwide).
"""

# -- the API's root fields: jurisdiction decided in the same round trip ----------------------
# ``allowed`` says whether the anchor lies in ``$regions``; nothing else is returned for an
# anchor outside them, so a denial can be audited without reading the subject's data.

PERSON_CARD_BY_ID = """
MATCH (p:Person {person_id: $person_id})
WHERE p.merged_into IS NULL
WITH p, ($regions IS NULL OR p.region_code IN $regions) AS allowed
RETURN allowed, p.person_id AS person_id, p.region_code AS region_code,
       CASE WHEN allowed THEN p {.*} END AS person
"""

# the live person an ID number's blind index names: its own, else a mention's (a person
# whose ID is invalid or was never indexed is still found through its records)
_PERSON_BY_BLIND_ID = """
CALL () {
  MATCH (p:Person {bi_id: $bi_id}) WHERE p.merged_into IS NULL
  RETURN p, 0 AS rank
  UNION
  MATCH (:SourceRecord {bi_id: $bi_id})-[:RESOLVES_TO]->(p:Person) WHERE p.merged_into IS NULL
  RETURN p, 1 AS rank
}
WITH p ORDER BY rank LIMIT 1
"""

PERSON_CARD_BY_BLIND_ID = _PERSON_BY_BLIND_ID + """
WITH p, ($regions IS NULL OR p.region_code IN $regions) AS allowed
RETURN allowed, p.person_id AS person_id, p.region_code AS region_code,
       CASE WHEN allowed THEN p {.*} END AS person
"""

# the live people a name + birth date blind index names, through their records (several
# people may share both); up to $first inside $regions, and up to $first outside them
# (ids and regions only: their refusals are audited)
PEOPLE_BY_NAME_BIRTH = """
MATCH (:SourceRecord {bi_name_birth: $bi_name_birth})-[:RESOLVES_TO]->(p:Person)
WHERE p.merged_into IS NULL
WITH DISTINCT p
WITH p, ($regions IS NULL OR p.region_code IN $regions) AS allowed
ORDER BY p.person_id
WITH allowed, collect(p)[..$first] AS people
UNWIND people AS p
RETURN allowed, p.person_id AS person_id, p.region_code AS region_code,
       CASE WHEN allowed THEN p {.*} END AS person
ORDER BY person_id
"""

# the household view, anchored on the household or on one member's blind index. A person
# current (正常) in two 户 (a duplicate registration) opens the household their own record
# names (``p.household_id``, what a search by name lists), else the smallest id: never
# whichever the store happens to return first
HOUSEHOLD_CARD = """
CALL () {
  MATCH (hh:Household {household_id: $household_id}) RETURN hh, 0 AS rank
  UNION
  MATCH (p:Person {bi_id: $bi_id})-[:MEMBER_OF {status: '正常'}]->(hh:Household)
  WHERE p.merged_into IS NULL
  RETURN hh, CASE WHEN hh.household_id = p.household_id THEN 0 ELSE 1 END AS rank
}
WITH hh ORDER BY rank, hh.household_id LIMIT 1
WITH hh, ($regions IS NULL OR hh.region_code IN $regions) AS allowed
CALL (hh, allowed) {
  MATCH (m:Person)-[rel:MEMBER_OF]->(hh) WHERE allowed
  OPTIONAL MATCH (s:Person)-[sup:SUPPORTS]->(m)
  WITH m, rel, collect({person_id: s.person_id, kind: sup.kind}) AS supporters
  ORDER BY rel.status DESC, m.person_id
  RETURN collect({person: m {.*}, relation: rel.relation, status: rel.status,
                  until: rel.until, supporters: supporters}) AS members
}
CALL (hh, allowed) {
  MATCH (m:Person)-[:MEMBER_OF {status: '正常'}]->(hh) WHERE allowed
  MATCH (a:AidRecord)-[link:GRANTED_TO|COVERS]->(m)
  WITH a, m, max(type(link)) AS link ORDER BY a.start, a.fact_key
  RETURN collect(a {.*, person_id: m.person_id, person_region: m.region_code,
                    link: link}) AS aid
}
CALL (hh, allowed) {
  MATCH (m:Person)-[:MEMBER_OF {status: '正常'}]->(hh) WHERE allowed
  MATCH (m)-[o:OWNS]->(a:Asset)
  RETURN collect(DISTINCT {kind: a.asset_kind, department: a.department, role: o.role,
                           person_id: m.person_id}) AS assets
}
CALL (hh, allowed) {
  OPTIONAL MATCH (m:Person)-[:MEMBER_OF {status: '正常'}]->(hh) WHERE allowed
  OPTIONAL MATCH (m)-[:HAS]->(e:HukouEntry) WHERE e.enc_address IS NOT NULL
  WITH e ORDER BY e.enc_address IS NULL, e.fact_key
  RETURN e.fact_key AS address_key, e.enc_address AS enc_address LIMIT 1
}
RETURN allowed, hh.household_id AS household_id, hh.region_code AS region_code,
       CASE WHEN allowed THEN hh {.*} END AS household, members, aid, assets,
       address_key, enc_address
"""

# aid of many people at once (a DataLoader's batch): own grants and family coverage
AID_OF_PEOPLE = """
UNWIND $person_ids AS pid
MATCH (p:Person {person_id: pid})
WHERE $regions IS NULL OR p.region_code IN $regions
MATCH (a:AidRecord)-[link:GRANTED_TO|COVERS]->(p)
WITH pid, p, a, max(type(link)) AS link ORDER BY a.start, a.fact_key
RETURN pid AS owner, a {.*, person_id: p.person_id, person_region: p.region_code,
                       link: link} AS aid
"""

# 一户（人）一条救助链: the anchor's aid plus that of everyone in its current household
AID_CHAIN_CARD = """
CALL () {
  MATCH (p:Person {person_id: $person_id}) WHERE p.merged_into IS NULL
  OPTIONAL MATCH (p)-[:MEMBER_OF {status: '正常'}]->(hh:Household)
  RETURN p.region_code AS region, p.household_id AS household_id, hh
  UNION
  MATCH (hh:Household {household_id: $household_id})
  RETURN hh.region_code AS region, hh.household_id AS household_id, hh
}
WITH region, household_id, hh LIMIT 1
WITH region, household_id, hh, ($regions IS NULL OR region IN $regions) AS allowed
CALL (hh, allowed) {
  OPTIONAL MATCH (m:Person)-[:MEMBER_OF {status: '正常'}]->(hh) WHERE allowed
  RETURN collect(m) AS members
}
OPTIONAL MATCH (anchor:Person {person_id: $person_id}) WHERE allowed
WITH allowed, region, household_id, [x IN members + [anchor] WHERE x IS NOT NULL] AS people
CALL (people) {
  UNWIND people AS person
  WITH DISTINCT person
  MATCH (a:AidRecord)-[link:GRANTED_TO|COVERS]->(person)
  WITH a, person, max(type(link)) AS link ORDER BY a.start, a.fact_key
  RETURN collect(a {.*, person_id: person.person_id, person_region: person.region_code,
                    link: link}) AS aid
}
RETURN allowed, region, household_id, aid
"""

SOURCE_RECORDS_OF_PEOPLE = """
UNWIND $person_ids AS pid
MATCH (r:SourceRecord)-[l:RESOLVES_TO]->(p:Person {person_id: pid})
WHERE $regions IS NULL OR p.region_code IN $regions
RETURN pid AS owner, r.source AS source, r.record_id AS record_id, r.role AS role,
       r.batch_id AS batch_id, l.method AS method, l.weight AS weight
ORDER BY source, record_id
"""

# address (户籍) and phone (aid application, monitoring case) of many people at once
CONTACTS_OF_PEOPLE = """
UNWIND $person_ids AS pid
MATCH (p:Person {person_id: pid})
WHERE $regions IS NULL OR p.region_code IN $regions
CALL (p) {
  OPTIONAL MATCH (p)-[:HAS]->(e:HukouEntry) WHERE e.enc_address IS NOT NULL
  RETURN e.fact_key AS address_key, e.enc_address AS enc_address LIMIT 1
}
CALL (p) {
  OPTIONAL MATCH (p)<-[:GRANTED_TO]-(a:AidRecord) WHERE a.enc_phones IS NOT NULL
  RETURN a.fact_key AS phones_key, a.enc_phones AS enc_phones LIMIT 1
}
RETURN pid AS owner, address_key, enc_address, phones_key, enc_phones
"""

# -- reportAid: a department's feedback of aid it granted ------------------------------------

PERSON_FOR_AID_REPORT = _PERSON_BY_BLIND_ID + """
RETURN p.person_id AS person_id, p.region_code AS region_code,
       p.household_id AS household_id
"""

CREATE_REPORTED_AID = """
MATCH (p:Person {person_id: $person_id})
MERGE (a:Fact:AidRecord {fact_key: $fact_key})
ON CREATE SET a += $props, a.reported_at = datetime()
MERGE (a)-[link:GRANTED_TO]->(p)
ON CREATE SET link.role = 'reported'
RETURN a {.*, person_id: p.person_id, person_region: p.region_code,
          link: type(link)} AS aid
"""

SOURCE_RECORDS_CARD = """
MATCH (p:Person {person_id: $person_id})
WHERE p.merged_into IS NULL
WITH p, ($regions IS NULL OR p.region_code IN $regions) AS allowed
CALL (p, allowed) {
  OPTIONAL MATCH (r:SourceRecord)-[l:RESOLVES_TO]->(p) WHERE allowed
  WITH r, l ORDER BY r.source, r.record_id
  RETURN collect(CASE WHEN r IS NOT NULL THEN
    {source: r.source, record_id: r.record_id, role: r.role, batch_id: r.batch_id,
     method: l.method, weight: l.weight} END) AS records
}
RETURN allowed, p.person_id AS person_id, p.region_code AS region_code,
       p.household_id AS household_id, records
"""

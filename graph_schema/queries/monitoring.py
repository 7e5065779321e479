"""Dynamic monitoring (动态监测): the named detections and the alert store.

Every detection takes ``$as_of`` (an ISO date) and ``$region`` (a 行政区划 code or null for
all) and returns the subject of each case with its evidence as fact references
``{department, source, record_id, fact_key}`` — record ids, never personal values. The
rules behind them are FORMATS.md section 8 ("Planted cases"). A basic-aid record is
``(:AidRecord {kind: 'basic_aid'})``; it names its recipient (``GRANTED_TO``) and covers the
members of its 民政 family (``COVERS``). Monthly periods are first-of-month dates; an open
end means "still paid on the as-of date".
"""

# -- detections ------------------------------------------------------------------------

# a basic-aid record naming or covering a dead person, paid >= $min_months after the death
# month (its last month, or the as-of month while it still runs)
DECEASED_STILL_PAID = """
MATCH (p:Person {status: '死亡'})<-[:GRANTED_TO|COVERS]-(a:AidRecord {kind: 'basic_aid'})
WHERE p.status_date IS NOT NULL AND a.start <= date($as_of)
  AND ($region IS NULL OR coalesce(p.region_code, a.region_code) = $region)
WITH DISTINCT p, a, coalesce(a.end, date($as_of)) AS last
WITH p, a, (last.year * 12 + last.month)
           - (p.status_date.year * 12 + p.status_date.month) AS months
WHERE months >= $min_months
OPTIONAL MATCH (p)-[:HAS]->(d:Death)
WITH p, collect(DISTINCT a) + collect(DISTINCT d) AS facts, collect(DISTINCT a.region_code) AS rs
RETURN p.person_id AS person_id, p.household_id AS household_id,
       coalesce(p.region_code, head(rs)) AS region_code, rs AS region_codes,
       [f IN facts | {department: f.department, source: f.source, record_id: f.record_id,
                      fact_key: f.fact_key}] AS evidence
"""

# one person covered by two basic-aid records whose periods overlap: registered in two
# 行政区划, or twice in one (two families, same programme)
DUPLICATE_BASIC_AID = """
MATCH (p:Person)<-[:GRANTED_TO|COVERS]-(a:AidRecord {kind: 'basic_aid'})
WHERE a.start <= date($as_of)
WITH p, collect(DISTINCT a) AS recs
WHERE size(recs) > 1
UNWIND recs AS a
UNWIND recs AS b
WITH p, a, b
WHERE a.fact_key < b.fact_key
  AND a.start <= coalesce(b.end, date($as_of)) AND b.start <= coalesce(a.end, date($as_of))
  AND (a.region_code <> b.region_code
       OR (a.programme = b.programme AND a.bi_family_no <> b.bi_family_no))
WITH p, coalesce(p.region_code, a.region_code) AS region, collect(a) + collect(b) AS pairs
WHERE $region IS NULL OR region = $region
UNWIND pairs AS f
WITH p, region, collect(DISTINCT f) AS facts
RETURN p.person_id AS person_id, p.household_id AS household_id, region AS region_code,
       [x IN facts | x.region_code] AS region_codes,
       [f IN facts | {department: f.department, source: f.source, record_id: f.record_id,
                      fact_key: f.fact_key}] AS evidence
"""

# one person in two mutually exclusive programmes at once; $pairs = [{a: [...], b: [...]}]
# (特困供养 vs 城市/农村低保, plus what the ruleset adds); a membership row that put the
# person into a record's family is evidence too
EXCLUSIVE_OVERLAP = """
UNWIND $pairs AS pair
MATCH (p:Person)<-[:GRANTED_TO|COVERS]-(a:AidRecord)
WHERE a.programme IN pair.a AND a.start <= date($as_of)
MATCH (p)<-[:GRANTED_TO|COVERS]-(b:AidRecord)
WHERE b.programme IN pair.b AND b.start <= date($as_of)
  AND a.start <= coalesce(b.end, date($as_of)) AND b.start <= coalesce(a.end, date($as_of))
WITH DISTINCT p, a, b
WHERE $region IS NULL OR coalesce(p.region_code, a.region_code) = $region
OPTIONAL MATCH (p)-[:HAS]->(m:FamilyMembership)
WHERE (m.bi_family_no = a.bi_family_no AND NOT (a)-[:GRANTED_TO]->(p))
   OR (m.bi_family_no = b.bi_family_no AND NOT (b)-[:GRANTED_TO]->(p))
WITH p, collect(DISTINCT a) + collect(DISTINCT b) AS recs, collect(DISTINCT m) AS members
RETURN p.person_id AS person_id, p.household_id AS household_id,
       coalesce(p.region_code, head(recs).region_code) AS region_code,
       [r IN recs WHERE r.region_code IS NOT NULL | r.region_code] AS region_codes,
       [r IN recs | r.programme] AS programmes,
       [f IN recs + members | {department: f.department, source: f.source,
                               record_id: f.record_id, fact_key: f.fact_key}] AS evidence
"""

# a public-rental flat and a rent subsidy overlapping in one household (one person, or two
# members of one 户); grants of people without a 户 are keyed by the person
DOUBLE_HOUSING_AID = """
MATCH (g:AidRecord)-[:GRANTED_TO]->(p:Person)
WHERE g.programme IN [$flat, $subsidy] AND g.start <= date($as_of)
  AND ($region IS NULL OR p.region_code = $region)
WITH coalesce(p.household_id, 'P:' + p.person_id) AS hkey, p, g
WITH hkey, collect({g: g, p: p}) AS grants, head(collect(p.region_code)) AS region
WITH hkey, region, [x IN grants WHERE x.g.programme = $flat] AS flats,
     [x IN grants WHERE x.g.programme = $subsidy] AS subsidies
UNWIND flats AS f
UNWIND subsidies AS s
WITH hkey, region, f, s
WHERE f.g.start <= coalesce(s.g.end, date('9999-12-31'))
  AND s.g.start <= coalesce(f.g.end, date('9999-12-31'))
WITH hkey, region, collect(f) + collect(s) AS hits
UNWIND hits AS h
WITH hkey, region, collect(DISTINCT h.g) AS facts, collect(DISTINCT h.p.person_id) AS persons
RETURN CASE WHEN hkey STARTS WITH 'P:' THEN null ELSE hkey END AS household_id,
       persons AS person_ids, region AS region_code,
       [f IN facts | {department: f.department, source: f.source, record_id: f.record_id,
                      fact_key: f.fact_key}] AS evidence
"""

# the 经办人 of a basic-aid record is spouse / parent / child / sibling (户籍, 迁出 rows
# included) of its named recipient or a covered member; one case per (staff, record)
KIN_OF_STAFF = """
MATCH (a:AidRecord {kind: 'basic_aid'})-[:HANDLED_BY]->(s:Person)
WHERE a.start <= date($as_of) AND ($region IS NULL OR a.region_code = $region)
MATCH (a)-[:GRANTED_TO|COVERS]->(m:Person)<-[k:KIN_OF]-(s)
OPTIONAL MATCH (s)-[ms:MEMBER_OF]->(:Household)<-[mm:MEMBER_OF]-(m)
OPTIONAL MATCH (s)-[:HAS]->(st:StaffMember)
WITH a, s, collect(DISTINCT m.person_id) AS members, collect(DISTINCT k.kind) AS kinds,
     collect(DISTINCT st) AS staff, collect(DISTINCT ms.fact_key) + collect(DISTINCT mm.fact_key)
     AS hukou_keys
OPTIONAL MATCH (h:HukouEntry) WHERE h.fact_key IN hukou_keys
WITH a, s, members, kinds, staff, collect(DISTINCT h) AS entries
WITH a, s, members, kinds, [a] + staff + entries AS facts
RETURN s.person_id AS staff_person_id, a.record_id AS aid_record_id, members AS person_ids,
       kinds, a.region_code AS region_code,
       [f IN facts | {department: f.department, source: f.source, record_id: f.record_id,
                      fact_key: f.fact_key}] AS evidence
"""

# households with a living member covered by a basic-aid record paid in the as-of month
CURRENTLY_COVERED_HOUSEHOLDS = """
MATCH (a:AidRecord {kind: 'basic_aid'})-[:GRANTED_TO|COVERS]->(c:Person {status: '正常'})
WHERE a.start <= date($as_of) AND (a.end IS NULL OR a.end >= date($as_of_month))
  AND c.household_id IS NOT NULL AND ($region IS NULL OR c.region_code = $region)
WITH c.household_id AS household_id, collect(DISTINCT a) AS recs
RETURN household_id,
       [f IN recs | {department: f.department, source: f.source, record_id: f.record_id,
                     fact_key: f.fact_key}] AS evidence
"""

# every household with its living members (status 正常 in its own 户)
LIVING_HOUSEHOLDS = """
MATCH (hh:Household)<-[m:MEMBER_OF {status: '正常'}]-(p:Person)
WHERE ($region IS NULL OR hh.region_code = $region) AND p.household_id = hh.household_id
RETURN hh.household_id AS household_id, hh.region_code AS region_code,
       hh.urban_rural AS urban_rural, collect(p.person_id) AS person_ids
"""

# the assets and economic facts of every living member (status 正常, in their own 户) as
# compact lists, one row per person: [fact_key, kind, …kind-specific values], sealed values
# as ciphertexts for decryption in memory (balances, incomes, levels, illness flags)
LIVING_MEMBER_FACTS = """
MATCH (p:Person {status: '正常'})
WHERE p.household_id IS NOT NULL AND ($region IS NULL OR p.region_code = $region)
CALL (p) {
  OPTIONAL MATCH (p)-[:HAS]->(f:Fact)
  WHERE f:FamilyMembership OR f:Disability OR f:MedicalSettlement OR f:StudentRecord
     OR f:MonitoringCase OR (f:IncomeRecord AND f.kind = 'employment')
  RETURN collect(CASE f.kind
    WHEN 'civil_affairs_member' THEN [f.fact_key, f.kind, f.family_category, f.enc_family_no,
                                      f.enc_monthly_income]
    WHEN 'employment' THEN [f.fact_key, f.kind, f.status, f.month, f.enc_contribution_base,
                            f.enc_monthly_pension]
    WHEN 'disability' THEN [f.fact_key, f.kind, f.cert_status, f.enc_level]
    WHEN 'medical_settlement' THEN [f.fact_key, f.kind, f.enc_major_illness]
    WHEN 'student' THEN [f.fact_key, f.kind, f.school_year_start, size(coalesce(f.aid_items, []))]
    ELSE [f.fact_key, f.kind, f.risk_eliminated] END) AS facts
}
CALL (p) {
  OPTIONAL MATCH (p)-[o:OWNS]->(x:Asset)
  WHERE x.asset_kind IN ['vehicle', 'business', 'real_estate', 'deposit']
  RETURN collect(CASE x.asset_kind
    WHEN 'vehicle' THEN [x.fact_key, x.asset_kind, x.vehicle_type, x.vehicle_status]
    WHEN 'business' THEN [x.fact_key, x.asset_kind, x.registration_status, o.role]
    WHEN 'real_estate' THEN [x.fact_key, x.asset_kind, x.use, x.title_status, o.role,
                             coalesce(x.bi_title_no, x.fact_key)]
    ELSE [x.fact_key, x.asset_kind, x.enc_balance] END) AS assets
}
RETURN p.household_id AS household_id, p.person_id AS person_id, facts, assets
"""

REGION_STANDARDS = """
MATCH (s:RegionStandard) WHERE s.year = $year
RETURN s.region_code AS region_code, s.urban_rural AS urban_rural,
       s.dibao_standard AS dibao_standard, s.tekun_standard AS tekun_standard
"""

# -- alerts ----------------------------------------------------------------------------

EXISTING_ALERTS = """
MATCH (a:Alert) WHERE a.alert_key IN $keys
RETURN a.alert_key AS alert_key, a.status AS status
"""

UPSERT_ALERTS = """
UNWIND $rows AS row
MERGE (a:Alert {alert_key: row.alert_key})
ON CREATE SET a += row.props, a.status = 'new', a.created_at = datetime(),
              a.created_run_id = $run_id,
              a.history = [$now + '|' + $run_id + '|created|new']
SET a.last_seen_run_id = $run_id, a.last_seen_at = datetime(), a.as_of = date($as_of),
    a.detail = row.props.detail, a.department = row.props.department,
    a.region_codes = row.props.region_codes
WITH a WHERE a.status = 'closed'
SET a.status = 'new', a.history = a.history + [$now + '|' + $run_id + '|reopened|new'],
    a.closed_at = null, a.reason = null
"""

LINK_ALERT_PERSONS = """
UNWIND $rows AS row
MATCH (a:Alert {alert_key: row.alert_key})
UNWIND row.persons AS person
MATCH (p:Person {person_id: person.id})
MERGE (a)-[r:ABOUT]->(p) SET r.role = person.role
"""

LINK_ALERT_HOUSEHOLDS = """
UNWIND $rows AS row
WITH row WHERE row.props.household_id IS NOT NULL
MATCH (a:Alert {alert_key: row.alert_key})
MATCH (h:Household {household_id: row.props.household_id})
MERGE (a)-[:ABOUT]->(h)
"""

LINK_ALERT_EVIDENCE = """
UNWIND $rows AS row
MATCH (a:Alert {alert_key: row.alert_key})
UNWIND row.fact_keys AS key
MATCH (f:Fact {fact_key: key})
MERGE (a)-[:EVIDENCED_BY]->(f)
"""

# open alerts of the run's scope that this run did not see again no longer hold
CLOSE_STALE_ALERTS = """
MATCH (a:Alert)
WHERE a.status IN ['new', 'sent'] AND a.type IN $types AND a.last_seen_run_id <> $run_id
  AND ($region IS NULL OR a.region_code = $region)
SET a.status = 'closed', a.closed_at = datetime(), a.reason = 'no_longer_holds',
    a.history = a.history + [$now + '|' + $run_id + '|closed|no_longer_holds']
RETURN count(a) AS closed
"""

# a workflow step, applied only from an allowed previous status
SET_ALERT_STATUS = """
MATCH (a:Alert {alert_key: $alert_key})
WHERE a.status IN $allowed_from
SET a.status = $status, a.reason = $reason, a.updated_at = datetime(),
    a.updated_by = $actor,
    a.history = a.history + [$now + '|' + $actor + '|' + $status + '|' + coalesce($reason, '')]
RETURN a.alert_key AS alert_key
"""

ALERT_STATUS = "MATCH (a:Alert {alert_key: $alert_key}) RETURN a.status AS status"

LIST_ALERTS = """
MATCH (a:Alert)
WHERE ($region IS NULL OR a.region_code = $region OR $region IN a.region_codes)
  AND ($regions IS NULL OR any(r IN coalesce(a.region_codes, [a.region_code])
                               WHERE r IN $regions))
  AND ($type IS NULL OR a.type = $type)
  AND ($status IS NULL OR a.status = $status)
  AND ($department IS NULL OR a.department = $department)
RETURN a {.alert_key, .type, .status, .department, .region_code, .region_codes,
          .subject_kind, .subject_id, .household_id, .person_ids, .evidence, .programme,
          .hardship, .detail, .reason, .history, .created_at, .last_seen_at, .as_of,
          .updated_at, .updated_by, .closed_at} AS alert
ORDER BY a.created_at, a.alert_key
SKIP $skip LIMIT $limit
"""

# one alert by key, with the same projection as LIST_ALERTS (the API checks its routing
# and jurisdiction before a status change)
ALERT_BY_KEY = """
MATCH (a:Alert {alert_key: $alert_key})
RETURN a {.alert_key, .type, .status, .department, .region_code, .region_codes,
          .subject_kind, .subject_id, .household_id, .person_ids, .evidence, .programme,
          .hardship, .detail, .reason, .history, .created_at, .last_seen_at, .as_of,
          .updated_at, .updated_by, .closed_at} AS alert
"""

# -- pre-grant overlap check -----------------------------------------------------------

# a person's aid and their household's, with only what answers "whether and which
# programme": no amounts, no health facts
PERSON_AID = """
MATCH (p:Person)
WHERE ($person_id IS NOT NULL AND p.person_id = $person_id)
   OR ($person_id IS NULL AND p.bi_id = $bi_id)
WITH p LIMIT 1
OPTIONAL MATCH (p)<-[:GRANTED_TO|COVERS]-(own:AidRecord)
WITH p, collect(DISTINCT own {.programme, .department, .period, .start, .end,
                                .region_code}) AS own
OPTIONAL MATCH (m:Person {household_id: p.household_id})<-[:GRANTED_TO|COVERS]-(hh:AidRecord)
WHERE p.household_id IS NOT NULL AND m <> p AND m.status = '正常'
RETURN p.person_id AS person_id, p.status AS status, p.region_code AS region_code, own,
       collect(DISTINCT hh {.programme, .department, .period, .start, .end,
                            .region_code}) AS household
"""

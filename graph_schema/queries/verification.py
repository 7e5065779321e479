"""Household economic-status verification (家庭经济状况核对) and re-verification reads.

``HOUSEHOLD_FACTS`` is the one round trip of a verification: for each household id, every
member (户籍 status 正常 or 死亡 in that 户) with their facts, assets, basic aid and legal
supporters, plus the region's exported standards. Sealed fields come back as ciphertext;
the service decrypts them in memory. ``HAS`` and ``OWNS`` carry the role the person plays
in the record (a guardian's ``HAS`` to a student record is not the student's), so the
role is returned with every fact.
"""

PERSON_BY_ID = """
MATCH (p:Person {person_id: $person_id})
RETURN p.person_id AS person_id, p.household_id AS household_id
"""

PERSON_BY_BLIND_ID = """
MATCH (p:Person {bi_id: $bi_id})
RETURN p.person_id AS person_id, p.household_id AS household_id
ORDER BY p.person_id
"""

HOUSEHOLD_FACTS = """
UNWIND $household_ids AS hid
MATCH (hh:Household {household_id: hid})
CALL (hh) {
  MATCH (p:Person)-[m:MEMBER_OF]->(hh) WHERE m.status IN ['正常', '死亡']
  RETURN collect({
    person_id: p.person_id, status: m.status, relation: m.relation, hukou_key: m.fact_key,
    region_code: p.region_code, enc_birth_date: p.enc_birth_date,
    facts: [(p)-[r:HAS]->(f:Fact) WHERE f.kind IN $fact_kinds | f {
      .fact_key, .record_id, .department, .kind, .family_category, .labour_capacity,
      .enc_family_no, .enc_monthly_income, .status, .month, .enc_contribution_base,
      .enc_monthly_pension, .tax_year, .enc_income_amount, .cert_status, .enc_level,
      .settlement_date, .out_of_pocket, .enc_major_illness, .school_year_start, .tuition,
      .stage, role: r.role}],
    assets: [(p)-[r:OWNS]->(a:Asset) | a {
      .fact_key, .record_id, .department, .asset_kind, .vehicle_type, .vehicle_status,
      .business_type, .registration_status, .use, .title_status, .bi_title_no,
      .account_type, .account_status, .enc_balance, role: r.role}],
    aid: [(a:AidRecord)-[:GRANTED_TO|COVERS]->(p) WHERE a.kind = 'basic_aid' | a {
      .fact_key, .record_id, .department, .programme, .start, .end, .amount, .region_code,
      .note}],
    supporters: [(s:Person)-[k:SUPPORTS]->(p) | {
      person_id: s.person_id, kind: k.kind, status: s.status,
      enc_birth_date: s.enc_birth_date,
      certs: [(s)-[:HAS]->(d:Disability) | d {.fact_key, .record_id, .department,
                                               .cert_status, .enc_level}],
      hukou: [(s)-[ms:MEMBER_OF]->(:Household)<-[:MEMBER_OF]-(p) | ms.fact_key]}]
  }) AS members
}
CALL (hh) {
  OPTIONAL MATCH (s:RegionStandard) WHERE s.region_code = hh.region_code
  RETURN collect(s {.record_id, .department, .region_code, .year, .urban_rural,
                    .dibao_standard, .tekun_standard, .asset_limit_per_capita}) AS standards
}
RETURN hh.household_id AS household_id, hh.region_code AS region_code,
       hh.urban_rural AS urban_rural, hh.township AS township, members, standards
"""

# households of a region with a basic-aid record current in the as-of month
HOUSEHOLDS_WITH_CURRENT_AID = """
MATCH (a:AidRecord {kind: 'basic_aid'})-[:GRANTED_TO|COVERS]->(p:Person)
WHERE a.region_code = $region_code AND a.start <= $month
  AND (a.end IS NULL OR a.end >= $month) AND p.status = '正常'
  AND p.region_code = $region_code AND p.household_id IS NOT NULL
RETURN DISTINCT p.household_id AS household_id
ORDER BY household_id
"""

ALL_HOUSEHOLD_IDS = """
MATCH (hh:Household)
RETURN hh.household_id AS household_id
ORDER BY household_id
"""

# the re-verification schedule drawn by a monitoring run (hub.rules.schedule): one plan per
# household with current basic aid; the households of the region no longer planned lose it
STORE_REVIEW_PLANS = """
UNWIND $plans AS plan
MATCH (hh:Household {household_id: plan.household_id})
SET hh.review_programme = plan.programme, hh.review_interval_months = plan.interval,
    hh.review_anchor = plan.anchor, hh.review_unstable = plan.unstable,
    hh.review_drawn_on = $drawn_on
"""
CLEAR_STALE_REVIEW_PLANS = """
MATCH (hh:Household {region_code: $region_code})
WHERE hh.review_drawn_on IS NOT NULL AND NOT hh.household_id IN $planned
REMOVE hh.review_programme, hh.review_interval_months, hh.review_anchor,
       hh.review_unstable, hh.review_drawn_on
"""
STORED_REVIEW_PLANS = """
MATCH (hh:Household {region_code: $region_code})
WHERE hh.review_drawn_on IS NOT NULL
RETURN hh.household_id AS household_id, hh.review_programme AS programme,
       hh.review_interval_months AS interval, hh.review_anchor AS anchor,
       hh.review_unstable AS unstable, hh.review_drawn_on AS drawn_on
"""
REGIONS_WITH_HOUSEHOLDS = """
MATCH (hh:Household) WHERE hh.region_code IS NOT NULL
RETURN DISTINCT hh.region_code AS region_code ORDER BY region_code
"""

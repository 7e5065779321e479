"""Households from the 户籍 file, kinship within a 户, and legal support duties.

Kinship follows FORMATS.md 4.1: two rows of one 户号 give spouses (户主 & 配偶, 父亲 & 母亲),
parent and child (户主/配偶 & 子/女…, 父亲/母亲 & 户主) or siblings (two children, 户主 &
兄/弟/姐/妹, two siblings). ``(a)-[:KIN_OF {kind}]->(b)`` reads "a is b's <kind>" with kind
spouse / parent / child / sibling; ``SUPPORTS`` keeps the legal duties (spouse, parent,
child) — age, death and disability conditions are applied by the rules at the as-of date.
"""

BUILD_HOUSEHOLDS = """
MATCH (h:HukouEntry)-[:FROM_RECORD]->(:SourceRecord)-[:RESOLVES_TO]->(p:Person)
CALL (h, p) {
  MERGE (hh:Household {household_id: 'HH' + substring(h.bi_hukou_no, 0, 16)})
  ON CREATE SET hh.region_code = h.region_code, hh.bi_hukou_no = h.bi_hukou_no
  MERGE (p)-[m:MEMBER_OF]->(hh)
  SET m.relation = h.relation, m.status = h.status, m.until = h.status_date,
      m.fact_key = h.fact_key
} IN TRANSACTIONS OF 5000 ROWS
"""

# a person's own status and region come from their 正常/死亡 户籍 row (not a 迁出 one)
SET_PERSON_STATUS = """
MATCH (p:Person)-[m:MEMBER_OF]->(hh:Household) WHERE m.status IN ['正常', '死亡']
CALL (p, m, hh) {
  SET p.status = m.status, p.status_date = m.until, p.region_code = hh.region_code,
      p.household_id = hh.household_id
} IN TRANSACTIONS OF 5000 ROWS
"""

# the kinship rule between two members a, b of one household hh (FORMATS.md 4.1)
_KINSHIP_OF_PAIRS = """
MATCH (a:Person)-[ma:MEMBER_OF]->(hh)<-[mb:MEMBER_OF]-(b:Person)
WHERE a <> b
WITH a, b, ma.relation AS ra, mb.relation AS rb
WITH a, b, CASE
  WHEN (ra = '户主' AND rb = '配偶') OR (ra = '配偶' AND rb = '户主')
    OR (ra = '父亲' AND rb = '母亲') OR (ra = '母亲' AND rb = '父亲') THEN 'spouse'
  WHEN (ra IN ['户主', '配偶'] AND rb IN $children)
    OR (ra IN ['父亲', '母亲'] AND rb = '户主') THEN 'parent'
  WHEN (rb IN ['户主', '配偶'] AND ra IN $children)
    OR (rb IN ['父亲', '母亲'] AND ra = '户主') THEN 'child'
  WHEN (ra IN $children AND rb IN $children) OR (ra = '户主' AND rb IN $siblings)
    OR (rb = '户主' AND ra IN $siblings) OR (ra IN $siblings AND rb IN $siblings)
    THEN 'sibling'
END AS kind
WHERE kind IS NOT NULL
"""

_MERGE_KINSHIP = """
  MERGE (a)-[:KIN_OF {kind: kind}]->(b)
  FOREACH (_ IN CASE WHEN kind <> 'sibling' THEN [1] ELSE [] END |
    MERGE (a)-[:SUPPORTS {kind: kind}]->(b))
"""

BUILD_KINSHIP = ("MATCH (hh:Household)" + _KINSHIP_OF_PAIRS
                 + "CALL (a, b, kind) {" + _MERGE_KINSHIP + "} IN TRANSACTIONS OF 5000 ROWS")

# -- the same, for the people an incremental run changed ($persons: person ids) only ------
BUILD_HOUSEHOLDS_OF_PERSONS = """
UNWIND $persons AS person_id
MATCH (p:Person {person_id: person_id})<-[:RESOLVES_TO]-(:SourceRecord)
      <-[:FROM_RECORD]-(h:HukouEntry)
USING INDEX p:Person(person_id)
MERGE (hh:Household {household_id: 'HH' + substring(h.bi_hukou_no, 0, 16)})
ON CREATE SET hh.region_code = h.region_code, hh.bi_hukou_no = h.bi_hukou_no
MERGE (p)-[m:MEMBER_OF]->(hh)
SET m.relation = h.relation, m.status = h.status, m.until = h.status_date,
    m.fact_key = h.fact_key
"""

SET_STATUS_OF_PERSONS = """
UNWIND $persons AS person_id
MATCH (p:Person {person_id: person_id})-[m:MEMBER_OF]->(hh:Household)
USING INDEX p:Person(person_id)
WHERE m.status IN ['正常', '死亡']
SET p.status = m.status, p.status_date = m.until, p.region_code = hh.region_code,
    p.household_id = hh.household_id
"""

BUILD_KINSHIP_OF_PERSONS = ("""
UNWIND $persons AS person_id
MATCH (person:Person {person_id: person_id})-[:MEMBER_OF]->(household:Household)
USING INDEX person:Person(person_id)
WITH DISTINCT household AS hh
""" + _KINSHIP_OF_PAIRS + _MERGE_KINSHIP)

HOUSEHOLD_ADDRESSES = """
MATCH (hh:Household)<-[m:MEMBER_OF]-(:Person)
WHERE hh.urban_rural IS NULL
WITH hh, head(collect(m.fact_key)) AS fact_key
MATCH (h:Fact {fact_key: fact_key})
RETURN hh.household_id AS household_id, h.fact_key AS fact_key, h.enc_address AS enc_address
"""

SET_HOUSEHOLD_AREA = """
UNWIND $rows AS row
MATCH (hh:Household {household_id: row.household_id})
USING INDEX hh:Household(household_id)
SET hh.urban_rural = row.urban_rural, hh.township = row.township
"""

# kinship and households are rebuilt from scratch on a full link
CLEAR_HOUSEHOLD_GRAPH = """
MATCH ()-[r:KIN_OF|SUPPORTS|MEMBER_OF]->()
CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS
"""

COUNT_HOUSEHOLDS = "MATCH (h:Household) RETURN count(h) AS n"

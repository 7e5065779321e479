"""What ``hub demo`` reads to prepare its tour (see :mod:`hub.datasets.demo_tour`).

``DEMO_REGIONS`` lists the counties the demo set covers (its tokens are limited to them);
``DEMO_HOUSEHOLD`` picks one household with at least two living members and its lowest
living person id as the examples' applicant (a deceased or moved-out applicant made the
verification example say nothing useful).
"""

DEMO_REGIONS = """
MATCH (h:Household) WHERE h.region_code IS NOT NULL
RETURN DISTINCT h.region_code AS r
"""

DEMO_HOUSEHOLD = """
MATCH (h:Household)<-[m:MEMBER_OF {status: '正常'}]-(p:Person)
WHERE coalesce(p.status, '正常') <> '死亡'
WITH h, collect(p.person_id) AS living WHERE size(living) >= 2
WITH h, living ORDER BY h.household_id LIMIT 1
RETURN h.household_id AS household_id, reduce(low = head(living), x IN living |
       CASE WHEN x < low THEN x ELSE low END) AS person_id
"""

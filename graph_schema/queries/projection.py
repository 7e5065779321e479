"""Project facts onto resolved people: aid GRANTED_TO, assets OWNS, other facts HAS.

Facts point at their source records (``FROM_RECORD``); once the records resolve to people,
these queries add the direct relationships the services query, and remove those whose
record now resolves to someone else.
"""

PROJECT_AID = """
MATCH (f:AidRecord)-[:FROM_RECORD]->(r:SourceRecord)-[:RESOLVES_TO]->(p:Person)
WHERE r.role <> '经办人' AND r.role <> '监护人'
CALL (f, r, p) {
  MERGE (f)-[g:GRANTED_TO]->(p) SET g.role = r.role
} IN TRANSACTIONS OF 10000 ROWS
"""

PROJECT_HANDLERS = """
MATCH (f:AidRecord)-[:FROM_RECORD]->(r:SourceRecord {role: '经办人'})-[:RESOLVES_TO]->(p:Person)
CALL (f, p) { MERGE (f)-[:HANDLED_BY]->(p) } IN TRANSACTIONS OF 10000 ROWS
"""

PROJECT_ASSETS = """
MATCH (f:Asset)-[:FROM_RECORD]->(r:SourceRecord)-[:RESOLVES_TO]->(p:Person)
CALL (f, r, p) {
  MERGE (p)-[o:OWNS]->(f) SET o.role = r.role
} IN TRANSACTIONS OF 10000 ROWS
"""

PROJECT_OTHER_FACTS = """
MATCH (f:Fact)-[:FROM_RECORD]->(r:SourceRecord)-[:RESOLVES_TO]->(p:Person)
WHERE NOT f:AidRecord AND NOT f:Asset
CALL (f, r, p) {
  MERGE (p)-[h:HAS]->(f) SET h.role = r.role
} IN TRANSACTIONS OF 10000 ROWS
"""

# a basic-aid record covers the members of its 民政 family (家庭编号)
PROJECT_COVERED_MEMBERS = """
MATCH (a:AidRecord) WHERE a.bi_family_no IS NOT NULL
MATCH (m:Fact {bi_family_no: a.bi_family_no})<-[:HAS]-(p:Person)
WHERE m:FamilyMembership
CALL (a, p) { MERGE (a)-[:COVERS]->(p) } IN TRANSACTIONS OF 10000 ROWS
"""

REMOVE_STALE_PROJECTIONS = """
MATCH (x)-[rel:GRANTED_TO|HANDLED_BY|OWNS|HAS]-(p:Person)
WHERE (x:Fact) AND NOT EXISTS {
  MATCH (x)-[:FROM_RECORD]->(:SourceRecord)-[:RESOLVES_TO]->(p)
}
CALL (rel) { DELETE rel } IN TRANSACTIONS OF 10000 ROWS
"""

REMOVE_STALE_COVERS = """
MATCH (a:AidRecord)-[c:COVERS]->(p:Person)
WHERE NOT EXISTS {
  MATCH (p)-[:HAS]->(m:FamilyMembership) WHERE m.bi_family_no = a.bi_family_no
}
CALL (c) { DELETE c } IN TRANSACTIONS OF 10000 ROWS
"""

PROJECTIONS = (REMOVE_STALE_PROJECTIONS, PROJECT_AID, PROJECT_HANDLERS, PROJECT_ASSETS,
               PROJECT_OTHER_FACTS, REMOVE_STALE_COVERS, PROJECT_COVERED_MEMBERS)

"""Project facts onto resolved people: aid GRANTED_TO, assets OWNS, other facts HAS.

Facts point at their source records (``FROM_RECORD``); once the records resolve to people,
these queries add the direct relationships the services query, and remove those whose
record now resolves to someone else. A full run projects the whole graph; an incremental
run only the people it changed (``*_OF_PERSONS``), so its cost follows the batch.
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

# a basic-aid record covers the members of its 民政 family (家庭编号). The hint keeps the
# planner on the index: with stale statistics (HAS is empty before the first projection)
# it chose a cartesian product of every aid record with every membership.
PROJECT_COVERED_MEMBERS = """
MATCH (a:AidRecord) WHERE a.bi_family_no IS NOT NULL
MATCH (m:Fact {bi_family_no: a.bi_family_no})<-[:HAS]-(p:Person)
USING INDEX m:Fact(bi_family_no)
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

# -- the same, for the people an incremental run changed ($persons: person ids) only ------
_PERSONS = ("UNWIND $persons AS person_id MATCH (p:Person {person_id: person_id})\n"
            "USING INDEX p:Person(person_id)\n")

REMOVE_STALE_PROJECTIONS_OF_PERSONS = _PERSONS + """
MATCH (x:Fact)-[rel:GRANTED_TO|HANDLED_BY|OWNS|HAS]-(p)
WHERE NOT EXISTS { MATCH (x)-[:FROM_RECORD]->(:SourceRecord)-[:RESOLVES_TO]->(p) }
DELETE rel
"""

PROJECT_AID_OF_PERSONS = _PERSONS + """
MATCH (f:AidRecord)-[:FROM_RECORD]->(r:SourceRecord)-[:RESOLVES_TO]->(p)
WHERE r.role <> '经办人' AND r.role <> '监护人'
MERGE (f)-[g:GRANTED_TO]->(p) SET g.role = r.role
"""

PROJECT_HANDLERS_OF_PERSONS = _PERSONS + """
MATCH (f:AidRecord)-[:FROM_RECORD]->(r:SourceRecord {role: '经办人'})-[:RESOLVES_TO]->(p)
MERGE (f)-[:HANDLED_BY]->(p)
"""

PROJECT_ASSETS_OF_PERSONS = _PERSONS + """
MATCH (f:Asset)-[:FROM_RECORD]->(r:SourceRecord)-[:RESOLVES_TO]->(p)
MERGE (p)-[o:OWNS]->(f) SET o.role = r.role
"""

PROJECT_OTHER_FACTS_OF_PERSONS = _PERSONS + """
MATCH (f:Fact)-[:FROM_RECORD]->(r:SourceRecord)-[:RESOLVES_TO]->(p)
WHERE NOT f:AidRecord AND NOT f:Asset
MERGE (p)-[h:HAS]->(f) SET h.role = r.role
"""

REMOVE_STALE_COVERS_OF_PERSONS = _PERSONS + """
MATCH (a:AidRecord)-[c:COVERS]->(p)
WHERE NOT EXISTS {
  MATCH (p)-[:HAS]->(m:FamilyMembership) WHERE m.bi_family_no = a.bi_family_no
}
DELETE c
"""

PROJECT_COVERED_OF_PERSONS = _PERSONS + """
MATCH (p)-[:HAS]->(m:FamilyMembership) WHERE m.bi_family_no IS NOT NULL
MATCH (a:Fact {bi_family_no: m.bi_family_no}) WHERE a:AidRecord
MERGE (a)-[:COVERS]->(p)
"""

# a new aid record of a changed person also covers the (unchanged) members of its family
PROJECT_COVERED_BY_AID_OF_PERSONS = _PERSONS + """
MATCH (p)<-[:RESOLVES_TO]-(:SourceRecord)<-[:FROM_RECORD]-(a:AidRecord)
WHERE a.bi_family_no IS NOT NULL
MATCH (m:Fact {bi_family_no: a.bi_family_no})<-[:HAS]-(member:Person)
WHERE m:FamilyMembership
MERGE (a)-[:COVERS]->(member)
"""

PERSON_PROJECTIONS = (REMOVE_STALE_PROJECTIONS_OF_PERSONS, PROJECT_AID_OF_PERSONS,
                      PROJECT_HANDLERS_OF_PERSONS, PROJECT_ASSETS_OF_PERSONS,
                      PROJECT_OTHER_FACTS_OF_PERSONS, REMOVE_STALE_COVERS_OF_PERSONS,
                      PROJECT_COVERED_OF_PERSONS, PROJECT_COVERED_BY_AID_OF_PERSONS)

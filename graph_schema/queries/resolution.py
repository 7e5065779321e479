"""Queries of entity resolution: load mentions, write persons and links, review queue."""

# every mention with its current person (if any) and a household key from its row's fact
_MENTION_COLUMNS = """
OPTIONAL MATCH (r)-[:RESOLVES_TO]->(p:Person)
OPTIONAL MATCH (f:Fact)-[:FROM_RECORD]->(r)
  WHERE r.role <> '经办人' AND (f.bi_hukou_no IS NOT NULL OR f.bi_family_no IS NOT NULL)
WITH r, p, head(collect(CASE WHEN f.bi_hukou_no IS NOT NULL THEN 'hukou:' + f.bi_hukou_no
                             ELSE 'family:' + f.bi_family_no END)) AS household_key
RETURN r.mention_key AS mention_key, r.source AS source, r.record_id AS record_id,
       r.role AS role, r.enc_name AS enc_name, r.enc_id_number AS enc_id_number,
       r.enc_birth_date AS enc_birth_date, r.id_kind AS id_kind, r.id_valid AS id_valid,
       r.sex AS sex, r.region_code AS region_code, p.person_id AS person_id,
       household_key, r.row_hash AS row_hash
"""

MENTIONS_FOR_LINKAGE = """
MATCH (r:SourceRecord)
""" + _MENTION_COLUMNS

# the same rows for given mention keys (what the mention cache lacks)
MENTIONS_FOR_LINKAGE_BY_KEY = """
UNWIND $keys AS key
MATCH (r:SourceRecord {mention_key: key})
USING INDEX r:SourceRecord(mention_key)
""" + _MENTION_COLUMNS

# the same rows a page at a time in mention-key order, after a key (the Spark engine
# streams every mention this way instead of holding them all)
MENTIONS_FOR_LINKAGE_PAGE = """
MATCH (r:SourceRecord)
WHERE r.mention_key > $after
WITH r ORDER BY r.mention_key LIMIT $limit
""" + _MENTION_COLUMNS

# every mention's key, content hash and current person: enough to validate the cache.
# One record holding one list: 400k small records cost 3.5x more to stream and decode.
MENTION_STATE = """
MATCH (r:SourceRecord)
OPTIONAL MATCH (r)-[:RESOLVES_TO]->(p:Person)
RETURN collect([r.mention_key, r.row_hash, p.person_id]) AS rows
"""

# the mention count a full link's memory estimate is made from (the count store answers it)
MENTION_COUNT = """
MATCH (r:SourceRecord) RETURN count(r) AS mentions
"""

# the pending mentions: new since the last link run, or their row changed since. Ingest
# labels both ``LinkPending`` and the run removes the label, so this is a label-index scan
# over the batch, not a scan of the graph; ``unresolved`` counts those without a person yet
PENDING_MENTIONS = """
MATCH (r:LinkPending:SourceRecord)
RETURN collect(r.mention_key) AS keys,
       count(CASE WHEN NOT EXISTS { (r)-[:RESOLVES_TO]->() } THEN 1 END) AS unresolved
"""

# mentions without a person, from the count store (a mention has at most one link): when
# it exceeds PENDING_MENTIONS' ``unresolved``, some record was written unmarked (by code
# older than the mark) and the run falls back to PENDING_MENTIONS_SCAN
UNRESOLVED_MENTION_COUNT = """
CALL () { MATCH (r:SourceRecord) RETURN count(r) AS records }
CALL () { MATCH (:SourceRecord)-[l:RESOLVES_TO]->() RETURN count(l) AS links }
RETURN records - links AS n
"""

# every mention without a person or marked changed: a scan of every record
PENDING_MENTIONS_SCAN = """
MATCH (r:SourceRecord)
WHERE r:LinkPending OR NOT EXISTS { (r)-[:RESOLVES_TO]->(:Person) }
RETURN collect(r.mention_key) AS keys
"""

# every mention of the people the given mentions resolve to (an incremental run re-clusters
# whole people, so it loads them whole)
PERSON_MENTIONS = """
UNWIND $keys AS key
MATCH (r:SourceRecord {mention_key: key})
USING INDEX r:SourceRecord(mention_key)
MATCH (r)-[:RESOLVES_TO]->(p:Person)
WITH DISTINCT p
MATCH (p)<-[:RESOLVES_TO]-(o:SourceRecord)
RETURN collect(DISTINCT o.mention_key) AS keys
"""

# of the given mentions, those that may be unresolved name-only mentions: a name, no ID
# number (the id kinds linkage reads as one), and no person or a person of their own
NAME_ONLY_SUBJECTS = """
UNWIND $keys AS key
MATCH (r:SourceRecord {mention_key: key})
USING INDEX r:SourceRecord(mention_key)
WHERE r.enc_name IS NOT NULL
  AND (r.enc_id_number IS NULL OR NOT coalesce(r.id_kind, '') IN ['id18', 'id15', 'invalid'])
OPTIONAL MATCH (r)-[:RESOLVES_TO]->(p:Person)
WITH r, p WHERE p IS NULL OR COUNT { (p)<-[:RESOLVES_TO]-() } = 1
RETURN collect(r.mention_key) AS keys
"""

# the marks of the mentions a run linked, in transactions of their own so a big batch
# stays inside the server's transaction memory (run with Store.run_autocommit; idempotent)
CLEAR_LINK_PENDING = """
UNWIND $keys AS key
CALL (key) {
  MATCH (r:SourceRecord {mention_key: key})
  USING INDEX r:SourceRecord(mention_key)
  WITH r WHERE r:LinkPending
  REMOVE r:LinkPending
} IN TRANSACTIONS OF 10000 ROWS
"""

# a run that read every mention has read every changed row: after a full ingest, every
# record carries the mark, hence the transactions of their own
CLEAR_ALL_LINK_PENDING = """
MATCH (r:LinkPending)
CALL (r) { REMOVE r:LinkPending } IN TRANSACTIONS OF 10000 ROWS
"""

# every person from the count store, less the retired ones (merged_into set) by index, so
# an incremental run does not scan every person to report the count
LIVE_PERSON_COUNT = """
CALL () { MATCH (p:Person) RETURN count(p) AS persons }
CALL () { MATCH (p:Person) WHERE p.merged_into IS NOT NULL RETURN count(p) AS retired }
RETURN persons - retired AS n
"""

LATEST_LINK_RUN_STATE = """
MATCH (r:LinkRun) RETURN r.run_id AS run_id, r.mentions AS mentions
ORDER BY r.finished_at DESC LIMIT 1
"""


UPSERT_PERSONS = """
UNWIND $rows AS row
MERGE (p:Person {person_id: row.person_id})
SET p += row.props, p.run_id = $run_id
REMOVE p.merged_into
"""

# RESOLVES_TO: one per mention; a mention moved to another person loses the old link.
# The hints pin the key lookups: right after a bulk write the statistics lag, and a plan
# made on them scanned every Person per row (a 2,000-row batch then ran past the timeout).
# For the same reason nothing here may be planned from the Person side: the old link's
# far end carries no label or property to seek on (a plan compiled while the statistics
# still counted no links once scanned the Person(person_id) index per row and took 65 s
# for 400,000 links), and no MERGE checks both ends. A mention has at most one link, so
# once a wrong one is deleted, whatever link is left from r is the one to p.
SET_RESOLVES_TO = """
UNWIND $rows AS row
MATCH (r:SourceRecord {mention_key: row.mention_key})
USING INDEX r:SourceRecord(mention_key)
MATCH (p:Person {person_id: row.person_id})
USING INDEX p:Person(person_id)
OPTIONAL MATCH (r)-[old:RESOLVES_TO]->(other) WHERE other <> p
DELETE old
WITH DISTINCT r, p, row
OPTIONAL MATCH (r)-[kept:RESOLVES_TO]->()
SET kept.weight = row.weight, kept.method = row.method, kept.run_id = $run_id
FOREACH (_ IN CASE WHEN kept IS NULL THEN [1] ELSE [] END |
  CREATE (r)-[:RESOLVES_TO {weight: row.weight, method: row.method, run_id: $run_id}]->(p))
"""

# persons left without any mention were merged into another (redirect) or emptied
RETIRE_EMPTY_PERSONS = """
MATCH (p:Person) WHERE NOT (p)<-[:RESOLVES_TO]-() AND p.merged_into IS NULL
SET p.merged_into = coalesce($redirects[p.person_id], ''), p.retired_run_id = $run_id
RETURN count(p) AS retired
"""

# the same, for an incremental run: only the people who lost a mention can have become empty,
# so look them up instead of scanning every person
RETIRE_VACATED_PERSONS = """
UNWIND $persons AS person_id
MATCH (p:Person {person_id: person_id})
WHERE p.merged_into IS NULL AND NOT (p)<-[:RESOLVES_TO]-()
SET p.merged_into = coalesce($redirects[p.person_id], ''), p.retired_run_id = $run_id
RETURN count(p) AS retired
"""

UPSERT_REVIEW_PAIRS = """
UNWIND $rows AS row
MERGE (q:ReviewPair {pair_key: row.pair_key})
ON CREATE SET q.key_a = row.key_a, q.key_b = row.key_b, q.status = 'pending',
              q.created_run_id = $run_id
SET q.weight = row.weight, q.reason = row.reason, q.person_a = row.person_a,
    q.person_b = row.person_b, q.last_run_id = $run_id
"""

# a pending pair the model no longer doubts leaves the queue; decided ones stay forever
CLOSE_STALE_REVIEW_PAIRS = """
MATCH (q:ReviewPair {status: 'pending'}) WHERE q.last_run_id <> $run_id
SET q.status = 'resolved_by_model'
"""

DECIDED_REVIEW_PAIRS = """
MATCH (q:ReviewPair) WHERE q.status IN ['accepted', 'rejected']
RETURN q.key_a AS key_a, q.key_b AS key_b,
       CASE q.status WHEN 'accepted' THEN 'match' ELSE 'non_match' END AS decision
"""

PENDING_REVIEW_PAIRS = """
MATCH (q:ReviewPair {status: 'pending'})
RETURN q.pair_key AS pair_key, q.key_a AS key_a, q.key_b AS key_b, q.weight AS weight,
       q.reason AS reason
ORDER BY q.weight DESC
LIMIT $limit
"""

DECIDE_REVIEW_PAIR = """
MERGE (q:ReviewPair {pair_key: $pair_key})
ON CREATE SET q.key_a = $key_a, q.key_b = $key_b, q.created_run_id = 'clerical'
SET q.status = $status, q.decided_by = $decided_by, q.decided_at = datetime(),
    q.note = $note
RETURN q.pair_key AS pair_key, q.status AS status
"""

RECORD_LINK_RUN = """
CREATE (r:LinkRun {run_id: $run_id})
SET r += $props, r.finished_at = datetime()
"""

LATEST_LINK_RUN = """
MATCH (r:LinkRun) RETURN r.run_id AS run_id, r.settings_json AS settings_json
ORDER BY r.finished_at DESC LIMIT 1
"""

MENTIONS_BY_KEY = """
UNWIND $keys AS key
MATCH (r:SourceRecord {mention_key: key})
OPTIONAL MATCH (r)-[l:RESOLVES_TO]->(p:Person)
RETURN r.mention_key AS mention_key, r.source AS source, r.record_id AS record_id,
       r.role AS role, r.enc_name AS enc_name, r.enc_id_number AS enc_id_number,
       r.enc_birth_date AS enc_birth_date, r.id_kind AS id_kind, r.id_valid AS id_valid,
       r.sex AS sex, r.region_code AS region_code, p.person_id AS person_id,
       null AS household_key, l.weight AS weight, l.method AS method
"""

PERSON_OF_MENTIONS = """
MATCH (r:SourceRecord)-[:RESOLVES_TO]->(p:Person)
RETURN r.mention_key AS mention_key, p.person_id AS person_id
"""

LINK_METHOD_COUNTS = """
MATCH (:SourceRecord)-[l:RESOLVES_TO]->(:Person)
RETURN l.method AS method, count(*) AS n
"""

PENDING_REVIEW_COUNT = "MATCH (q:ReviewPair {status: 'pending'}) RETURN count(q) AS n"

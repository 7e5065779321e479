"""Queries that write ingested department rows: source records, facts, batches.

All writes are ``MERGE`` on a unique key, so re-running a batch (after a crash or a
restart of Neo4j) yields the same graph. A row whose content changed (another
``row_hash``) is updated and the previous batch and hash are kept in ``history``.
"""

# Each MERGE returns the keys whose stored row_hash differs (a changed row); only those
# are sent again, with UPDATE_CHANGED_*, which keeps the previous batch in ``history``.
MERGE_SOURCE_RECORDS = """
UNWIND $rows AS row
MERGE (r:SourceRecord {mention_key: row.mention_key})
ON CREATE SET r += row.props, r.row_hash = row.row_hash, r.batch_id = row.batch_id,
              r.history = []
WITH r, row WHERE r.row_hash <> row.row_hash
RETURN row.mention_key AS changed
"""

UPDATE_CHANGED_SOURCE_RECORDS = """
UNWIND $rows AS row
MATCH (r:SourceRecord {mention_key: row.mention_key})
WHERE r.row_hash <> row.row_hash
SET r.history = r.history + [r.batch_id + ':' + r.row_hash],
    r += row.props, r.row_hash = row.row_hash, r.batch_id = row.batch_id
"""

MERGE_FACTS = """
UNWIND $rows AS row
MERGE (f:Fact {fact_key: row.fact_key})
ON CREATE SET f += row.props, f.row_hash = row.row_hash, f.batch_id = row.batch_id,
              f.history = []
WITH f, row WHERE f.row_hash <> row.row_hash
RETURN row.fact_key AS changed
"""

UPDATE_CHANGED_FACTS = """
UNWIND $rows AS row
MATCH (f:Fact {fact_key: row.fact_key})
WHERE f.row_hash <> row.row_hash
SET f.history = f.history + [f.batch_id + ':' + f.row_hash],
    f += row.props, f.row_hash = row.row_hash, f.batch_id = row.batch_id
"""

# Label and provenance after the MERGE, with small rows (key, label, mention keys): a
# dynamic label in the MERGE statement would stop the planner from seeking the index.
LABEL_AND_LINK_FACTS = """
UNWIND $rows AS row
MATCH (f:Fact {fact_key: row.fact_key})
SET f:$(row.label)
WITH f, row
UNWIND row.mentions AS mention_key
MATCH (r:SourceRecord {mention_key: mention_key})
MERGE (f)-[:FROM_RECORD]->(r)
"""

RECORD_BATCH = """
MERGE (b:IngestBatch {batch_id: $batch_id})
ON CREATE SET b.started_at = datetime()
SET b += $props, b.finished_at = datetime()
"""

COUNT_SOURCE_RECORDS_BY_SOURCE = """
MATCH (r:SourceRecord)
RETURN r.source AS source, count(DISTINCT r.record_id) AS records, count(r) AS mentions
ORDER BY source
"""

GRAPH_COUNTS = """
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships }
RETURN nodes, relationships
"""

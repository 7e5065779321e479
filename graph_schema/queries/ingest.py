"""Queries that write ingested department rows: source records, facts, batches.

Two paths write the same graph. A source with nothing in the graph yet takes the
``CREATE`` path (no lookups, no locks on existing nodes). Otherwise every write is a
``MERGE`` on a unique key, so re-running a batch (after a crash or a restart of Neo4j)
yields the same graph; a row whose content changed (another ``row_hash``) is updated and
the previous batch and hash are appended to ``history`` (absent until the first change).

Key lookups carry ``USING INDEX`` hints: statistics lag behind a bulk write, and a plan
made on them may scan a label per row.

Fact statements are written per label with the label spelled out (see
:func:`fact_statements`): a dynamic label (``SET f:$(row.label)``) makes the planner add
``Eager`` barriers before every later read, which costs more than the write itself.
"""

from functools import cache
from typing import LiteralString

from graph_schema import labels

# one map per record: mention_key, row_hash, batch_id and the record's own properties
CREATE_SOURCE_RECORDS = """
UNWIND $rows AS row
CREATE (r:SourceRecord:LinkPending)
SET r = row
"""

# returns the keys whose stored row_hash differs (a changed row); only those are sent
# again, with UPDATE_CHANGED_SOURCE_RECORDS, which keeps the previous batch in ``history``
# and marks the record ``LinkPending`` (the next link run re-reads its blocking keys)
MERGE_SOURCE_RECORDS = """
UNWIND $rows AS row
MERGE (r:SourceRecord {mention_key: row.mention_key})
ON CREATE SET r = row, r:LinkPending
WITH r, row WHERE r.row_hash <> row.row_hash
RETURN row.mention_key AS changed
"""

UPDATE_CHANGED_SOURCE_RECORDS = """
UNWIND $rows AS row
MATCH (r:SourceRecord {mention_key: row.mention_key})
USING INDEX r:SourceRecord(mention_key)
WHERE r.row_hash <> row.row_hash
SET r.history = coalesce(r.history, []) + [r.batch_id + ':' + r.row_hash], r += row,
    r:LinkPending
"""

# {label} is replaced by one of labels.FACT_LABELS in fact_statements()
_CREATE_FACTS = """
UNWIND $rows AS row
CREATE (f:Fact:{label})
SET f = row.props
WITH f, row
UNWIND row.mentions AS mention_key
MATCH (r:SourceRecord {mention_key: mention_key})
USING INDEX r:SourceRecord(mention_key)
CREATE (f)-[:FROM_RECORD]->(r)
"""

_MERGE_FACTS = """
UNWIND $rows AS row
MERGE (f:Fact {fact_key: row.props.fact_key})
ON CREATE SET f = row.props, f:{label}
WITH f, row
CALL (f, row) {
  UNWIND row.mentions AS mention_key
  MATCH (r:SourceRecord {mention_key: mention_key})
  USING INDEX r:SourceRecord(mention_key)
  MERGE (f)-[:FROM_RECORD]->(r)
}
WITH f, row WHERE f.row_hash <> row.props.row_hash
RETURN row.props.fact_key AS changed
"""

UPDATE_CHANGED_FACTS = """
UNWIND $rows AS row
MATCH (f:Fact {fact_key: row.props.fact_key})
USING INDEX f:Fact(fact_key)
WHERE f.row_hash <> row.props.row_hash
SET f.history = coalesce(f.history, []) + [f.batch_id + ':' + f.row_hash],
    f += row.props
"""


@cache
def fact_statements(label: str) -> tuple[LiteralString, LiteralString]:
    """The (create, merge) statements writing facts of one label, label spelled out.

    Raises:
        ValueError: ``label`` is not a fact label (nothing else is ever spliced in).
    """
    if label not in labels.FACT_LABELS:
        raise ValueError(f"not a fact label: {label!r}")
    return (_CREATE_FACTS.replace("{label}", label),
            _MERGE_FACTS.replace("{label}", label))


# does this source have anything in the graph yet? (decides CREATE vs MERGE). Keys start
# with "<source>:", so a prefix seek on the unique key indexes answers at once.
SOURCE_IN_GRAPH = """
RETURN EXISTS { MATCH (r:SourceRecord) WHERE r.mention_key STARTS WITH $source + ':' }
    OR EXISTS { MATCH (f:Fact) WHERE f.fact_key STARTS WITH $source + ':' } AS present
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

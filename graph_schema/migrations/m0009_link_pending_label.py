"""Mark records waiting for a link run with a label, not an indexed property.

m0007 indexed ``SourceRecord.link_stale``: every ingested record got a range-index entry
for the mark (measured at 20,000 households: 2-3 % of Neo4j's ingest CPU, within the
noise of a round). The ``LinkPending`` label is found through the label index that every
node already updates.
Marks left by older code become the label (by the old index, in transactions of their
own so a graph fresh from a large ingest fits in the server's transaction memory), then
the index goes.
"""

STATEMENTS = (
    "MATCH (r:SourceRecord) WHERE r.link_stale IS NOT NULL "
    "CALL (r) { SET r:LinkPending REMOVE r.link_stale } IN TRANSACTIONS OF 10000 ROWS",
    "DROP INDEX source_record_link_stale IF EXISTS",
)

"""Index what an incremental link run looks up, so it reads its batch and not the graph.

Ingest marks every new or changed record ``link_stale`` and the link run removes the mark,
so only the records waiting for a run carry it: the index stays as small as the batch and
the pending read no longer scans every record of the graph. Retired people carry
``merged_into``, so the live-person count is the count store's less an index scan of those.
(m0009 replaced the ``link_stale`` property and its index with the ``LinkPending`` label.)
"""

STATEMENTS = (
    "CREATE INDEX source_record_link_stale IF NOT EXISTS FOR (r:SourceRecord) ON (r.link_stale)",
    "CREATE INDEX person_merged_into IF NOT EXISTS FOR (p:Person) ON (p.merged_into)",
)

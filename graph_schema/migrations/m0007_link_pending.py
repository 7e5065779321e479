"""Index the pending-link mark so an incremental link run seeks its batch.

Ingest marks every new or changed record ``link_stale`` and the link run removes the mark,
so only the records waiting for a run carry it: the index stays as small as the batch and
the pending read no longer scans every record of the graph.
"""

STATEMENTS = (
    "CREATE INDEX source_record_link_stale IF NOT EXISTS FOR (r:SourceRecord) ON (r.link_stale)",
)

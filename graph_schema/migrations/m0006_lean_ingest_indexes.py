"""Drop indexes no query uses; each one cost every ingested node an index update.

- ``source_record_source`` and ``fact_source``: no query filters on ``source``; "is this
  source in the graph yet" seeks the unique keys by their ``<source>:`` prefix.
- ``source_record_bi_name_birth``: linkage reads blocking keys in bulk and no query looks
  a record up by name and birth date. The blind index stays on every record, so a lookup
  that needs it later only has to create the index again.
"""

STATEMENTS = (
    "DROP INDEX source_record_source IF EXISTS",
    "DROP INDEX fact_source IF EXISTS",
    "DROP INDEX source_record_bi_name_birth IF EXISTS",
)

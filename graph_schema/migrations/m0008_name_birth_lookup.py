"""Index the name + birth date blind index again: the API's ``people`` query looks records
up by it (a caseworker finding someone without their ID number at hand).

m0006 dropped it while nothing queried it; every record kept the property, so creating
the index is all a lookup needs.
"""

STATEMENTS = (
    "CREATE INDEX source_record_bi_name_birth IF NOT EXISTS "
    "FOR (r:SourceRecord) ON (r.bi_name_birth)",
)

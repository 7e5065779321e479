"""Keys and indexes for resolution: persons by blind index, review pairs, link runs."""

STATEMENTS = (
    "CREATE CONSTRAINT review_pair_key IF NOT EXISTS "
    "FOR (r:ReviewPair) REQUIRE r.pair_key IS UNIQUE",
    "CREATE CONSTRAINT link_run_id IF NOT EXISTS FOR (r:LinkRun) REQUIRE r.run_id IS UNIQUE",
    "CREATE INDEX person_bi_id IF NOT EXISTS FOR (p:Person) ON (p.bi_id)",
    "CREATE INDEX person_region IF NOT EXISTS FOR (p:Person) ON (p.region_code)",
    "CREATE INDEX review_pair_status IF NOT EXISTS FOR (r:ReviewPair) ON (r.status)",
    "CREATE INDEX fact_bi_hukou IF NOT EXISTS FOR (f:Fact) ON (f.bi_hukou_no)",
    "CREATE INDEX fact_bi_family IF NOT EXISTS FOR (f:Fact) ON (f.bi_family_no)",
)

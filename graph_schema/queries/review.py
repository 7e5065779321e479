"""Queries behind the API's clerical review of uncertain links (``linkReviewQueue`` …).

A review pair names two mentions (``SourceRecord.mention_key``); a pair is in a caller's
jurisdiction when both its records are (``$regions`` null = nationwide).
"""

REVIEW_QUEUE = """
MATCH (q:ReviewPair {status: 'pending'})
MATCH (a:SourceRecord {mention_key: q.key_a})
MATCH (b:SourceRecord {mention_key: q.key_b})
WHERE ($regions IS NULL OR (a.region_code IN $regions AND b.region_code IN $regions))
  AND ($region IS NULL OR a.region_code = $region OR b.region_code = $region)
RETURN q.pair_key AS pair_key, q.key_a AS key_a, q.key_b AS key_b, q.weight AS weight,
       q.reason AS reason, q.status AS status, a.region_code AS region_a,
       b.region_code AS region_b
ORDER BY q.weight DESC, q.pair_key
LIMIT $limit
"""

REVIEW_PAIR = """
MATCH (q:ReviewPair {pair_key: $pair_key})
OPTIONAL MATCH (a:SourceRecord {mention_key: q.key_a})
OPTIONAL MATCH (b:SourceRecord {mention_key: q.key_b})
RETURN q.pair_key AS pair_key, q.key_a AS key_a, q.key_b AS key_b, q.weight AS weight,
       q.reason AS reason, q.status AS status, a.region_code AS region_a,
       b.region_code AS region_b
"""

MENTION_REGIONS = """
UNWIND $keys AS key
MATCH (r:SourceRecord {mention_key: key})
RETURN r.mention_key AS mention_key, r.region_code AS region_code
"""

"""Security operations: the access-policy version the hub last recorded in its audit log."""

RECORDED_POLICY_DIGEST = """
OPTIONAL MATCH (v:PolicyVersion {key: 'access-policy'})
RETURN v.digest AS digest
"""

SET_POLICY_DIGEST = """
MERGE (v:PolicyVersion {key: 'access-policy'})
SET v.digest = $digest, v.recorded_at = $at
"""

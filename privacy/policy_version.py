"""A fingerprint of the access policy, so that every change of it can be audited.

The policy is code (``privacy.policy``); a deployment that changes it changes what people
may see. :func:`policy_digest` hashes its tables in a canonical form, and the hub records
a ``security.policy_change`` audit event whenever it starts with a digest it has not
recorded before (``hub.privacy_graph.security_events.record_policy_version``).
"""

from __future__ import annotations

import hashlib
import json

from privacy.policy import (
    ACCESS_POLICY,
    GRAPHQL_FIELD_CLASSES,
    JURISDICTION_EXEMPT,
    NATIONAL_ROLES,
    OPERATING_ROLES,
    PURPOSE_RULES,
)


def policy_tables() -> dict[str, object]:
    """The policy's tables as plain, sorted JSON-ready data."""
    return {
        "access_policy": sorted(
            [role.value, purpose.value, sorted((c.value, r.value) for c, r in rules.items())]
            for (role, purpose), rules in ACCESS_POLICY.items()),
        "field_classes": sorted([t, f, c.value] for (t, f), c in GRAPHQL_FIELD_CLASSES.items()),
        "purposes": sorted([p.value, r.legal_basis, r.consent_from or ""]
                           for p, r in PURPOSE_RULES.items()),
        "operating_roles": sorted(r.value for r in OPERATING_ROLES),
        "national_roles": sorted(r.value for r in NATIONAL_ROLES),
        "jurisdiction_exempt": sorted(c.value for c in JURISDICTION_EXEMPT),
    }


def policy_digest() -> str:
    """SHA-256 (hex) of :func:`policy_tables` in canonical JSON."""
    canonical = json.dumps(policy_tables(), ensure_ascii=False, sort_keys=True,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

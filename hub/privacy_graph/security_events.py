"""Security operations written to the audit log: tokens issued, keys rotated, policy changed.

三员分立 wants the security administrator's own acts on record, in the same tamper-evident
log the audit administrator verifies. The command line has no bearer token, so the
operator is the login running the command (or ``HUB_OPERATOR`` when a wrapper names the
person). A command records its event before it reports success and fails if it cannot:
an operation that could not be audited is not announced as done.
"""

from __future__ import annotations

import getpass
import os

from graph_schema.queries import security as q
from hub.config import Settings
from hub.privacy_graph.audit import AuditLog
from hub.store import Store
from privacy import AuditEvent, Role, utc_timestamp
from privacy.policy_version import policy_digest

OPERATOR_ROLES = (Role.SECURITY_ADMIN.value,)
"""Roles stated on command-line operations: keys, tokens and policy are the security
administrator's duties."""


def operator() -> str:
    """Who runs this command: ``HUB_OPERATOR``, else the operating-system login."""
    named = os.environ.get("HUB_OPERATOR", "").strip()
    if named:
        return named
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid:{os.getuid()}"


def operation_event(action: str, reason: str, *, org: str = "hub") -> AuditEvent:
    """An audit event for one security operation (no personal data in ``reason``)."""
    return AuditEvent(at=utc_timestamp(), actor=operator(), org=org, roles=OPERATOR_ROLES,
                      purpose="security_administration", action=action, decision="allow",
                      reason=reason)


def record_operation(settings: Settings, action: str, reason: str, *,
                     org: str = "hub") -> AuditEvent:
    """Append one operation event to the hub's audit log.

    Raises:
        StoreError: Neo4j is unreachable or refused the write.
        PrivacyError: the audit key cannot be read.
    """
    with Store.connect(settings) as store:
        return AuditLog.open(store, settings).append(operation_event(action, reason, org=org))


def record_policy_version(store: Store, audit: AuditLog) -> bool:
    """Record a ``security.policy_change`` event if the policy differs from the last one
    recorded; returns whether it did (called when the API starts)."""
    digest = policy_digest()
    rows = store.read(q.RECORDED_POLICY_DIGEST)
    previous = rows[0]["digest"] if rows else None
    if previous == digest:
        return False
    audit.append(AuditEvent(
        at=utc_timestamp(), actor="hub", org="hub", roles=(), purpose="",
        action="security.policy_change", decision="allow",
        reason=f"policy {digest[:16]} (was {(previous or 'none')[:16]})"))
    store.write(q.SET_POLICY_DIGEST, digest=digest, at=utc_timestamp())
    return True

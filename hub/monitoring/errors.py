"""Errors of the monitoring workflow (under :class:`hub.errors.HubError`).

    HubError
    └── MonitoringError
        ├── AlertNotFoundError      no alert has that key
        └── AlertTransitionError    the status change is not allowed from the current one
"""

from __future__ import annotations

from hub.errors import HubError


class MonitoringError(HubError):
    """Root of the monitoring errors."""


class AlertNotFoundError(MonitoringError):
    """No alert has the given key; list alerts with ``hub monitor alerts`` to find one."""

    code = "NOT_FOUND"


class AlertTransitionError(MonitoringError):
    """The requested status is not reachable from the alert's current status.

    The workflow is new → sent → confirmed | dismissed (dismissal needs a reason); an
    alert closed by a re-run is reopened by the run that finds it again.
    """

    code = "INVALID_TRANSITION"

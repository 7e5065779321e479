"""Dynamic monitoring (动态监测): detections, alerts and the pre-grant overlap check."""

from hub.monitoring.errors import AlertNotFoundError, AlertTransitionError, MonitoringError
from hub.monitoring.model import ALL_TYPES, CASE_TYPES, SIGNAL_TYPES, Evidence, Finding
from hub.monitoring.overlap import (
    CrossRegionSignal,
    OverlapAnswer,
    ProgrammeHit,
    within_jurisdiction,
)
from hub.monitoring.service import (
    MonitoringRun,
    detect,
    get_alert,
    monitoring_alerts,
    overlaps,
    run_monitoring,
    update_alert_status,
)

__all__ = [
    "ALL_TYPES",
    "CASE_TYPES",
    "SIGNAL_TYPES",
    "AlertNotFoundError",
    "AlertTransitionError",
    "CrossRegionSignal",
    "Evidence",
    "Finding",
    "MonitoringError",
    "MonitoringRun",
    "OverlapAnswer",
    "ProgrammeHit",
    "detect",
    "get_alert",
    "monitoring_alerts",
    "overlaps",
    "run_monitoring",
    "update_alert_status",
    "within_jurisdiction",
]

"""The Spark engine's error: why a run could not be done on Spark, in words."""

from __future__ import annotations

from hub.errors import HubError


class SparkEngineError(HubError):
    """A link run on Spark was refused or failed: missing pyspark, settings the engine
    cannot express, a cluster that went away. Nothing was written to the graph."""

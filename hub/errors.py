"""Errors raised by the hub.

Every error the hub raises on purpose derives from :class:`HubError`, so callers (the CLI,
the API) can catch one root and show a clear message; messages never carry personal data.

    HubError
    ├── ConfigError                 a setting is missing or invalid
    ├── Neo4jServerError            the managed local Neo4j could not be fetched/started/stopped
    │   └── Neo4jFetchError         Maven could not obtain the Neo4j distribution
    ├── StoreError                  talking to Neo4j failed after retries
    │   ├── StoreUnavailableError   the server cannot be reached
    │   │   └── CircuitOpenError    it could not a moment ago: not tried again yet
    │   └── ConstraintViolationError  a write broke a uniqueness constraint
    ├── SchemaError                 the graph schema is missing or newer than this code
    ├── IngestError                 an export cannot be read at all (not a bad row)
    └── LinkMemoryError             a full link would need more memory than is available
"""

from __future__ import annotations


class HubError(Exception):
    """Root of every error the hub raises on purpose."""


class ConfigError(HubError):
    """A setting is missing or has an invalid value."""


class Neo4jServerError(HubError):
    """The managed local Neo4j server could not be prepared, started or stopped."""


class Neo4jFetchError(Neo4jServerError):
    """Maven could not obtain the Neo4j distribution from Maven Central."""


class StoreError(HubError):
    """A Neo4j operation failed after the store's retries."""


class StoreUnavailableError(StoreError):
    """The Neo4j server cannot be reached."""


class CircuitOpenError(StoreUnavailableError):
    """Neo4j was unreachable a moment ago; the store fails at once until ``retry_after``."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ConstraintViolationError(StoreError):
    """A write violated a uniqueness constraint (for example a duplicate key)."""


class SchemaError(HubError):
    """The graph schema is missing, incomplete or newer than this code."""


class IngestError(HubError):
    """A whole export cannot be read (unknown layout, unreadable file)."""


class LinkMemoryError(HubError):
    """A full link run would need more memory than the machine has available.

    Raised before anything is read, so nothing is half-written; ``needed`` and
    ``available`` are bytes. Free memory, or override the check when the estimate is
    known to be too cautious.
    """

    def __init__(self, needed: int, available: int, mentions: int) -> None:
        super().__init__(
            f"a full link of {mentions:,} mentions needs about {needed / 2**30:.1f} GB of "
            f"memory but {available / 2**30:.1f} GB is available; free memory or run with "
            "the memory check off (hub link run --no-memory-check)")
        self.needed = needed
        self.available = available
        self.mentions = mentions

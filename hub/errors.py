"""Errors raised by the hub, and the code each one carries to an API client.

Every error the hub raises on purpose derives from :class:`HubError`, so callers (the CLI,
the API) can catch one root and show a clear message; messages never carry personal data.
Each class carries its GraphQL code (``code``, one of :data:`ERROR_CODES`), inherited
unless it says otherwise, the way starlette's ``HTTPException`` carries its status: a
resolver that refuses a request with one turns it into a GraphQL error with
``resolvers.errors.refuse`` (or ``graphql_error``); no resolver maps classes to codes.
Domain errors live beside their domain; this is the whole tree, with each code::

    HubError                              INTERNAL  root: a bug or an operator's problem
    ├── ConfigError                                 a setting is missing or invalid
    ├── Neo4jServerError                            the managed local Neo4j failed
    │   └── Neo4jFetchError                         Maven could not obtain Neo4j
    ├── StoreError                                  Neo4j failed after retries
    │   ├── StoreUnavailableError         DATABASE_UNAVAILABLE  server unreachable
    │   │   └── CircuitOpenError                    unreachable a moment ago: not retried yet
    │   ├── ConstraintViolationError                a write broke a uniqueness constraint
    │   ├── privacy_graph.audit.AuditAppendError    chain head moved or tampered: nothing written
    │   └── privacy_graph.audit_anchor.AuditAnchorError  the audit head anchor failed
    ├── SchemaError                                 the graph schema is missing or too new
    ├── IngestError                                 an export cannot be read at all
    │   ├── ingest.errors.MappingError              mapping files are invalid (every problem)
    │   ├── ingest.errors.ExportLayoutError         an export does not fit its mapping
    │   └── ingest.errors.IngestInterruptedError    Neo4j stopped answering mid-ingest
    ├── LinkMemoryError                             a full link needs more memory than free
    ├── linkage.spark.errors.SparkEngineError       a link on Spark was refused or failed
    ├── auth.AuthenticationError          UNAUTHENTICATED  bad or missing bearer token
    ├── privacy_graph.keys.UnknownSealedNodeError   ciphertexts under labels it cannot rebind
    ├── resolution.review.UnknownRecordError        a record key to review is not in the graph
    ├── datasets.welfare.DemoSetTooSmallError       a synthetic set too small to be consistent
    ├── privacy_graph.consent.ConsentServiceError  BAD_INPUT  a consent operation was refused
    │   ├── SubjectNotFoundError          NOT_FOUND
    │   ├── ConsentNotFoundError          NOT_FOUND
    │   └── OutOfJurisdictionError        FORBIDDEN
    ├── ingest.aid_report.AidReportError  BAD_INPUT  an aid report was refused
    │   ├── InvalidAidReportError         BAD_INPUT
    │   ├── RecipientNotFoundError        NOT_FOUND
    │   └── RecipientOutOfJurisdictionError  FORBIDDEN
    ├── resolution.review_api.LinkReviewError  BAD_INPUT  a link review was refused
    │   ├── InvalidDecisionError          BAD_INPUT
    │   ├── UnknownPairError              NOT_FOUND
    │   └── PairOutOfJurisdictionError    FORBIDDEN
    ├── charity.model.CharityError        BAD_INPUT  a charity-matching request was refused
    │   ├── CharityNotRegisteredError     FORBIDDEN
    │   ├── DonationNotFoundError         NOT_FOUND
    │   ├── InvalidDonationError          BAD_INPUT  (also ValueError)
    │   ├── ReferralNotFoundError         NOT_FOUND
    │   │   └── referrals.OutOfJurisdictionReferralError  (reported as not found)
    │   └── ReferralStateError            CONFLICT
    ├── monitoring.errors.MonitoringError           the monitoring workflow refused
    │   ├── AlertNotFoundError            NOT_FOUND
    │   └── AlertTransitionError          INVALID_TRANSITION
    ├── rules.verify.ApplicantNotFoundError  NOT_FOUND  nobody matches the applicant
    │   └── InvalidApplicantError         BAD_INPUT  neither an ID number nor a person id
    ├── rules.verify.VerificationRefusedError  CONSENT_REQUIRED  the applicant's household
    │                                               is unknown or out of reach (one answer)
    ├── rules.eligibility.MissingStandardError  NO_STANDARD  no 低保 standard applies
    └── rules.ruleset.RulesetError        NO_RULESET  a ruleset is malformed or none applies

``privacy`` keeps its own tree (``privacy.errors``, root ``PrivacyError``, code
``INTERNAL``; ``InvalidConsentError`` ``BAD_INPUT``, ``ConsentDeniedError``
``CONSENT_REQUIRED``): it imports nothing of the hub, so its codes are spelled there.
"""

from __future__ import annotations

from typing import Any, ClassVar

ERROR_CODES = frozenset({
    "INTERNAL",              # not the client's doing: masked, logged with a correlation id
    "BAD_INPUT",             # the request is malformed; the message names the field
    "NOT_FOUND",             # nothing the caller may see has that key
    "FORBIDDEN",             # the caller may not do this (noted in the audit log)
    "CONFLICT",              # the object's state does not allow the step
    "INVALID_TRANSITION",    # a workflow status cannot be reached from the current one
    "CONSENT_REQUIRED",      # no consent in force covers the request
    "NO_STANDARD",           # no 低保 standard for the region, year and 城乡
    "NO_RULESET",            # no ruleset covers the region and date
    "UNAVAILABLE",           # a part of the server (keys, audit) is not configured
    "DATABASE_UNAVAILABLE",  # Neo4j cannot be reached
    "UNAUTHENTICATED",       # bearer token missing or invalid
})
"""Every ``extensions.code`` a hub error may carry to a client."""


class HubError(Exception):
    """Root of every error the hub raises on purpose.

    Attributes:
        code: The GraphQL ``extensions.code`` a client sees for this class (one of
            :data:`ERROR_CODES`); subclasses set it where it differs from their parent's.
    """

    code: ClassVar[str] = "INTERNAL"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.code not in ERROR_CODES:
            raise TypeError(f"{cls.__name__}.code {cls.code!r} is not one of ERROR_CODES")


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

    code = "DATABASE_UNAVAILABLE"


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
            f"memory but {available / 2**30:.1f} GB is available; link on Apache Spark, whose "
            "memory is bounded by partitions (hub link run --engine spark), free memory, or "
            "run with the memory check off (hub link run --no-memory-check)")
        self.needed = needed
        self.available = available
        self.mentions = mentions

"""The one gateway to Neo4j: driver lifecycle, retried transactions, batched writes.

Reads and writes run as managed transaction functions (``execute_read`` /
``execute_write``), which the driver retries on transient errors and lost connections for
up to ``settings.retry_seconds`` — so a Neo4j restart in the middle of an ingest delays a
batch instead of losing it. Cypher text comes from ``graph_schema.queries``; nothing here
builds queries from strings. Records come back with native Python values
(``datetime.date``/``datetime``, not ``neo4j.time``): see :mod:`hub.native`.

Connections time out after ``HUB_NEO4J_CONNECT_TIMEOUT`` seconds, and a
:class:`~hub.circuit.CircuitBreaker` makes every operation fail at once for a short
cool-down after one found the server unreachable: so a dead server costs one retry window,
not one per operation (an ingest's parallel writers, an API request's read then audit).
The API opens its store with ``for_api=True``: its retry window is about a second.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any, LiteralString, TypeVar

from neo4j import Driver, GraphDatabase, ManagedTransaction, unit_of_work
from neo4j.exceptions import ConstraintError, DriverError, Neo4jError

from hub.circuit import CircuitBreaker
from hub.config import Settings
from hub.errors import (
    CircuitOpenError,
    ConstraintViolationError,
    StoreError,
    StoreUnavailableError,
)
from hub.native import native_record
from hub.neo4j_local import LocalNeo4j

logger = logging.getLogger(__name__)

T = TypeVar("T")
# The API's retry window: a dead server costs a request a second or two (the driver's one
# quick retry), and the breaker spares the next requests.
_API_RETRY_SECONDS = 1.0
Record = dict[str, Any]


class BulkRows(list[Any]):
    """A list parameter whose ``repr`` is only its length.

    Why: the driver formats ``repr`` of every RUN's parameters for its debug log before
    it checks the log level (neo4j 6.4, ``Bolt5x5.run``). For a 5,000-row batch that text
    is megabytes, and building it cost ~15% of an ingest's CPU. The packer treats this
    like any list, so what reaches Neo4j is unchanged.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


def quiet(params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` with every long list wrapped in :class:`BulkRows` (see there why)."""
    return {key: BulkRows(value) if isinstance(value, list | tuple) and len(value) > 16
            else value for key, value in params.items()}


def connection_details(settings: Settings) -> tuple[str, str, str]:
    """Return (uri, user, password) of the server the hub should use.

    An external server (NEO4J_URI) wins; otherwise the managed local server's password file.
    """
    if settings.neo4j_uri:
        assert settings.neo4j_password is not None  # enforced by Settings.from_env
        return settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password.reveal()
    local = LocalNeo4j(settings)
    return local.uri, "neo4j", local.password().reveal()


class Store:
    """Sessions, transactions and batched ``UNWIND`` writes against one Neo4j database."""

    # the defaults are the settings' own (declared once, in hub.config)
    def __init__(self, driver: Driver, *, batch_size: int = Settings.batch_size,
                 timeout: float = Settings.query_timeout, database: str | None = None,
                 breaker: CircuitBreaker | None = None,
                 retry_seconds: float = Settings.retry_seconds) -> None:
        self._driver = driver
        self.batch_size = batch_size
        self.timeout = timeout
        self.database = database
        self.breaker = breaker or CircuitBreaker(cooldown=Settings.neo4j_cooldown)
        self.retry_seconds = retry_seconds

    @classmethod
    def connect(cls, settings: Settings, *, for_api: bool = False,
                start_unreachable: bool = False) -> Store:
        """Open a driver to the configured server and check that it answers.

        Args:
            settings: where the server is, and the timeouts.
            for_api: retry for about a second (a request must not hang; the circuit
                breaker spares the next ones), not for ``HUB_RETRY_SECONDS``.
            start_unreachable: when the server does not answer, still return the store,
                its breaker open (every use answers "unavailable, retry" until the server
                is back; the driver reconnects by itself). An API worker restarted during
                an outage must come up and answer 503, not fail its start: uvicorn's
                supervisor stops every worker when one fails to start.

        Raises:
            StoreUnavailableError: the server cannot be reached or refuses the credentials
                (unless ``start_unreachable``).
        """
        uri, user, password = connection_details(settings)
        window = _API_RETRY_SECONDS if for_api else settings.retry_seconds
        driver = GraphDatabase.driver(
            uri, auth=(user, password),
            max_transaction_retry_time=0,  # one quick retry; the window is _execute's
            connection_acquisition_timeout=settings.neo4j_connect_timeout,
            connection_timeout=settings.neo4j_connect_timeout,
            notifications_min_severity="OFF",
        )
        breaker = CircuitBreaker(cooldown=settings.neo4j_cooldown,
                                 tolerance=0.0 if for_api else window)
        try:
            driver.verify_connectivity()
        except (DriverError, Neo4jError) as exc:
            if not start_unreachable:
                driver.close()
                raise StoreUnavailableError(f"cannot reach Neo4j at {uri}: {exc}") from exc
            logger.warning("Neo4j at %s does not answer yet; answering 'unavailable' until "
                           "it does", uri)
            breaker.record_failure()
        return cls(driver, batch_size=settings.batch_size, timeout=settings.query_timeout,
                   breaker=breaker, retry_seconds=window)

    def close(self) -> None:
        """Close the driver and its connection pool."""
        self._driver.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def driver(self) -> Driver:
        """The underlying driver, for code that needs a session of its own (rare)."""
        return self._driver

    def ping(self) -> bool:
        """One connection attempt, no retries: does Neo4j answer now? (for ``/readyz``)."""
        if self.breaker.is_open():
            return False
        try:
            self._driver.verify_connectivity()
        except (DriverError, Neo4jError):
            self.breaker.record_failure()
            return False
        return True

    # -- queries -----------------------------------------------------------------------
    def read(self, text: LiteralString, **params: Any) -> list[Record]:
        """Run a read query in a retried read transaction and return its records as dicts."""
        def work(tx: ManagedTransaction) -> list[Record]:
            return [native_record(record.data()) for record in tx.run(text, quiet(params))]

        return self._execute(work, write=False)

    def write(self, text: LiteralString, **params: Any) -> list[Record]:
        """Run a write query in a retried write transaction and return its records."""
        def work(tx: ManagedTransaction) -> list[Record]:
            return [native_record(record.data()) for record in tx.run(text, quiet(params))]

        return self._execute(work, write=True)

    def write_batches(
        self,
        text: LiteralString | Sequence[LiteralString],
        rows: Iterable[Mapping[str, Any]],
        *,
        batch_size: int | None = None,
        on_batch: Callable[[int], None] | None = None,
        **params: Any,
    ) -> int:
        """Write ``rows`` with ``UNWIND $rows AS row`` queries, one transaction per batch.

        ``text`` is one query or several run in order in the same transaction. Each batch
        commits on its own, so an interrupted run keeps every acknowledged batch and a
        re-run (the queries are ``MERGE``-based) completes the rest.

        Returns:
            The number of rows written.
        """
        texts = (text,) if isinstance(text, str) else tuple(text)
        total = 0
        for batch in _chunks(rows, batch_size or self.batch_size):

            def work(tx: ManagedTransaction, batch: Sequence[Any] = batch) -> None:
                for statement in texts:
                    tx.run(statement, quiet({**params, "rows": batch})).consume()

            self._execute(work, write=True)
            total += len(batch)
            if on_batch is not None:
                on_batch(len(batch))
        return total

    def stream(self, text: LiteralString, **params: Any) -> Iterator[Record]:
        """Stream a large read (auto-commit, not retried) record by record."""
        self._check_breaker()
        try:
            with self._driver.session(database=self.database) as session:
                for record in session.run(text, quiet(params)):
                    yield native_record(record.data())
        except Neo4jError as exc:
            raise StoreError(_safe_message(exc)) from exc
        except DriverError as exc:
            self.breaker.record_failure()
            raise self._unreachable(exc) from exc

    def run_autocommit(self, text: LiteralString, **params: Any) -> list[Record]:
        """Run a query in an auto-commit transaction (needed by ``CALL … IN TRANSACTIONS``).

        Not retried: use it only for idempotent maintenance statements.
        """
        self._check_breaker()
        try:
            with self._driver.session(database=self.database) as session:
                return [native_record(record.data())
                        for record in session.run(text, quiet(params))]
        except Neo4jError as exc:
            raise StoreError(_safe_message(exc)) from exc
        except DriverError as exc:
            self.breaker.record_failure()
            raise self._unreachable(exc) from exc

    def transaction(self, work: Callable[[ManagedTransaction], T], *, write: bool = True) -> T:
        """Run several statements in one retried transaction (``work`` must be idempotent).

        ``work`` reads the driver's own values: pass what it returns through
        :func:`hub.native.native` if it holds temporals.
        """
        return self._execute(work, write=write)

    def _execute(self, work: Callable[[ManagedTransaction], T], *, write: bool) -> T:
        """Run ``work`` in a managed transaction, retried within ``retry_seconds``.

        The window is this store's, not the driver's (whose back-off doubles up to past
        the window): transient errors are retried for it, and a lost server for what is
        left of the store-wide outage (see :class:`~hub.circuit.CircuitBreaker`),
        including a commit whose outcome was lost (``work`` is idempotent).
        """
        timed = unit_of_work(timeout=self.timeout)(work)
        started = self.breaker.now()
        while True:
            self._check_breaker()
            try:
                with self._driver.session(database=self.database) as session:
                    run = session.execute_write if write else session.execute_read
                    result = run(timed)
            except ConstraintError as exc:
                raise ConstraintViolationError(_safe_message(exc)) from exc
            except Neo4jError as exc:
                if exc.is_retryable() and self.breaker.now() - started < self.retry_seconds:
                    time.sleep(0.5)
                    continue
                raise StoreError(_safe_message(exc)) from exc
            except DriverError as exc:  # ServiceUnavailable, SessionExpired, IncompleteCommit
                left = self.breaker.record_failure(started)
                if left <= 0:
                    raise self._unreachable(exc) from exc
                logger.warning("Neo4j unreachable (%s); retrying for up to %.0f s more",
                               type(exc).__name__, left)
                time.sleep(min(1.0, left))
                continue
            self.breaker.record_success()
            return result

    def _check_breaker(self) -> None:
        """Fail at once while the breaker is open (Neo4j was unreachable a moment ago)."""
        if self.breaker.is_open():
            wait = self.breaker.retry_after()
            raise CircuitOpenError(f"Neo4j is unreachable (next attempt in {wait} s)", wait)

    def _unreachable(self, exc: DriverError) -> StoreUnavailableError:
        """Describe the failure (the driver's class, no values)."""
        return StoreUnavailableError(
            f"Neo4j unavailable after retrying for {self.retry_seconds:.0f} s "
            f"({type(exc).__name__}: {exc})")


def _chunks(rows: Iterable[T], size: int) -> Iterator[Sequence[T]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _safe_message(exc: Neo4jError) -> str:
    """The error's code and message without the offending property values.

    Neo4j's constraint messages quote the duplicate value after `` = ``; the hub stores
    only ciphertexts and blind indexes, but the value is cut anyway so nothing of it lands
    in a log.
    """
    message = exc.message or ""
    cut = message.find(" = ")
    head = message[:cut] if cut > 0 else message
    return f"{exc.code}: {head.strip()}"

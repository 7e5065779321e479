"""``hub ingest DIR``: read every export of a set and write it into the graph.

Per file: read and validate (``read_export``), write accepted rows in batches through
:class:`GraphWriter`, record an ``IngestBatch`` with the counts. The batch id is derived
from the file's content, so a re-run of the same file (after a crash, or simply again)
writes the same keys with the same batch id and leaves the graph as it was.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from graph_schema.queries import ingest as q
from hub.errors import StoreUnavailableError
from hub.ingest.directory import IngestReport, find_export
from hub.ingest.errors import ExportLayoutError, IngestInterruptedError
from hub.ingest.gc_tuning import fewer_gc_passes
from hub.ingest.mapping import FileMapping, load_mappings
from hub.ingest.model import CanonicalRow, QuarantinedRow
from hub.ingest.read import ExportStats, read_export
from hub.ingest.writer import GraphWriter, PreparedBatch
from hub.privacy_graph.kit import PrivacyKit
from hub.store import Store

# (file name, lines done, lines in file) — called as the file advances
ProgressHook = Callable[[str, int, int], None]


@dataclass
class IngestOptions:
    """How an ingest runs: rows per write batch, concurrent write transactions, progress.

    5,000-row batches: fewer commits (each costs index and log work in Neo4j) while a
    batch's parameters stay a few megabytes.
    """

    batch_rows: int = 5000
    writers: int = 2
    progress: ProgressHook | None = None
    only: set[str] = field(default_factory=set)


def file_batch_id(path: Path, source: str) -> str:
    """Content-derived batch id: the same bytes always give the same batch."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return f"{source}-{digest.hexdigest()[:16]}"


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return max(sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
                   - 1, 0)


class _WritePipeline:
    """Commits prepared batches in the background, across files, a bounded number at once.

    The main thread encrypts the next batches while earlier ones are written: the driver
    releases the GIL while it waits on the socket, and with two transactions in flight
    Neo4j works on both cores. The pipeline is not drained between files (that left
    Neo4j idle while each file's first batch was prepared); instead a file's
    ``IngestBatch`` node is written once all of that file's batches are acknowledged.
    Batches never touch each other's nodes (keys are per source and per row), so
    concurrent commits cannot deadlock.
    """

    def __init__(self, store: Store, writers: int) -> None:
        self.store = store
        self.writers = writers
        self._pool = ThreadPoolExecutor(max_workers=writers, thread_name_prefix="ingest-write")
        self._in_flight: deque[Future[int]] = deque()
        self._files: deque[tuple[list[Future[int]], str, dict[str, object]]] = deque()

    def submit(self, writer: GraphWriter, batch: PreparedBatch, *, fresh: bool,
               into: list[Future[int]]) -> None:
        """Queue ``batch`` for commit, first waiting while ``writers`` are in flight."""
        while len(self._in_flight) >= self.writers:
            self._in_flight.popleft().result()
        future = self._pool.submit(writer.commit, batch, fresh=fresh)
        self._in_flight.append(future)
        into.append(future)

    def record_when_done(self, futures: list[Future[int]], batch_id: str,
                         props: dict[str, object]) -> None:
        """Write the file's ``IngestBatch`` once every one of ``futures`` succeeded."""
        self._files.append((futures, batch_id, props))
        self._record_finished(wait=False)

    def _record_finished(self, *, wait: bool) -> None:
        while self._files and (wait or all(f.done() for f in self._files[0][0])):
            futures, batch_id, props = self._files.popleft()
            for future in futures:
                future.result()
            self.store.write(q.RECORD_BATCH, batch_id=batch_id, props=props)

    def finish(self) -> None:
        """Wait for every commit (raising the first failure) and record every file."""
        try:
            while self._in_flight:
                self._in_flight.popleft().result()
            self._record_finished(wait=True)
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)


def ingest_file(store: Store, kit: PrivacyKit, path: Path, mapping: FileMapping,
                report: IngestReport, options: IngestOptions,
                pipeline: _WritePipeline) -> ExportStats:
    """Ingest one export; bad rows go to ``report.quarantine``, good rows to ``pipeline``."""
    writer = GraphWriter(store, kit)
    stats = ExportStats(path.name, mapping.source)
    batch_id = file_batch_id(path, mapping.source)
    # nothing of this source in the graph: plain CREATE cannot collide with a key. A crash
    # half way leaves some, so the re-run merges.
    fresh = not store.read(q.SOURCE_IN_GRAPH, source=mapping.source)[0]["present"]
    sensitive = frozenset(mapping.sensitive_facts)
    total = _count_lines(path) if options.progress else 0
    pending: list[CanonicalRow] = []
    committed: list[Future[int]] = []

    def flush() -> None:
        if not pending:
            return
        prepared = writer.prepare(pending, batch_id=batch_id, sensitive=sensitive)
        pending.clear()
        pipeline.submit(writer, prepared, fresh=fresh, into=committed)
        if options.progress:
            options.progress(path.name, stats.rows_read, total)

    try:
        for row in read_export(path, mapping, stats=stats):
            if isinstance(row, QuarantinedRow):
                report.quarantine.append(row)
                continue
            pending.append(row)
            if len(pending) >= options.batch_rows:
                flush()
        flush()
    except ExportLayoutError as exc:
        report.problems.append(str(exc))
        report.rejected.append(path.name)
    if options.progress:
        options.progress(path.name, stats.rows_read, total)
    pipeline.record_when_done(committed, batch_id, {
        "source": mapping.source, "file": path.name, "rows_read": stats.rows_read,
        "accepted": stats.accepted, "duplicates": stats.duplicates,
        "quarantined": stats.quarantined,
    })
    report.files.append(stats)
    return stats


def selected_exports(directory: Path, options: IngestOptions
                     ) -> tuple[list[tuple[FileMapping, Path]], list[str]]:
    """The exports ``options`` selects (``only``) that are present in ``directory``, and
    the files of the selected mappings that are absent, both in mapping order."""
    present: list[tuple[FileMapping, Path]] = []
    missing: list[str] = []
    for mapping in load_mappings().values():
        if options.only and mapping.source not in options.only:
            continue
        path = find_export(directory, mapping)
        if path is None:
            missing.append(mapping.file)
        else:
            present.append((mapping, path))
    return present, missing


def ingest_directory(store: Store, kit: PrivacyKit, directory: Path,
                     options: IngestOptions | None = None) -> IngestReport:
    """Ingest every known export found in ``directory`` (``truth/`` is never read).

    Returns:
        The report: per-file counts, every quarantined row with its reason, problems,
        absent and rejected files.

    Raises:
        IngestInterruptedError: Neo4j stopped answering (the store retried for its
            window, once for all writers); the partial report is attached.
    """
    options = options or IngestOptions()
    present, missing = selected_exports(directory, options)
    report = IngestReport(str(directory), missing=missing)
    with fewer_gc_passes():
        pipeline = _WritePipeline(store, options.writers)
        try:
            try:
                for mapping, path in present:
                    ingest_file(store, kit, path, mapping, report, options, pipeline)
            finally:
                pipeline.finish()
        except StoreUnavailableError as exc:
            raise IngestInterruptedError(report, str(exc)) from exc
    return report

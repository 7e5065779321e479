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
from hub.ingest.directory import IngestReport, find_export
from hub.ingest.errors import ExportLayoutError
from hub.ingest.gc_tuning import fewer_gc_passes
from hub.ingest.mapping import FileMapping, load_mappings
from hub.ingest.model import CanonicalRow, QuarantinedRow
from hub.ingest.read import ExportStats, read_export
from hub.ingest.writer import GraphWriter
from hub.privacy_kit import PrivacyKit
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


def ingest_file(store: Store, kit: PrivacyKit, path: Path, mapping: FileMapping,
                report: IngestReport, options: IngestOptions) -> ExportStats:
    """Ingest one export; bad rows go to ``report.quarantine``, good rows to the graph."""
    writer = GraphWriter(store, kit)
    stats = ExportStats(path.name, mapping.source)
    batch_id = file_batch_id(path, mapping.source)
    # nothing of this source in the graph: plain CREATE cannot collide with a key. A crash
    # half way leaves some, so the re-run merges.
    fresh = not store.read(q.SOURCE_IN_GRAPH, source=mapping.source)[0]["present"]
    sensitive = frozenset(mapping.sensitive_facts)
    total = _count_lines(path) if options.progress else 0
    pending: list[CanonicalRow] = []
    # encrypt the next batches while earlier ones are written: the driver releases the
    # GIL while it waits on the socket, and with two transactions in flight Neo4j works
    # on both cores. Batches of one file never touch the same nodes, so they cannot
    # deadlock; the IngestBatch node is written only once all of them are acknowledged.
    with ThreadPoolExecutor(max_workers=options.writers,
                            thread_name_prefix="ingest-write") as pool:
        in_flight: deque[Future[int]] = deque()

        def flush() -> None:
            prepared = writer.prepare(pending, batch_id=batch_id, sensitive=sensitive)
            pending.clear()
            while len(in_flight) >= options.writers:
                in_flight.popleft().result()
            in_flight.append(pool.submit(writer.commit, prepared, fresh=fresh))
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
        finally:
            while in_flight:
                in_flight.popleft().result()
    store.write(q.RECORD_BATCH, batch_id=batch_id, props={
        "source": mapping.source, "file": path.name, "rows_read": stats.rows_read,
        "accepted": stats.accepted, "duplicates": stats.duplicates,
        "quarantined": stats.quarantined,
    })
    report.files.append(stats)
    return stats


def ingest_directory(store: Store, kit: PrivacyKit, directory: Path,
                     options: IngestOptions | None = None) -> IngestReport:
    """Ingest every known export found in ``directory`` (``truth/`` is never read).

    Returns:
        The report: per-file counts, every quarantined row with its reason, problems.
    """
    options = options or IngestOptions()
    report = IngestReport(str(directory))
    with fewer_gc_passes():
        for mapping in load_mappings().values():
            if options.only and mapping.source not in options.only:
                continue
            path = find_export(directory, mapping)
            if path is None:
                report.problems.append(f"{mapping.file}: file not found in {directory}")
                continue
            ingest_file(store, kit, path, mapping, report, options)
    return report

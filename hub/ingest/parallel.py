"""Ingest a directory's exports in several processes: each process takes whole exports.

Why: one ingest process is held to about one core by Python's GIL (reading, validating,
sealing and packing all run under it) while Neo4j works on other cores. Measured on the
20,000-household set (2 cores), that process was busy ~85 % of the wall time and both
cores were not. Several processes, each ingesting one export at a time with
:func:`~hub.ingest.run.ingest_directory`, use the cores a machine has.

Each export is still ingested whole, by one process, in its batches, with its own
``IngestBatch`` record once every batch is acknowledged: duplicates within a file,
quarantine, the CREATE-or-MERGE choice per source and "a re-run is safe" hold exactly
as in one process. Exports go largest first to whichever process is free. Progress and
the per-file reports come back to the calling process, which merges them in the order
one process would have produced.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from multiprocessing.util import Finalize
from pathlib import Path
from typing import Any

from hub.config import Settings
from hub.errors import StoreUnavailableError
from hub.ingest.directory import IngestReport
from hub.ingest.errors import IngestError, IngestInterruptedError
from hub.ingest.mapping import FileMapping
from hub.ingest.run import IngestOptions, ingest_directory, selected_exports
from hub.privacy_graph.kit import PrivacyKit, open_privacy
from hub.store import Store

# below this many bytes of exports a worker's start (imports, keyring, connection: about
# a second) costs more than it saves; one process ingests them
MIN_BYTES_PER_EXTRA_JOB = 8 * 1024 * 1024
# Neo4j needs cores too; past this many ingest processes it is the bottleneck
MAX_AUTO_JOBS = 4


def choose_jobs(requested: int, directory: Path, options: IngestOptions | None = None) -> int:
    """How many ingest processes to use.

    Args:
        requested: a positive number is used as given (at most one per export); 0 means
            automatic: one process per core, at most :data:`MAX_AUTO_JOBS`, and one
            only when the exports are too small to repay starting the others.
        directory: the set to ingest.
        options: which sources (``only``).

    Raises:
        ValueError: ``requested`` is negative.
    """
    if requested < 0:
        raise ValueError(f"jobs must be 0 (automatic) or a positive number, not {requested}")
    present, _ = selected_exports(directory, options or IngestOptions())
    if requested:
        return max(1, min(requested, len(present)))
    size = sum(path.stat().st_size for _, path in present)
    by_size = 1 + size // MIN_BYTES_PER_EXTRA_JOB
    return max(1, min(os.cpu_count() or 1, MAX_AUTO_JOBS, len(present), by_size))


@dataclass(frozen=True)
class _Outcome:
    """One export's report from a worker, and why it stopped early (None: it did not)."""

    report: IngestReport
    interrupted: str | None = None


@dataclass
class _Worker:
    """What an ingest process keeps between exports: its connection, keys, progress."""

    settings: Settings
    progress: Any  # multiprocessing queue of (file, done, total), or None
    store: Store | None = None
    kit: PrivacyKit | None = None

    def open(self) -> tuple[Store, PrivacyKit]:
        """Connect and load the keys on first use (an error then is the task's, with its
        message, rather than a broken pool's)."""
        if self.store is None or self.kit is None:
            self.store = Store.connect(self.settings)
            Finalize(self.store, self.store.close, exitpriority=10)
            self.kit = open_privacy(self.settings)
        return self.store, self.kit

    def report_progress(self, name: str, done: int, total: int) -> None:
        self.progress.put((name, done, total))


_worker: _Worker | None = None


def _start_worker(settings: Settings, progress: Any) -> None:
    global _worker  # one per worker process, set by the pool's initializer
    _worker = _Worker(settings, progress)


def _ingest_export(directory: str, source: str, options: IngestOptions) -> _Outcome:
    """In a worker: ingest one export with the single-process code."""
    assert _worker is not None, "the pool's initializer sets the worker"
    try:
        store, kit = _worker.open()
    except StoreUnavailableError as exc:
        return _Outcome(IngestReport(directory), str(exc))
    hook = _worker.report_progress if _worker.progress is not None else None
    try:
        report = ingest_directory(store, kit, Path(directory),
                                  replace(options, only={source}, progress=hook))
    except IngestInterruptedError as exc:
        return _Outcome(exc.report, exc.cause)
    return _Outcome(report)


def ingest_in_processes(settings: Settings, directory: Path, options: IngestOptions,
                        jobs: int) -> IngestReport:
    """Ingest ``directory`` with ``jobs`` worker processes, one export at a time each.

    Args:
        settings: how each worker reaches Neo4j and the keys (the caller's own).
        directory: the set.
        options: as for :func:`~hub.ingest.run.ingest_directory`; ``progress`` is called
            in this process.
        jobs: worker processes (see :func:`choose_jobs`).

    Returns:
        The same report one process gives: files, quarantine, problems, rejected and
        missing in mapping order.

    Raises:
        IngestInterruptedError: Neo4j stopped answering in some worker (after the store's
            retries); exports not yet started are not begun, the report holds what was
            read. A re-run completes the set, as after a one-process interruption.
        IngestError: a worker process died (killed, out of memory). What Neo4j
            acknowledged is kept; a re-run completes the set.
    """
    present, missing = selected_exports(directory, options)
    largest_first = sorted(present, key=lambda item: item[1].stat().st_size, reverse=True)
    context = multiprocessing.get_context("spawn")  # never fork a process holding a driver
    progress = context.Queue() if options.progress else None
    task_options = replace(options, progress=None, only=set())
    outcomes: dict[str, _Outcome] = {}
    interrupted: str | None = None
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(present))), mp_context=context,
                             initializer=_start_worker, initargs=(settings, progress)) as pool:
        futures: dict[Future[_Outcome], str] = {
            pool.submit(_ingest_export, str(directory), mapping.source, task_options):
                mapping.source
            for mapping, _ in largest_first}
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                _relay_progress(progress, options)
                for future in done:
                    if future.cancelled():
                        continue
                    outcome = future.result()
                    outcomes[futures[future]] = outcome
                    if outcome.interrupted and interrupted is None:
                        interrupted = outcome.interrupted
                        for other in pending:
                            other.cancel()
        except BrokenProcessPool as exc:
            raise IngestError(
                "an ingest process stopped unexpectedly (killed, or out of memory). "
                "Batches Neo4j acknowledged are kept; run the same ingest again to "
                "complete the set (nothing is written twice)") from exc
        _relay_progress(progress, options)
    report = _merged(directory, present, missing, outcomes)
    if interrupted is not None:
        raise IngestInterruptedError(report, interrupted)
    return report


def _relay_progress(progress: Any, options: IngestOptions) -> None:
    """Call the caller's progress hook with what the workers reported since last time."""
    if progress is None or options.progress is None:
        return
    while True:
        try:
            name, done, total = progress.get_nowait()
        except queue.Empty:
            return
        options.progress(name, done, total)


def _merged(directory: Path, present: list[tuple[FileMapping, Path]], missing: list[str],
            outcomes: dict[str, _Outcome]) -> IngestReport:
    """One report from the workers' per-export ones, in mapping order."""
    report = IngestReport(str(directory), missing=list(missing))
    for mapping, _ in present:
        outcome = outcomes.get(mapping.source)
        if outcome is None:
            continue
        part = outcome.report
        report.files.extend(part.files)
        report.quarantine.extend(part.quarantine)
        report.problems.extend(part.problems)
        report.rejected.extend(part.rejected)
    return report


def ingest_set(store: Store, kit: PrivacyKit, settings: Settings, directory: Path,
               options: IngestOptions, jobs: int) -> IngestReport:
    """Ingest ``directory`` with the processes :func:`choose_jobs` picks for ``jobs``.

    One process means this one, with ``store`` and ``kit``; more start workers that open
    their own from ``settings``. Same report and errors either way.
    """
    processes = choose_jobs(jobs, directory, options)
    if processes > 1:
        return ingest_in_processes(settings, directory, options, processes)
    return ingest_directory(store, kit, directory, options)

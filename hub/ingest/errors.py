"""Errors of the ingest stage; all are :class:`hub.errors.IngestError`.

    IngestError (hub.errors)
    ├── MappingError         mapping files are invalid (every problem listed at once)
    ├── ExportLayoutError    an export's header or encoding does not match its mapping
    └── IngestInterruptedError  Neo4j went away mid-way (the partial report attached)

Bad *rows* are not errors: they become :class:`~hub.ingest.model.QuarantinedRow`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hub.errors import IngestError


class MappingError(IngestError):
    """One or more mapping files are invalid.

    Attributes:
        problems: every problem found, each prefixed by the mapping file it is in, so a
            maintainer fixes them all in one pass (the Splink habit).
    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} mapping problem(s):\n{lines}")


class ExportLayoutError(IngestError):
    """An export cannot be read with its mapping (wrong header, undecodable header).

    Attributes:
        file: the export's file name.
        detail: what differs, naming columns only (never row values).
    """

    def __init__(self, file: str, detail: str) -> None:
        self.file = file
        self.detail = detail
        super().__init__(f"{file}: {detail}")


class IngestInterruptedError(IngestError):
    """Neo4j stopped answering in the middle of an ingest (after the store's retries).

    Attributes:
        report: what was read before the interruption (batches already acknowledged are
            in the graph; a re-run writes only what is missing, so it is safe).
        cause: the store's own message (passed on unchanged by a parallel ingest).
    """

    def __init__(self, report: Any, cause: str) -> None:
        self.report = report
        self.cause = cause
        super().__init__(f"Neo4j stopped answering during the ingest: {cause}")

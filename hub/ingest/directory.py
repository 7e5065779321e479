"""Read a whole export set: the 18 department files of one directory.

Files are found by their mapping's stem (``<stem>.csv``, or ``<stem>.xlsx`` for a
department that sends Excel); subdirectories such as ``truth/`` are never read. A file
that cannot be read at all (wrong header, empty, not the format) is ``rejected``, one
that is absent ``missing`` (a partial set is normal); the other files are still read.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.ingest.errors import ExportLayoutError
from hub.ingest.mapping import FileMapping, load_mappings
from hub.ingest.model import CanonicalRow, QuarantinedRow
from hub.ingest.read import XLSX_SUFFIXES, ExportStats, read_export

log = logging.getLogger(__name__)


@dataclass(slots=True)
class IngestReport:
    """What happened to every file of a directory; JSON-able through :meth:`to_dict`."""

    directory: str
    files: list[ExportStats] = field(default_factory=list)
    quarantine: list[QuarantinedRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    """Department files absent from the directory (a partial set is normal)."""
    rejected: list[str] = field(default_factory=list)
    """Files present but not readable at all (wrong header, empty, not the format)."""

    @property
    def accepted(self) -> int:
        """Accepted rows over all files."""
        return sum(s.accepted for s in self.files)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-able data (quarantined rows carry no personal data)."""
        return {
            "directory": self.directory,
            "files": [s.to_dict() for s in self.files],
            "totals": {
                key: sum(getattr(s, key) for s in self.files)
                for key in ("rows_read", "accepted", "duplicates", "quarantined")
            },
            "quarantine": [
                {"file": q.file, "line_no": q.line_no, "record_id": q.record_id,
                 "reason": q.reason, "column": q.column, "detail": q.detail}
                for q in self.quarantine
            ],
            "problems": list(self.problems),
            "missing": list(self.missing),
            "rejected": list(self.rejected),
        }


def find_export(directory: Path, mapping: FileMapping) -> Path | None:
    """Return the export file for a mapping in ``directory`` (CSV first, then XLSX)."""
    for candidate in (directory / mapping.file,
                      *(directory / f"{mapping.source}{s}" for s in XLSX_SUFFIXES)):
        if candidate.is_file():
            return candidate
    return None


def iter_directory(
    directory: Path | str,
    mappings: Mapping[str, FileMapping] | None = None,
    report: IngestReport | None = None,
) -> Iterator[CanonicalRow]:
    """Stream the accepted rows of every export in a directory, file by file.

    Quarantined rows, per-file counts and file-level problems go to ``report``, so a
    caller can write rows in batches while the report fills.

    Args:
        directory: a set directory holding the department files.
        mappings: mappings by source; default: the shipped ones.
        report: filled while iterating (create one to read it afterwards).

    Yields:
        Accepted canonical rows.
    """
    directory = Path(directory)
    mappings = mappings if mappings is not None else load_mappings()
    report = report if report is not None else IngestReport(str(directory))
    known: set[str] = set()
    for mapping in mappings.values():
        path = find_export(directory, mapping)
        if path is None:
            report.missing.append(mapping.file)
            continue
        known.add(path.name)
        stats = ExportStats(path.name, mapping.source)
        try:
            for row in read_export(path, mapping, stats=stats):
                if isinstance(row, QuarantinedRow):
                    report.quarantine.append(row)
                else:
                    yield row
        except ExportLayoutError as exc:
            report.problems.append(str(exc))
            report.rejected.append(path.name)
            log.warning("%s: cannot be read: %s", path.name, exc.detail)
        report.files.append(stats)
    for path in sorted(directory.iterdir()):
        if path.is_file() and path.name not in known and not path.name.startswith("."):
            report.problems.append(f"{path.name}: no mapping for this file; not read")


def read_directory(
    directory: Path | str, mappings: Mapping[str, FileMapping] | None = None
) -> tuple[list[CanonicalRow], IngestReport]:
    """Read every export of a directory into memory (tests, small sets, demos).

    For large sets prefer :func:`iter_directory`, which streams.

    Args:
        directory: a set directory holding the department files.
        mappings: mappings by source; default: the shipped ones.

    Returns:
        The accepted rows and the report (per-file stats, quarantine, problems).
    """
    report = IngestReport(str(Path(directory)))
    rows = list(iter_directory(directory, mappings, report))
    return rows, report

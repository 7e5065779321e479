"""Read one department export into canonical and quarantined rows, streaming.

:func:`read_export` is the one entry point per file: it decodes (CSV with the declared
encoding, or XLSX), validates every row per FORMATS.md section 5, drops exact duplicate
lines (counted, never doubled: a doubled bank balance would wrongly disqualify a family),
keeps the first of two different rows that share a 记录编号 and quarantines the other, and
converts the rest. A bad row never stops the file.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from hub.ingest.convert import RowConverter
from hub.ingest.mapping import FileMapping
from hub.ingest.model import CanonicalRow, QuarantinedRow
from hub.ingest.rowhash import row_hash
from hub.ingest.sources import RawLine, iter_csv, iter_xlsx
from hub.ingest.validate import (
    DUPLICATE_RECORD_ID,
    UNDECODABLE_LINE,
    Problem,
    RowValidator,
)

log = logging.getLogger(__name__)

XLSX_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(slots=True)
class ExportStats:
    """Counts for one export; ``rows_read = accepted + duplicates + quarantined``."""

    file: str
    source: str
    rows_read: int = 0
    accepted: int = 0
    duplicates: int = 0
    quarantined: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, object]:
        """Return the stats as JSON-able data."""
        return {
            "file": self.file, "source": self.source, "rows_read": self.rows_read,
            "accepted": self.accepted, "duplicates": self.duplicates,
            "quarantined": self.quarantined, "reasons": dict(sorted(self.reasons.items())),
        }


def _raw_lines(path: Path, mapping: FileMapping, encoding: str | None) -> Iterator[RawLine]:
    if path.suffix.lower() in XLSX_SUFFIXES:
        return iter_xlsx(path, mapping)
    return iter_csv(path, mapping, encoding)


def read_export(
    path: Path | str,
    mapping: FileMapping,
    *,
    encoding: str | None = None,
    stats: ExportStats | None = None,
) -> Iterator[CanonicalRow | QuarantinedRow]:
    """Read one export, yielding accepted and quarantined rows in file order.

    Args:
        path: the CSV (or ``.xlsx``: first sheet, same header) export.
        mapping: its mapping, from :func:`hub.ingest.mapping.load_mappings`.
        encoding: override the mapping's declared encoding (a UTF-8 BOM always wins, and
            a header that only decodes in another documented encoding switches to it).
        stats: filled in while iterating, for callers that want the counts.

    Yields:
        A :class:`CanonicalRow` per distinct good record and a :class:`QuarantinedRow` per
        rejected line; exact duplicate lines yield nothing and are counted.

    Raises:
        ExportLayoutError: the header does not match the mapping (nothing can be read).
    """
    path = Path(path)
    stats = stats if stats is not None else ExportStats(path.name, mapping.source)
    validator = RowValidator(mapping)
    converter = RowConverter(mapping)
    key = mapping.header.index(mapping.key)
    seen_lines: set[str] = set()
    first_line_of: dict[str, int] = {}
    for line_no, fields in _raw_lines(path, mapping, encoding):
        stats.rows_read += 1
        if fields is None:
            problem = Problem(UNDECODABLE_LINE, None,
                              f"该行不是有效的 {encoding or mapping.encoding} 编码 / line is not "
                              f"valid {encoding or mapping.encoding}")
            yield _quarantine(stats, path, mapping, line_no, None, [problem])
            continue
        digest = row_hash(fields)
        if digest in seen_lines:
            stats.duplicates += 1
            continue
        seen_lines.add(digest)
        fields = [f.strip() for f in fields]
        record_id = fields[key] if len(fields) > key + 1 else None
        problems = validator.problems(fields)
        if problems:
            yield _quarantine(stats, path, mapping, line_no, record_id or None, problems)
            continue
        assert record_id is not None  # the key column is mandatory, so it is not empty
        earlier = first_line_of.get(record_id)
        if earlier is not None:
            first = earlier
            problem = Problem(
                DUPLICATE_RECORD_ID, mapping.key,
                f"记录编号与第 {first} 行相同但内容不同，保留第 {first} 行 / same {mapping.key} "
                f"as line {first} with different content; line {first} is kept")
            yield _quarantine(stats, path, mapping, line_no, record_id, [problem])
            continue
        first_line_of[record_id] = line_no
        stats.accepted += 1
        yield converter.convert(fields, line_no, digest)
    if stats.quarantined or stats.duplicates:
        log.debug("%s: %d rows read, %d accepted, %d duplicates, %d quarantined", path.name,
                  stats.rows_read, stats.accepted, stats.duplicates, stats.quarantined)


def _quarantine(
    stats: ExportStats,
    path: Path,
    mapping: FileMapping,
    line_no: int,
    record_id: str | None,
    problems: list[Problem],
) -> QuarantinedRow:
    first = problems[0]
    stats.quarantined += 1
    stats.reasons[first.reason] += 1
    detail = "; ".join(p.detail for p in problems)
    log.debug("%s line %d record %s quarantined: %s", path.name, line_no, record_id or "-",
              first.reason)
    return QuarantinedRow(mapping.source, path.name, line_no, record_id, first.reason,
                          first.column, detail)

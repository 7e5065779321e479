"""Physical reading of an export: bytes → (line number, field list), CSV or XLSX.

Each CSV line is decoded on its own, so one undecodable line is quarantined instead of
stopping the file, and huge files stream in constant memory. The header is decoded with
the mapping's declared encoding; a UTF-8 BOM always wins, and when the declared encoding
does not reproduce the expected header the other documented encodings are tried (a GBK
file declared UTF-8, or the reverse) and the switch is logged.
"""

from __future__ import annotations

import csv
import logging
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO, NamedTuple

from hub.ingest.errors import ExportLayoutError
from hub.ingest.mapping import FileMapping

log = logging.getLogger(__name__)

_BOM = b"\xef\xbb\xbf"
# Python codec names; GBK is read with GB 18030, its superset, so rare characters survive.
_CODECS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "gbk": "gb18030"}
_FALLBACK_ORDER = ("utf-8", "gbk")


class RawLine(NamedTuple):
    """One physical data line: its number (header = 1) and its fields.

    ``fields`` is ``None`` when the line could not be decoded with the file's encoding.
    """

    line_no: int
    fields: list[str] | None


def split_line(text: str) -> list[str]:
    """Split one CSV line (no line break inside fields) into its fields.

    Unquoted lines, the common case, are split directly; quoted ones go through
    :mod:`csv` so ``"a,b"`` and doubled quotes are honoured.
    """
    if '"' not in text:
        return text.split(",")
    return next(csv.reader((text,)))


def _header_diff(found: list[str], expected: tuple[str, ...]) -> str:
    missing = [c for c in expected if c not in found]
    extra = [c for c in found if c not in expected]
    if missing or extra:
        return f"header differs: missing {missing}, unexpected {extra}"
    return f"header columns are in a different order: {found}"


def _choose_codec(first: bytes, mapping: FileMapping, override: str | None) -> str:
    """Return the Python codec that reproduces the expected header from the first line."""
    if first.startswith(_BOM):
        if override or mapping.encoding != "utf-8-sig":
            log.info("%s: UTF-8 byte order mark found; reading as utf-8-sig", mapping.file)
        return "utf-8"
    declared = override or mapping.encoding
    candidates = [declared, *(e for e in _FALLBACK_ORDER if e != declared)]
    decoded: list[str] | None = None
    for encoding in candidates:
        try:
            header = split_line(first.rstrip(b"\r\n").decode(_CODECS[encoding]))
        except UnicodeDecodeError:
            continue
        if tuple(h.strip() for h in header) == mapping.header:
            if encoding != declared:
                log.warning("%s: declared %s but the header decodes as %s; using %s",
                            mapping.file, declared, encoding, encoding)
            return _CODECS[encoding]
        decoded = decoded or header
    if decoded is None:
        raise ExportLayoutError(mapping.file, f"header cannot be decoded as {declared}")
    raise ExportLayoutError(mapping.file, _header_diff(decoded, mapping.header))


def iter_csv(path: Path, mapping: FileMapping, encoding: str | None = None) -> Iterator[RawLine]:
    """Yield the data lines of a CSV export after checking its header.

    Args:
        path: the export.
        mapping: its mapping (header, declared encoding).
        encoding: force an encoding instead of the declared one (a BOM still wins).

    Yields:
        One :class:`RawLine` per non-blank data line.

    Raises:
        ExportLayoutError: the header does not match the mapping in any encoding.
    """
    with path.open("rb") as handle:
        yield from _iter_handle(handle, mapping, encoding)


def _iter_handle(
    handle: IO[bytes], mapping: FileMapping, encoding: str | None
) -> Iterator[RawLine]:
    first = handle.readline()
    if not first:
        raise ExportLayoutError(mapping.file, "file is empty (no header)")
    codec = _choose_codec(first, mapping, encoding)
    for line_no, raw in enumerate(handle, start=2):
        stripped = raw.rstrip(b"\r\n")
        if not stripped.strip():
            continue
        try:
            text = stripped.decode(codec)
        except UnicodeDecodeError:
            yield RawLine(line_no, None)
            continue
        yield RawLine(line_no, split_line(text))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def iter_xlsx(path: Path, mapping: FileMapping) -> Iterator[RawLine]:
    """Yield the data rows of the first sheet of an XLSX export after checking its header.

    Excel cannot show a cut line, so rows are padded to the header width; trailing empty
    cells beyond the header are dropped. Numbers and dates are turned into the text a CSV
    export would hold (``123``, ``436.23``, ``1985-03-07``).

    Args:
        path: the workbook.
        mapping: its mapping.

    Yields:
        One :class:`RawLine` per non-empty row (row 1 is the header).

    Raises:
        ExportLayoutError: the header row does not match the mapping.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ExportLayoutError(mapping.file, f"not a readable Excel workbook "
                                              f"({type(exc).__name__})") from exc
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header_row = next(rows, None)
        header = [_cell_text(v).strip() for v in header_row or ()]
        while header and not header[-1]:
            header.pop()
        if tuple(header) != mapping.header:
            raise ExportLayoutError(mapping.file, _header_diff(header, mapping.header))
        width = len(mapping.header)
        for line_no, row in enumerate(rows, start=2):
            fields = [_cell_text(v) for v in row]
            while len(fields) > width and not fields[-1]:
                fields.pop()
            if not any(f.strip() for f in fields):
                continue
            fields.extend([""] * (width - len(fields)))
            yield RawLine(line_no, fields)
    finally:
        workbook.close()

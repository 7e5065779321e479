"""Ingest: department exports → validated canonical rows (+ quarantined bad rows).

Read a set with :func:`read_directory` / :func:`iter_directory`, or one file with
:func:`read_export` and a mapping from :func:`load_mappings`.
"""

from hub.ingest.directory import IngestReport, iter_directory, read_directory
from hub.ingest.errors import ExportLayoutError, MappingError
from hub.ingest.mapping import FileMapping, load_mapping, load_mappings
from hub.ingest.model import CanonicalRow, Mention, QuarantinedRow
from hub.ingest.read import ExportStats, read_export

__all__ = [
    "CanonicalRow",
    "ExportLayoutError",
    "ExportStats",
    "FileMapping",
    "IngestReport",
    "MappingError",
    "Mention",
    "QuarantinedRow",
    "iter_directory",
    "load_mapping",
    "load_mappings",
    "read_directory",
    "read_export",
]

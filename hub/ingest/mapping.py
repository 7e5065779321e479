"""Declarative per-export mappings (``hub/ingest/mappings/<file stem>.toml``).

A mapping says how to read one department export: its encoding and quoting, the exact
header, the validation table of FORMATS.md section 5 (mandatory, date, year-month and
numeric columns), which columns become typed facts, which are personal (encrypted later),
and which people each row names (mentions, one per role). Keeping this as data means a
changed export layout is a reviewed TOML edit, not code. :func:`load_mappings` checks
every file and reports every problem at once.

Schema of a mapping file (all column names exactly as in the export's header)::

    file, department, kind         export file name, department, fact kind
    encoding, quoting, line_ending utf-8 | utf-8-sig | gbk;  minimal | all;  LF | CRLF
    key, header                    the 记录编号 column; the exact header, in order
    mandatory, dates, numeric      FORMATS.md section 5: non-empty / date / ≥ 0 columns
    year_months                    { column = "YYYYMM" | "YYYY-MM" }
    facts    = [{ column, field, parser = "text", sensitive = false }, …]
    personal = [{ column, field, parser = "text" }, …]          (encrypted by the writer)
    mentions = [{ role, name, id?, id_format?, birth_date?, sex?, region?,
                  organisation_suffixes?, organisation_field? }, …]
    ignore   = [columns deliberately not used]

Every header column must be used by exactly one of key / facts / personal / mentions /
ignore (a column may feed several facts). Parsers are named in :mod:`hub.ingest.parsers`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.ingest.errors import MappingError
from hub.ingest.mapping_checks import check_mapping

MAPPINGS_DIR = Path(__file__).parent / "mappings"
"""Where the 18 shipped mappings live."""


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One column → one output field (fact or personal) through a named parser."""

    column: str
    field: str
    parser: str = "text"
    sensitive: bool = False


@dataclass(frozen=True, slots=True)
class MentionSpec:
    """A person the row names, in one role (FORMATS.md section 7 role names).

    ``id_format`` is ``resident_id`` or ``disability_cert`` (the ID is the first 18 of 20
    characters). A name ending in one of ``organisation_suffixes`` with no ID (a
    村民委员会 acting as guardian) is not a person: it goes to ``organisation_field``.
    """

    role: str
    name: str
    id: str | None = None
    id_format: str = "resident_id"
    birth_date: str | None = None
    sex: str | None = None
    region: str | None = None
    organisation_suffixes: tuple[str, ...] = ()
    organisation_field: str | None = None


@dataclass(frozen=True, slots=True)
class FileMapping:
    """How to read, validate and map one department export."""

    file: str
    department: str
    kind: str
    encoding: str
    quoting: str
    line_ending: str
    key: str
    header: tuple[str, ...]
    mandatory: tuple[str, ...]
    dates: tuple[str, ...]
    year_months: dict[str, str]
    numeric: tuple[str, ...]
    facts: tuple[FieldSpec, ...]
    personal: tuple[FieldSpec, ...]
    mentions: tuple[MentionSpec, ...]
    ignore: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        """The export's file stem (``minzheng_aid``): ``CanonicalRow.source``."""
        return Path(self.file).stem

    @property
    def sensitive_facts(self) -> tuple[str, ...]:
        """Fact fields flagged sensitive (health, ethnicity, balances) for the writer."""
        return tuple(spec.field for spec in self.facts if spec.sensitive)


def _field_specs(items: Iterable[dict[str, Any]]) -> tuple[FieldSpec, ...]:
    return tuple(FieldSpec(**item) for item in items)


def _mention_specs(items: Iterable[dict[str, Any]]) -> tuple[MentionSpec, ...]:
    specs = []
    for item in items:
        item = dict(item)
        item["organisation_suffixes"] = tuple(item.get("organisation_suffixes", ()))
        specs.append(MentionSpec(**item))
    return tuple(specs)


def mapping_from_dict(raw: dict[str, Any], origin: str) -> FileMapping:
    """Build a :class:`FileMapping` from parsed TOML, after checking it completely.

    Args:
        raw: the parsed TOML document.
        origin: where it came from (a file name), used to prefix problems.

    Returns:
        The mapping.

    Raises:
        MappingError: listing every problem found in ``raw``.
    """
    problems = check_mapping(raw, origin)
    if problems:
        raise MappingError(problems)
    return FileMapping(
        file=raw["file"],
        department=raw["department"],
        kind=raw["kind"],
        encoding=raw["encoding"],
        quoting=raw["quoting"],
        line_ending=raw.get("line_ending", "LF"),
        key=raw["key"],
        header=tuple(raw["header"]),
        mandatory=tuple(raw["mandatory"]),
        dates=tuple(raw.get("dates", ())),
        year_months=dict(raw.get("year_months", {})),
        numeric=tuple(raw.get("numeric", ())),
        facts=_field_specs(raw.get("facts", ())),
        personal=_field_specs(raw.get("personal", ())),
        mentions=_mention_specs(raw.get("mentions", ())),
        ignore=tuple(raw.get("ignore", ())),
    )


def _read_toml(path: Path, problems: list[str]) -> dict[str, Any] | None:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{path.name}: not valid TOML: {exc}")
    except OSError as exc:
        problems.append(f"{path.name}: cannot be read: {exc.strerror}")
    return None


def load_mapping(path: Path) -> FileMapping:
    """Load and check one mapping file.

    Args:
        path: a ``<file stem>.toml`` mapping.

    Returns:
        The mapping.

    Raises:
        MappingError: listing every problem in the file.
    """
    return load_mappings([path])[Path(path).stem]


def load_mappings(paths: Path | Iterable[Path] = MAPPINGS_DIR) -> dict[str, FileMapping]:
    """Load and check mapping files, reporting the problems of all of them together.

    Args:
        paths: a directory of ``*.toml`` mappings (default: the shipped ones) or the files.

    Returns:
        Mappings keyed by source (file stem), in file-name order.

    Raises:
        MappingError: every problem of every file, after all files were checked.
    """
    if isinstance(paths, Path):
        files = sorted(paths.glob("*.toml"))
        if not files:
            raise MappingError([f"{paths}: no *.toml mapping files"])
    else:
        files = sorted(Path(p) for p in paths)
    problems: list[str] = []
    mappings: dict[str, FileMapping] = {}
    for path in files:
        raw = _read_toml(path, problems)
        if raw is None:
            continue
        try:
            mapping = mapping_from_dict(raw, path.name)
        except MappingError as exc:
            problems.extend(exc.problems)
            continue
        if mapping.source != path.stem:
            problems.append(f"{path.name}: file = {mapping.file!r} does not match the stem")
            continue
        mappings[mapping.source] = mapping
    if problems:
        raise MappingError(problems)
    return mappings

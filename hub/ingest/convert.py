"""Turn a validated row into a :class:`~hub.ingest.model.CanonicalRow`.

The mapping decides everything: which columns become typed facts, which are personal
(kept apart so the writer encrypts them), and which people the row names. Each named
person becomes one :class:`~hub.ingest.model.Mention` per role, with the ID normalised
(FORMATS.md 2.1/2.2) and the birth date and sex taken from the row when the export has
them, otherwise derived from a valid ID.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any, Literal

from hub.ingest.mapping import FileMapping, MentionSpec
from hub.ingest.model import CanonicalRow, Mention
from hub.ingest.normalise.amounts import AmountError
from hub.ingest.normalise.dates import DateError, parse_date, parse_year_month
from hub.ingest.normalise.ids import (
    IdNumber,
    birth_date_from_id,
    normalise_disability_cert,
    normalise_id,
    sex_from_id,
)
from hub.ingest.normalise.names import normalise_name
from hub.ingest.parsers import FACT_PARSERS, PERSONAL_PARSERS, Parser

log = logging.getLogger(__name__)

_SEXES: dict[str, Literal["男", "女"]] = {"男": "男", "女": "女"}


def _cert_id(raw: str | None) -> IdNumber:
    return normalise_disability_cert(raw).id


class _MentionPlan:
    """A :class:`MentionSpec` with its columns resolved to positions."""

    __slots__ = ("birth", "id", "id_of", "name", "org_field", "org_suffixes", "region",
                 "role", "sex")

    def __init__(self, spec: MentionSpec, index: dict[str, int]) -> None:
        self.role = spec.role
        self.name = index[spec.name]
        self.id = index[spec.id] if spec.id else None
        self.id_of: Callable[[str | None], IdNumber] = (
            _cert_id if spec.id_format == "disability_cert" else normalise_id)
        self.birth = index[spec.birth_date] if spec.birth_date else None
        self.sex = index[spec.sex] if spec.sex else None
        self.region = index[spec.region] if spec.region else None
        self.org_suffixes = spec.organisation_suffixes
        self.org_field = spec.organisation_field


class RowConverter:
    """Builds canonical rows for one export; column positions and parsers resolved once."""

    def __init__(self, mapping: FileMapping) -> None:
        """Resolve the mapping's columns and parsers.

        Args:
            mapping: the export's (already checked) mapping.
        """
        index = {column: i for i, column in enumerate(mapping.header)}
        self._source = mapping.source
        self._file = mapping.file
        self._kind = mapping.kind
        self._key = index[mapping.key]
        self._facts: list[tuple[int, str, str, Parser]] = []
        for spec in mapping.facts:
            parser = FACT_PARSERS[spec.parser]
            if spec.parser == "year_month":
                parser = partial(_year_month, style=mapping.year_months[spec.column])
            self._facts.append((index[spec.column], spec.column, spec.field, parser))
        self._personal = [
            (index[s.column], s.field, PERSONAL_PARSERS[s.parser]) for s in mapping.personal
        ]
        self._mentions = [_MentionPlan(spec, index) for spec in mapping.mentions]
        self._org_plans = [plan for plan in self._mentions if plan.org_field]

    def convert(self, fields: list[str], line_no: int, digest: str) -> CanonicalRow:
        """Build the canonical row of a validated row.

        Args:
            fields: the row's fields (count already checked against the header).
            line_no: physical line number (header = 1).
            digest: the row's :func:`~hub.ingest.rowhash.row_hash`.

        Returns:
            The row with facts, personal values and mentions.
        """
        record_id = fields[self._key].strip()
        facts: dict[str, Any] = {}
        for i, column, name, parser in self._facts:
            value = fields[i].strip()
            if not value:
                facts[name] = None
                continue
            try:
                facts[name] = parser(value)
            except (ValueError, AmountError, DateError):
                # Only unchecked columns can get here; section 5 does not reject for them.
                log.info("%s line %d record %s: column %s kept empty (unparseable)",
                         self._file, line_no, record_id, column)
                facts[name] = None
        personal: dict[str, str] = {}
        for i, name, parser in self._personal:
            value = fields[i].strip()
            if value:
                personal[name] = parser(value)
        for plan in self._org_plans:
            facts[plan.org_field] = None  # type: ignore[index]
        mentions = [
            mention
            for plan in self._mentions
            if (mention := self._mention(plan, fields, record_id, facts)) is not None
        ]
        return CanonicalRow(self._source, record_id, line_no, facts, personal, mentions,
                            digest, self._kind)

    def _mention(
        self, plan: _MentionPlan, fields: list[str], record_id: str, facts: dict[str, Any]
    ) -> Mention | None:
        name_raw = fields[plan.name].strip() or None
        id_raw = (fields[plan.id].strip() or None) if plan.id is not None else None
        if name_raw is None and id_raw is None:
            return None
        if (name_raw and id_raw is None and plan.org_field
                and name_raw.endswith(plan.org_suffixes)):
            facts[plan.org_field] = name_raw
            return None
        id_number = plan.id_of(id_raw)
        birth: date | None = None
        if plan.birth is not None and (text := fields[plan.birth].strip()):
            birth = parse_date(text)
        if birth is None:
            birth = birth_date_from_id(id_number)
        sex = _SEXES.get(fields[plan.sex].strip()) if plan.sex is not None else None
        if sex is None:
            sex = sex_from_id(id_number)
        region = (fields[plan.region].strip() or None) if plan.region is not None else None
        return Mention(
            self._source, record_id, plan.role, normalise_name(name_raw), name_raw,
            id_number.number, id_raw, id_number.kind, id_number.valid, birth, sex, region,
        )


def _year_month(value: str, style: str) -> date:
    return parse_year_month(value, style)

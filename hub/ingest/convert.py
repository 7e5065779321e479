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
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any, Literal

from hub.ingest.mapping import FileMapping, MentionSpec
from hub.ingest.model import CanonicalRow, Mention
from hub.ingest.normalise.amounts import AmountError, parse_amount
from hub.ingest.normalise.dates import DateError, parse_date, parse_year_month
from hub.ingest.normalise.ids import IdNumber, normalise_disability_cert, normalise_id
from hub.ingest.normalise.names import name_or_none
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
        # Plain text facts and personal values are copied in one comprehension; typed ones
        # go through their parser. Resolved once: this is the per-row hot path.
        self._text_facts = [(index[f.column], f.field) for f in mapping.facts
                            if f.parser == "text"]
        self._typed_facts: list[tuple[int, str, str, Parser]] = []
        for spec in mapping.facts:
            if spec.parser == "text":
                continue
            parser = FACT_PARSERS[spec.parser]
            if spec.parser == "year_month":
                parser = partial(parse_year_month, style=mapping.year_months[spec.column])
            elif spec.parser == "decimal" and spec.column in mapping.numeric:
                parser = _validated_decimal
            self._typed_facts.append((index[spec.column], spec.column, spec.field, parser))
        self._text_personal = [(index[p.column], p.field) for p in mapping.personal
                               if p.parser == "text"]
        self._typed_personal = [(index[p.column], p.field, PERSONAL_PARSERS[p.parser])
                                for p in mapping.personal if p.parser != "text"]
        self._mentions = [_MentionPlan(spec, index) for spec in mapping.mentions]
        self._org_fields = [plan.org_field for plan in self._mentions if plan.org_field]

    def convert(self, fields: list[str], line_no: int, digest: str) -> CanonicalRow:
        """Build the canonical row of a validated row.

        Args:
            fields: the row's fields, stripped of surrounding spaces (count already checked
                against the header).
            line_no: physical line number (header = 1).
            digest: the row's :func:`~hub.ingest.rowhash.row_hash`.

        Returns:
            The row with facts, personal values and mentions.
        """
        record_id = fields[self._key]
        facts: dict[str, Any] = {name: fields[i] or None for i, name in self._text_facts}
        for i, column, name, parser in self._typed_facts:
            value = fields[i]
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
        personal = {name: fields[i] for i, name in self._text_personal if fields[i]}
        for i, name, parser in self._typed_personal:
            if fields[i]:
                personal[name] = parser(fields[i])
        for org_field in self._org_fields:
            facts[org_field] = None
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
        name_raw = fields[plan.name] or None
        id_raw = (fields[plan.id] or None) if plan.id is not None else None
        if name_raw is None and id_raw is None:
            return None
        if (name_raw and id_raw is None and plan.org_field
                and name_raw.endswith(plan.org_suffixes)):
            facts[plan.org_field] = name_raw
            return None
        id_number = plan.id_of(id_raw)
        birth: date | None = None
        if plan.birth is not None and (text := fields[plan.birth]):
            birth = parse_date(text)
        if birth is None:
            birth = id_number.birth_date
        sex = _SEXES.get(fields[plan.sex]) if plan.sex is not None else None
        if sex is None:
            sex = id_number.sex
        region = (fields[plan.region] or None) if plan.region is not None else None
        return Mention(
            self._source, record_id, plan.role, name_or_none(name_raw), name_raw,
            id_number.number, id_raw, id_number.kind, id_number.valid, birth, sex, region,
        )


def _validated_decimal(value: str) -> Decimal:
    """Parse an amount the validator already accepted: the plain form needs no checks."""
    try:
        return Decimal(value)
    except InvalidOperation:
        return parse_amount(value)

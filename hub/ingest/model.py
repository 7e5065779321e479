"""Canonical records produced by ingest and consumed by the graph writer and linkage.

A department row becomes one :class:`CanonicalRow`: its facts (non-personal, typed) and one
:class:`Mention` per person the row names, each in a role named as FORMATS.md section 7
names it (本人, 救助对象, 经办人, 成员, 参保人, 学生, 监护人, 保障对象, 持证人, 权利人, 共有人,
所有人, 经营者/法定代表人, 纳税人, 缴存人, 客户, 户主).

Personal values (names, ID numbers, phones, addresses, account details) live only in
``Mention`` and in ``CanonicalRow.personal``; the writer encrypts them through ``privacy``
before anything reaches Neo4j.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

IdKind = Literal["id18", "id15", "invalid", "phone", "missing"]


@dataclass(frozen=True, slots=True)
class Mention:
    """One person named in one department row, in one role.

    ``id_number`` is the normalised 18-character number when the raw value could be
    normalised (spaces and full-width removed, upper-case X, 15 → 18 digits); otherwise the
    cleaned raw value (a typo, a transposition, a phone number) or ``None`` when missing.
    ``id_valid`` says whether the normalised number passes the GB 11643 checksum.
    """

    source: str
    record_id: str
    role: str
    name: str | None
    name_raw: str | None
    id_number: str | None
    id_raw: str | None
    id_kind: IdKind
    id_valid: bool
    birth_date: date | None = None
    sex: Literal["男", "女"] | None = None
    region_code: str | None = None

    @property
    def mention_key(self) -> str:
        """Stable key of the mention: ``source:record_id:role``."""
        return f"{self.source}:{self.record_id}:{self.role}"


@dataclass(slots=True)
class CanonicalRow:
    """One accepted department row: facts, personal fields and person mentions.

    ``source`` is the export's file stem (``minzheng_aid``); ``kind`` the fact kind its
    mapping declares (``basic_aid``). ``facts`` holds every mapped fact field, ``None`` when
    the cell was empty; values are ``str``, ``int``, ``Decimal`` (money), ``date`` (year-months
    as the first of the month), ``bool`` or ``list[str]``. ``row_hash`` is a stable hash of
    the row's raw field values (see :func:`hub.ingest.rowhash.row_hash`).
    """

    source: str
    record_id: str
    line_no: int
    facts: dict[str, Any] = field(default_factory=dict)
    personal: dict[str, str] = field(default_factory=dict)
    mentions: list[Mention] = field(default_factory=list)
    row_hash: str = ""
    kind: str = ""


@dataclass(frozen=True, slots=True)
class QuarantinedRow:
    """A row that could not be read, with a reason a clerk understands."""

    source: str
    file: str
    line_no: int
    record_id: str | None
    reason: str
    column: str | None
    detail: str

"""Plain data the rules work on: one household's gathered facts and the determination.

Everything here is decrypted, in-memory data for one verification. Nothing in this module
talks to Neo4j or to ``privacy``, so the rules (``eligibility``) stay pure functions that
tests can feed with hand-made households.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple


class Source(NamedTuple):
    """Where a number came from: the department and its own record id."""

    department: str
    record_id: str


@dataclass(frozen=True, slots=True)
class FamilyRow:
    """A 民政 family membership; ``family_region`` is the 家庭编号's region prefix only."""

    source: Source
    family_region: str
    category: str | None
    monthly_income: Decimal | None
    labour_capacity: str | None = None


@dataclass(frozen=True, slots=True)
class EmploymentRow:
    """A 人社 row: status, reported month, contribution base, pension."""

    source: Source
    status: str | None
    month: date | None
    base: Decimal | None = None
    pension: Decimal | None = None


@dataclass(frozen=True, slots=True)
class TaxRow:
    """A 税务 annual income (a cross-check, never an input)."""

    source: Source
    year: int | None
    amount: Decimal | None


@dataclass(frozen=True, slots=True)
class DisabilityRow:
    """A 残联 certificate: level 1–4 and whether it is valid (有效)."""

    source: Source
    level: int | None
    valid: bool


@dataclass(frozen=True, slots=True)
class SettlementRow:
    """A 医保 settlement: date, 个人自付 and whether the diagnosis is a 重特大疾病."""

    source: Source
    settled: date | None
    out_of_pocket: Decimal
    major_illness: bool


@dataclass(frozen=True, slots=True)
class StudentRow:
    """An 教育 record of one school year with its 学杂费."""

    source: Source
    school_year_start: int | None
    tuition: Decimal
    stage: str | None = None


@dataclass(frozen=True, slots=True)
class AssetRow:
    """An asset the member holds (role: 权利人, 共有人, 所有人, 客户 …)."""

    source: Source
    kind: str
    role: str | None
    subtype: str | None = None  # vehicle type, business type, use, account type
    status: str | None = None  # vehicle / registration / title / account status
    title_key: str | None = None  # blind index of a title number (dedupes co-owned titles)
    balance: Decimal | None = None


@dataclass(frozen=True, slots=True)
class AidRow:
    """A 民政 basic-aid record naming or covering the member."""

    source: Source
    programme: str | None
    start: date | None
    end: date | None
    amount: Decimal | None
    region_code: str | None
    note: str | None = None

    def current(self, on: date) -> bool:
        """Paid in ``on``'s month (no end, or the end month not before it)."""
        month = on.replace(day=1)
        started = self.start is None or self.start <= month
        return started and (self.end is None or self.end >= month)


@dataclass(frozen=True, slots=True)
class SupporterFacts:
    """A person who owes the member support (``kind``: they are the member's spouse …)."""

    person_id: str
    kind: str
    status: str | None
    birth_date: date | None
    certificates: tuple[DisabilityRow, ...] = ()
    sources: tuple[Source, ...] = ()

    def severe_certificates(self, levels: frozenset[int]) -> tuple[Source, ...]:
        """Valid disability certificates at one of ``levels``."""
        return tuple(d.source for d in self.certificates if d.valid and d.level in levels)


@dataclass(slots=True)
class MemberFacts:
    """Everything gathered about one person of the household."""

    person_id: str
    relation: str | None
    status: str | None
    birth_date: date | None
    region_code: str | None
    hukou: Source | None = None
    families: list[FamilyRow] = field(default_factory=list)
    employment: list[EmploymentRow] = field(default_factory=list)
    tax: list[TaxRow] = field(default_factory=list)
    disabilities: list[DisabilityRow] = field(default_factory=list)
    settlements: list[SettlementRow] = field(default_factory=list)
    students: list[StudentRow] = field(default_factory=list)
    assets: list[AssetRow] = field(default_factory=list)
    aid: list[AidRow] = field(default_factory=list)
    supporters: list[SupporterFacts] = field(default_factory=list)

    @property
    def alive(self) -> bool:
        """Living in the household on the as-of date (户籍 status 正常)."""
        return self.status == "正常"

    def age(self, on: date) -> int | None:
        """Age in whole years on ``on`` (None without a birth date)."""
        return age_on(self.birth_date, on)

    def severe_certificates(self, levels: frozenset[int]) -> list[Source]:
        """Valid disability certificates at one of ``levels`` (一/二级 by default)."""
        return [d.source for d in self.disabilities if d.valid and d.level in levels]

    def major_illness_sources(self) -> list[Source]:
        """医保 settlements whose diagnosis is a 重特大疾病."""
        return [s.source for s in self.settlements if s.major_illness]


@dataclass(frozen=True, slots=True)
class StandardFacts:
    """The 低保/特困 standard of a region, year and 城乡 as exported (RegionStandard)."""

    region_code: str
    year: int
    urban_rural: str
    dibao: Decimal
    tekun: Decimal | None
    asset_limit_per_capita: Decimal | None
    source: Source | None


@dataclass(slots=True)
class HouseholdFacts:
    """One 户 on the as-of date: its area, every member (living or not), the standards."""

    household_id: str
    region_code: str | None
    urban_rural: str | None
    township: str | None
    members: list[MemberFacts]
    standards: list[StandardFacts] = field(default_factory=list)

    @property
    def living(self) -> list[MemberFacts]:
        """Members with 户籍 status 正常, in a stable order."""
        return sorted((m for m in self.members if m.alive), key=lambda m: m.person_id)


def age_on(birth: date | None, on: date) -> int | None:
    """Whole years between ``birth`` and ``on``."""
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


@dataclass(frozen=True, slots=True)
class Step:
    """One rule applied: what it checked, the numbers compared, where they came from."""

    rule: str
    description: str
    outcome: str
    values: dict[str, Any] = field(default_factory=dict)
    sources: tuple[Source, ...] = ()


@dataclass(slots=True)
class MemberResult:
    """Per-member figures of a determination."""

    person_id: str
    relation: str | None
    age: int | None
    income: Decimal
    income_basis: str
    severe_disability: bool
    serious_illness: bool
    legal_supporters: list[str] = field(default_factory=list)
    labour_capacity: str | None = None


@dataclass(slots=True)
class Determination:
    """The outcome of verifying one household, with its explanation steps."""

    household_id: str
    as_of: date
    category: str
    monthly_amount: Decimal
    region_code: str | None
    urban_rural: str | None
    ruleset: str
    figures: dict[str, Any] = field(default_factory=dict)
    members: list[MemberResult] = field(default_factory=list)
    tekun_person_ids: list[str] = field(default_factory=list)
    single_person: dict[str, Decimal] = field(default_factory=dict)
    supplements: dict[str, Decimal] = field(default_factory=dict)
    asset_issues: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    phase_out: bool = False

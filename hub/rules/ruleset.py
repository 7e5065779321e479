"""Rules as data: versioned rulesets per locality, with effective dates, loaded from TOML.

A ruleset file (``hub/rules/rulesets/<locality>.toml``) holds ``[[versions]]``, each with
an ``effective_from`` date (and optionally ``effective_to``) and the sections below. The
file ``national.toml`` (locality ``*``) is the base every locality extends: a locality's
version only lists what differs. Changing a limit, a rate or an age is an edit to a file,
never to code. The standards themselves come from the ``standards`` export
(RegionStandard nodes); a version's ``standards`` table is the fallback when the export
lacks a year.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from hub.errors import HubError
from hub.rules.model import Source, StandardFacts

RULESET_DIR = Path(__file__).parent / "rulesets"
NATIONAL = "*"


class RulesetError(HubError):
    """A ruleset file is malformed, or no ruleset applies to a region and date.

    Fix the file named in the message (every problem of one file is listed together).
    """

    code = "NO_RULESET"


@dataclass(frozen=True)
class CategoryRules:
    """Thresholds of the category decision (FORMATS.md section 8)."""

    tekun_multiplier: Decimal = Decimal("1.3")
    marginal_ratio: Decimal = Decimal("1.5")
    tekun_elderly_age: int = 60
    tekun_minor_age: int = 18
    severe_levels: frozenset[int] = frozenset({1, 2})
    supporter_child_min_age: int = 18
    supporter_parent_max_age: int = 70
    supporter_kinds: frozenset[str] = frozenset({"spouse", "child", "parent"})
    single_person_inclusion: bool = True
    rigid_window_days: int = 365
    school_year_start_month: int = 9


@dataclass(frozen=True)
class IncomeRules:
    """Which records give a member's monthly income, and the work-cost deduction."""

    civil_affairs_own_region_only: bool = True
    employed_statuses: frozenset[str] = frozenset({"就业", "公益性岗位", "灵活就业"})
    pension_statuses: frozenset[str] = frozenset({"退休"})
    work_cost_deduction: Decimal = Decimal(0)
    tax_crosscheck_tolerance: Decimal = Decimal("0.25")


@dataclass(frozen=True)
class AssetRules:
    """Property limits: financial assets per capita, vehicles, businesses, homes."""

    financial_months: int = 24
    prefer_export_limit: bool = True
    financial_account_types: frozenset[str] = frozenset()  # empty = every type counts
    exempt_vehicle_types: frozenset[str] = frozenset({"摩托车", "农用车"})
    counted_vehicle_statuses: frozenset[str] = frozenset({"正常"})
    max_vehicles: int = 0
    active_business_statuses: frozenset[str] = frozenset({"存续"})
    max_active_businesses: int = 0
    residential_uses: frozenset[str] = frozenset({"住宅", "宅基地及住房"})
    current_title_statuses: frozenset[str] = frozenset({"现势"})
    max_homes: int = 1
    count_housing_fund: bool = False


@dataclass(frozen=True)
class SupplementRules:
    """分类施保: extra shares of the standard for members in special situations."""

    enabled: bool = False
    minor_age: int = 18
    elderly_age: int = 60
    minor_rate: Decimal = Decimal(0)
    elderly_rate: Decimal = Decimal(0)
    severe_disability_rate: Decimal = Decimal(0)
    serious_illness_rate: Decimal = Decimal(0)
    combine: str = "max"  # "max": the largest applicable share; "sum": all of them
    remote_rate: Decimal = Decimal(0)
    remote_townships: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PhaseOutRules:
    """渐退期: a 低保 household whose income rises stays covered for a while."""

    enabled: bool = False
    ceiling_ratio: Decimal = Decimal("1.5")
    months: int = 6


@dataclass(frozen=True)
class ReviewRules:
    """Re-verification intervals (DOMAIN.md, 'Re-verification schedule')."""

    stable_months: int = 12
    unstable_months: int = 6
    working_age_min: int = 16
    working_age_max: int = 60
    unstable_statuses: frozenset[str] = frozenset({"灵活就业", "公益性岗位", "登记失业"})
    no_capacity: frozenset[str] = frozenset({"完全丧失劳动能力", "无劳动能力"})
    horizon_days: int = 30


@dataclass(frozen=True)
class Ruleset:
    """One effective version of the rules for one locality."""

    locality: str
    version: str
    effective_from: date
    effective_to: date | None = None
    name: str = ""
    base: str = ""
    standards: Mapping[tuple[int, str], Decimal] = field(default_factory=dict)
    categories: CategoryRules = field(default_factory=CategoryRules)
    income: IncomeRules = field(default_factory=IncomeRules)
    assets: AssetRules = field(default_factory=AssetRules)
    supplements: SupplementRules = field(default_factory=SupplementRules)
    phase_out: PhaseOutRules = field(default_factory=PhaseOutRules)
    reviews: ReviewRules = field(default_factory=ReviewRules)

    @property
    def label(self) -> str:
        """``<locality>/<version>`` plus the national base it extends."""
        own = f"{self.locality}/{self.version}"
        return f"{own} (+{self.base})" if self.base else own

    def tekun_floor(self, dibao: Decimal) -> Decimal:
        """The lowest lawful 特困 standard: ceil(multiplier × 低保 standard)."""
        return Decimal(math.ceil(self.categories.tekun_multiplier * dibao))

    def standard(self, region_code: str, year: int, urban_rural: str,
                 exported: list[StandardFacts]) -> StandardFacts | None:
        """The standard for a region, year and 城乡: the export's row, else this file's."""
        for row in exported:
            if (row.region_code, row.year, row.urban_rural) == (region_code, year, urban_rural):
                return row
        fallback = self.standards.get((year, urban_rural))
        if fallback is None:
            return None
        return StandardFacts(region_code, year, urban_rural, fallback, None, None,
                             Source("规则集", self.label))


_SECTIONS: dict[str, type] = {
    "categories": CategoryRules, "income": IncomeRules, "assets": AssetRules,
    "supplements": SupplementRules, "phase_out": PhaseOutRules, "reviews": ReviewRules,
}


def _convert(kind: Any, value: Any) -> Any:
    text = str(kind)
    if "frozenset[int]" in text:
        return frozenset(int(v) for v in value)
    if "frozenset" in text:
        return frozenset(str(v) for v in value)
    if "Decimal" in text:
        return Decimal(str(value))
    if text == "bool" and not isinstance(value, bool):
        raise TypeError("expected true or false")
    if text == "int" and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError("expected an integer")
    return value


def _section(cls: type, raw: Mapping[str, Any], where: str, problems: list[str]) -> Any:
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            problems.append(f"{where}: unknown setting {key!r}")
            continue
        try:
            values[key] = _convert(known[key].type, value)
        except (TypeError, ValueError, ArithmeticError) as exc:
            problems.append(f"{where}.{key}: {exc}")
    return cls(**values)


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def build_ruleset(raw: Mapping[str, Any], *, locality: str, name: str = "", base: str = "",
                  where: str = "ruleset") -> Ruleset:
    """Turn one (merged) version table into a :class:`Ruleset`.

    Raises:
        RulesetError: every problem found, listed together.
    """
    problems: list[str] = []
    sections = {key: _section(cls, raw.get(key, {}), f"{where}.{key}", problems)
                for key, cls in _SECTIONS.items()}
    standards: dict[tuple[int, str], Decimal] = {}
    for year, by_area in raw.get("standards", {}).items():
        for area, amount in by_area.items():
            standards[(int(year), str(area))] = Decimal(str(amount))
    extra = set(raw) - set(_SECTIONS) - {"standards", "version", "effective_from",
                                         "effective_to"}
    problems.extend(f"{where}: unknown table {key!r}" for key in sorted(extra))
    start = raw.get("effective_from")
    if not isinstance(start, date):
        problems.append(f"{where}: effective_from must be a date (YYYY-MM-DD)")
    if sections["supplements"].combine not in ("max", "sum"):
        problems.append(f"{where}.supplements.combine: 'max' or 'sum'")
    if problems:
        raise RulesetError("; ".join(problems))
    return Ruleset(locality=locality, version=str(raw.get("version", "")),
                   effective_from=start, effective_to=raw.get("effective_to"), name=name,
                   base=base, standards=standards, **sections)


class RulesetRegistry:
    """Every ruleset version by locality; picks the one in force on a date."""

    def __init__(self, files: Mapping[str, Mapping[str, Any]]) -> None:
        self._files = dict(files)
        self._cache: dict[tuple[str, date], Ruleset] = {}
        for locality in self._files:  # validate every version now, not on first use
            for version in self._versions(locality):
                self._build(locality, version)

    @classmethod
    def load(cls, directory: Path = RULESET_DIR) -> RulesetRegistry:
        """Read every ``*.toml`` of a directory (one file per locality).

        Raises:
            RulesetError: a file does not parse or breaks the schema.
        """
        files: dict[str, Mapping[str, Any]] = {}
        for path in sorted(directory.glob("*.toml")):
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise RulesetError(f"{path.name}: {exc}") from exc
            locality = str(data.get("locality", path.stem))
            files[locality] = {**data, "_file": path.name}
        if NATIONAL not in files:
            raise RulesetError(f"{directory}: no national.toml (locality '*') to extend")
        return cls(files)

    def localities(self) -> list[str]:
        """Localities with their own file (besides the national base)."""
        return sorted(k for k in self._files if k != NATIONAL)

    def _versions(self, locality: str) -> list[Mapping[str, Any]]:
        versions = self._files.get(locality, {}).get("versions", [])
        return sorted(versions, key=lambda v: v.get("effective_from", date.min))

    def _in_force(self, locality: str, on: date) -> Mapping[str, Any] | None:
        chosen = None
        for version in self._versions(locality):
            start, end = version.get("effective_from"), version.get("effective_to")
            if start is not None and start <= on and (end is None or on <= end):
                chosen = version
        return chosen

    def _build(self, locality: str, version: Mapping[str, Any]) -> Ruleset:
        file = self._files[locality]
        where = f"{file.get('_file', locality)}[{version.get('version', '?')}]"
        if locality == NATIONAL:
            return build_ruleset(version, locality=locality, name=file.get("name", ""),
                                 where=where)
        national = self._in_force(NATIONAL, version["effective_from"]) or {}
        merged = _merge({k: v for k, v in national.items()
                         if k not in ("version", "effective_from", "effective_to")}, version)
        base = f"*/{national.get('version')}" if national else ""
        return build_ruleset(merged, locality=locality, name=file.get("name", ""), base=base,
                             where=where)

    def for_region(self, region_code: str | None, on: date) -> Ruleset:
        """The ruleset in force for a region on a date (the national one if none of its own).

        Raises:
            RulesetError: no version is in force on that date.
        """
        key = (region_code or NATIONAL, on)
        if key not in self._cache:
            for locality in (region_code or NATIONAL, NATIONAL):
                version = self._in_force(locality, on) if locality in self._files else None
                if version is not None:
                    self._cache[key] = self._build(locality, version)
                    break
            else:
                raise RulesetError(f"no ruleset in force for region {region_code} on {on}")
        return self._cache[key]


_default: RulesetRegistry | None = None


def default_registry() -> RulesetRegistry:
    """The rulesets the hub ships (loaded once)."""
    global _default
    if _default is None:
        _default = RulesetRegistry.load()
    return _default

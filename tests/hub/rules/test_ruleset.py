"""Rulesets as data: versions by effective date, locality over national, validation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from hub.rules.ruleset import RulesetError, RulesetRegistry, default_registry

NATIONAL = """
locality = "*"
[[versions]]
version = "n1"
effective_from = 2020-01-01
[versions.assets]
max_homes = 1
[versions.categories]
marginal_ratio = 1.5
"""

LOCAL = """
locality = "123456"
[[versions]]
version = "a"
effective_from = 2025-01-01
effective_to = 2025-12-31
[versions.assets]
max_homes = 2
[[versions]]
version = "b"
effective_from = 2026-01-01
[versions.supplements]
enabled = true
minor_rate = 0.2
[versions.standards]
"2026" = { "城市" = 900, "农村" = 700 }
"""


def write(tmp_path: Path, **files: str) -> Path:
    for name, text in files.items():
        (tmp_path / f"{name}.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_shipped_rulesets_cover_the_four_regions() -> None:
    reg = default_registry()
    assert reg.localities() == ["360222", "410502", "533401", "659001"]
    for code in reg.localities():
        rules = reg.for_region(code, date(2026, 10, 31))
        assert rules.version == "2026.1"
        assert not rules.supplements.enabled and not rules.phase_out.enabled
        assert rules.assets.financial_months == 24 and rules.assets.max_homes == 1
        assert rules.categories.marginal_ratio == Decimal("1.5")
    assert reg.for_region("659001", date(2025, 6, 1)).version == "2025.1"


def test_version_in_force_by_date_and_national_fallback(tmp_path: Path) -> None:
    reg = RulesetRegistry.load(write(tmp_path, national=NATIONAL, local=LOCAL))
    a = reg.for_region("123456", date(2025, 6, 1))
    assert (a.version, a.assets.max_homes, a.categories.marginal_ratio) == ("a", 2, Decimal("1.5"))
    b = reg.for_region("123456", date(2026, 1, 1))
    assert b.version == "b" and b.assets.max_homes == 1  # b does not inherit a's override
    assert b.supplements.enabled and b.supplements.minor_rate == Decimal("0.2")
    assert b.standards[(2026, "城市")] == Decimal(900)
    assert b.label == "123456/b (+*/n1)"
    assert reg.for_region("654321", date(2026, 1, 1)).locality == "*"
    with pytest.raises(RulesetError):
        reg.for_region("123456", date(2019, 1, 1))


def test_every_problem_is_reported(tmp_path: Path) -> None:
    bad = NATIONAL + "[versions.income]\nno_such = 1\n[versions.reviews]\nstable_months = 'x'\n"
    with pytest.raises(RulesetError) as err:
        RulesetRegistry.load(write(tmp_path, national=bad))
    assert "no_such" in str(err.value) and "stable_months" in str(err.value)


def test_national_file_is_required(tmp_path: Path) -> None:
    with pytest.raises(RulesetError):
        RulesetRegistry.load(write(tmp_path, local=LOCAL))


def test_tekun_floor_is_ceil_of_multiplier() -> None:
    rules = default_registry().for_region("410502", date(2026, 10, 31))
    assert rules.tekun_floor(Decimal(740)) == Decimal(962)
    assert rules.tekun_floor(Decimal(870)) == Decimal(1131)

"""Legal supporters (法定赡养、抚养、扶养义务人) for the 特困 test (FORMATS.md section 8).

The graph's ``SUPPORTS`` edges hold the duties 户籍 shows (spouse, parent, child — derived
from a shared 户号, 迁出 rows included). Whether a duty binds on the as-of date depends on
conditions applied here: a child only from 18, a parent only under 70, and never a person
who died or who holds a valid level 一/二级 disability certificate. Someone who moved
their 户籍 away (迁出) is alive and still a supporter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hub.rules.model import MemberFacts, Source, SupporterFacts, age_on
from hub.rules.ruleset import CategoryRules


@dataclass(frozen=True, slots=True)
class SupporterFinding:
    """One potential supporter and whether the duty binds, with the reason."""

    person_id: str
    kind: str
    age: int | None
    binds: bool
    reason: str
    sources: tuple[Source, ...]


def judge_supporter(s: SupporterFacts, on: date, rules: CategoryRules) -> SupporterFinding:
    """Decide whether one ``SUPPORTS`` duty binds on ``on``."""
    age = age_on(s.birth_date, on)
    severe = s.severe_certificates(rules.severe_levels)
    sources = s.sources + severe
    if s.kind not in rules.supporter_kinds:
        return SupporterFinding(s.person_id, s.kind, age, False, "非法定义务人类别", sources)
    if s.status == "死亡":
        return SupporterFinding(s.person_id, s.kind, age, False, "已死亡", sources)
    if severe:
        return SupporterFinding(s.person_id, s.kind, age, False, "持有效一/二级残疾证", sources)
    if s.kind == "child" and (age is None or age < rules.supporter_child_min_age):
        return SupporterFinding(s.person_id, s.kind, age, False,
                                f"子女未满{rules.supporter_child_min_age}周岁", sources)
    if s.kind == "parent" and (age is None or age >= rules.supporter_parent_max_age):
        return SupporterFinding(s.person_id, s.kind, age, False,
                                f"父母已满{rules.supporter_parent_max_age}周岁", sources)
    return SupporterFinding(s.person_id, s.kind, age, True, "有赡养/抚养/扶养能力", sources)


def legal_supporters(member: MemberFacts, on: date, rules: CategoryRules
                     ) -> list[SupporterFinding]:
    """Every potential supporter of a member, judged (binding ones have ``binds``)."""
    found = [judge_supporter(s, on, rules) for s in member.supporters]
    return sorted(found, key=lambda f: (not f.binds, f.kind, f.person_id))

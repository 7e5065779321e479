"""Declarative linkage settings, in the spirit of Splink's ``SettingsCreator``.

One :class:`LinkageSettings` object says everything a run needs: the blocking rules, the
comparisons and their discrete levels, the Fellegi–Sunter prior and the trained m/u
probabilities, the band thresholds, the evidence gate and the name-only rules. It round-trips
through JSON (:meth:`LinkageSettings.to_json` / :meth:`LinkageSettings.from_json`), so every
``hub link`` run can store the exact settings and weights it used and any link weight can be
explained later.

Level codes: a comparison returns ``-1`` when either side is missing (the comparison is left
out of the weight), otherwise an integer ``0 … len(levels) - 1`` where ``0`` is the weakest
agreement (usually "different") and the last level the strongest ("exact").
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

LinkType = Literal["dedupe", "link"]
Training = Literal["em", "random_u_labelled_m"]
ComparisonKind = Literal["exact", "string", "id_number", "name_zh", "date", "household"]
BlockKind = Literal["exact", "sorted_neighbourhood", "exact_when_missing"]


@dataclass
class ComparisonSpec:
    """One comparison: which columns, which comparator, which levels, and its weights.

    Attributes:
        name: Label of the comparison (the column name in the comparison vectors).
        kind: Comparator family (see ``compare.py``).
        columns: Input columns the comparator reads, in the order the comparator expects.
        levels: Names of the levels, weakest first.
        thresholds: Similarity cut-offs for ``string`` and ``name_zh`` fuzzy levels.
        m: P(level | match) per level, filled by training.
        u: P(level | non-match) per level, filled by training.
        fixed: Keep m/u as given; EM does not re-estimate them.
    """

    name: str
    kind: ComparisonKind
    columns: list[str]
    levels: list[str]
    thresholds: list[float] = field(default_factory=list)
    m: list[float] | None = None
    u: list[float] | None = None
    fixed: bool = False

    def weights(self) -> list[float]:
        """Return the log2 Bayes factor ``log2(m/u)`` of every level.

        Returns:
            One weight per level; ``0.0`` for every level when untrained.
        """
        if self.m is None or self.u is None:
            return [0.0] * len(self.levels)
        return [math.log2(m / u) for m, u in zip(self.m, self.u, strict=True)]


@dataclass
class BlockingRule:
    """A rule that proposes candidate pairs.

    Attributes:
        name: Readable name, e.g. ``block_on_birth_date_and_region``.
        kind: ``exact`` (equal on all columns), ``sorted_neighbourhood`` (window over the
            sorted first column, within equal values of the remaining columns) or
            ``exact_when_missing`` (equal on all columns, only for records whose
            ``when_missing`` column is empty).
        columns: Columns the rule reads.
        window: Window size for ``sorted_neighbourhood``.
        when_missing: Column that must be empty on at least one side, for
            ``exact_when_missing``.
    """

    name: str
    kind: BlockKind
    columns: list[str]
    window: int = 3
    when_missing: str | None = None


@dataclass
class EvidenceGate:
    """A condition at least one of which a pair must meet to be auto-linked.

    Attributes:
        comparison: Comparison name.
        min_level: Lowest level that counts as identifying evidence.
    """

    comparison: str
    min_level: int


@dataclass
class NameOnlyRule:
    """Resolve mentions that carry a name only, by a deterministic rule.

    Attributes:
        name: Rule name (stored as the link method).
        roles: Roles the rule applies to.
        target_sources: Sources whose people are the candidates; empty means any.
        match_on: Columns that must be equal between the mention and the candidate.
    """

    name: str
    roles: list[str]
    target_sources: list[str] = field(default_factory=list)
    match_on: list[str] = field(default_factory=lambda: ["name_key"])


@dataclass
class LinkageSettings:
    """Everything a linkage run needs, declaratively.

    Attributes:
        link_type: ``dedupe`` (one table) or ``link`` (two tables).
        unique_id_column: Column that identifies a record.
        comparisons: Comparisons and their trained weights.
        blocking_rules: Candidate-pair rules, unioned.
        prior: Prior probability that a candidate pair is a match (EM re-estimates it).
        training: ``em`` (m, u and prior by EM over the candidate pairs) or
            ``random_u_labelled_m`` (u on random pairs, m on pairs sharing
            ``m_label_column``, prior kept: see ``training.py``).
        u_sample_pairs: Random pairs that estimate u (``random_u_labelled_m``).
        u_sample_seed: Seed of those random pairs.
        m_label_column: Column whose shared value labels a candidate pair a match.
        em_max_iterations: EM iteration cap.
        em_tolerance: EM stops when no parameter moves by more than this.
        link_threshold: Match weight (log2 odds) at or above which a pair links.
        review_threshold: Match weight at or above which a non-linking pair is reviewed.
        evidence_gates: An auto-link needs at least one of these (empty: no gate).
        cannot_link_column: Column of values that must never share a cluster when they
            differ (valid ID numbers); ``None`` disables the check.
        ambiguity_margin: A record without ``cannot_link_column`` whose link-band edges
            reach two different values is sent to review unless the best edge beats the
            next by this many bits.
        name_only_rules: Deterministic rules for name-only mentions.
        person_id_prefix: Prefix of new person ids.
        trained: Whether m/u come from training.
    """

    link_type: LinkType = "dedupe"
    unique_id_column: str = "mention_key"
    comparisons: list[ComparisonSpec] = field(default_factory=list)
    blocking_rules: list[BlockingRule] = field(default_factory=list)
    prior: float = 0.01
    training: Training = "em"
    u_sample_pairs: int = 2_000_000
    u_sample_seed: int = 20140
    m_label_column: str | None = None
    em_max_iterations: int = 100
    em_tolerance: float = 1e-5
    link_threshold: float = 6.0
    review_threshold: float = 0.0
    evidence_gates: list[EvidenceGate] = field(default_factory=list)
    cannot_link_column: str | None = None
    ambiguity_margin: float = 4.0
    name_only_rules: list[NameOnlyRule] = field(default_factory=list)
    person_id_prefix: str = "P"
    trained: bool = False

    def comparison(self, name: str) -> ComparisonSpec:
        """Return the comparison called ``name``.

        Raises:
            KeyError: No comparison has that name.
        """
        for spec in self.comparisons:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """Return a plain, JSON-serialisable dict of the settings."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinkageSettings:
        """Build settings from :meth:`to_dict` output (or hand-written JSON)."""
        data = dict(data)
        data["comparisons"] = [ComparisonSpec(**c) for c in data.get("comparisons", [])]
        data["blocking_rules"] = [BlockingRule(**b) for b in data.get("blocking_rules", [])]
        data["evidence_gates"] = [EvidenceGate(**g) for g in data.get("evidence_gates", [])]
        data["name_only_rules"] = [NameOnlyRule(**r) for r in data.get("name_only_rules", [])]
        return cls(**data)

    def to_json(self, path: str | Path | None = None) -> str:
        """Serialise to JSON, optionally writing it to ``path``.

        Returns:
            The JSON text.
        """
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=True)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_json(cls, source: str | Path) -> LinkageSettings:
        """Load settings from JSON text or from a path to a JSON file."""
        text = str(source)
        if not text.lstrip().startswith("{"):
            text = Path(source).read_text(encoding="utf-8")
        return cls.from_dict(json.loads(text))

    def copy(self) -> LinkageSettings:
        """Return a deep copy (settings are mutated by training)."""
        return LinkageSettings.from_dict(self.to_dict())

    def with_thresholds(self, link: float, review: float) -> LinkageSettings:
        """Return a copy with other band thresholds."""
        return replace(self.copy(), link_threshold=link, review_threshold=review)

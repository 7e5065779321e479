"""Confirm candidate households' categories with ``hub.rules`` (the eligibility authority).

Monitoring screens every household with its own light economics (:mod:`.household`), which
is fast at scale; the few uncovered low-income candidates are then verified by
``hub.rules.Verifier`` (特困 first, 刚性支出, 单人户 inclusion, ruleset per region and date),
so an alert never rests on a simplified rule. A household the rules cannot decide (no
standard, no ruleset) keeps the screening category.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from hub.errors import HubError
from hub.privacy_graph.kit import PrivacyKit
from hub.store import Store

log = logging.getLogger(__name__)
_CHUNK = 200


@dataclass(frozen=True, slots=True)
class Verdict:
    """The rules' category and the members they would include individually (单人户)."""

    category: str
    single_person_ids: frozenset[str]


def verify(store: Store, kit: PrivacyKit, household_ids: Sequence[str], as_of: date
           ) -> dict[str, Verdict]:
    """Verdicts for the households ``hub.rules`` can decide (others are left out)."""
    if not household_ids:
        return {}
    from hub.rules import Verifier  # the rules package is optional for monitoring

    verifier = Verifier(store, kit)
    verdicts: dict[str, Verdict] = {}
    undecided = 0
    for start in range(0, len(household_ids), _CHUNK):
        for hid, facts in verifier.gather(household_ids[start:start + _CHUNK]).items():
            try:
                determination = verifier.decide(facts, as_of)
            except HubError:
                undecided += 1
                continue
            verdicts[hid] = Verdict(determination.category,
                                    frozenset(determination.single_person))
    if undecided:
        log.warning("hub.rules could not decide %d candidate households", undecided)
    return verdicts

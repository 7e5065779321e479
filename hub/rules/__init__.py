"""Household economic-status verification (家庭经济状况核对), eligibility and reviews.

Rules are data (``rulesets/*.toml``, versioned per locality with effective dates); the
standards come from the ``standards`` export. ``verify_household`` gathers every member's
facts in one round trip, decides the category with :func:`determine` (pure) and explains
every rule applied; ``reviews_due`` draws up the re-verification schedule; ``to_json`` and
``to_html`` export a determination.
"""

from hub.rules.eligibility import MissingStandardError, determine
from hub.rules.model import Determination, HouseholdFacts, Source, Step
from hub.rules.report import to_html, to_json
from hub.rules.reviews import ReviewDue, reviews_due
from hub.rules.ruleset import Ruleset, RulesetError, RulesetRegistry, default_registry
from hub.rules.verify import ApplicantNotFoundError, Verifier, verify_household

__all__ = [
    "ApplicantNotFoundError",
    "Determination",
    "HouseholdFacts",
    "MissingStandardError",
    "ReviewDue",
    "Ruleset",
    "RulesetError",
    "RulesetRegistry",
    "Source",
    "Step",
    "Verifier",
    "default_registry",
    "determine",
    "reviews_due",
    "to_html",
    "to_json",
    "verify_household",
]

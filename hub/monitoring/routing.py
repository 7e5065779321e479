"""Who must act on an alert: the department responsible for its hardship or programme.

DOMAIN.md "dynamic monitoring": possibly-eligible people are "pushed by hardship type to the
responsible department", and possibly-ineligible ones go to whoever pays the aid. The
assignment follows the seeds: 民政 pays basic aid and answers for its integrity, 住建 for
housing, 残联 for disability, 医保 for serious illness, 教育 for students, 人社 for
unemployment, 乡村振兴 for post-poverty monitoring cases.
"""

from __future__ import annotations

from typing import Final

from hub.monitoring import model

TYPE_DEPARTMENT: Final[dict[str, str]] = {
    model.STILL_RECEIVING_AFTER_DEATH: "民政",
    model.ASSET_DISQUALIFIES: "民政",
    model.DUPLICATE_BASIC_AID: "民政",
    model.EXCLUSIVE_OVERLAP: "民政",
    model.DOUBLE_HOUSING_AID: "住建",
    model.KIN_OF_STAFF: "民政",
    model.MISSED_ELIGIBLE: "民政",
    model.UNEMPLOYED_NOT_COVERED: "人社",
    model.STUDENT_WITHOUT_AID: "教育",
    model.MONITORED_NOT_COVERED: "乡村振兴",
}

HARDSHIP_DEPARTMENT: Final[dict[str, str]] = {
    "disability": "残联",
    "illness": "医保",
    "unemployment": "人社",
    "student": "教育",
    "monitoring": "乡村振兴",
}

# programmes that may not be received at the same time by one person (besides the housing
# pair, which is checked per household as double_housing_aid)
EXCLUSIVE_PROGRAMMES: Final[tuple[tuple[frozenset[str], frozenset[str]], ...]] = (
    (frozenset({"特困供养"}), frozenset({"城市低保", "农村低保"})),
)
HOUSING_FLAT: Final = "公租房实物配租"
HOUSING_SUBSIDY: Final = "租赁补贴"


def department_for(finding: model.Finding) -> str:
    """The responsible department: by hardship when the finding has one, else by type.

    Raises:
        KeyError: an unknown type or hardship (a programming error, not bad data).
    """
    if finding.hardship is not None:
        return HARDSHIP_DEPARTMENT[finding.hardship]
    return TYPE_DEPARTMENT[finding.type]

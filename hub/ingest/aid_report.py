"""``reportAid``: a department feeds back aid it has just granted (一户一条救助链).

The report names the recipient by resident ID number (looked up through its blind index,
never stored in plain), and becomes an ``AidRecord`` fact ``GRANTED_TO`` that person, with
the caller's organisation as department. The department's own record id makes a report
idempotent: the same record reported twice is one fact. Errors name the bad field and
never echo a value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from graph_schema.queries import people as q
from hub.errors import HubError
from hub.lookups.cards import AidView, aid_view, blind_id
from hub.store import Store
from privacy import BlindIndexer, InvalidIdentifierError

PERIODS = frozenset({"monthly", "yearly", "one_off"})
MAX_AMOUNT = 10_000_000.0
_REGION = re.compile(r"^\d{6}$")
_RECORD_ID = re.compile(r"^[\w\-.:]{1,64}$")


class AidReportError(HubError):
    """A report was refused; the message is safe to show the caller."""

    code = "BAD_INPUT"


class InvalidAidReportError(AidReportError):
    """A field of the report is malformed (the field is named, its value is not)."""


class RecipientNotFoundError(AidReportError):
    """No person in the graph has that ID number."""

    code = "NOT_FOUND"


class RecipientOutOfJurisdictionError(AidReportError):
    """The recipient or the report's region lies outside the caller's region codes."""

    code = "FORBIDDEN"


@dataclass(frozen=True)
class AidReport:
    """One aid grant as a department reports it."""

    id_number: str
    record_id: str
    programme: str
    amount: float
    period: str
    start: date
    region_code: str
    end: date | None = None


def validate(report: AidReport) -> list[str]:
    """Every problem of the report (field names and rules, never values)."""
    problems = []
    if not _RECORD_ID.match(report.record_id or ""):
        problems.append("recordId: 1-64 letters, digits or - _ . :")
    if not report.programme or len(report.programme.strip()) > 64:
        problems.append("programme: required, at most 64 characters")
    if not 0 <= report.amount <= MAX_AMOUNT:
        problems.append(f"amount: between 0 and {MAX_AMOUNT:.0f}")
    if report.period not in PERIODS:
        problems.append(f"period: one of {', '.join(sorted(PERIODS))}")
    if not _REGION.match(report.region_code or ""):
        problems.append("regionCode: six digits")
    if report.end is not None and report.end < report.start:
        problems.append("end: not before start")
    return problems


def report_aid(store: Store, indexer: BlindIndexer, report: AidReport, *, department: str,
               reported_by: str, regions: list[str] | None) -> AidView:
    """Validate the report, find the recipient, and write the aid record.

    Raises:
        InvalidAidReportError: a malformed field or ID number.
        RecipientNotFoundError: nobody in the graph has that ID number.
        RecipientOutOfJurisdictionError: recipient or region outside ``regions``.
    """
    problems = validate(report)
    try:
        bi_id = blind_id(indexer, report.id_number)
    except InvalidIdentifierError:
        problems.insert(0, "idNumber: not a valid resident ID number")
    if problems:
        raise InvalidAidReportError("; ".join(problems))
    rows = store.read(q.PERSON_FOR_AID_REPORT, bi_id=bi_id)
    if not rows:
        raise RecipientNotFoundError("no person with that ID number")
    person = rows[0]
    if regions is not None and (person["region_code"] not in regions
                                or report.region_code not in regions):
        raise RecipientOutOfJurisdictionError("the recipient is outside your jurisdiction")
    props = {"source": "report", "record_id": report.record_id, "kind": "aid",
             "department": department, "programme": report.programme.strip(),
             "amount": float(report.amount), "period": report.period, "start": report.start,
             "end": report.end, "region_code": report.region_code,
             "reported_by": reported_by}
    written = store.write(q.CREATE_REPORTED_AID, person_id=person["person_id"],
                          fact_key=f"report:{department}:{report.record_id}",
                          props={k: v for k, v in props.items() if v is not None})
    return aid_view(written[0]["aid"])


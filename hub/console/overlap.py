"""The department's pre-grant overlap check (重复救助核查): does the applicant already get aid?

A department planning a grant enters the applicant (ID number or person id), optionally
the programme it plans and the date to judge on; the page runs ``overlaps`` and shows
what it returns for the session's role: whether the applicant receives aid, each current
programme with its department and whether it is the applicant's own or another household
member's, the programmes that conflict with the planned one and why (the rule behind
it), and the one-bit signal about aid outside the caller's jurisdiction. Amounts and
periods are never part of the answer, so they are not on the page either.

An ID number is checked (format, check digit) before anything runs and never echoed back:
the answer names the person by id only.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from hub.monitoring.overlap import BASIC_AID, HOUSING
from privacy import InvalidIdentifierError, normalise_id_number

from .bridge import run_document
from .pages import MAX_FIELD_CHARS, messages, render, session_of, to_signin

OVERLAP_DOCUMENT = """
query ConsoleOverlap($person: String!, $programme: String, $asOf: Date) {
  overlaps(person: $person, programme: $programme, asOf: $asOf) {
    personFound personId receiving
    programmes { programme department via }
    conflicts
    elsewhere { receiving conflict }
  }
}"""

# The programmes the conflict rules know (hub.monitoring.overlap), then the names the
# check gives the health departments' aid (which subsidy exactly would tell a health fact).
PROGRAMMES: tuple[str, ...] = (*sorted(BASIC_AID), *sorted(HOUSING), "医疗救助", "残疾人两项补贴")
PERSON_ID = re.compile(r"P[0-9A-F]{6,64}")  # the API's own test (resolvers.monitoring)
VIA_LABELS = {"self": "本人享受", "household": "家庭其他成员享受"}
BAD_APPLICANT = "申请人应为 18 位身份证号（末位为数字或 X，校验位须正确）或人员编号（P 开头）"
BAD_DATE = "核查日期格式不正确（应为 YYYY-MM-DD，如 2026-10-31）"
BAD_PROGRAMME = "拟发放项目不在可选列表中"


def conflict_reason(planned: str, other: str) -> str:
    """Why ``other`` (currently received) may not be combined with ``planned``: the rule
    of :func:`hub.monitoring.overlap._conflicts` that matched, in words."""
    if other == planned:
        return "同一救助项目不得重复享受"
    if planned in HOUSING and other in HOUSING:
        return "公租房实物配租与租赁补贴不得同时享受（按户判断，含家庭其他成员）"
    if planned in BASIC_AID and other in BASIC_AID:
        return "基本生活救助（城市低保、农村低保、特困供养）不得同时享受"
    return "两项救助不得同时享受"


def conflict_rows(answer: dict[str, Any], planned: str) -> list[dict[str, Any]]:
    """Each conflicting programme with the departments paying it, how it is received
    (from the answer's ``programmes``) and the reason."""
    rows = []
    for name in answer.get("conflicts") or []:
        held = [p for p in answer.get("programmes") or [] if p.get("programme") == name]
        rows.append({"programme": name, "reason": conflict_reason(planned, name),
                     "held": [{**p, "via_label": VIA_LABELS.get(p.get("via") or "", "")}
                              for p in held]})
    return rows


def _applicant(raw: str) -> str | None:
    """A person id as typed, or the ID number normalised; ``None`` when it is neither."""
    if PERSON_ID.fullmatch(raw):
        return raw
    if len(raw) > 32:
        return None
    try:
        return normalise_id_number(raw)
    except (InvalidIdentifierError, ValueError):
        return None


def _as_of(raw: str) -> str | None:
    """The date as ``YYYY-MM-DD``, or ``None`` when malformed."""
    if len(raw) != 10:
        return None
    try:
        return date.fromisoformat(raw).isoformat()
    except ValueError:
        return None


async def overlap(request: Request) -> Response:
    """GET: the form; with an applicant, the check's answer below it."""
    session = session_of(request)
    if session is None:
        return to_signin()
    query = request.query_params
    raw = query.get("applicant", "").strip()
    planned = query.get("programme", "").strip()
    raw_date = query.get("as_of", "").strip()
    # echo back only what is safe and valid: a person id, a listed programme, a date
    context: dict[str, Any] = {
        "programmes": PROGRAMMES, "applicant": raw if PERSON_ID.fullmatch(raw) else "",
        "programme": planned if planned in PROGRAMMES else "",
        "as_of": raw_date if _as_of(raw_date) else "", "result": None, "conflict_rows": []}
    if not raw:
        return render(request, "overlap.html", context)
    problems = []
    person = _applicant(raw) if len(raw) <= MAX_FIELD_CHARS else None
    if person is None:
        problems.append(BAD_APPLICANT)
    if planned and planned not in PROGRAMMES:
        problems.append(BAD_PROGRAMME)
    day = _as_of(raw_date) if raw_date else None
    if raw_date and day is None:
        problems.append(BAD_DATE)
    if problems:
        return render(request, "overlap.html", {**context, "errors": problems}, status_code=400)
    variables = {"person": person, "programme": planned or None, "asOf": day}
    page = await run_document(request, session, OVERLAP_DOCUMENT, variables)
    result = page.data.get("overlaps")
    return render(request, "overlap.html", {
        **context, "result": result, "errors": messages(page), "planned": planned,
        "conflict_rows": conflict_rows(result, planned) if result else [],
        "via_labels": VIA_LABELS}, status_code=page.status)


ROUTES: list[BaseRoute] = [
    Route("/overlap", overlap, name="console-overlap"),
]

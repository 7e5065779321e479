"""The auditor's pages: search the audit log, verify its hash chain.

Both run the API's own fields (``auditEvents`` with its filter, ``auditChain``), so only
the audit administrator under purpose ``audit`` gets an answer, every other session sees
the policy's refusal, and each look at the log is itself audited. Nothing here writes:
the filter and the verification are plain GET forms.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .bridge import run_document
from .pages import PURPOSE_LABELS, messages, render, session_of, to_signin, too_long

PAGE_SIZE = 50
EVENTS_DOCUMENT = """
query ConsoleAuditEvents($after: Int!, $where: AuditEventFilter) {
  auditEvents(first: 50, after: $after, where: $where) {
    events { seq at actor org roles purpose action decision reason legalBasis consentId
             subjectRef fieldsReturned fieldsMasked fieldsDenied correlationId }
    nextCursor
  }
}"""

CHAIN_DOCUMENT = """
query ConsoleAuditChain {
  auditChain { ok events lastSeq headHash checkpointsVerified legacyEvents
               headAuthenticated anchoredSeq broken { seq kind detail } }
}"""

# form field → AuditEventFilter field (exact matches)
TEXT_FILTERS = {"actor": "actor", "org": "org", "purpose": "purpose", "decision": "decision",
                "subject_ref": "subjectRef", "correlation_id": "correlationId"}
TIME_FILTERS = {"since": "起始时间", "until": "截止时间"}
FORM_FIELDS = (*TEXT_FILTERS, *TIME_FILTERS)
DECISIONS = {"allow": "允许", "mask": "脱敏", "partial": "部分拒绝", "deny": "拒绝"}
PURPOSES = {**PURPOSE_LABELS, "security_administration": "安全管理"}
CHAIN_KINDS = {"edited": "事件被改动", "deleted": "事件被删除", "reordered": "顺序被打乱",
               "truncated": "链尾被截断", "checkpoint": "检查点不符", "forged": "事件 MAC 不符",
               "head": "链头不符", "anchor": "与外部锚定不符", "replaced": "链被整体替换"}


def parse_moment(value: str, *, end: bool) -> datetime:
    """A form's time (``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM``) as UTC; a bare end date
    counts through that day (the filter's ``until`` is exclusive).

    Raises:
        ValueError: not a date or date-time.
    """
    if len(value) == 10:
        day = date.fromisoformat(value)
        moment = datetime.combine(day + timedelta(days=1) if end else day,
                                  datetime.min.time())
    else:
        moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _filters(query: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The ``AuditEventFilter`` of the form, and a message per malformed field."""
    where: dict[str, Any] = {}
    problems: list[str] = []
    for name, field in TEXT_FILTERS.items():
        if query.get(name):
            where[field] = query[name]
    for name, label in TIME_FILTERS.items():
        if not query.get(name):
            continue
        try:
            where[name] = parse_moment(query[name], end=name == "until").isoformat()
        except ValueError:
            problems.append(f"{label}格式不正确（应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM，UTC）")
    return where, problems


def _form(request: Request) -> dict[str, str]:
    return {name: request.query_params.get(name, "").strip() for name in FORM_FIELDS}


def _page(request: Request, status_code: int = 200, **context: Any) -> Response:
    base: dict[str, Any] = {"form": _form(request), "log": None, "chain": None,
                            "next_url": None, "decisions": DECISIONS, "purposes": PURPOSES,
                            "chain_kinds": CHAIN_KINDS}
    base.update(context)
    return render(request, "audit.html", base, status_code=status_code)


async def audit_log(request: Request) -> Response:
    """GET: the filter form and a page of matching events, oldest first."""
    session = session_of(request)
    if session is None:
        return to_signin()
    form = _form(request)
    after = request.query_params.get("after", "0").strip() or "0"
    problem = too_long({**form, "after": after})
    where, problems = _filters(form)
    if problem:
        problems.insert(0, problem)
    if not (after.isdigit() and len(after) <= 12):
        problems.append("分页参数 after 应为非负整数")
    if problems:
        return _page(request, 400, errors=problems)
    page = await run_document(request, session, EVENTS_DOCUMENT,
                              {"after": int(after), "where": where or None})
    log = page.data.get("auditEvents")
    kept = {k: v for k, v in form.items() if v}
    next_url = None
    if log and log.get("nextCursor") is not None:
        next_url = f"{request.url.path}?{urlencode({**kept, 'after': log['nextCursor']})}"
    return _page(request, page.status, log=log, next_url=next_url,
                 first_url=f"{request.url.path}?{urlencode(kept)}", after=int(after),
                 errors=messages(page))


async def audit_chain(request: Request) -> Response:
    """GET: verify the whole chain now and show the report (reads only, writes nothing
    but the audit event of this look)."""
    session = session_of(request)
    if session is None:
        return to_signin()
    page = await run_document(request, session, CHAIN_DOCUMENT)
    return _page(request, page.status, chain=page.data.get("auditChain"),
                 errors=messages(page))


ROUTES: list[BaseRoute] = [
    Route("/audit", audit_log, name="console-audit"),
    Route("/audit/chain", audit_chain, name="console-audit-chain"),
]

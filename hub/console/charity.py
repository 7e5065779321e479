"""Charity matching on the console (政府救助与慈善帮扶衔接): the charity's side and the
caseworker's referral queue.

The charity (purpose ``charity_matching``) sees its donations (``donations``) and, for
one, the de-identified matches (``donationMatches``): a random referral token, county,
need, household size and reasons, never who the recipient is. Asking for the matches is
what proposes the referrals (the API's workflow: a fitting, consenting recipient gets a
``proposed`` referral). A referral's contact (``referralContact``) is released only after
a caseworker recorded the recipient's acceptance; before that the page shows the API's
refusal and nothing else.

The caseworker (purpose ``aid_administration``) works the referral queue
(``referralQueue``): confirms a proposed referral (``confirmReferral``) and records the
recipient's answer with its evidence (``recordReferralDecision``). Both forms are
CSRF-checked first; bad input is answered on the page and changes nothing.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .bridge import PageData, run_document
from .pages import (
    CSRF_FAILED,
    form_fields,
    markup_problem,
    messages,
    render,
    session_of,
    to_signin,
    too_long,
)
from .security import csrf_ok

DONATION_FIELDS = """donationId charityId title category regionPrefix periodStart periodEnd
  quantity allocated amountPerRecipient ageMin ageMax householdTypes programmeStatuses
  publishedAt"""
REFERRAL_FIELDS = """referralToken status donationId charityId category regionCode subjectKind
  subjectId consentId createdAt confirmedAt decidedAt evidenceRef"""

DONATIONS_DOCUMENT = f"""
query ConsoleDonations {{
  donations(first: 50) {{ {DONATION_FIELDS} }}
}}"""

MATCHES_DOCUMENT = f"""
query ConsoleDonationMatches($donationId: ID!) {{
  donationMatches(donationId: $donationId, first: 50) {{
    donation {{ {DONATION_FIELDS} }}
    matches {{ referralToken regionCode category householdSize reasons score status }}
    excludedGovernmentAid excludedAlreadyMatched
  }}
}}"""

CONTACT_DOCUMENT = """
query ConsoleReferralContact($referralToken: String!) {
  referralContact(referralToken: $referralToken) { referralToken regionCode name phone }
}"""

QUEUE_DOCUMENT = f"""
query ConsoleReferralQueue($status: [String!]) {{
  referralQueue(status: $status, first: 50) {{ {REFERRAL_FIELDS} }}
}}"""

CONFIRM_DOCUMENT = f"""
mutation ConsoleConfirmReferral($referralToken: String!) {{
  confirmReferral(referralToken: $referralToken) {{ {REFERRAL_FIELDS} }}
}}"""

DECISION_DOCUMENT = f"""
mutation ConsoleReferralDecision($referralToken: String!, $accepted: Boolean!,
                                 $evidenceRef: String!) {{
  recordReferralDecision(referralToken: $referralToken, accepted: $accepted,
                         evidenceRef: $evidenceRef) {{ {REFERRAL_FIELDS} }}
}}"""

CATEGORY_LABELS = {
    "education": "教育助学", "medical": "医疗帮扶", "elderly_care": "养老照护",
    "disability_aids": "助残辅具", "housing_repair": "住房修缮", "winter_heating": "冬季取暖",
    "daily_living": "生活帮扶"}
STATUS_LABELS = {"proposed": "已提出（待经办人员确认）", "confirmed": "已确认（待征询受助人）",
                 "accepted": "受助人已同意", "declined": "受助人已谢绝", "withdrawn": "已撤回"}
DONATION_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")
REFERRAL_TOKEN = re.compile(r"ref-[A-Za-z0-9_-]{1,64}")
EVIDENCE_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/#-]{0,127}")  # the API's own rule
CONTACT_RULE = ("联系方式仅在民政经办人员确认转介、并记录受助人同意之后才向本机构提供"
                "（每次查看均记入审计日志）")


def _labels() -> dict[str, Any]:
    return {"category_labels": CATEGORY_LABELS, "status_labels": STATUS_LABELS}



# -- the charity ------------------------------------------------------------------------------

async def donations(request: Request) -> Response:
    """GET: the charity's donations."""
    session = session_of(request)
    if session is None:
        return to_signin()
    page = await run_document(request, session, DONATIONS_DOCUMENT)
    return render(request, "charity.html", {
        **_labels(), "donations": page.data.get("donations") if page.ok else None,
        "errors": messages(page)}, status_code=page.status)


async def donation(request: Request) -> Response:
    """GET: one donation and its de-identified matches (asking proposes the referrals)."""
    session = session_of(request)
    if session is None:
        return to_signin()
    donation_id = request.path_params["donation_id"]
    if not DONATION_ID.fullmatch(donation_id):
        return render(request, "donation.html", {**_labels(), "result": None, "errors": [
            "捐赠项目编号格式不正确"]}, status_code=400)
    page = await run_document(request, session, MATCHES_DOCUMENT,
                              {"donationId": donation_id})
    return render(request, "donation.html", {
        **_labels(), "result": page.data.get("donationMatches") if page.ok else None,
        "errors": messages(page), "contact_rule": CONTACT_RULE}, status_code=page.status)


async def contact(request: Request) -> Response:
    """GET: the contact an accepted referral releases to its charity (audited per read);
    before acceptance the API refuses and the page says why."""
    session = session_of(request)
    if session is None:
        return to_signin()
    token = request.path_params["token"]
    if not REFERRAL_TOKEN.fullmatch(token):
        return render(request, "referral_contact.html", {"contact": None, "errors": [
            "转介编号格式不正确"], "contact_rule": CONTACT_RULE}, status_code=400)
    page = await run_document(request, session, CONTACT_DOCUMENT, {"referralToken": token})
    return render(request, "referral_contact.html", {
        "contact": page.data.get("referralContact") if page.ok else None, "token": token,
        "errors": messages(page), "contact_rule": CONTACT_RULE}, status_code=page.status)


# -- the caseworker ---------------------------------------------------------------------------

async def _queue_context(request: Request, status: str) -> tuple[dict[str, Any], PageData]:
    page = await run_document(request, session_of(request), QUEUE_DOCUMENT,
                              {"status": [status] if status else None})
    return {**_labels(), "chosen": status,
            "referrals": page.data.get("referralQueue") if page.ok else None}, page


async def referrals(request: Request) -> Response:
    """GET: the referrals awaiting a caseworker in the caller's jurisdiction (or those in
    the chosen status)."""
    session = session_of(request)
    if session is None:
        return to_signin()
    status = request.query_params.get("status", "").strip()
    if status and status not in STATUS_LABELS:
        return render(request, "referrals.html", {**_labels(), "referrals": None, "chosen": "",
                                                  "errors": ["转介状态不在可选列表中"]},
                      status_code=400)
    context, page = await _queue_context(request, status)
    return render(request, "referrals.html", {**context, "errors": messages(page)},
                  status_code=page.status)


def _decision_problem(fields: dict[str, str]) -> str | None:
    """A message for a bad answer form (nothing is written), or ``None``."""
    long = too_long(fields)
    if long:
        return long
    if fields.get("accepted", "") not in ("yes", "no"):
        return "请选择受助人的答复（同意或谢绝）；未作任何更改"
    evidence = fields.get("evidence_ref", "").strip()
    if not evidence:
        return "请填写答复凭证编号（evidence_ref）；未作任何更改"
    if markup := markup_problem("答复凭证编号（evidence_ref）", evidence):
        return markup
    if not EVIDENCE_REF.fullmatch(evidence):
        return ("答复凭证编号（evidence_ref）只能由字母、数字和 . _ : / # - 组成，"
                "以字母或数字开头；未作任何更改")
    return None


async def _write(request: Request, action: str) -> Response:
    """POST: confirm a referral, or record the recipient's answer (CSRF first; bad input
    writes nothing). The queue is shown again, with the referral as it now stands."""
    session = session_of(request)
    if session is None:
        return to_signin()
    token = request.path_params["token"]
    fields = await form_fields(request)
    if not csrf_ok(session.csrf, fields.get("csrf")):
        return render(request, "referrals.html", {**_labels(), "referrals": None, "chosen": "",
                                                  "errors": [CSRF_FAILED]}, status_code=403)
    fields.pop("csrf", None)
    problem = None if REFERRAL_TOKEN.fullmatch(token) else "转介编号格式不正确；未作任何更改"
    if problem is None and action == "decision":
        problem = _decision_problem(fields)
    elif problem is None:
        problem = too_long(fields)
    errors: list[str] = []
    notices: list[str] = []
    changed = None
    status_code = 400
    if problem is not None:
        errors.append(problem)
    else:
        if action == "confirm":
            document, key = CONFIRM_DOCUMENT, "confirmReferral"
            variables: dict[str, Any] = {"referralToken": token}
        else:
            document, key = DECISION_DOCUMENT, "recordReferralDecision"
            variables = {"referralToken": token, "accepted": fields["accepted"] == "yes",
                         "evidenceRef": fields["evidence_ref"].strip()}
        page = await run_document(request, session, document, variables)
        changed = page.data.get(key) if page.ok else None
        if changed:
            label = STATUS_LABELS.get(changed["status"], changed["status"])
            notices.append(f"转介 {changed['referralToken']} 现为：{label}（{changed['status']}）")
            status_code = 200
        else:
            errors += messages(page)
            status_code = page.status
    context, queued = await _queue_context(request, "")
    return render(request, "referrals.html", {
        **context, "changed": changed, "notices": notices,
        "errors": errors + messages(queued)}, status_code=status_code)


async def confirm(request: Request) -> Response:
    """POST: confirm a proposed referral (the recipient will be asked)."""
    return await _write(request, "confirm")


async def decision(request: Request) -> Response:
    """POST: record the recipient's answer to a confirmed referral, with its evidence."""
    return await _write(request, "decision")


ROUTES: list[BaseRoute] = [
    Route("/charity", donations, name="console-charity"),
    Route("/charity/donations/{donation_id}", donation, name="console-donation"),
    Route("/charity/referrals/{token}", contact, name="console-referral-contact"),
    Route("/referrals", referrals, name="console-referrals"),
    Route("/referrals/{token}/confirm", confirm, methods=["POST"],
          name="console-referral-confirm"),
    Route("/referrals/{token}/decision", decision, methods=["POST"],
          name="console-referral-decision"),
]

"""The monitoring officer's alerts inbox (预警信息): list, filter, open, act on an alert.

The inbox runs ``monitoringAlerts`` (the alerts routed to the caller's organisation in its
jurisdiction) with the GET form's filters, a page at a time with the query's ``after``
cursor. An alert's page shows every field the query returns for the role, its evidence
(the department records behind it) and a form moving it along its workflow through
``updateAlertStatus`` (new → sent → confirmed | dismissed; a dismissal needs a reason).
The form is CSRF-checked first; a missing reason, HTML in it, an over-long field or a
step the workflow does not allow is answered on the page and changes nothing.

The API has no "one alert by id" query, so an alert's page finds it in the caller's own
list: the inbox links carry the filters and cursor of the page the alert was on, which
usually finds it with one document; otherwise the whole list is read a page at a time.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from hub.monitoring import ALL_TYPES

from .bridge import PageData, principal_of, run_document
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

LIST_DOCUMENT = """
query ConsoleAlerts($region: String, $type: String, $status: String, $after: String) {
  monitoringAlerts(region: $region, type: $type, status: $status, first: 10, after: $after) {
    nextCursor
    alerts { alertId type status department regionCode regionCodes householdId personIds
             programme hardship detail createdAt }
  }
}"""

# ``reason`` is free text: the policy withholds it under the monitoring purpose (from the
# officer who wrote it too), so the pages do not ask for it.
ALERT_FIELDS = """alertId type status department regionCode regionCodes subjectKind
  householdId personIds programme hardship detail asOf createdAt updatedAt
  sources { department source recordId }"""

ALERT_DOCUMENT = f"""
query ConsoleAlert($alertId: ID!) {{
  monitoringAlert(alertId: $alertId) {{ {ALERT_FIELDS} }}
}}"""

UPDATE_DOCUMENT = f"""
mutation ConsoleAlertStatus($alertId: ID!, $status: AlertStatusChange!, $reason: String) {{
  updateAlertStatus(alertId: $alertId, status: $status, reason: $reason) {{ {ALERT_FIELDS} }}
}}"""

TYPE_LABELS = {
    "still_receiving_after_death": "死亡后仍在领取救助",
    "asset_disqualifies": "资产超标仍在享受",
    "duplicate_basic_aid": "重复享受基本生活救助",
    "exclusive_overlap": "互斥项目同时享受",
    "double_housing_aid": "重复享受住房保障",
    "missed_eligible": "疑似符合条件未纳入",
    "kin_of_staff": "经办人员近亲属享受救助",
    "unemployed_not_covered": "失业人员未纳入救助",
    "student_without_aid": "困难学生未获资助",
    "monitored_not_covered": "防返贫监测对象未纳入",
}
STATUS_LABELS = {"new": "新预警", "sent": "已推送", "confirmed": "已核实",
                 "dismissed": "已排除", "closed": "已关闭"}
# the workflow (hub.monitoring.alerts.TRANSITIONS): target → the statuses it is reached from
NEXT_STATUSES = {"new": ("sent", "dismissed"), "sent": ("confirmed", "dismissed")}
CHANGES = ("sent", "confirmed", "dismissed")
ALERT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
REGION = re.compile(r"\d{6}")
CURSOR = re.compile(r"[A-Za-z0-9_=-]{1,32}")
FILTERS = ("type", "region", "status")
NOT_FOUND = "未找到该预警（或未推送给您的机构、不在您的管辖范围内）"


def _filters(query: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The inbox's filters and cursor as GraphQL variables, and a message per bad one."""
    variables: dict[str, str] = {}
    problems = []
    kind = query.get("type", "").strip()
    if kind and kind not in ALL_TYPES:
        problems.append("预警类型不在可选列表中")
    elif kind:
        variables["type"] = kind
    region = query.get("region", "").strip()
    if region and not REGION.fullmatch(region):
        problems.append("行政区划代码应为 6 位数字")
    elif region:
        variables["region"] = region
    status = query.get("status", "").strip()
    if status and status not in STATUS_LABELS:
        problems.append("处理状态不在可选列表中")
    elif status:
        variables["status"] = status
    after = query.get("after", "").strip()
    if after and not CURSOR.fullmatch(after):
        problems.append("翻页参数不正确")
    elif after:
        variables["after"] = after
    return variables, problems


def _labels() -> dict[str, Any]:
    return {"type_labels": TYPE_LABELS, "status_labels": STATUS_LABELS}


async def inbox(request: Request) -> Response:
    """GET: the filter form and a page of the alerts routed to the caller."""
    session = session_of(request)
    principal = principal_of(request, session)
    variables, problems = _filters(dict(request.query_params))
    context: dict[str, Any] = {
        **_labels(), "regions": sorted(principal.regions), "chosen": variables, "page": None,
        "filters": {k: v for k, v in variables.items() if k in FILTERS}}
    if problems:
        return render(request, "alerts.html", {**context, "errors": problems}, status_code=400)
    page = await run_document(request, session, LIST_DOCUMENT, variables)
    found = page.data.get("monitoringAlerts")
    return render(request, "alerts.html", {
        **context, "page": found, "errors": messages(page),
        "next_link": (urlencode({**context["filters"], "after": found["nextCursor"]})
                      if found and found.get("nextCursor") else None)},
        status_code=page.status)


async def find_alert(request: Request, alert_id: str
                     ) -> tuple[dict[str, Any] | None, PageData]:
    """The alert, when it is routed to the caller (one read, however long the inbox)."""
    page = await run_document(request, session_of(request), ALERT_DOCUMENT,
                              {"alertId": alert_id})
    return page.data.get("monitoringAlert"), page


def _alert_context(alert: dict[str, Any] | None) -> dict[str, Any]:
    status = (alert or {}).get("status") or ""
    return {**_labels(), "alert": alert, "next_statuses": NEXT_STATUSES.get(status, ())}


async def alert_page(request: Request) -> Response:
    """GET: one alert, its evidence and the workflow form."""
    session = session_of(request)
    if session is None:
        return to_signin()
    alert_id = request.path_params["alert_id"]
    if not ALERT_ID.fullmatch(alert_id):
        return render(request, "alert.html", {**_alert_context(None), "errors": [
            "预警编号格式不正确"]}, status_code=400)
    alert, page = await find_alert(request, alert_id)
    errors = messages(page) or ([] if alert else [NOT_FOUND])
    return render(request, "alert.html", {**_alert_context(alert), "errors": errors},
                  status_code=200 if alert else (page.status if page.errors else 404))


def _change_problem(fields: dict[str, str]) -> str | None:
    """A message for a bad status change (nothing is written), or ``None``."""
    long = too_long(fields)
    if long:
        return long
    status = fields.get("status", "")
    if status not in CHANGES:
        return "请选择新的处理状态（推送、核实或排除）；未作任何更改"
    reason = fields.get("reason", "").strip()
    if status == "dismissed" and not reason:
        return "排除预警须填写处理理由；未作任何更改"
    return markup_problem("处理理由", reason)


async def change_status(request: Request) -> Response:
    """POST: move the alert along its workflow (CSRF first; bad input writes nothing)."""
    session = session_of(request)
    if session is None:
        return to_signin()
    alert_id = request.path_params["alert_id"]
    fields = await form_fields(request)
    if not csrf_ok(session.csrf, fields.get("csrf")):
        return render(request, "alert.html", {**_alert_context(None), "errors": [CSRF_FAILED]},
                      status_code=403)
    fields.pop("csrf", None)
    problem = (None if ALERT_ID.fullmatch(alert_id) else "预警编号格式不正确"
               ) or _change_problem(fields)
    if problem is None:
        reason = fields.get("reason", "").strip() or None
        variables = {"alertId": alert_id, "status": fields["status"].upper(), "reason": reason}
        page = await run_document(request, session, UPDATE_DOCUMENT, variables)
        updated = page.data.get("updateAlertStatus")
        if page.ok and updated:
            label = STATUS_LABELS.get(updated["status"], updated["status"])
            recorded = "；处理理由已记录" if reason else ""
            return render(request, "alert.html", {**_alert_context(updated), "notices": [
                f"预警状态已改为：{label}（{updated['status']}）{recorded}"]})
        errors, status_code = messages(page), page.status
    else:
        errors, status_code = [problem], 400
    alert, _ = (await find_alert(request, alert_id) if ALERT_ID.fullmatch(alert_id)
                else (None, PageData()))
    return render(request, "alert.html", {**_alert_context(alert), "errors": errors},
                  status_code=status_code)


ROUTES: list[BaseRoute] = [
    Route("/alerts", inbox, name="console-alerts"),
    Route("/alerts/{alert_id}", alert_page, name="console-alert"),
    Route("/alerts/{alert_id}/status", change_status, methods=["POST"],
          name="console-alert-status"),
]

"""The re-verification schedule: households of a region due for review, and why.

Civil affairs draws the schedule up (purpose ``aid_administration``); the page runs
``reverificationsDue`` for a region of the caller's jurisdiction and links each household
to its page. The filter form works without JavaScript; with htmx it swaps only the list.
"""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .bridge import principal_of, run_document
from .pages import messages, render, session_of

DUE_DOCUMENT = """
query ConsoleReverification($region: String!, $asOf: Date, $horizonDays: Int,
                             $offset: Int! = 0) {
  reverificationsDue(region: $region, asOf: $asOf, horizonDays: $horizonDays, first: 50,
                     offset: $offset) {
    total nextOffset drawnOn
    households { householdId programme intervalMonths dueDate reason }
  }
}"""
DEFAULT_HORIZON_DAYS = 90


async def reverification(request: Request) -> Response:
    """GET: the filter form and, once a region is chosen, the households due."""
    session = session_of(request)
    principal = principal_of(request, session)
    query = request.query_params
    regions = sorted(principal.regions)
    region = query.get("region", "").strip() or (regions[0] if len(regions) == 1 else "")
    context: dict[str, object] = {
        "regions": regions, "region": region, "as_of": query.get("as_of", "").strip(),
        "horizon": query.get("horizon", str(DEFAULT_HORIZON_DAYS)).strip(), "page": None}
    problems = []
    variables: dict[str, object] = {"region": region}
    try:
        if context["as_of"]:
            variables["asOf"] = date.fromisoformat(str(context["as_of"])).isoformat()
    except ValueError:
        problems.append("核对日期格式不正确（应为 YYYY-MM-DD）")
    horizon = str(context["horizon"])
    if horizon and not (horizon.isdigit() and len(horizon) <= 3):
        problems.append("提前天数应为 0–366 的整数")
    elif horizon:
        variables["horizonDays"] = int(horizon)
    offset = query.get("offset", "0").strip()
    if not (offset.isdigit() and len(offset) <= 7):
        problems.append("页码参数不正确")
    else:
        variables["offset"] = int(offset)
    if not region or problems:
        return render(request, "reverification.html", {**context, "errors": problems},
                      status_code=400 if problems else 200)
    page = await run_document(request, session, DUE_DOCUMENT, variables)
    return render(request, "reverification.html", {
        **context, "page": page.data.get("reverificationsDue"), "errors": messages(page)},
        status_code=page.status)


ROUTES: list[BaseRoute] = [
    Route("/reverification", reverification, name="console-reverification"),
]

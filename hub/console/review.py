"""The caseworker's clerical link review (关联复核): the queue, a pair, the decision.

The queue runs ``linkReviewQueue`` (pending pairs in the caller's jurisdiction, strongest
first); a pair's page finds the pair in that queue and runs ``explainLink`` for its two
records, drawn as a waterfall like Splink's: one bar per comparison, from the running
total before it to the total after it (positive weights to the right, negative to the
left), then the total. The chart is SVG markup the template writes from the numbers the
query returned (presentation attributes and classes, no ``style=``: the CSP forbids it).

The decision form runs ``decideLinkReview`` (match or non-match with a required reason).
It is CSRF-checked first; a missing reason, HTML in it, an over-long field or a malformed
pair id is answered on the page and changes nothing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .bridge import PageData, principal_of, run_document
from .pages import (
    CSRF_FAILED,
    MAX_FIELD_CHARS,
    form_fields,
    markup_problem,
    messages,
    render,
    session_of,
    to_signin,
    too_long,
)
from .security import csrf_ok

PAIR_FIELDS = "pairId recordA recordB weight reason status regionA regionB"
EXPLANATION_FIELDS = "recordA recordB total comparisons { comparison level weight }"

QUEUE_DOCUMENT = f"""
query ConsoleReviewQueue($region: String, $first: Int!) {{
  linkReviewQueue(region: $region, first: $first) {{ {PAIR_FIELDS} }}
}}"""

PAIR_DOCUMENT = f"""
query ConsoleReviewPair($pairId: ID!) {{
  linkReviewPair(pairId: $pairId) {{ {PAIR_FIELDS} explanation {{ {EXPLANATION_FIELDS} }} }}
}}"""

DECIDE_DOCUMENT = f"""
mutation ConsoleDecideLink($pairId: ID!, $decision: LinkDecision!, $reason: String!) {{
  decideLinkReview(pairId: $pairId, decision: $decision, reason: $reason) {{
    {PAIR_FIELDS} explanation {{ {EXPLANATION_FIELDS} }}
  }}
}}"""

QUEUE_PAGE = 100  # the query's largest page (resolvers.review.MAX_PAGE); it has no cursor
REGION = re.compile(r"\d{6}")
PAIR_ID = re.compile(r"[^\s<>\"'&]{3,400}")
DECISIONS = {"accept": ("ACCEPT", "是同一人（匹配）"), "reject": ("REJECT", "不是同一人（不匹配）")}
STATUS_LABELS = {"pending": "待复核", "accepted": "已确认匹配", "rejected": "已确认不匹配"}
COMPARISON_LABELS = {"prior": "先验（基准权重）", "id_number": "身份证号", "name": "姓名",
                     "birth_date": "出生日期", "sex": "性别", "region": "行政区划",
                     "phone": "电话", "address": "地址"}
LEVEL_LABELS = {"same": "相同", "different": "不同", "exact": "完全一致", "near": "相近",
                "similar": "相似", "very_similar": "很相似", "similar_pinyin": "拼音相近",
                "same_pinyin": "拼音相同", "one_part": "部分相同", "null": "缺失",
                "missing": "缺失", "": ""}

# the chart's geometry (SVG user units)
CHART_WIDTH = 720
LABEL_WIDTH = 190
RIGHT_MARGIN = 70
ROW_HEIGHT = 30
TOP = 28


@dataclass(frozen=True)
class Bar:
    """One bar of the waterfall: a comparison's weight, or the total."""

    label: str
    level: str
    weight: float
    before: float
    after: float
    x: float
    width: float
    y: float
    kind: str  # pos, neg, total-pos, total-neg


@dataclass(frozen=True)
class Chart:
    """The waterfall's bars, axis ticks and size, ready for the template."""

    bars: list[Bar]
    ticks: list[tuple[float, float]]  # (value, x)
    zero_x: float
    height: float
    width: int
    bar_height: float
    probability: float
    label_x: int = LABEL_WIDTH - 8



def _tick_step(span: float) -> float:
    """A round step giving about six ticks over ``span``."""
    raw = span / 6 if span > 0 else 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def waterfall(explanation: dict[str, Any]) -> Chart | None:
    """Splink's waterfall from ``explainLink``'s numbers: each comparison's bar runs from
    the total before it to the total after it; the last bar is the total from zero."""
    parts = explanation.get("comparisons") or []
    total = explanation.get("total")
    if not parts or total is None:
        return None
    running = [0.0]
    for part in parts:
        running.append(running[-1] + float(part["weight"]))
    low = min(0.0, *running, float(total))
    high = max(0.0, *running, float(total))
    step = _tick_step(high - low)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    if high == low:
        high = low + step
    area = CHART_WIDTH - LABEL_WIDTH - RIGHT_MARGIN

    def scale(value: float) -> float:
        return round(LABEL_WIDTH + (value - low) / (high - low) * area, 1)

    bars = []
    for i, part in enumerate(parts):
        before, after = running[i], running[i + 1]
        bars.append(Bar(
            label=COMPARISON_LABELS.get(part["comparison"], part["comparison"]),
            level=LEVEL_LABELS.get(part["level"], part["level"]), weight=float(part["weight"]),
            before=before, after=after, x=scale(min(before, after)),
            width=max(1.0, round(abs(scale(after) - scale(before)), 1)),
            y=TOP + i * ROW_HEIGHT, kind="pos" if part["weight"] >= 0 else "neg"))
    bars.append(Bar(label="合计（匹配权重）", level="", weight=float(total), before=0.0,
                    after=float(total), x=scale(min(0.0, float(total))),
                    width=max(1.0, round(abs(scale(float(total)) - scale(0.0)), 1)),
                    y=TOP + len(parts) * ROW_HEIGHT,
                    kind="total-pos" if total >= 0 else "total-neg"))
    count = round((high - low) / step)
    ticks = [(round(low + k * step, 6), scale(low + k * step)) for k in range(count + 1)]
    probability = 1 / (1 + 2 ** -max(-60.0, min(60.0, float(total))))
    return Chart(bars=bars, ticks=ticks, zero_x=scale(0.0), width=CHART_WIDTH,
                 height=TOP + len(bars) * ROW_HEIGHT + 24, bar_height=ROW_HEIGHT - 10,
                 probability=probability)


def _labels() -> dict[str, Any]:
    return {"status_labels": STATUS_LABELS, "decisions": DECISIONS,
            "comparison_labels": COMPARISON_LABELS}


async def queue(request: Request) -> Response:
    """GET: the pending pairs in the caller's jurisdiction (optionally one region)."""
    session = session_of(request)
    principal = principal_of(request, session)
    region = request.query_params.get("region", "").strip()
    context: dict[str, Any] = {**_labels(), "regions": sorted(principal.regions),
                               "region": region if REGION.fullmatch(region) else "",
                               "pairs": None}
    if region and not REGION.fullmatch(region):
        return render(request, "review.html", {**context, "errors": [
            "行政区划代码应为 6 位数字"]}, status_code=400)
    page = await run_document(request, session, QUEUE_DOCUMENT,
                              {"region": region or None, "first": QUEUE_PAGE})
    return render(request, "review.html", {
        **context, "pairs": page.data.get("linkReviewQueue") if page.ok else None,
        "errors": messages(page)}, status_code=page.status)


async def _pair_context(request: Request, pair_id: str, region: str
                        ) -> tuple[dict[str, Any], PageData]:
    """The pair (pending or decided, in one read), its explanation and chart, and the
    document's answer (its errors and status)."""
    page = await run_document(request, session_of(request), PAIR_DOCUMENT,
                              {"pairId": pair_id})
    pair = page.data.get("linkReviewPair")
    explanation = (pair or {}).get("explanation")
    return {**_labels(), "pair": pair, "explanation": explanation, "region": region,
            "chart": waterfall(explanation) if explanation else None}, page


def _region_hint(request: Request) -> str:
    region = request.query_params.get("region", "").strip()
    return region if REGION.fullmatch(region) else ""


async def pair_page(request: Request) -> Response:
    """GET: a pair, its per-comparison weights as a waterfall, the decision form;
    POST: the decision."""
    if request.method == "POST":
        return await decide(request)
    session = session_of(request)
    if session is None:
        return to_signin()
    pair_id = request.path_params["pair_id"]
    if not PAIR_ID.fullmatch(pair_id):
        return render(request, "review_pair.html", {**_labels(), "pair": None, "errors": [
            "记录对编号格式不正确"]}, status_code=400)
    context, page = await _pair_context(request, pair_id, _region_hint(request))
    return render(request, "review_pair.html", {**context, "errors": messages(page)},
                  status_code=page.status)


def _decision_problem(fields: dict[str, str]) -> str | None:
    """A message for bad decision input (nothing is written), or ``None``."""
    long = too_long(fields)
    if long:
        return long
    if fields.get("decision", "") not in DECISIONS:
        return "请选择复核结论（匹配或不匹配）；未作任何更改"
    reason = fields.get("reason", "").strip()
    if not reason:
        return "请填写复核理由（reason）；未作任何更改"
    return markup_problem("复核理由（reason）", reason)


async def decide(request: Request) -> Response:
    """POST: record the decision (CSRF first; bad input writes nothing)."""
    session = session_of(request)
    if session is None:
        return to_signin()
    pair_id = request.path_params["pair_id"]
    fields = await form_fields(request)
    if not csrf_ok(session.csrf, fields.get("csrf")):
        return render(request, "review_pair.html", {**_labels(), "pair": None,
                                                    "errors": [CSRF_FAILED]}, status_code=403)
    fields.pop("csrf", None)
    if not PAIR_ID.fullmatch(pair_id):
        return render(request, "review_pair.html", {**_labels(), "pair": None, "errors": [
            "记录对编号格式不正确；未作任何更改"]}, status_code=400)
    region = _region_hint(request)
    problem = _decision_problem(fields)
    if problem is None:
        decision, label = DECISIONS[fields["decision"]]
        page = await run_document(request, session, DECIDE_DOCUMENT, {
            "pairId": pair_id, "decision": decision, "reason": fields["reason"].strip()})
        decided = page.data.get("decideLinkReview")
        if page.ok and decided:
            explanation = decided.get("explanation")
            return render(request, "review_pair.html", {
                **_labels(), "pair": decided, "explanation": explanation, "region": region,
                "chart": waterfall(explanation) if explanation else None,
                "notices": [f"已记录复核结论：{label}（{decided['status']}）；"
                            "此后的关联运行将遵从该结论"]})
        errors, status_code = messages(page), page.status
    else:
        errors, status_code = [problem], 400
    context, _ = await _pair_context(request, pair_id, region)
    # the reason is offered back for correction after a problem found here, never after
    # the API refused it (it may hold an ID number the API would not store)
    return render(request, "review_pair.html", {
        **context, "errors": errors,
        "reason": fields.get("reason", "")[:MAX_FIELD_CHARS] if problem else "",
        "chosen": fields.get("decision", "")}, status_code=status_code)


ROUTES: list[BaseRoute] = [
    Route("/review", queue, name="console-review"),
    Route("/review/{pair_id:path}", pair_page, methods=["GET", "POST"],
          name="console-review-pair"),
]

"""What every console page shares: templates, the session, rendering, forms, navigation.

Area modules (:mod:`.casework`, :mod:`.overlap`, …) keep their handlers thin: read the
session and the form, check the CSRF token on writes, run one GraphQL document through
:mod:`.bridge`, render with :func:`render`. Bad input is answered on the page with a
message naming the field, and nothing is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from .bridge import PageData, SignInRequiredError, principal_of
from .session import COOKIE_NAME, SESSION_TTL_SECONDS, ConsoleSession

HERE = Path(__file__).parent
templates = Jinja2Templates(env=Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True)))

PURPOSE_LABELS = {
    "verification": "经济状况核对", "aid_administration": "救助经办",
    "overlap_check": "重复救助核查", "monitoring": "动态监测",
    "charity_matching": "慈善帮扶对接", "audit": "审计"}
# The pages a session's purpose leads to, in the header: (path under /console, label).
NAVIGATION: dict[str, tuple[tuple[str, str], ...]] = {
    "aid_administration": (("/", "查找家庭"), ("/reverification", "待复核家庭"),
                           ("/review", "关联复核"), ("/referrals", "慈善转介")),
    "verification": (("/", "查找家庭"), ("/verify", "经济状况核对")),
    "overlap_check": (("/overlap", "重复救助核查"),),
    "monitoring": (("/alerts", "预警信息"),),
    "charity_matching": (("/charity", "捐赠与匹配"),),
    "audit": (("/audit", "审计日志"),),
}
# The API's error codes (hub.errors.ERROR_CODES) in the console's language; the API's own
# message follows as the detail (it never holds personal data).
CODE_MESSAGES = {
    "FORBIDDEN": "无权访问：您的角色、用途或管辖范围不允许此操作（已记入审计日志）",
    "CONSENT_REQUIRED": ("缺少有效授权：该家庭（个人）未就此用途向您的机构授权，"
                         "或授权已过期、已撤回"),
    "BAD_INPUT": "输入有误",
    "NOT_FOUND": "未找到（或不在您的管辖范围内）",
    "CONFLICT": "当前状态不允许此操作",
    "INVALID_TRANSITION": "当前状态不能转为所选状态",
    "NO_STANDARD": "该地区、年度尚无低保标准",
    "NO_RULESET": "该地区、日期尚无适用的核对规则",
    "UNAVAILABLE": "服务的某一部分尚未配置",
    "DATABASE_UNAVAILABLE": "数据库暂时无法连接，请稍后重试",
    "UNAUTHENTICATED": "登录已失效，请重新登录",
    "RATE_LIMITED": "请求过于频繁，请稍后重试",
    "INTERNAL": "服务器内部错误（已记录，可凭关联编号查询）",
}
CSRF_FAILED = "表单已失效（CSRF 校验失败），请刷新后重试；未作任何更改"
MAX_FIELD_CHARS = 200  # a longer form field is refused with a message (nothing is written)


def session_of(request: Request) -> ConsoleSession | None:
    """The request's console session, or ``None`` (absent, tampered with, expired)."""
    sealer = request.app.state.console_sealer
    session: ConsoleSession | None = sealer.open(request.cookies.get(COOKIE_NAME))
    return session


def set_session(response: Response, request: Request, session: ConsoleSession) -> None:
    """Seal ``session`` into the response's cookie (HttpOnly, SameSite=Strict)."""
    response.set_cookie(COOKIE_NAME, request.app.state.console_sealer.seal(session),
                        max_age=SESSION_TTL_SECONDS, path="/console", httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")


def render(request: Request, name: str, context: dict[str, Any], *,
           status_code: int = 200) -> Response:
    """Render ``name`` with the session's principal, purpose, CSRF token and navigation."""
    session = session_of(request)
    base: dict[str, Any] = {"errors": [], "notices": [], "who": None, "csrf": "",
                            "purpose": "", "purpose_label": "", "navigation": ()}
    if session is not None:
        try:
            base["who"] = principal_of(request, session)
        except SignInRequiredError:
            session = None
    if session is not None:
        base.update(csrf=session.csrf, purpose=session.purpose,
                    purpose_label=PURPOSE_LABELS.get(session.purpose, session.purpose),
                    navigation=NAVIGATION.get(session.purpose, ()))
    base.update(context)
    return templates.TemplateResponse(request, name, base, status_code=status_code)


def to_signin() -> Response:
    """Send the browser to the sign-in page."""
    return RedirectResponse("/console/signin", status_code=303)


def messages(page: PageData) -> list[str]:
    """A document's errors as lines for the page: in Chinese by code, then the API's
    message and the code."""
    return [f"{CODE_MESSAGES.get(code, '操作未完成')}。详情：{message}（{code}）"
            for code, message in page.errors]


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form's text fields (file parts are ignored)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def too_long(fields: dict[str, str], limit: int = MAX_FIELD_CHARS) -> str | None:
    """A message for the first field longer than ``limit``, or ``None``."""
    for key, value in fields.items():
        if len(value) > limit:
            return f"字段 {key} 过长（{len(value)} 字符，上限 {limit}），未作任何更改"
    return None


def markup_problem(label: str, value: str) -> str | None:
    """A message when free text holds HTML markup (``<`` or ``>``), which no reason or
    reference needs; it is refused rather than stored, and nothing is written."""
    if "<" in value or ">" in value:
        return f"{label}不能包含 HTML 标记（< 或 >）；未作任何更改"
    return None

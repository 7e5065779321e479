"""Chinese labels for the keys and values a verification report shows.

Why: the printed report is read by 民政 staff and applicants; raw keys such as
``living_members``, a Python ``True`` or a JSON object in a cell are not for them. Keys
without a label here are shown as they are (a new figure still prints).
"""

from __future__ import annotations

from typing import Any

LABELS: dict[str, str] = {
    "living_members": "在世成员数", "deceased_members": "已故成员数",
    "living": "在世", "deceased": "已故", "members": "成员数",
    "income_total": "家庭月收入", "per_capita_income": "人均月收入",
    "adjusted_per_capita_income": "扣除刚性支出后人均月收入",
    "dibao_standard": "低保标准", "tekun_standard": "特困供养标准", "tekun_floor": "特困下限",
    "rigid_expense_12m": "刚性支出 (近12个月)", "rigid_total": "刚性支出合计",
    "financial_assets": "金融资产", "financial_asset_limit": "金融资产上限",
    "asset_limit_per_capita": "人均财产上限", "per_capita_limit": "人均上限", "limit": "上限",
    "housing_fund": "住房公积金", "housing_fund_balance": "公积金余额", "asset_ok": "财产符合",
    "programmes": "救助项目", "monthly_amounts": "月救助金额", "amount": "金额",
    "region_code": "行政区划", "year": "年度", "urban_rural": "城乡",
    "area_known": "地区标准已设", "person_id": "成员", "income": "月收入",
    "basis": "收入依据", "tax_year": "纳税年度", "tax_annual_income": "年收入 (税务)",
    "tax_crosscheck": "税务核对", "counted_vehicles": "计入的机动车",
    "max_vehicles": "机动车上限", "exempt_vehicles": "不计入的机动车",
    "active_businesses": "存续经营主体", "max_active_businesses": "经营主体上限",
    "residential_titles": "住宅产权", "max_homes": "住宅上限",
    "medical_out_of_pocket": "医疗个人自付", "tuition": "学杂费", "window_days": "统计天数",
    "school_year_start": "学年起始", "age": "年龄", "binding_supporters": "法定义务人",
    "category": "类别", "standard": "标准", "gap": "差额", "ratio": "比例", "months": "月数",
    "counted": "计入", "supplements": "分类施保",
}
OUTCOMES: dict[str, str] = {"not counted": "不计入", "counted": "计入"}


def label(key: str) -> str:
    """The Chinese label of a report key (the key itself when none is known)."""
    return LABELS.get(key, key)


def show(value: Any) -> str:
    """A value as report text: 是/否 for booleans, lists joined, mappings as labelled
    ``标签: 值`` pairs, — for a missing or withheld value."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        return "；".join(f"{label(str(k))}: {show(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "、".join(show(v) for v in value) if value else "无"
    if isinstance(value, str):
        return OUTCOMES.get(value, value)
    return str(value)

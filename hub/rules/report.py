"""Export a determination as JSON and as a printable HTML report.

Both carry the same content: the category and amount, the figures, every member's result,
and every rule applied with the numbers it compared and the source records (department,
record id) behind them. The HTML escapes every value (``html.escape``) and needs no
scripts or external files, so it prints as is. Neither contains names or ID numbers:
members appear by hub person id and 户籍 relation.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict, is_dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from hub.rules.model import Determination, Source
from hub.rules.reviews import ReviewDue


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(round(value, 2))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Source):
        return {"department": value.department, "record_id": value.record_id}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def determination_dict(d: Determination) -> dict[str, Any]:
    """A JSON-ready dict of a determination (numbers as numbers, dates ISO)."""
    out = {
        "household_id": d.household_id, "as_of": d.as_of, "category": d.category,
        "monthly_amount": d.monthly_amount, "phase_out": d.phase_out,
        "region_code": d.region_code, "urban_rural": d.urban_rural, "ruleset": d.ruleset,
        "figures": d.figures, "asset_issues": d.asset_issues,
        "tekun_person_ids": d.tekun_person_ids, "single_person": d.single_person,
        "supplements": d.supplements,
        "members": [asdict(m) for m in d.members],
        "steps": [{"rule": s.rule, "description": s.description, "outcome": s.outcome,
                   "values": s.values, "sources": list(s.sources)} for s in d.steps],
    }
    return _plain(out)


def to_json(d: Determination) -> str:
    """The determination as indented JSON (UTF-8 text, Chinese kept readable)."""
    return json.dumps(determination_dict(d), ensure_ascii=False, indent=2)


def review_dict(r: ReviewDue) -> dict[str, Any]:
    """A JSON-ready dict of a due review."""
    return _plain(asdict(r) if is_dataclass(r) else dict(r))


_CSS = """body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;
font-size:11pt}table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}
th,td{border:1px solid #999;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#eee}.outcome{font-weight:bold}@media print{body{margin:1cm}}"""


def _e(value: Any) -> str:
    plain = _plain(value)
    if isinstance(plain, dict | list):
        plain = json.dumps(plain, ensure_ascii=False)
    return html.escape("" if plain is None else str(plain))


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _sources(sources: tuple[Source, ...]) -> str:
    return "; ".join(f"{s.department}:{s.record_id}" for s in sources)


def to_html(d: Determination) -> str:
    """A self-contained, printable HTML report of a determination."""
    summary = [["户 (household)", d.household_id], ["核对日期 (as-of)", d.as_of],
               ["行政区划 / 城乡", f"{d.region_code} / {d.urban_rural}"],
               ["规则集 (ruleset)", d.ruleset], ["认定类别 (category)", d.category],
               ["月救助金额 (monthly amount)", d.monthly_amount]]
    if d.phase_out:
        summary.append(["渐退期", "是"])
    if d.tekun_person_ids:
        summary.append(["特困供养人员", ", ".join(d.tekun_person_ids)])
    if d.single_person:
        summary.append(["单人户施保", d.single_person])
    if d.asset_issues:
        summary.append(["财产问题", "; ".join(d.asset_issues)])
    members = [[m.person_id, m.relation, m.age, m.income, m.income_basis,
                "是" if m.severe_disability else "", "是" if m.serious_illness else "",
                m.labour_capacity, ", ".join(m.legal_supporters)] for m in d.members]
    steps = [[i, s.rule, s.description, s.outcome, s.values, _sources(s.sources)]
             for i, s in enumerate(d.steps, 1)]
    parts = [
        "<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>家庭经济状况核对报告 {_e(d.household_id)}</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>家庭经济状况核对报告</h1>",
        _table(["项目", "内容"], summary),
        "<h2>核算数据 (figures)</h2>",
        _table(["项目", "数值"], [[k, v] for k, v in d.figures.items()]),
        "<h2>家庭成员 (members)</h2>",
        _table(["person id", "关系", "年龄", "月收入", "收入依据", "重度残疾", "重特大疾病",
                "劳动能力", "法定义务人"], members),
        "<h2>规则适用明细 (rules applied)</h2>",
        _table(["#", "rule", "说明", "结果", "比较数值", "来源记录 (部门:记录编号)"], steps),
        "</body></html>",
    ]
    return "\n".join(parts)

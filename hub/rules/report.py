"""Export a determination as JSON and as a printable HTML report.

Both carry the same content: the category and amount, the figures, every member's result,
and every rule applied with the numbers it compared and the source records (department,
record id) behind them — as far as the caller may see it: both take a field decider and
render only what :func:`hub.rules.redact.redact` lets through, key by key, exactly as the
equivalent GraphQL fields are decided (a verifier's report has no health flags and no
ages). The HTML escapes every value (``html.escape``) and needs no scripts or external
files, so it prints as is. Neither contains names or ID numbers: members appear by hub
person id and 户籍 relation.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict, is_dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from hub.rules.model import Determination, Source
from hub.rules.redact import FieldDecider, redact
from hub.rules.report_labels import label, show
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


def to_json(d: Determination, decide_field: FieldDecider) -> str:
    """The determination as indented JSON (UTF-8 text, Chinese kept readable), holding only
    what ``decide_field`` lets the caller see."""
    return json.dumps(redact(determination_dict(d), decide_field), ensure_ascii=False,
                      indent=2)


def review_dict(r: ReviewDue) -> dict[str, Any]:
    """A JSON-ready dict of a due review."""
    return _plain(asdict(r) if is_dataclass(r) else dict(r))


_CSS = """body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;
font-size:11pt}table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}
th,td{border:1px solid #999;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#eee}.outcome{font-weight:bold}@media print{body{margin:1cm}}"""


def _e(value: Any) -> str:
    plain = _plain(value)
    return html.escape("" if plain is None else show(plain))


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_SUMMARY = (("household_id", "户 (household)"), ("as_of", "核对日期 (as-of)"),
            ("region_code", "行政区划"), ("urban_rural", "城乡"), ("ruleset", "规则集 (ruleset)"),
            ("category", "认定类别 (category)"), ("monthly_amount", "月救助金额 (monthly amount)"))
_MEMBER_COLUMNS = (("person_id", "成员编号"), ("relation", "关系"), ("age", "年龄"),
                   ("income", "月收入"), ("income_basis", "收入依据"),
                   ("severe_disability", "重度残疾"), ("serious_illness", "重特大疾病"),
                   ("labour_capacity", "劳动能力"), ("legal_supporters", "法定义务人"))
_STEP_COLUMNS = (("rule", "规则编号"), ("description", "说明"), ("outcome", "结果"),
                 ("values", "比较数值"), ("sources", "来源记录 (部门:记录编号)"))


def _cell(key: str, value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool) and key in {"severe_disability", "serious_illness"}:
        return "是" if value else ""
    if key == "legal_supporters" and isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if key == "sources" and isinstance(value, list):
        return "; ".join(f"{s.get('department')}:{s.get('record_id')}" for s in value
                         if isinstance(s, dict))
    return value


def _columns(rows: list[dict[str, Any]], wanted: tuple[tuple[str, str], ...]
             ) -> list[tuple[str, str]]:
    """The columns some row still has (a key the caller may not see has no column)."""
    return [(key, head) for key, head in wanted if any(key in row for row in rows)]


def _rows_table(rows: list[dict[str, Any]], wanted: tuple[tuple[str, str], ...],
                numbered: bool = False) -> str:
    columns = _columns(rows, wanted)
    headers = (["#"] if numbered else []) + [head for _, head in columns]
    body = [([i] if numbered else []) + [_cell(key, row.get(key)) for key, _ in columns]
            for i, row in enumerate(rows, 1)]
    return _table(headers, body)


def to_html(d: Determination, decide_field: FieldDecider) -> str:
    """A self-contained, printable HTML report of a determination, holding only what
    ``decide_field`` lets the caller see (denied keys have no row or column)."""
    plain = redact(determination_dict(d), decide_field)
    summary = [[head, plain[key]] for key, head in _SUMMARY if key in plain]
    if plain.get("phase_out"):
        summary.append(["渐退期", "是"])
    if plain.get("tekun_person_ids"):
        summary.append(["特困供养人员", ", ".join(plain["tekun_person_ids"])])
    if plain.get("single_person"):
        summary.append(["单人户施保", plain["single_person"]])
    if plain.get("asset_issues"):
        summary.append(["财产问题", "; ".join(plain["asset_issues"])])
    parts = [
        "<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>家庭经济状况核对报告 {_e(plain.get('household_id', ''))}</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>家庭经济状况核对报告</h1>",
        _table(["项目", "内容"], summary),
    ]
    if isinstance(plain.get("figures"), dict):
        parts += ["<h2>核算数据 (figures)</h2>",
                  _table(["项目", "数值"],
                         [[label(k), v] for k, v in plain["figures"].items()])]
    if isinstance(plain.get("members"), list):
        parts += ["<h2>家庭成员 (members)</h2>",
                  _rows_table([m for m in plain["members"] if isinstance(m, dict)],
                              _MEMBER_COLUMNS)]
    if isinstance(plain.get("steps"), list):
        parts += ["<h2>规则适用明细 (rules applied)</h2>",
                  _rows_table([s for s in plain["steps"] if isinstance(s, dict)],
                              _STEP_COLUMNS, numbered=True)]
    parts.append("</body></html>")
    return "\n".join(parts)

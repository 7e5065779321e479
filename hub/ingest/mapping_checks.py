"""Checks of a parsed mapping document, collecting every problem (never the first only).

Kept apart from :mod:`hub.ingest.mapping` so the data classes stay short and the rules a
mapping must follow are readable in one place.
"""

from __future__ import annotations

from typing import Any

from hub.ingest.normalise.dates import YEAR_MONTH_STYLES
from hub.ingest.parsers import FACT_PARSERS, PERSONAL_PARSERS

ENCODINGS = ("utf-8", "utf-8-sig", "gbk")
QUOTINGS = ("minimal", "all")
LINE_ENDINGS = ("LF", "CRLF")
ID_FORMATS = ("resident_id", "disability_cert")
ROLES = (
    "本人", "救助对象", "经办人", "成员", "参保人", "学生", "监护人", "保障对象", "持证人",
    "权利人", "共有人", "所有人", "经营者/法定代表人", "纳税人", "缴存人", "客户", "户主",
)
"""Role names exactly as FORMATS.md section 7 and truth/person_map.csv spell them."""
KINDS = (
    "hukou_membership", "basic_aid", "civil_affairs_member", "medical_settlement", "student",
    "housing_aid", "employment", "disability", "real_estate", "vehicle", "business",
    "tax_income", "housing_fund", "deposit", "disaster_aid", "rural_monitoring", "staff",
    "standard",
)

_REQUIRED = {
    "file": str, "department": str, "kind": str, "encoding": str, "quoting": str,
    "key": str, "header": list, "mandatory": list,
}
_OPTIONAL = {
    "line_ending": str, "dates": list, "year_months": dict, "numeric": list,
    "facts": list, "personal": list, "mentions": list, "ignore": list,
}
_FIELD_KEYS = {"column", "field", "parser", "sensitive"}
_MENTION_KEYS = {
    "role", "name", "id", "id_format", "birth_date", "sex", "region",
    "organisation_suffixes", "organisation_field",
}


def _check_top_level(raw: dict[str, Any], say: list[str]) -> None:
    for key, kind in {**_REQUIRED, **_OPTIONAL}.items():
        if key in raw and not isinstance(raw[key], kind):
            say.append(f"{key} must be a {kind.__name__}")
    say.extend(f"missing required key {key!r}" for key in _REQUIRED if key not in raw)
    unknown = sorted(set(raw) - set(_REQUIRED) - set(_OPTIONAL))
    say.extend(f"unknown key {key!r}" for key in unknown)
    for key, allowed in (
        ("encoding", ENCODINGS), ("quoting", QUOTINGS), ("kind", KINDS),
        ("line_ending", LINE_ENDINGS),
    ):
        if key in raw and raw[key] not in allowed:
            say.append(f"{key} = {raw[key]!r} is not one of {', '.join(allowed)}")


def _check_columns(raw: dict[str, Any], header: list[str], say: list[str]) -> None:
    known = set(header)
    if len(known) != len(header):
        say.append("header repeats a column")
    key = raw.get("key")
    if key not in known:
        say.append(f"key column {key!r} is not in the header")
    elif header and header[0] != key:
        say.append(f"key column {key!r} must be the first header column")
    for section in ("mandatory", "dates", "numeric", "ignore"):
        for column in raw.get(section, []) if isinstance(raw.get(section), list) else []:
            if column not in known:
                say.append(f"{section}: column {column!r} is not in the header")
    if isinstance(raw.get("mandatory"), list) and key not in raw["mandatory"]:
        say.append(f"mandatory must include the key column {key!r}")
    year_months = raw.get("year_months", {})
    for column, style in year_months.items() if isinstance(year_months, dict) else []:
        if column not in known:
            say.append(f"year_months: column {column!r} is not in the header")
        if style not in YEAR_MONTH_STYLES:
            say.append(f"year_months: {column} style {style!r} is not YYYYMM or YYYY-MM")


def _check_fields(raw: dict[str, Any], section: str, known: set[str], say: list[str]) -> set[str]:
    parsers = FACT_PARSERS if section == "facts" else PERSONAL_PARSERS
    used: set[str] = set()
    fields: set[str] = set()
    items = raw.get(section, [])
    for n, item in enumerate(items if isinstance(items, list) else [], start=1):
        where = f"{section}[{n}]"
        if not isinstance(item, dict):
            say.append(f"{where} must be a table")
            continue
        say.extend(f"{where}: unknown key {k!r}" for k in sorted(set(item) - _FIELD_KEYS))
        column, field, parser = item.get("column"), item.get("field"), item.get("parser", "text")
        if column not in known:
            say.append(f"{where}: column {column!r} is not in the header")
        if not isinstance(field, str) or not field.isidentifier():
            say.append(f"{where}: field {field!r} must be a snake_case identifier")
        elif field in fields:
            say.append(f"{where}: field {field!r} is defined twice")
        fields.add(str(field))
        if parser not in parsers:
            say.append(f"{where}: unknown parser {parser!r} (known: {', '.join(parsers)})")
        if parser == "year_month" and column not in raw.get("year_months", {}):
            say.append(f"{where}: year_month parser needs {column!r} in year_months")
        if parser == "date" and column not in raw.get("dates", []):
            say.append(f"{where}: date parser needs {column!r} in dates")
        used.add(str(column))
    return used


def _check_mentions(raw: dict[str, Any], known: set[str], say: list[str]) -> set[str]:
    used: set[str] = set()
    roles: set[str] = set()
    items = raw.get("mentions", [])
    for n, item in enumerate(items if isinstance(items, list) else [], start=1):
        where = f"mentions[{n}]"
        if not isinstance(item, dict):
            say.append(f"{where} must be a table")
            continue
        say.extend(f"{where}: unknown key {k!r}" for k in sorted(set(item) - _MENTION_KEYS))
        role = item.get("role")
        if role not in ROLES:
            say.append(f"{where}: role {role!r} is not a FORMATS.md section 7 role")
        elif role in roles:
            say.append(f"{where}: role {role!r} appears twice")
        roles.add(str(role))
        if "name" not in item:
            say.append(f"{where}: a mention needs a name column")
        for key in ("name", "id", "birth_date", "sex", "region"):
            column = item.get(key)
            if key in item and column not in known:
                say.append(f"{where}: {key} column {column!r} is not in the header")
            used.add(str(column))
        if item.get("id_format", "resident_id") not in ID_FORMATS:
            say.append(f"{where}: id_format {item.get('id_format')!r} is unknown")
        if item.get("organisation_suffixes") and not item.get("organisation_field"):
            say.append(f"{where}: organisation_suffixes needs organisation_field")
    return used


def check_mapping(raw: dict[str, Any], origin: str) -> list[str]:
    """Check a parsed mapping and return every problem, prefixed by ``origin``.

    Beyond types and names, every header column must be used (key, fact, personal,
    mention or ``ignore``), so no department column is silently dropped.

    Args:
        raw: the parsed TOML document.
        origin: the mapping file name, for messages.

    Returns:
        Problems as sentences; empty when the mapping is valid.
    """
    say: list[str] = []
    _check_top_level(raw, say)
    header = raw.get("header") if isinstance(raw.get("header"), list) else []
    if not header or not all(isinstance(c, str) and c for c in header):
        say.append("header must be a non-empty list of column names")
        header = [c for c in header if isinstance(c, str)]
    _check_columns(raw, header, say)
    known = set(header)
    used = {raw.get("key")} | set(raw.get("ignore", []) if isinstance(raw.get("ignore"), list)
                                  else [])
    used |= _check_fields(raw, "facts", known, say)
    used |= _check_fields(raw, "personal", known, say)
    used |= _check_mentions(raw, known, say)
    say.extend(f"column {c!r} is not mapped (add it to facts, personal, mentions or ignore)"
               for c in header if c not in used)
    return [f"{origin}: {problem}" for problem in say]

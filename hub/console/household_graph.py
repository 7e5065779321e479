"""The household as a graph for the picture on its page: people, supporters, aid, assets.

Built from the household document's answer and nothing else, so the picture holds
exactly what the page's tables hold for the caller's role and purpose: a value the policy
withheld is ``None`` there and is drawn as "（无权查看）", never looked up elsewhere. The
browser draws it with d3 (``static/household-graph.js``) from the JSON the page carries.
"""

from __future__ import annotations

from typing import Any

WITHHELD = "（无权查看）"
# The graph's codes in the page's language (an unknown code is shown as it is).
LABELS = {"spouse": "配偶", "child": "子女", "parent": "父母",
          "real_estate": "不动产", "vehicle": "车辆", "deposit": "存款",
          "business": "市场主体", "housing_fund": "住房公积金", "securities": "证券",
          "insurance": "商业保险"}


def _shown(value: Any) -> str:
    return WITHHELD if value is None else LABELS.get(str(value), str(value))


def _person_label(person: dict[str, Any]) -> str:
    name = person.get("name")
    return str(name) if name is not None else f"人员 {_shown(person.get('personId'))}"


def household_graph(household: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """Nodes (``id``, ``kind``, ``label``) and links (``source``, ``target``, ``label``)."""
    nodes: list[dict[str, str]] = [{"id": "household", "kind": "household",
                                    "label": f"家庭 {_shown(household.get('householdId'))}"}]
    links: list[dict[str, str]] = []
    person_nodes: dict[str, str] = {}
    for index, member in enumerate(household.get("members") or []):
        person = member.get("person") or {}
        node_id = f"member-{index}"
        kind = "member-deceased" if member.get("state") == "DECEASED" else "member"
        nodes.append({"id": node_id, "kind": kind, "label": _person_label(person)})
        links.append({"source": node_id, "target": "household",
                      "label": _shown(member.get("relation"))})
        if person.get("personId") is not None:
            person_nodes[str(person["personId"])] = node_id
    for index, member in enumerate(household.get("members") or []):
        for s_index, supporter in enumerate(member.get("supporters") or []):
            supporter_id = supporter.get("personId")
            node_id = person_nodes.get(str(supporter_id)) if supporter_id is not None else None
            if node_id is None:
                node_id = f"supporter-{index}-{s_index}"
                nodes.append({"id": node_id, "kind": "supporter",
                              "label": f"赡养/抚养人 {_shown(supporter_id)}"})
            links.append({"source": node_id, "target": f"member-{index}",
                          "label": _shown(supporter.get("kind"))})
    for kind, rows, label in (
            ("aid", household.get("aid") or [],
             lambda r: f"{_shown(r.get('programme'))} {_shown(r.get('amount'))} 元"),
            ("asset", household.get("assets") or [],
             lambda r: f"{_shown(r.get('kind'))}（{_shown(r.get('department'))}）")):
        for index, row in enumerate(rows):
            node_id = f"{kind}-{index}"
            nodes.append({"id": node_id, "kind": kind, "label": label(row)})
            owner = person_nodes.get(str(row.get("personId")), "household")
            links.append({"source": owner, "target": node_id,
                          "label": _shown(row.get("department")) if kind == "aid"
                          else _shown(row.get("role"))})
    return {"nodes": nodes, "links": links}

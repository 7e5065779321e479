"""Pass a rendered determination through the field policy before it is serialised.

A determination reaches callers in several shapes besides the GraphQL fields: the
``report`` JSON and HTML, ``RuleStep.values``, ``hub verify household``. Each key of those
shapes is governed by the GraphQL field that shows the same fact
(``privacy.policy.REPORT_KEY_FIELDS``): ``age`` by ``VerifiedMember.age``,
``severe_disability`` by ``VerifiedMember.severeDisability`` and so on. :func:`redact`
asks a :data:`FieldDecider` about that field and keeps the value (allow), masks it as the
field would be masked (mask), or drops the key (deny); a key with no entry is dropped, so
a new rule value stays hidden until someone classifies it (fail closed).

The API passes a decider built on the request's ``AccessGuard`` (jurisdiction, consent,
audit notes); the CLI one built on ``privacy.decide`` for the role and purpose it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from privacy import Decision, Effect, Purpose, access_class_of, decide, mask_value
from privacy.policy import Actor, report_key_field

FieldDecider = Callable[[str, str], Decision]
"""``(GraphQL type, field) → Decision`` for the caller of one rendering."""

_CHILDREN: Mapping[tuple[str, str], str] = {
    ("report", "members"): "member",
    ("report", "steps"): "step",
    ("step", "values"): "values",
}
"""Keys whose value is itself a section (a dict, or a list of dicts) to redact key by key."""


def redact(plain: Mapping[str, Any], decide_field: FieldDecider,
           section: str = "report") -> dict[str, Any]:
    """``plain`` with every key decided as its governing GraphQL field.

    Args:
        plain: A JSON-ready dict (``determination_dict``, or one step's ``values``).
        decide_field: The caller's decision for a GraphQL ``(type, field)``.
        section: Which part of a determination ``plain`` is: ``report``, ``member``,
            ``step`` or ``values``.

    Returns:
        A new dict: allowed values kept, masked ones in their masked form (``None`` for
        numbers, dates, flags and objects), denied and unclassified keys left out.
    """
    out: dict[str, Any] = {}
    for key, value in plain.items():
        governing = report_key_field(section, key)
        if governing is None:
            continue
        decision = decide_field(*governing)
        if decision.effect is Effect.DENY:
            continue
        if decision.effect is Effect.MASK:
            out[key] = (mask_value(decision.access_class, value)
                        if decision.access_class is not None and not isinstance(value, dict)
                        else None)
            continue
        child = _CHILDREN.get((section, key))
        if child is None:
            out[key] = value
        elif isinstance(value, list):
            out[key] = [redact(item, decide_field, child) for item in value]
        elif isinstance(value, Mapping):
            out[key] = redact(value, decide_field, child)
        else:
            out[key] = value
    return out


def memoised(decide_field: FieldDecider) -> FieldDecider:
    """The same decider, asked once per field (a report repeats keys per member and step)."""
    seen: dict[tuple[str, str], Decision] = {}

    def cached(type_name: str, field_name: str) -> Decision:
        key = (type_name, field_name)
        if key not in seen:
            seen[key] = decide_field(type_name, field_name)
        return seen[key]

    return cached


def policy_decider(principal: Actor, purpose: Purpose | str) -> FieldDecider:
    """A decider from the policy table alone, for renderings outside a request (the CLI):
    the caller's role × purpose × the field's access class, no consent or audit."""
    def decide_field(type_name: str, field_name: str) -> Decision:
        return decide(principal, purpose, access_class_of(type_name, field_name))

    return memoised(decide_field)

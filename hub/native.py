"""Driver values as plain Python values, in one place (issue 16).

The driver hands back ``neo4j.time`` temporals; the rest of the hub works with
``datetime.date`` / ``datetime.datetime``. :class:`~hub.store.Store` passes every record
through :func:`native`, so no caller converts (and no caller forgets to). Durations and
spatial points are left as the driver gives them: no reader needs them and they have no
exact Python counterpart.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, overload

from neo4j.time import Date, DateTime, Time

# what a record is mostly made of: checked first so the common case costs one lookup
_PLAIN: frozenset[type] = frozenset({str, int, float, bool, type(None), bytes})
_TEMPORAL = (Date, DateTime, Time)


def native(value: Any) -> Any:
    """``value`` with every driver temporal, at any depth of lists and maps, made native.

    ``DateTime`` keeps microseconds (Python's resolution; Neo4j's clock gives no more).
    """
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is list:
        return [native(item) for item in value]
    if kind is dict:
        return {key: native(item) for key, item in value.items()}
    if isinstance(value, _TEMPORAL):
        return value.to_native()
    return value


def native_record(data: dict[str, Any]) -> dict[str, Any]:
    """A record's ``data()`` with its values made native (see :func:`native`)."""
    return {key: native(value) for key, value in data.items()}


@overload
def aware(moment: datetime) -> datetime: ...
@overload
def aware(moment: datetime | None) -> datetime | None: ...
def aware(moment: datetime | None) -> datetime | None:
    """A stored time as an aware ``datetime``: the hub writes UTC, so a naive one is UTC."""
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)

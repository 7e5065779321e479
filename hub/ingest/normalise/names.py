"""Person names at ingest: the hub's one name normaliser, with ingest's empty-name rule.

The spelling itself is :func:`privacy.normalise_name` (FORMATS.md section 6: NFKC, spaces
removed, middle dots unified, traditional characters simplified); the blind index hashes
:func:`privacy.name_index_form` of the same spelling, so what ingest indexes is what a
lookup for the name finds. Here only the ingest contract is added: an empty name is
``None`` (the row is kept; linkage decides on the other fields), never an error.
"""

from __future__ import annotations

from privacy import InvalidIdentifierError, normalise_name


def name_or_none(raw: str | None) -> str | None:
    """Return the canonical spelling of a name, or ``None`` when empty.

    Args:
        raw: the name as written by the department.

    Returns:
        :func:`privacy.normalise_name` of ``raw``; ``None`` when ``raw`` is ``None`` or
        nothing is left after removing spaces and dots.
    """
    if raw is None:
        return None
    try:
        return normalise_name(raw)
    except InvalidIdentifierError:
        return None

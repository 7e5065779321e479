"""Entity resolution: department mentions → one Person per real person.

Stages, one module each and in run order: ``standardise``, ``block``, ``compare``,
``classify``, ``cluster`` (+ ``context`` for name-only mentions), ``review``, ``evaluate``;
``settings`` holds the declarative :class:`LinkageSettings`, ``presets`` ready-made ones,
``frame`` turns ingest's mentions into the DataFrame the stages share. Call :func:`link`.
"""

from hub.linkage.pipeline import link
from hub.linkage.settings import LinkageSettings

__all__ = ["LinkageSettings", "link"]

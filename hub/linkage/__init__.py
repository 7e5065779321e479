"""Entity resolution: department mentions → one Person per real person.

Stages, one module each and in run order: ``standardise``, ``block``, ``compare``,
``classify``, ``cluster`` (+ ``context`` for name-only mentions), ``review``, ``evaluate``;
``settings`` holds the declarative :class:`LinkageSettings`, ``presets`` ready-made ones,
``frame`` turns ingest's mentions into the DataFrame the stages share. Call :func:`link`.

Helpers: ``pairs`` (integer equi-joins behind blocking), ``kernels`` (comparison levels on
integer codes), ``scoring`` (block → compare → classify on record positions),
``incremental`` (what a batch touches), ``person_ids`` (stable ids), ``outputs`` (keyed
results). Records are positions and values integer codes until the outputs, which is what
lets a 400,000-mention set link in seconds.
"""

from hub.linkage.pipeline import link
from hub.linkage.settings import LinkageSettings

__all__ = ["LinkageSettings", "link"]

"""Numbered, idempotent schema migrations.

Each migration is a module ``m<NNNN>_<name>.py`` with a ``STATEMENTS`` tuple of Cypher
schema commands written with ``IF NOT EXISTS``, so applying one twice is harmless. The
applied version is recorded as ``(:SchemaMigration {version, name, applied_at})`` nodes.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import LiteralString


@dataclass(frozen=True)
class Migration:
    """One numbered schema step."""

    version: int
    name: str
    statements: tuple[LiteralString, ...]


def all_migrations() -> list[Migration]:
    """Every migration in this package, in version order.

    Raises:
        ValueError: two modules share a version number or a module is misnamed.
    """
    found: dict[int, Migration] = {}
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("m"):
            continue
        number, _, name = info.name[1:].partition("_")
        if not number.isdigit() or not name:
            raise ValueError(f"migration module {info.name!r} must be named m<NNNN>_<name>")
        module = importlib.import_module(f"{__name__}.{info.name}")
        version = int(number)
        if version in found:
            raise ValueError(f"two migrations have version {version}")
        found[version] = Migration(version, name, tuple(module.STATEMENTS))
    return [found[v] for v in sorted(found)]


LATEST_VERSION = max((m.version for m in all_migrations()), default=0)

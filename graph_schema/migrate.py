"""Apply the numbered migrations to a store and report the schema version."""

from __future__ import annotations

from typing import TYPE_CHECKING

from graph_schema.migrations import Migration, all_migrations
from graph_schema.queries import schema as q

if TYPE_CHECKING:
    from hub.store import Store


def schema_version(store: Store) -> int:
    """The highest migration version recorded in the graph (0 for an empty graph)."""
    return int(store.read(q.SCHEMA_VERSION)[0]["version"])


def migrate(store: Store) -> list[Migration]:
    """Apply every migration newer than the graph's version, in order.

    Every migration not yet recorded is applied, so one merged later with a lower number
    than the newest applied still runs. Schema statements are idempotent (``IF NOT
    EXISTS``), so a migration interrupted half way is simply applied again. A data step
    that batches itself (``CALL … IN TRANSACTIONS``) needs an auto-commit transaction and
    gets one. Returns the migrations that were applied now.
    """
    done = {int(r["version"]) for r in store.read(q.APPLIED_MIGRATIONS)}
    applied = []
    for migration in all_migrations():
        if migration.version in done:
            continue
        for statement in migration.statements:
            if " IN TRANSACTIONS" in statement:
                store.run_autocommit(statement)
            else:
                store.write(statement)
        store.write(q.RECORD_MIGRATION, version=migration.version, name=migration.name)
        applied.append(migration)
    return applied


def is_current(store: Store) -> bool:
    """True when the graph has every migration this code knows."""
    done = {int(r["version"]) for r in store.read(q.APPLIED_MIGRATIONS)}
    return {m.version for m in all_migrations()} <= done

"""Migrations are numbered, idempotent, recorded in the graph, and enforce their keys."""

import pytest

from graph_schema import LATEST_VERSION, all_migrations, is_current, migrate, schema_version
from hub.errors import ConstraintViolationError
from hub.store import Store

pytestmark = pytest.mark.neo4j


def test_migrations_are_numbered_in_order() -> None:
    versions = [m.version for m in all_migrations()]
    assert versions == sorted(versions)
    assert versions[0] == 1
    assert versions[-1] == LATEST_VERSION
    for migration in all_migrations():
        for statement in migration.statements:
            assert "IF NOT EXISTS" in statement or (
                statement.startswith("DROP") and statement.endswith("IF EXISTS"))


def test_unused_ingest_indexes_are_gone(store: Store) -> None:
    migrate(store)
    names = store.read("SHOW INDEXES YIELD name RETURN collect(name) AS names")[0]["names"]
    for dropped in ("source_record_source", "fact_source"):
        assert dropped not in names
    assert {"source_record_bi_id", "fact_bi_hukou", "fact_bi_family"} <= set(names)
    assert "source_record_bi_name_birth" in names  # dropped by m0006, back for `people`


def test_migrate_twice_changes_nothing(store: Store) -> None:
    migrate(store)
    before = store.read("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names")[0]["names"]
    assert migrate(store) == []
    after = store.read("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names")[0]["names"]
    assert sorted(before) == sorted(after)
    assert "person_id" in after
    assert schema_version(store) == LATEST_VERSION
    assert is_current(store)


def test_duplicate_key_is_rejected_without_echoing_the_value(clean_store: Store) -> None:
    clean_store.write("CREATE (:Person {person_id: $pid})", pid="PX-secret-777")
    with pytest.raises(ConstraintViolationError) as caught:
        clean_store.write("CREATE (:Person {person_id: $pid})", pid="PX-secret-777")
    assert "PX-secret-777" not in str(caught.value)
    count = clean_store.read("MATCH (p:Person) RETURN count(p) AS n")[0]["n"]
    assert count == 1

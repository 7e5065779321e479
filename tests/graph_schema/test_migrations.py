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
            # schema steps say IF (NOT) EXISTS; a data step is a batched idempotent update
            assert "IF NOT EXISTS" in statement or (
                statement.startswith("DROP") and statement.endswith("IF EXISTS")) or (
                statement.startswith("MATCH") and " IN TRANSACTIONS OF " in statement)


def test_unused_ingest_indexes_are_gone(store: Store) -> None:
    migrate(store)
    names = store.read("SHOW INDEXES YIELD name RETURN collect(name) AS names")[0]["names"]
    for dropped in ("source_record_source", "fact_source"):
        assert dropped not in names
    assert {"source_record_bi_id", "fact_bi_hukou", "fact_bi_family"} <= set(names)
    assert "source_record_bi_name_birth" in names  # dropped by m0006, back for `people`


def test_pending_marks_of_older_code_become_the_label(clean_store: Store) -> None:
    """m0009: a record marked ``link_stale`` by older code is still pending after it."""
    clean_store.write("MATCH (m:SchemaMigration {version: 9}) DELETE m")
    clean_store.write("CREATE (:SourceRecord {mention_key: 'old:1:本人', link_stale: true}), "
                      "(:SourceRecord {mention_key: 'old:2:本人'})")
    assert [m.version for m in migrate(clean_store)] == [9]
    marked = clean_store.read(
        "MATCH (r:SourceRecord) RETURN r.mention_key AS key, r:LinkPending AS pending, "
        "r.link_stale AS stale ORDER BY key")
    assert [(r["key"], r["pending"], r["stale"]) for r in marked] == [
        ("old:1:本人", True, None), ("old:2:本人", False, None)]
    names = clean_store.read("SHOW INDEXES YIELD name RETURN collect(name) AS names")[0]
    assert "source_record_link_stale" not in names["names"]
    assert is_current(clean_store)


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

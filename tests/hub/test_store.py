"""The store writes in batches, reads back native values, and turns driver errors into
hub errors."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from neo4j.time import DateTime

from hub.errors import StoreError
from hub.native import aware, native
from hub.store import Store, quiet

pytestmark = pytest.mark.neo4j

_WRITE = "UNWIND $rows AS row MERGE (p:HealthProbe {key: row.key}) SET p.value = row.value"


def test_batched_writes_commit_every_batch(clean_store: Store) -> None:
    rows = [{"key": f"k{i}", "value": i} for i in range(2503)]
    batches: list[int] = []
    written = clean_store.write_batches(_WRITE, rows, batch_size=1000, on_batch=batches.append)
    assert written == 2503
    assert batches == [1000, 1000, 503]
    total = clean_store.read("MATCH (p:HealthProbe) RETURN count(p) AS n, sum(p.value) AS s")
    assert total == [{"n": 2503, "s": sum(range(2503))}]


def test_rewriting_the_same_rows_is_idempotent(clean_store: Store) -> None:
    rows = [{"key": f"k{i}", "value": i} for i in range(10)]
    clean_store.write_batches(_WRITE, rows)
    clean_store.write_batches(_WRITE, rows)
    assert clean_store.read("MATCH (p:HealthProbe) RETURN count(p) AS n") == [{"n": 10}]


def test_a_cypher_error_is_a_store_error(clean_store: Store) -> None:
    with pytest.raises(StoreError):
        clean_store.read("MATCH (n) RETURN n.value / 0 AS boom LIMIT x")


def test_long_list_parameters_reach_neo4j_whole_but_print_short(clean_store: Store) -> None:
    rows = [{"key": f"k{i}", "value": i} for i in range(500)]
    assert repr(quiet({"rows": rows, "n": 3})) == "{'rows': <500 rows>, 'n': 3}"
    clean_store.write(_WRITE, rows=rows)
    assert clean_store.read(
        "MATCH (p:HealthProbe) RETURN count(p) AS n, sum(p.value) AS s, "
        "collect(p.key)[0] STARTS WITH 'k' AS keyed"
    ) == [{"n": 500, "s": sum(range(500)), "keyed": True}]


_TEMPORALS = ("RETURN date('2026-03-01') AS day, "
              "datetime('2026-03-01T08:30:00.123456Z') AS moment, "
              "[date('2026-01-31'), null] AS days, {ends: [{on: date('2026-12-31')}]} AS nested")


def test_records_come_back_with_native_dates_at_any_depth(clean_store: Store) -> None:
    moment = datetime(2026, 3, 1, 8, 30, 0, 123456, tzinfo=UTC)
    expected = {"day": date(2026, 3, 1), "moment": moment,
                "days": [date(2026, 1, 31), None],
                "nested": {"ends": [{"on": date(2026, 12, 31)}]}}
    for rows in (clean_store.read(_TEMPORALS), clean_store.write(_TEMPORALS),
                 list(clean_store.stream(_TEMPORALS)), clean_store.run_autocommit(_TEMPORALS)):
        assert rows == [expected]
        assert type(rows[0]["day"]) is date and type(rows[0]["moment"]) is datetime


def test_native_leaves_plain_values_alone() -> None:
    values = {"n": 1, "s": "x", "f": 1.5, "b": True, "none": None, "list": [1, "a"]}
    assert native(values) == values
    assert native([DateTime(2026, 1, 2, 3, 4, 5, 6000)]) == [datetime(2026, 1, 2, 3, 4, 5, 6)]


def test_aware_reads_a_naive_stored_time_as_utc() -> None:
    naive = datetime(2026, 1, 2, 3, 4, 5)
    assert aware(naive) == naive.replace(tzinfo=UTC)
    shanghai = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=8)))
    assert aware(shanghai) is shanghai
    assert aware(None) is None

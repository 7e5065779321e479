"""The store writes in batches, reads back, and turns driver errors into hub errors."""

import pytest

from hub.errors import StoreError
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

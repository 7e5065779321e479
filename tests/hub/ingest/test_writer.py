"""GraphWriter.prepare: sealed parameters, facts grouped by label; per-label statements."""

from __future__ import annotations

import pytest

from graph_schema import labels
from graph_schema.queries.ingest import fact_statements
from hub.config import Settings
from hub.ingest.directory import read_directory
from hub.ingest.model import CanonicalRow
from hub.ingest.writer import GraphWriter, PreparedBatch
from hub.privacy_graph.kit import PrivacyKit, open_privacy
from tests.conftest import SAMPLE_DIR


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> PrivacyKit:
    home = tmp_path_factory.mktemp("hub")
    return open_privacy(Settings.from_env({"HUB_DATA_DIR": str(home)}))


@pytest.fixture(scope="module")
def rows() -> list[CanonicalRow]:
    return read_directory(SAMPLE_DIR)[0]


@pytest.fixture(scope="module")
def prepared(kit: PrivacyKit, rows: list[CanonicalRow]) -> PreparedBatch:
    return GraphWriter(None, kit).prepare(rows, batch_id="b1", sensitive=frozenset())


def test_one_record_per_mention_key(prepared: PreparedBatch, rows: list[CanonicalRow]) -> None:
    keys = [r["mention_key"] for r in prepared.records]
    assert len(keys) == len(set(keys))
    assert set(keys) == {m.mention_key for row in rows for m in row.mentions}


def test_personal_fields_are_sealed_and_open_in_their_context(
        prepared: PreparedBatch, rows: list[CanonicalRow], kit: PrivacyKit) -> None:
    mentions = {m.mention_key: m for row in rows for m in row.mentions}
    named = [r for r in prepared.records if mentions[r["mention_key"]].name]
    assert named
    for record in named[:200]:
        mention = mentions[record["mention_key"]]
        assert mention.name not in record.values()
        assert kit.encryptor.decrypt(record["enc_name"], label=labels.SOURCE_RECORD,
                                     record_key=record["mention_key"],
                                     field="name") == mention.name


def test_facts_are_grouped_by_their_label(prepared: PreparedBatch) -> None:
    assert set(prepared.facts) <= labels.FACT_LABELS
    keys = [f["props"]["fact_key"] for facts in prepared.facts.values() for f in facts]
    assert len(keys) == len(set(keys))
    hukou = prepared.facts[labels.HUKOU_ENTRY][0]
    assert "hukou_no" not in hukou["props"] and "bi_hukou_no" in hukou["props"]
    assert hukou["props"]["enc_hukou_no"].count(".") >= 4
    assert len(hukou["mentions"]) == len(set(hukou["mentions"])) >= 1


def test_fact_statements_spell_the_label_and_refuse_others() -> None:
    create, merge = fact_statements(labels.AID_RECORD)
    assert "CREATE (f:Fact:AidRecord)" in create
    assert "f:AidRecord" in merge and "$(" not in merge
    for bad in (labels.PERSON, "AidRecord) DETACH DELETE (f"):
        with pytest.raises(ValueError):
            fact_statements(bad)

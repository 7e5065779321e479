"""Key rotation over the real graph: rotate → old data reads → rewrap (resumable) → retire.

Runs on its own keyring (a temporary data directory), so the session's keys are untouched;
the graph is cleared first and the linked-sample fixture rebuilds itself afterwards.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hub.config import Settings
from hub.ingest.run import ingest_directory
from hub.privacy_graph import keys as graph_keys
from hub.privacy_graph.keys import UnknownSealedNodeError, rewrap_graph, versions_in_use
from hub.privacy_graph.kit import PrivacyKit, open_privacy
from hub.resolution import run_link
from hub.store import Store
from privacy import RetiredKeyVersionError

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "sample"
FILES = ("gongan_hukou.csv", "minzheng_aid.csv", "canlian_disability.csv")

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

_SEALED_VALUES = """
MATCH (n) WHERE n:Person OR n:SourceRecord OR n:Fact
WITH n, [k IN keys(n) WHERE k STARTS WITH 'enc_'] AS sealed
WHERE size(sealed) > 0
RETURN elementId(n) AS element_id, labels(n) AS labels, properties(n) AS props
"""


def _decrypt_all(store: Store, kit: PrivacyKit) -> dict[tuple[str, str], str]:
    """Every ciphertext in the graph, decrypted, keyed by (node, field)."""
    out: dict[tuple[str, str], str] = {}
    for record in store.read(_SEALED_VALUES):
        label, key = graph_keys.sealed_context(record["labels"], record["props"])
        for name, token in record["props"].items():
            if name.startswith("enc_"):
                out[(record["element_id"], name)] = kit.encryptor.decrypt(
                    token, label=label, record_key=key, field=name[4:])
    return out


@pytest.fixture
def rotation_graph(clean_store: Store, settings: Settings,
                   tmp_path: Path) -> tuple[Store, PrivacyKit, Settings]:
    """A small ingested and linked graph sealed under a fresh keyring of its own."""
    own = settings.with_overrides(data_dir=tmp_path / "hub")
    kit = open_privacy(own)
    source = tmp_path / "exports"
    source.mkdir()
    for name in FILES:
        shutil.copy(SAMPLE_DIR / name, source / name)
    ingest_directory(clean_store, kit, source)
    run_link(clean_store, kit)
    return clean_store, kit, own


def test_rotate_rewrap_retire(rotation_graph: tuple[Store, PrivacyKit, Settings],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    store, kit, own = rotation_graph
    before = versions_in_use(store)
    assert set(before) == {1}
    persons = store.read("MATCH (p:Person) WHERE p.enc_name IS NOT NULL RETURN count(p) AS n")
    assert persons[0]["n"] > 0, "Person ciphertexts must be part of the rotation"
    plaintext = _decrypt_all(store, kit)
    assert len(plaintext) == before[1]
    old_token = store.read("MATCH (p:Person) WHERE p.enc_name IS NOT NULL "
                           "RETURN p.person_id AS key, p.enc_name AS token LIMIT 1")[0]

    new_version = kit.keyring.rotate()
    kit.save_keyring()
    assert new_version == 2
    # written before the rotation, still readable after it; new writes use version 2
    reopened = open_privacy(own)
    assert _decrypt_all(store, reopened) == plaintext
    fresh = reopened.encryptor.encrypt("新值", label="Person", record_key="x", field="name",
                                       field_class="name")
    assert graph_keys.ciphertext_version(fresh) == 2

    # an interrupted rewrap resumes where it stopped
    monkeypatch.setattr(graph_keys, "PAGE", 100)
    calls = 0

    def crash_after_first_page(_: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rewrap_graph(store, reopened.encryptor, on_nodes=crash_after_first_page)
    partial = versions_in_use(store)
    assert partial[2] > 0 and partial[1] > 0
    rewritten = rewrap_graph(store, reopened.encryptor)
    assert rewritten == partial[1]
    after = versions_in_use(store)
    assert after == {2: before[1]}
    assert _decrypt_all(store, reopened) == plaintext

    reopened.keyring.retire(1)
    reopened.save_keyring()
    retired = open_privacy(own)
    assert _decrypt_all(store, retired) == plaintext
    with pytest.raises(RetiredKeyVersionError) as caught:
        retired.encryptor.decrypt(old_token["token"], label="Person",
                                  record_key=old_token["key"], field="name")
    assert "1" in str(caught.value)


def test_unknown_sealed_node_stops_the_count(clean_store: Store) -> None:
    clean_store.write("CREATE (:HealthProbe {key: 'sealed', enc_note: 'enc1.x'})")
    with pytest.raises(UnknownSealedNodeError) as caught:
        versions_in_use(clean_store)
    assert "HealthProbe" in str(caught.value)

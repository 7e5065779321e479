"""A name indexed at ingest is found by a lookup for the same name as others write it.

Ingest stores ``privacy.normalise_name`` of a name and the blind index hashes
``privacy.name_index_form`` of it; a lookup hashes the name as typed. Both go through the
one normaliser, so the spellings it tolerates (spaces, full-width forms, middle-dot
variants, a dropped dot, traditional characters, letter case) find the ingested record.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from hub.config import Settings
from hub.ingest.directory import read_directory
from hub.ingest.writer import GraphWriter
from hub.privacy_graph.kit import PrivacyKit, open_privacy
from tests.conftest import SAMPLE_DIR

BIRTH = "1981-11-04"
# name as the 户籍 export writes it → the same name as a caseworker or another department
# might type it
CASES = {
    "阿依古丽·买买提": [
        "阿依古丽 · 买买提", "阿依古丽•买买提", "阿依古丽・买买提", "阿依古丽．买买提",
        "阿依古丽.买买提", "阿依古丽･买买提", "阿依古丽买买提", " 阿依古丽\u3000·买买提 ",
        "阿依古丽\u0387买买提",
    ],
    "刘德华": ["劉德華", "刘 德华", "刘\u3000德华", " 刘德华 "],
    "John Smith": ["ＪＯＨＮ ＳＭＩＴＨ", "john smith", "JOHN\u3000SMITH"],
}


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> PrivacyKit:
    home = tmp_path_factory.mktemp("hub")
    return open_privacy(Settings.from_env({"HUB_DATA_DIR": str(home)}))


@pytest.fixture(scope="module")
def ingested(kit: PrivacyKit, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """``bi_name_birth`` of each case's record, written by the real ingest path."""
    source = SAMPLE_DIR / "gongan_hukou.csv"
    with source.open(encoding="utf-8", newline="") as handle:
        header, first, *_ = list(csv.reader(handle))
    set_dir: Path = tmp_path_factory.mktemp("set")
    with (set_dir / source.name).open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for n, name in enumerate(CASES):
            row = dict(zip(header, first, strict=True))
            row.update({"记录编号": f"GA9900000{n}", "姓名": name, "出生日期": BIRTH})
            writer.writerow([row[h] for h in header])
    rows, _ = read_directory(set_dir)
    prepared = GraphWriter(None, kit).prepare(rows, batch_id="b1", sensitive=frozenset())
    by_record = {r["record_id"]: r["bi_name_birth"] for r in prepared.records}
    return {name: by_record[f"GA9900000{n}"] for n, name in enumerate(CASES)}


@pytest.mark.parametrize(("name", "variant"),
                         [(name, v) for name, variants in CASES.items() for v in variants])
def test_a_lookup_for_a_variant_finds_the_ingested_name(
        kit: PrivacyKit, ingested: dict[str, str], name: str, variant: str) -> None:
    assert kit.indexer.name_birth(variant, BIRTH) == ingested[name]


def test_other_names_are_not_found(kit: PrivacyKit, ingested: dict[str, str]) -> None:
    assert kit.indexer.name_birth("刘德", BIRTH) != ingested["刘德华"]
    assert kit.indexer.name_birth("刘德华", "1981-11-05") != ingested["刘德华"]

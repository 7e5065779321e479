from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from tests.hub.linkage.linkage_helpers import frame, make_id, mention

from hub.linkage import link
from hub.linkage.presets import hub_settings

WANG = make_id("36022219850307123")
WANG_TYPO = WANG[:15] + str((int(WANG[15]) + 1) % 10) + WANG[16:]
LI = make_id("36022219900101002")
TWIN = make_id("36022219850307125")


def _base() -> pd.DataFrame:
    return frame(
        mention("gongan_hukou", "G1", "王伟", WANG, birth=date(1985, 3, 7)),
        mention("renshe", "R1", "王 伟", WANG),
        mention("yibao", "Y1", "王伟", WANG_TYPO),
        mention("gongan_hukou", "G2", "李娜", LI, birth=date(1990, 1, 1)),
        mention("shuiwu", "S1", "李娜", LI),
        # Same name, region and birth date as 王伟, different valid ID: another person.
        mention("gongan_hukou", "G3", "王伟", TWIN, birth=date(1985, 3, 7)),
        mention("canlian", "C1", "王伟", TWIN),
    )


@pytest.fixture(scope="module")
def trained() -> object:
    return link(_base()).settings


def _groups(result: object) -> list[set[str]]:
    person = result.person_ids  # type: ignore[attr-defined]
    return sorted((set(g.index) for _, g in person.groupby(person)), key=min)


def test_full_link_separates_same_name_people(trained: object) -> None:
    result = link(_base(), trained)
    groups = _groups(result)
    assert {"gongan_hukou:G1:本人", "renshe:R1:本人", "yibao:Y1:本人"} in groups
    assert {"gongan_hukou:G3:本人", "canlian:C1:本人"} in groups
    assert {"gongan_hukou:G2:本人", "shuiwu:S1:本人"} in groups
    assert result.resolves_to.loc["yibao:Y1:本人", "method"] == "probabilistic"


def test_explanations_cover_every_comparison(trained: object) -> None:
    result = link(_base(), trained)
    parts, total = result.explain("yibao:Y1:本人", "gongan_hukou:G1:本人")
    named = {name: level for name, level, _ in parts}
    assert named["id_number"] == "near"
    assert total >= trained.link_threshold  # type: ignore[attr-defined]


def test_a_rejected_pair_stays_apart(trained: object) -> None:
    decisions = pd.DataFrame(
        [("yibao:Y1:本人", "gongan_hukou:G1:本人", "non_match")],
        columns=["key_a", "key_b", "decision"],
    )
    result = link(_base(), trained, decisions=decisions)
    person = result.person_ids
    assert person["yibao:Y1:本人"] != person["gongan_hukou:G1:本人"]


def test_an_accepted_pair_is_linked_whatever_the_model_says(trained: object) -> None:
    decisions = pd.DataFrame(
        [("shuiwu:S1:本人", "canlian:C1:本人", "match")], columns=["key_a", "key_b", "decision"]
    )
    result = link(_base(), trained, decisions=decisions)
    person = result.person_ids
    assert person["shuiwu:S1:本人"] == person["canlian:C1:本人"]
    assert result.resolves_to.loc["canlian:C1:本人", "method"] == "clerical"


def test_person_ids_are_stable_after_rerun_and_incremental_batch(trained: object) -> None:
    base = _base()
    first = link(base, trained)
    again = link(base, trained)
    assert first.person_ids.equals(again.person_ids)

    batch = frame(
        mention("zhujian", "Z1", "王伟", WANG),
        mention("yingji", "J1", "张三", make_id("36022220000101001")),
    )
    existing = base.assign(person_id=first.person_ids)
    second = link(batch, trained, existing=existing)
    person = second.person_ids
    assert person.loc[base.index].equals(first.person_ids.loc[base.index])
    assert person["zhujian:Z1:本人"] == first.person_ids["gongan_hukou:G1:本人"]
    assert person["yingji:J1:本人"] not in set(first.person_ids)
    # Only pairs touching the batch were compared.
    touched = second.scored.index.to_frame()
    assert touched.isin(batch.index).any(axis=1).all()


def test_staff_named_by_name_resolve_through_the_roster() -> None:
    staff = make_id("36022219790314937")
    df = frame(
        mention("staff_roster", "RY1", "王波", staff),
        mention("gongan_hukou", "G9", "王波", staff, birth=date(1979, 3, 14)),
        mention("minzheng_aid", "A1", "王波", None, role="经办人"),
        mention("minzheng_aid", "A2", "王波", None, role="经办人", region="410502"),
    )
    result = link(df, hub_settings())
    person = result.person_ids
    assert person["minzheng_aid:A1:经办人"] == person["staff_roster:RY1:本人"]
    assert person["minzheng_aid:A2:经办人"] != person["staff_roster:RY1:本人"]
    method = result.resolves_to.loc["minzheng_aid:A1:经办人", "method"]
    assert method == "staff_roster_by_name_and_region"


def test_guardian_without_id_resolves_through_the_household() -> None:
    mum, kid = make_id("65900119871006798"), make_id("41132320191121792")
    other = make_id("65900119900101002")
    df = frame(
        mention("gongan_hukou", "G1", "热依拉·托合提", mum),
        mention("gongan_hukou", "G2", "热孜万古丽·吐尔洪", kid),
        mention("gongan_hukou", "G3", "热依拉·托合提", other),
        mention("jiaoyu_students", "J1", "热孜万古丽·吐尔洪", kid, role="学生"),
        mention("jiaoyu_students", "J1", "热依拉托合提", None, role="监护人"),
        households={"gongan_hukou:G1:本人": "hukou:1", "gongan_hukou:G2:本人": "hukou:1",
                    "gongan_hukou:G3:本人": "hukou:2"},
    )
    person = link(df, hub_settings()).person_ids
    assert person["jiaoyu_students:J1:监护人"] == person["gongan_hukou:G1:本人"]
    assert person["jiaoyu_students:J1:监护人"] != person["gongan_hukou:G3:本人"]

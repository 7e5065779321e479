from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from hub.linkage import link
from hub.linkage.pipeline import run
from hub.linkage.presets import hub_settings
from hub.linkage.standardise import standardise
from tests.hub.linkage.linkage_helpers import frame, make_id, mention

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


@pytest.fixture(scope="module")
def sample_split(sample_frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, object]:
    """The sample with 600 mentions held out, and the first link of the rest."""
    batch = sample_frame.sample(600, random_state=5)
    base = sample_frame.drop(batch.index)
    first = link(base)
    return batch, base.assign(person_id=first.person_ids), first


def _decisions(existing: pd.DataFrame, batch: pd.DataFrame) -> pd.DataFrame:
    person = existing["person_id"]
    big = person.value_counts().index[0]
    members = sorted(person[person == big].index)
    return pd.DataFrame(
        [(members[0], members[-1], "non_match"),
         (batch.index[0], existing.index[0], "match")],
        columns=["key_a", "key_b", "decision"],
    )


def _same(one: object, two: object) -> None:
    left, right = one.resolves_to, two.resolves_to  # type: ignore[attr-defined]
    pd.testing.assert_frame_equal(left, right.loc[left.index])
    assert one.redirects == two.redirects  # type: ignore[attr-defined]
    queue = ["key_a", "key_b"]
    pd.testing.assert_frame_equal(
        one.review_queue.sort_values(queue).reset_index(drop=True),  # type: ignore[attr-defined]
        two.review_queue.sort_values(queue).reset_index(drop=True))  # type: ignore[attr-defined]


def test_incremental_restricted_to_touched_people_equals_reclustering_everyone(
    sample_split: tuple[pd.DataFrame, pd.DataFrame, object],
) -> None:
    batch, existing, first = sample_split
    settings = first.settings  # type: ignore[attr-defined]
    for decisions in (None, _decisions(existing, batch)):
        restricted = run(batch, settings, existing=existing, decisions=decisions)
        everyone = run(batch, settings, existing=existing, decisions=decisions,
                       restrict_to_touched=False)
        _same(restricted, everyone)
        assert set(restricted.resolves_to["method"]) >= {"exact_id", "existing"}


def test_incremental_accepts_an_already_standardised_existing_frame(
    sample_split: tuple[pd.DataFrame, pd.DataFrame, object],
) -> None:
    batch, existing, first = sample_split
    settings = first.settings  # type: ignore[attr-defined]
    ready = standardise(existing.drop(columns="person_id")).assign(
        person_id=existing["person_id"])
    _same(link(batch, settings, existing=ready), link(batch, settings, existing=existing))


def test_incremental_batch_keeps_untouched_people_and_their_ids(
    sample_split: tuple[pd.DataFrame, pd.DataFrame, object],
) -> None:
    batch, existing, first = sample_split
    result = link(batch, first.settings, existing=existing)  # type: ignore[attr-defined]
    person = result.person_ids
    old = existing["person_id"]
    compared = set(result.scored.index.get_level_values(0)) | set(
        result.scored.index.get_level_values(1))
    untouched = old[~old.isin(set(old[old.index.isin(compared)]))]
    now = person.loc[untouched.index]
    # Untouched people stay whole; their id changes only by a redirect (a name-only
    # mention with a smaller id attached to them).
    assert (now.groupby(untouched).nunique() == 1).all()
    moved = now != untouched
    assert all(result.redirects.get(o) == n for o, n in zip(untouched[moved], now[moved],
                                                            strict=True))
    assert moved.mean() < 0.05
    assert person.index.is_unique and len(person) == len(existing) + len(batch)


def test_incremental_reruns_name_rules_two_hops_from_the_batch() -> None:
    """A guardian left unresolved gets resolved when the batch adds its relative's 户籍 row,
    although no candidate pair touches the guardian: its context changed two hops away."""
    mum, kid = make_id("65900119871006798"), make_id("41132320191121792")
    settings = hub_settings()
    settings.blocking_rules = [r for r in settings.blocking_rules
                               if r.name != "block_on_name_when_id_missing"]
    existing = frame(
        mention("gongan_hukou", "G2", "热孜万古丽·吐尔洪", kid),
        mention("jiaoyu_students", "J1", "热孜万古丽·吐尔洪", kid, role="学生"),
        mention("jiaoyu_students", "J1", "热依拉托合提", None, role="监护人"),
        households={"gongan_hukou:G2:本人": "hukou:1"},
    )
    first = link(existing, settings)
    guardian = "jiaoyu_students:J1:监护人"
    assert first.resolves_to.loc[guardian, "method"] == "singleton"
    batch = frame(mention("gongan_hukou", "G1", "热依拉·托合提", mum),
                  households={"gongan_hukou:G1:本人": "hukou:1"})
    old = existing.assign(person_id=first.person_ids)
    restricted = run(batch, first.settings, existing=old)
    everyone = run(batch, first.settings, existing=old, restrict_to_touched=False)
    _same(restricted, everyone)
    assert guardian not in set(restricted.scored.index.get_level_values(0)) | set(
        restricted.scored.index.get_level_values(1))
    person = restricted.person_ids
    assert person[guardian] == person["gongan_hukou:G1:本人"]
    assert restricted.resolves_to.loc[guardian, "method"] == "household_context_by_name"


def test_incremental_reruns_the_roster_rule_when_the_roster_changes() -> None:
    """经办人 recorded before the staff roster arrived resolve once it does, even when no
    candidate pair touches them."""
    settings = hub_settings()
    settings.blocking_rules = [r for r in settings.blocking_rules
                               if r.name != "block_on_name_when_id_missing"]
    existing = frame(
        mention("minzheng_aid", "A1", "李娜", make_id("36022219900101002"), role="救助对象"),
        mention("minzheng_aid", "A1", "王波", None, role="经办人"),
    )
    first = link(existing, settings)
    clerk = "minzheng_aid:A1:经办人"
    batch = frame(mention("staff_roster", "RY1", "王波", make_id("36022219790314937")))
    old = existing.assign(person_id=first.person_ids)
    restricted = run(batch, first.settings, existing=old)
    _same(restricted, run(batch, first.settings, existing=old, restrict_to_touched=False))
    assert restricted.person_ids[clerk] == restricted.person_ids["staff_roster:RY1:本人"]
    assert restricted.resolves_to.loc[clerk, "method"] == "staff_roster_by_name_and_region"

"""Ground-truth files of FORMATS.md section 7 (truth/, UTF-8, LF)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from hub.datasets.assemble import FileResult
from hub.datasets.economy import school_year_start, stage_at
from hub.datasets.records import Rec
from hub.datasets.world import (
    Account,
    AidRecord,
    Anomaly,
    Business,
    Household,
    Housing,
    HukouRow,
    Person,
    Settlement,
    Title,
    Vehicle,
    World,
)

FILE_OF = {Vehicle: "cheguan_vehicles.csv", Business: "shichang_business.csv",
           Title: "budongchan_realestate.csv", Account: "yinhang_deposits.csv",
           Housing: "zhujian_housing.csv", AidRecord: "minzheng_aid.csv",
           HukouRow: "gongan_hukou.csv", Settlement: "yibao_medical.csv"}


def _cols(text: str) -> list[str]:
    return text.split(",")


def _write(path: Path, header: Iterable[str], rows: Iterable[Iterable[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(list(header))
        writer.writerows(rows)


def _ref(world: World, refs: dict[object, Rec], file: str, obj: object) -> str:
    """``file:记录编号`` of a referenced fact (or of a staff member's roster row)."""
    if file == "staff":
        rec = refs[("staff", obj.uid)]
        return f"staff_roster.csv:{rec.values[0]}"
    if file == "members":
        return f"minzheng_members.csv:{obj.recs[0].values[0]}"
    if isinstance(obj, Person):
        obj = next(r for r in obj.hh.rows if r.person is obj)
    name = file if file.endswith(".csv") else FILE_OF[type(obj)]
    return f"{name}:{obj.rec.values[0]}"


def _anomaly_rows(world: World, refs: dict[object, Rec], items: list[Anomaly],
                  prefix: str) -> list[list[str]]:
    rows = []
    for i, a in enumerate(items, start=1):
        records = ";".join(_ref(world, refs, f, o) for f, o in a.records)
        rows.append([f"{prefix}{i:05d}", a.type, ";".join(h.uid for h in a.households),
                     ";".join(p.uid for p in a.persons), records, a.detail])
    return rows


def receiving(world: World) -> dict[str, str]:
    """Household uid -> what the 民政 files currently pay (低保 / 低保(单人户) / 特困)."""
    got: dict[str, set[str]] = {}
    for rec in world.aid:
        if rec.end is not None:
            continue
        label = ("特困" if rec.category == "特困供养"
                 else "低保(单人户)" if rec.remark == "单人户施保" else "低保")
        for person in [m for m, _, _ in rec.family.members] + [rec.person]:
            got.setdefault(person.hh.uid, set()).add(label)
    order = ("低保", "低保(单人户)", "特困")
    return {uid: ";".join(x for x in order if x in labels) for uid, labels in got.items()}


def write_truth(out: Path, world: World, results: list[FileResult],
                refs: dict[object, Rec]) -> None:
    """Write every truth file.

    Args:
        out: the truth directory.
        world: the generated world.
        results: bookkeeping of every written export.
        refs: extra record references (staff roster rows by person).
    """
    out.mkdir(parents=True, exist_ok=True)
    ystart = school_year_start(world.as_of)
    _write(out / "households.csv",
           _cols("household_uid,hukou_no,region_code,region_name,township,urban_rural,"
             "household_type,ethnicity,member_uids,deceased_member_uids,"
             "moved_away_member_uids,children_moved_to_own_hukou_uids,planted"),
           ([hh.uid, hh.hukou_no, hh.region.code, hh.region.name, hh.township,
             "城市" if hh.urban else "农村", hh.htype, hh.ethnicity,
             ";".join(p.uid for p in hh.persons if p.alive),
             ";".join(p.uid for p in hh.persons if p.status == "死亡"),
             ";".join(p.uid for p in hh.persons if p.status == "迁出"),
             ";".join(r.person.uid for r in hh.rows if r.person.hh is not hh),
             ";".join(hh.planted)] for hh in world.households))
    _write(out / "persons.csv", _PERSON_HEADER, (_person_row(p, ystart) for p in world.persons))
    paid = receiving(world)
    _write(out / "eligibility.csv", _ELIG_HEADER,
           (_elig_row(hh, world.eligibility[hh.uid], paid.get(hh.uid, ""))
            for hh in world.households))
    _write(out / "anomalies.csv",
           _cols("anomaly_id,type,household_uids,person_uids,records,detail"),
           _anomaly_rows(world, refs, world.anomalies, "A"))
    _write(out / "near_misses.csv",
           _cols("near_miss_id,type,household_uids,person_uids,records,detail"),
           _anomaly_rows(world, refs, world.near_misses, "N"))
    _write(out / "bad_rows.csv", _cols("file,line_no,record_id,reason,column,detail"),
           ([r.spec.name, line, rid, b.reason, b.column, b.detail]
            for r in results for line, rid, b in r.bad))
    _write(out / "duplicates.csv", _cols("file,record_id,copies,line_nos"),
           ([r.spec.name, rid, len(lines), ";".join(map(str, lines))]
            for r in results for rid, lines in r.duplicates))
    _write(out / "noise_log.csv", _cols("file,record_id,field,noise"),
           ([r.spec.name, *row] for r in results for row in r.noise))
    _write(out / "person_map.csv", _cols("file,record_id,role,person_uid"),
           ([r.spec.name, *row] for r in results for row in r.person_map))
    _write(out / "manifest.csv",
           _cols("file,encoding,line_endings,data_lines,distinct_records,bad_rows,"
             "duplicate_lines"),
           ([r.spec.name, r.spec.encoding, "CRLF" if r.spec.crlf else "LF", r.data_lines,
             r.distinct, len(r.bad), sum(len(lines) - 1 for _, lines in r.duplicates)]
            for r in results))


_PERSON_HEADER = _cols("person_uid,household_uid,name,id18,sex,ethnicity,birth_date,relation,"
             "status,status_date,disability_category,disability_level,"
             "serious_illness,labour_capacity,employment,employer,monthly_wage,"
             "monthly_pension,pension_type,monthly_farm_income,monthly_income,"
             "student_stage,is_staff,staff_title,staff_unit,previous_hukou_nos,"
             "same_name_as")
_ELIG_HEADER = _cols("household_uid,region_code,urban_rural,living_members,"
             "monthly_income_total,per_capita_income,dibao_standard,tekun_standard,"
             "rigid_expense_12m,adjusted_per_capita_income,financial_assets,"
             "financial_asset_limit,asset_ok,asset_issues,category,tekun_uids,"
             "individual_dibao_uids,expected_monthly_amount,receiving_basic_aid,"
             "planted")


def _person_row(p: Person, ystart: date) -> list[object]:
    stage = stage_at(p, ystart) if p.alive else None
    dis = p.disability or ("", "")
    return [p.uid, p.hh.uid, p.name, p.id18, p.sex, p.ethnicity, p.birth.isoformat(), p.relation,
            p.status, p.status_date.isoformat() if p.status_date else "", dis[0], dis[1],
            p.illness, p.labour, p.employment, p.employer if p.employment != "灵活就业" else "",
            p.wage, p.pension, p.pension_type, p.farm, p.income, stage[0] if stage else "",
            1 if p.staff_title else 0, p.staff_title, p.staff_unit,
            ";".join(h.hukou_no for h, _, _ in p.moved_from), p.same_name_as]


def _elig_row(hh: Household, e: dict[str, object], paid: str) -> list[object]:
    return [hh.uid, hh.region.code, "城市" if hh.urban else "农村", e["n"], e["total"],
            f"{float(e['pc']):.2f}", e["std"], e["tk"], f"{float(e['rigid']):.2f}",
            f"{float(e['adjusted']):.2f}", f"{float(e['assets']):.2f}", e["limit"],
            0 if e["issues"] else 1, ";".join(e["issues"]), e["category"],
            ";".join(p.uid for p in e["tekun"]), ";".join(p.uid for p in e["individual"]),
            e["amount"], paid, ";".join(hh.planted)]

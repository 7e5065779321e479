"""Turn planted specs into anomalies.csv entries (after the records have their ids)."""

from __future__ import annotations

from datetime import date

from hub.datasets.planted import month_index
from hub.datasets.truth_eligibility import kinship
from hub.datasets.world import AidRecord, Anomaly, Household, Person, World


def _ym(value: tuple[int, int]) -> str:
    return f"{value[0]}{value[1]:02d}"


def _short(category: str) -> str:
    return "特困供养" if category == "特困供养" else category


def _gongan_row(p: Person, hh: Household | None = None) -> object:
    target = hh or p.hh
    for row in target.rows:
        if row.person is p:
            return row
    raise LookupError(p.uid)


def _asset_text(obj: object) -> str:
    from hub.datasets.world import Account, Business, Title, Vehicle
    if isinstance(obj, Vehicle):
        return f"{obj.kind}{obj.plate}（{obj.registered}初次登记，状态{obj.status}）"
    if isinstance(obj, Business):
        return f"存续经营主体{obj.name}（{obj.kind}）"
    if isinstance(obj, Title):
        return f"住房{obj.location}（{obj.use}，{obj.status}）"
    assert isinstance(obj, Account)
    return f"{obj.kind}{obj.balance:.2f}元"


def build_anomalies(world: World, specs: dict[str, dict[str, dict[str, object]]]) -> None:
    """Fill ``world.anomalies`` from the planted specs."""
    by_uid = {hh.uid: hh for hh in world.households}
    regions = {hh.region.code: hh.region for hh in world.households}
    kin = kinship(world)
    out = world.anomalies
    for uid, kinds in specs.items():
        hh = by_uid[uid]
        e = world.eligibility[uid]
        for kind, s in kinds.items():
            if kind == "still_receiving_after_death":
                p, rec = s["person"], s["record"]
                d = p.status_date
                end = rec.end or (world.as_of.year, world.as_of.month)
                extra = month_index(date(end[0], end[1], 1)) - month_index(d)
                text = "仍在发放" if rec.end is None else f"至{_ym(rec.end)}才终止"
                out.append(Anomaly(kind, [hh], [p], [("", _gongan_row(p)), ("", rec)],
                                   f"公安户籍记录{p.name}于{d}死亡注销，民政{_short(rec.category)}"
                                   f"（救助对象编号{rec.obj_no}）{text}，死亡后多发{extra}个月"))
            elif kind == "asset_disqualifies":
                rec = s["record"]
                objs = s["objects"]
                p = objs[-1].owner if hasattr(objs[-1], "owner") else objs[-1].person
                detail = f"{rec.category}家庭（救助对象编号{rec.obj_no}）：{p.name}名下" + \
                    "；".join(_asset_text(o) for o in objs)
                if s["what"] == "deposit":
                    detail += (f"，家庭金融资产{float(e['assets']):.2f}元超过上限{e['limit']}元"
                               f"（24×{hh.std}×{e['n']}）")
                out.append(Anomaly(kind, [hh], [p], [("", rec)] + [("", o) for o in objs],
                                   detail))
            elif kind == "duplicate_basic_aid":
                first, second = s["records"]
                persons = [m for m, _, _ in second.family.members]
                head = persons[0]
                vname, vid = second.family.variants[head.uid]
                other = regions.get(s["other"])
                other_name = other.name if other else s["other"]
                out.append(Anomaly(kind, [hh], persons, [("", first), ("", second)],
                                   f"{head.name}（{head.id18}）在{hh.region.name}享受"
                                   f"{first.category}（{first.obj_no}，起{_ym(first.start)}），"
                                   f"又以“{vname}”/{vid}在{other_name}{s['town']}登记"
                                   f"{second.category}（{second.obj_no}，起{_ym(second.start)}，"
                                   f"{second.covered}人）"))
            elif kind == "exclusive_overlap":
                tk, db, fam = s["records"]
                p = s["person"]
                out.append(Anomaly(kind, [hh], [p], [("", tk), ("", db), ("members", fam)],
                                   f"特困供养人员{p.name}（{tk.obj_no}）又被列入低保家庭{fam.fam_no}"
                                   f"（{db.category}，救助对象编号{db.obj_no}）的保障成员"))
            elif kind == "double_housing_aid":
                flat, sub = s["objects"]
                a, b = s["persons"]
                who = "本人" if a is b else f"家庭成员{b.name}"
                until = "仍在发放" if sub.end is None else f"至{sub.end}"
                out.append(Anomaly(kind, [hh], [a] if a is b else [a, b],
                                   [("", flat), ("", sub)],
                                   f"{a.name}公租房实物配租（{flat.start}至{flat.end}）期间，{who}又领取"
                                   f"租赁补贴（{sub.start}起，{until}）"))
            elif kind == "missed_eligible":
                out.append(_missed(world, hh, e, s))
            elif kind == "kin_of_staff":
                out.append(_kin(world, hh, s, kin))


def _missed(world: World, hh: Household, e: dict[str, object], s: dict[str, object]) -> Anomaly:
    std = hh.std
    if s["mode"] == "edge":
        members = e["individual"]
        head = f"人均月收入{float(e['pc']):.2f}元在低保标准{std}元的1至1.5倍之间（低保边缘）"
        tail = "已登记为低保边缘家庭"
    else:
        members = [p for p in hh.living if p.severe or p.illness]
        head = f"人均月收入{float(e['pc']):.2f}元 < 低保标准{std}元"
        tail = "曾享受低保，已被停保" if s["mode"] == "ended" else "从未申请"
    p = members[0]
    why = (f"{p.disability[0]}{p.disability[1]}残疾" if p.severe and p.disability
           else f"重病:{p.illness}")
    return Anomaly("missed_eligible", [hh], [p], [],
                   f"{head}，成员{p.uid} {p.name}（{why}），但无任何低保/特困记录（{tail}）")


def _kin(world: World, hh: Household, s: dict[str, object], kin: dict) -> Anomaly:
    staff: Person = s["staff"]
    rec: AidRecord = s["record"]
    covered = [m for m, _, _ in rec.family.members]
    k = kin[staff.uid]
    member = next(m for m in covered if m.uid in k.all())
    relation = ("配偶" if member.uid in k.spouses else "子女" if member.uid in k.parents
                else "父母" if member.uid in k.children else "兄弟姐妹")
    homes = [staff.hh, member.hh] + [h for h, _, _ in staff.moved_from + member.moved_from]
    shared = next(h for h in homes
                  if any(r.person is staff for r in h.rows)
                  and any(r.person is member for r in h.rows))
    rows = [r for r in shared.rows if r.person in (staff, member)]
    moved = any(r.person is staff and r.status == "迁出" for r in rows)
    role = "救助对象" if member is rec.person else "保障成员"
    detail = (f"{rec.category}（救助对象编号{rec.obj_no}）经办人{staff.name}（{staff.staff_title}，"
              f"{staff.staff_unit}）是{role}{member.name}的{relation}（户籍{shared.hukou_no}"
              f"{'，经办人已迁出该户' if moved else ''}）")
    return Anomaly("kin_of_staff", [hh], [staff, member],
                   [("", rec), ("staff", staff)] + [("", r) for r in rows], detail)


def finish_near_misses(world: World) -> None:
    """Keep asset look-alikes of current recipients only; add same-name pairs."""
    current: dict[str, AidRecord] = {}
    for rec in world.aid:
        if rec.end is None:
            for m, _, _ in rec.family.members:
                current.setdefault(m.hh.uid, rec)
    kept = []
    for nm in world.near_misses:
        if any(h.planted for h in nm.households) or any(
                getattr(o, "rec", True) is None for _, o in nm.records
                if not isinstance(o, Person)):
            continue
        if nm.type == "asset_allowed_or_under_limit":
            rec = current.get(nm.households[0].uid)
            if rec is None or nm.households[0].planted:
                continue
            nm.records = [("", rec), *nm.records]
        kept.append(nm)
    by_uid = {p.uid: p for p in world.persons}
    for p in world.persons:
        if p.same_name_as and p.uid < p.same_name_as:
            q = by_uid[p.same_name_as]
            kept.append(Anomaly("same_name_different_person", [p.hh, q.hh], [p, q], [],
                                f"{p.name} ({p.id18}) vs {q.name} ({q.id18})"))
    world.near_misses = kept

"""Gather one or many households' facts from the resolved graph, decrypted in memory.

One ``HOUSEHOLD_FACTS`` round trip returns every member with their facts, assets, basic
aid and legal supporters; this module turns the rows into :mod:`hub.rules.model` objects,
opening only the sealed fields the rules need (income, balances, levels, birth dates,
the 重特大疾病 flag and the region prefix of a 家庭编号). Plaintext never leaves the
process and is never logged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from graph_schema import labels
from graph_schema.labels import KIND_LABELS
from graph_schema.queries import verification as q
from hub.rules.model import (
    AidRow,
    AssetRow,
    DisabilityRow,
    EmploymentRow,
    FamilyRow,
    HouseholdFacts,
    MemberFacts,
    SettlementRow,
    Source,
    StandardFacts,
    StudentRow,
    SupporterFacts,
    TaxRow,
)
from hub.store import Store
from privacy import FieldEncryptor

FACT_KINDS = ["civil_affairs_member", "employment", "tax_income", "disability",
              "medical_settlement", "student"]
# the role a person must play in a fact for it to be theirs
OWN_ROLES = {"civil_affairs_member": "成员", "student": "学生", "medical_settlement": "参保人",
             "disability": "持证人"}
HUKOU_DEPARTMENT = "公安"


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def source_of(row: Mapping[str, Any]) -> Source:
    """(department, record id) of a fact row."""
    return Source(row.get("department") or "", row.get("record_id") or "")


def hukou_source(fact_key: str | None) -> Source | None:
    """The 户籍 record behind a ``MEMBER_OF`` (its fact key is ``gongan_hukou:<id>``)."""
    if not fact_key:
        return None
    return Source(HUKOU_DEPARTMENT, fact_key.split(":")[1])


class _Opener:
    """Decrypts the sealed fields of one fact (label and record key bound as AAD)."""

    def __init__(self, encryptor: FieldEncryptor) -> None:
        self._encryptor = encryptor

    def text(self, token: str | None, label: str, key: str, field: str) -> str | None:
        if not token:
            return None
        return self._encryptor.decrypt(token, label=label, record_key=key, field=field)

    def number(self, token: str | None, label: str, key: str, field: str) -> Decimal | None:
        value = self.text(token, label, key, field)
        return None if value in (None, "") else Decimal(value)

    def birth(self, token: str | None, person_id: str) -> date | None:
        value = self.text(token, labels.PERSON, person_id, "birth_date")
        return date.fromisoformat(value) if value else None

    def level(self, row: Mapping[str, Any]) -> int | None:
        value = self.text(row.get("enc_level"), labels.DISABILITY, row["fact_key"], "level")
        return int(value) if value and value.isdigit() else None


def _fact(opener: _Opener, member: MemberFacts, f: Mapping[str, Any]) -> None:
    kind, key = f["kind"], f["fact_key"]
    label = KIND_LABELS[kind][0]
    if kind in OWN_ROLES and f.get("role") != OWN_ROLES[kind]:
        return
    src = source_of(f)
    if kind == "civil_affairs_member":
        family_no = opener.text(f.get("enc_family_no"), label, key, "family_no") or ""
        member.families.append(FamilyRow(
            src, family_no[:6], f.get("family_category"),
            opener.number(f.get("enc_monthly_income"), label, key, "monthly_income"),
            f.get("labour_capacity")))
    elif kind == "employment":
        member.employment.append(EmploymentRow(
            src, f.get("status"), f.get("month"),
            opener.number(f.get("enc_contribution_base"), label, key, "contribution_base"),
            opener.number(f.get("enc_monthly_pension"), label, key, "monthly_pension")))
    elif kind == "tax_income":
        member.tax.append(TaxRow(src, f.get("tax_year"), opener.number(
            f.get("enc_income_amount"), label, key, "income_amount")))
    elif kind == "disability":
        member.disabilities.append(DisabilityRow(src, opener.level(f),
                                                 f.get("cert_status") == "有效"))
    elif kind == "medical_settlement":
        flag = opener.text(f.get("enc_major_illness"), label, key, "major_illness")
        member.settlements.append(SettlementRow(
            src, f.get("settlement_date"), _dec(f.get("out_of_pocket")) or Decimal(0),
            flag == "true"))
    elif kind == "student":
        member.students.append(StudentRow(src, f.get("school_year_start"),
                                          _dec(f.get("tuition")) or Decimal(0), f.get("stage")))


def _asset(opener: _Opener, a: Mapping[str, Any]) -> AssetRow:
    kind = a.get("asset_kind") or ""
    subtype = {"vehicle": a.get("vehicle_type"), "business": a.get("business_type"),
               "real_estate": a.get("use"), "deposit": a.get("account_type")}.get(kind)
    status = {"vehicle": a.get("vehicle_status"), "business": a.get("registration_status"),
              "real_estate": a.get("title_status"),
              "housing_fund": a.get("account_status")}.get(kind)
    balance = None
    if kind in ("deposit", "housing_fund"):
        balance = opener.number(a.get("enc_balance"), labels.ASSET, a["fact_key"], "balance")
    return AssetRow(source_of(a), kind, a.get("role"), subtype, status,
                    a.get("bi_title_no") or (a["fact_key"] if kind == "real_estate" else None),
                    balance)


def _supporter(opener: _Opener, s: Mapping[str, Any]) -> SupporterFacts:
    certs = tuple(DisabilityRow(source_of(d), opener.level(d), d.get("cert_status") == "有效")
                  for d in s.get("certs") or ())
    hukou = tuple(sorted({h for k in s.get("hukou") or () if (h := hukou_source(k))}))
    return SupporterFacts(s["person_id"], s["kind"], s.get("status"),
                          opener.birth(s.get("enc_birth_date"), s["person_id"]), certs, hukou)


def _member(opener: _Opener, m: Mapping[str, Any]) -> MemberFacts:
    member = MemberFacts(m["person_id"], m.get("relation"), m.get("status"),
                         opener.birth(m.get("enc_birth_date"), m["person_id"]),
                         m.get("region_code"), hukou_source(m.get("hukou_key")))
    for f in m.get("facts") or ():
        _fact(opener, member, f)
    member.assets = [_asset(opener, a) for a in m.get("assets") or ()]
    seen: set[str] = set()
    for a in m.get("aid") or ():
        if a["fact_key"] in seen:
            continue
        seen.add(a["fact_key"])
        member.aid.append(AidRow(source_of(a), a.get("programme"), a.get("start"),
                                 a.get("end"), _dec(a.get("amount")),
                                 a.get("region_code"), a.get("note")))
    member.supporters = [_supporter(opener, s) for s in m.get("supporters") or ()]
    return member


def _standard(row: Mapping[str, Any]) -> StandardFacts:
    return StandardFacts(row["region_code"], int(row["year"]), row["urban_rural"],
                         Decimal(str(row["dibao_standard"])), _dec(row.get("tekun_standard")),
                         _dec(row.get("asset_limit_per_capita")), source_of(row))


def household_from_row(row: Mapping[str, Any], encryptor: FieldEncryptor) -> HouseholdFacts:
    """Build :class:`HouseholdFacts` from one ``HOUSEHOLD_FACTS`` record."""
    opener = _Opener(encryptor)
    return HouseholdFacts(
        household_id=row["household_id"], region_code=row.get("region_code"),
        urban_rural=row.get("urban_rural"), township=row.get("township"),
        members=[_member(opener, m) for m in row.get("members") or ()],
        standards=[_standard(s) for s in row.get("standards") or ()])


def gather_households(store: Store, encryptor: FieldEncryptor,
                      household_ids: Sequence[str]) -> dict[str, HouseholdFacts]:
    """Gather several households in one round trip (unknown ids are simply absent).

    Args:
        store: the graph.
        encryptor: opens the sealed fields the rules need.
        household_ids: ``Household.household_id`` values.

    Returns:
        Household id → its facts.
    """
    rows = store.read(q.HOUSEHOLD_FACTS, household_ids=list(household_ids),
                      fact_kinds=FACT_KINDS)
    return {row["household_id"]: household_from_row(row, encryptor) for row in rows}


def chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    """Split ids into batches for :func:`gather_households`."""
    for start in range(0, len(items), size):
        yield items[start:start + size]

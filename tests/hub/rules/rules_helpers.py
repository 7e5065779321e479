"""Builders for hand-made households: the rules are pure, so most tests need no Neo4j."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import count

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
)

AS_OF = date(2026, 10, 31)
REGION = "410502"
STD = Decimal(740)  # 文峰区 城市 2026
TK = Decimal(962)
LIMIT = Decimal(17760)
_ids = count(1)


def src(dept: str = "测试") -> Source:
    return Source(dept, f"R{next(_ids):06d}")


def born(age: int, *, on: date = AS_OF, days: int = 0) -> date:
    """A birth date giving ``age`` on ``on`` (``days`` later → still ``age - 1``)."""
    d = date(on.year - age, on.month, on.day)
    return date.fromordinal(d.toordinal() + days)


def person(age: int = 40, *, income: int | None = None, status: str = "正常",
           region: str = REGION, pid: str | None = None, relation: str = "户主") -> MemberFacts:
    """A member; ``income`` given → a 民政 family row of the own region with that 月收入."""
    m = MemberFacts(pid or f"P{next(_ids):08X}", relation, status, born(age), region,
                    src("公安"))
    if income is not None:
        m.families.append(FamilyRow(src("民政"), region, "低保", Decimal(income), "有劳动能力"))
    return m


def job(m: MemberFacts, base: int, *, status: str = "就业", month: date = AS_OF) -> None:
    m.employment.append(EmploymentRow(src("人社"), status, month.replace(day=1), Decimal(base)))


def pension(m: MemberFacts, amount: int, *, month: date = AS_OF) -> None:
    m.employment.append(EmploymentRow(src("人社"), "退休", month.replace(day=1), None,
                                      Decimal(amount)))


def severe(m: MemberFacts, level: int = 1, *, valid: bool = True) -> None:
    m.disabilities.append(DisabilityRow(src("残联"), level, valid))


def ill(m: MemberFacts, *, paid: str = "0", settled: date = AS_OF, major: bool = True) -> None:
    m.settlements.append(SettlementRow(src("医保"), settled, Decimal(paid), major))


def student(m: MemberFacts, tuition: int, year: int = 2026) -> None:
    m.students.append(StudentRow(src("教育"), year, Decimal(tuition), "高中"))


def deposit(m: MemberFacts, balance: str, kind: str = "活期储蓄") -> None:
    m.assets.append(AssetRow(src("银行"), "deposit", "客户", kind, None, None, Decimal(balance)))


def asset(m: MemberFacts, kind: str, subtype: str | None, status: str | None, *,
          role: str = "所有人", title: str | None = None) -> None:
    m.assets.append(AssetRow(src(kind), kind, role, subtype, status, title))


def supporter(m: MemberFacts, kind: str, age: int, *, status: str | None = "正常",
              severe_cert: bool = False, pid: str | None = None) -> None:
    certs = (DisabilityRow(src("残联"), 2, True),) if severe_cert else ()
    m.supporters.append(SupporterFacts(pid or f"P{next(_ids):08X}", kind, status, born(age),
                                       certs, (src("公安"),)))


def aid(m: MemberFacts, programme: str, *, start: date = date(2025, 10, 1),
        end: date | None = None, amount: int = 500, note: str | None = None) -> None:
    m.aid.append(AidRow(src("民政"), programme, start, end, Decimal(amount), REGION, note))


def household(*members: MemberFacts, urban_rural: str = "城市",
              township: str | None = "南关街道") -> HouseholdFacts:
    std = StandardFacts(REGION, 2026, urban_rural, STD, TK, LIMIT, Source("民政", "BZ018"))
    return HouseholdFacts(f"HH{next(_ids):016x}", REGION, urban_rural, township,
                          list(members), [std])

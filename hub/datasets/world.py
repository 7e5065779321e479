"""The synthetic world the generator builds: true households, people and the facts about
them, before they are written as department exports (the product's verification model is
:mod:`hub.rules.model`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from hub.datasets.catalog import Region


@dataclass(eq=False, slots=True)
class Person:
    """One true person. ``hh`` is the 户 holding the person's main (正常/死亡/迁出) row."""

    uid: str
    hh: Household
    name: str
    id18: str
    sex: str
    ethnicity: str
    birth: date
    relation: str
    status: str = "正常"
    status_date: date | None = None
    kind: str = "han"
    moved_from: list[tuple[Household, str, date]] = field(default_factory=list)
    disability: tuple[str, str] | None = None  # (category, level)
    has_cert: bool = False
    cert_issued: date | None = None
    illness: str = ""
    labour: str = "有劳动能力"
    employment: str = ""
    employer: str = ""
    wage: int = 0
    pension: int = 0
    pension_type: str = ""
    farm: int = 0
    old_employer: str = ""
    staff_title: str = ""
    staff_unit: str = ""
    same_name_as: str = ""
    track: str = ""  # 高中 / 中职 / 本科 / 高职专科 / none, chosen once per person

    @property
    def alive(self) -> bool:
        """Alive in the four regions on the as-of date (status 正常)."""
        return self.status == "正常"

    @property
    def income(self) -> int:
        """True monthly income: wage + pension + farm income."""
        return self.wage + self.pension + self.farm

    @property
    def hidden_income(self) -> bool:
        """Income no department except 民政 can see (farm, informal under 1500)."""
        return self.farm > 0 or (self.employment == "灵活就业" and 0 < self.wage < 1500)

    @property
    def severe(self) -> bool:
        """Holds a valid level 一/二级 disability certificate."""
        return (self.disability is not None and self.disability[1] in ("一级", "二级")
                and self.has_cert and self.alive)

    def age(self, on: date) -> int:
        """Age in whole years on a date."""
        return on.year - self.birth.year - ((on.month, on.day) < (self.birth.month, self.birth.day))


@dataclass(eq=False, slots=True)
class HukouRow:
    """One row of the 户籍 file."""

    person: Person
    relation: str
    status: str
    date: date | None
    rec: object = None


@dataclass(eq=False, slots=True)
class Household:
    """One true household (one 户号)."""

    uid: str
    hukou_no: str
    region: Region
    township: str
    urban: bool
    htype: str
    ethnicity: str
    address: str
    target: str
    rows: list[HukouRow] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    planted: list[str] = field(default_factory=list)

    @property
    def living(self) -> list[Person]:
        """Living members (status 正常 in this 户)."""
        return [p for p in self.persons if p.alive]

    @property
    def std(self) -> int:
        """The as-of year's 低保 standard that applies to this household."""
        return self.region.dibao[0 if self.urban else 1]


@dataclass(eq=False, slots=True)
class Account:
    """A bank or securities account."""

    person: Person
    institution: str
    kind: str
    balance: float
    query: date
    protected: bool = False
    rec: object = None


@dataclass(eq=False, slots=True)
class Vehicle:
    """A registered motor vehicle."""

    person: Person
    plate: str
    kind: str
    model: str
    registered: date
    status: str
    protected: bool = False
    rec: object = None


@dataclass(eq=False, slots=True)
class Business:
    """A market-entity registration."""

    person: Person
    code: str
    name: str
    kind: str
    capital: int
    founded: date
    status: str
    protected: bool = False
    rec: object = None


@dataclass(eq=False, slots=True)
class Title:
    """A real-estate title."""

    owner: Person
    co_owner: Person | None
    number: str
    location: str
    area: float
    use: str
    registered: date
    status: str
    protected: bool = False
    rec: object = None


@dataclass(eq=False, slots=True)
class Settlement:
    """A medical settlement (amounts before medical aid is decided)."""

    person: Person
    visit: str
    hospital: str
    admitted: date | None
    settled: date
    diagnosis: str
    total: float
    basic: float
    serious: float
    aid: float = 0.0
    category: str = ""
    rec: object = None

    @property
    def self_pay(self) -> float:
        """个人自付 = total minus the three funds."""
        return round(self.total - self.basic - self.serious - self.aid, 2)


@dataclass(eq=False, slots=True)
class Housing:
    """A housing-aid grant."""

    person: Person
    kind: str
    address: str
    start: date
    end: date | None
    amount: int
    protected: bool = False
    rec: object = None


@dataclass(eq=False, slots=True)
class AidRecord:
    """A 民政 basic-aid record (低保 / 特困)."""

    family: Family
    person: Person
    name: str
    id_value: str
    category: str
    covered: int
    amount: int
    start: tuple[int, int]
    end: tuple[int, int] | None
    region: str
    handler: Person | None = None
    remark: str = ""
    protected: bool = False
    obj_no: str = ""
    rec: object = None


@dataclass(eq=False, slots=True)
class Family:
    """A 民政-registered family with its members."""

    fam_no: str
    region: str
    category: str
    applicant: Person
    members: list[tuple[Person, str, int]] = field(default_factory=list)  # person, relation, income
    variants: dict[str, tuple[str, str]] = field(default_factory=dict)  # uid -> (name, id)
    protected: bool = False
    recs: list[object] = field(default_factory=list)


@dataclass(eq=False, slots=True)
class Anomaly:
    """A planted case (anomalies.csv) or a near miss (near_misses.csv)."""

    type: str
    households: list[Household]
    persons: list[Person]
    records: list[tuple[str, object]]  # (file, fact object with .rec or a Rec)
    detail: str


@dataclass(eq=False, slots=True)
class World:
    """Everything the generator knows: the truth behind all exports."""

    as_of: date
    households: list[Household] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    vehicles: list[Vehicle] = field(default_factory=list)
    businesses: list[Business] = field(default_factory=list)
    titles: list[Title] = field(default_factory=list)
    settlements: list[Settlement] = field(default_factory=list)
    housing: list[Housing] = field(default_factory=list)
    families: list[Family] = field(default_factory=list)
    aid: list[AidRecord] = field(default_factory=list)
    staff: list[Person] = field(default_factory=list)
    anomalies: list[Anomaly] = field(default_factory=list)
    near_misses: list[Anomaly] = field(default_factory=list)
    # household uid -> dict of eligibility values (see truth_eligibility.py)
    eligibility: dict[str, dict[str, object]] = field(default_factory=dict)
    # person uid -> set of kin uids (spouse/parent/child/sibling by 户籍 rules)
    kin: dict[str, set[str]] = field(default_factory=dict)
    # person uid -> uids of legal supporters
    supporters: dict[str, set[str]] = field(default_factory=dict)

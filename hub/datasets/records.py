"""File layouts (FORMATS.md sections 3–6) and the in-memory record type."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from hub.datasets.world import Person


@dataclass(eq=False, slots=True)
class Slot:
    """A person named in a record: role, person, name column, ID column, slot kind."""

    role: str
    person: Person
    name_col: int
    id_col: int
    kind: str = "main"  # main / student / guardian / co / cert


@dataclass(eq=False, slots=True)
class Rec:
    """One good record of an export (values in header order, 记录编号 filled at assembly)."""

    values: list[str]
    slots: list[Slot] = field(default_factory=list)
    protected: bool = False
    logs: list[tuple[str, str]] = field(default_factory=list)  # (column, noise) set by builders


@dataclass(frozen=True, slots=True)
class FileSpec:
    """Layout, validation columns and noise rates of one export."""

    name: str
    header: tuple[str, ...]
    encoding: str
    crlf: bool
    prefix: str
    width: int
    mandatory: tuple[str, ...]
    dates: tuple[str, ...] = ()
    yms: tuple[str, ...] = ()
    numeric: tuple[str, ...] = ()
    noise: dict[str, float] = field(default_factory=dict)
    bad: tuple[int, int] = (3, 8)
    quote_all: bool = False


def _n(**rates: float) -> dict[str, float]:
    return {k: v / 100 for k, v in rates.items()}


def _h(text: str) -> tuple[str, ...]:
    return tuple(text.split(","))


SPECS: tuple[FileSpec, ...] = (
    FileSpec(
        "gongan_hukou.csv",
        header=_h("记录编号,户号,姓名,公民身份号码,性别,民族,出生日期,与户主关系,住址,"
                 "行政区划代码,人员状态,注销日期"),
        mandatory=_h("记录编号,户号,姓名,公民身份号码,性别,出生日期,与户主关系,行政区划代码,人员状态"),
        encoding="utf-8", crlf=False, prefix="GA", width=8,
        dates=_h("出生日期,注销日期"),
        bad=(2, 2),
    ),
    FileSpec(
        "minzheng_aid.csv",
        header=_h("记录编号,救助对象编号,家庭编号,姓名,身份证号,救助类别,保障人数,月保障金额,"
                 "起始年月,终止年月,行政区划,经办人,备注"),
        mandatory=_h("记录编号,救助对象编号,家庭编号,姓名,身份证号,救助类别,保障人数,月保障金额,"
                 "起始年月,行政区划,经办人"),
        encoding="utf-8-sig", crlf=True, prefix="MZJZ", width=8,
        yms=_h("起始年月,终止年月"),
        numeric=_h("保障人数,月保障金额"),
        noise=_n(trad=3, homo=2, space=1, dot=35, translit=4, typo=0.6, transpose=0.4, id15=5,
                 lower_x=30, fullwidth=1, dup=0.4),
    ),
    FileSpec(
        "minzheng_members.csv",
        header=_h("记录编号,家庭编号,家庭类别,成员姓名,身份证号,与申请人关系,残疾,重病,劳动能力,"
                 "月收入"),
        mandatory=_h("记录编号,家庭编号,家庭类别,成员姓名,身份证号,与申请人关系"),
        encoding="utf-8", crlf=True, prefix="MZCY", width=8,
        numeric=_h("月收入"),
        noise=_n(trad=3, homo=3, space=1.5, dot=35, translit=5, typo=0.8, transpose=0.4,
                 id15=5, lower_x=30, fullwidth=1.5, dup=0.5),
    ),
    FileSpec(
        "yibao_medical.csv",
        header=_h("记录编号,姓名,身份证号,性别,出生日期,参保类型,人员类别,就诊类型,医疗机构,"
                 "入院日期,结算日期,疾病诊断,总费用,基本医保支付,大病保险支付,医疗救助支付,"
                 "个人自付"),
        mandatory=_h("记录编号,姓名,身份证号,就诊类型,结算日期,总费用,个人自付"),
        encoding="gbk", crlf=True, prefix="", width=12,
        dates=_h("出生日期,入院日期,结算日期"),
        numeric=_h("总费用,基本医保支付,大病保险支付,医疗救助支付,个人自付"),
        noise=_n(trad=2, homo=3, space=3, dot=50, translit=5, typo=1, transpose=0.5,
                 lower_x=50, spaces=6, dup=0.6),
    ),
    FileSpec(
        "jiaoyu_students.csv",
        header=_h("记录编号,学籍号,学生姓名,身份证号,性别,出生日期,学段,年级,学校,学年,资助项目,"
                 "资助金额,学杂费,监护人姓名,监护人身份证号"),
        mandatory=_h("记录编号,学籍号,学生姓名,出生日期,学段,学校,学年"),
        encoding="utf-8", crlf=False, prefix="JY", width=8,
        dates=_h("出生日期"),
        numeric=_h("资助金额,学杂费"),
        noise=_n(trad=1, homo=4, space=2, dot=30, translit=6, typo=0.8, transpose=0.5,
                 lower_x=20, fullwidth=1, missing=8, g_missing=10, dup=0.4),
    ),
    FileSpec(
        "zhujian_housing.csv",
        header=_h("记录编号,姓名,身份证号,家庭人口,保障方式,房屋坐落,开始日期,结束日期,金额,"
                 "联系电话"),
        mandatory=_h("记录编号,姓名,身份证号,保障方式,开始日期,金额"),
        encoding="utf-8", crlf=True, prefix="ZJ", width=7,
        dates=_h("开始日期,结束日期"),
        numeric=_h("家庭人口,金额"),
        noise=_n(trad=3, homo=2, space=2, dot=40, translit=4, typo=1, transpose=0.5, id15=10,
                 lower_x=30, fullwidth=2, phone=1, dup=1),
    ),
    FileSpec(
        "renshe_employment.csv",
        header=_h("记录编号,姓名,身份证号,就业状态,单位,月缴费基数,参保月份,月养老金"),
        mandatory=_h("记录编号,姓名,身份证号,就业状态"),
        encoding="utf-8", crlf=False, prefix="RS", width=9,
        yms=_h("参保月份"),
        numeric=_h("月缴费基数,月养老金"),
        noise=_n(trad=1, homo=1, space=0.5, dot=20, translit=2, typo=0.3, transpose=0.2,
                 lower_x=10, dup=0.3),
    ),
    FileSpec(
        "canlian_disability.csv",
        header=_h("记录编号,残疾人证号,姓名,性别,残疾类别,残疾等级,发证日期,证件状态,两项补贴,"
                 "补贴金额,补贴起始年月,补贴终止年月"),
        mandatory=_h("记录编号,残疾人证号,姓名,残疾类别,残疾等级,证件状态"),
        encoding="utf-8", crlf=False, prefix="CL", width=7,
        dates=_h("发证日期"),
        yms=_h("补贴起始年月,补贴终止年月"),
        numeric=_h("补贴金额"),
        noise=_n(trad=2, homo=2, space=1, dot=30, translit=3, typo=0.4, transpose=0.3,
                 lower_x=30, fullwidth=1, dup=0.4),
    ),
    FileSpec(
        "budongchan_realestate.csv",
        header=_h("记录编号,不动产权证号,权利人,证件号,共有人,共有人证件号,坐落,面积,用途,"
                 "登记日期,权属状态"),
        mandatory=_h("记录编号,不动产权证号,权利人,证件号,坐落,用途,权属状态"),
        encoding="utf-8", crlf=False, prefix="BDC", width=8,
        dates=_h("登记日期"),
        numeric=_h("面积"),
        noise=_n(trad=5, homo=3, space=2, dot=40, translit=5, typo=0.6, transpose=0.4, id15=45,
                 lower_x=30, fullwidth=2, g_missing=20, dup=0.3),
    ),
    FileSpec(
        "cheguan_vehicles.csv",
        header=_h("记录编号,号牌号码,所有人,身份证明号码,车辆类型,品牌型号,初次登记日期,"
                 "机动车状态"),
        mandatory=_h("记录编号,号牌号码,所有人,身份证明号码,车辆类型,机动车状态"),
        encoding="utf-8", crlf=False, prefix="CG", width=8,
        dates=_h("初次登记日期"),
        noise=_n(trad=3, homo=2, space=1, dot=40, translit=4, typo=0.5, transpose=0.3, id15=25,
                 lower_x=40, fullwidth=1, dup=0.3),
    ),
    FileSpec(
        "shichang_business.csv",
        header=_h("记录编号,统一社会信用代码,名称,类型,经营者/法定代表人,证件号码,注册资本,"
                 "成立日期,登记状态"),
        mandatory=_h("记录编号,统一社会信用代码,名称,类型,经营者/法定代表人,证件号码,登记状态"),
        encoding="utf-8", crlf=False, prefix="SC", width=8,
        dates=_h("成立日期"),
        numeric=_h("注册资本"),
        noise=_n(trad=3, homo=2, space=1, dot=30, translit=3, typo=0.5, transpose=0.3, id15=15,
                 lower_x=30, fullwidth=1, dup=0.3),
    ),
    FileSpec(
        "shuiwu_income.csv",
        header=_h("记录编号,纳税人姓名,纳税人识别号,所属年度,所得项目,收入额,已缴税额"),
        mandatory=_h("记录编号,纳税人姓名,纳税人识别号,所属年度,所得项目,收入额"),
        encoding="utf-8", crlf=False, prefix="SW", width=9,
        numeric=_h("收入额,已缴税额"),
        noise=_n(trad=1, homo=1, space=0.5, dot=20, translit=2, typo=0.2, transpose=0.1,
                 lower_x=5, dup=0.2),
    ),
    FileSpec(
        "gongjijin_fund.csv",
        header=_h("记录编号,姓名,证件号码,单位名称,缴存基数,月缴存额,账户余额,账户状态,开户日期"),
        mandatory=_h("记录编号,姓名,证件号码,账户余额,账户状态"),
        encoding="utf-8", crlf=False, prefix="GJJ", width=8,
        dates=_h("开户日期"),
        numeric=_h("缴存基数,月缴存额,账户余额"),
        noise=_n(trad=2, homo=1, space=1, dot=20, translit=2, typo=0.3, transpose=0.2,
                 lower_x=10, dup=0.2),
    ),
    FileSpec(
        "yinhang_deposits.csv",
        header=_h("记录编号,客户姓名,证件类型,证件号码,开户机构,账户类型,余额,查询日期"),
        mandatory=_h("记录编号,客户姓名,证件号码,账户类型,余额"),
        encoding="utf-8", crlf=True, prefix="YH", width=9,
        dates=_h("查询日期"),
        numeric=_h("余额"),
        noise=_n(trad=2, homo=2, space=3, dot=40, translit=3, typo=0.3, transpose=0.2, id15=5,
                 lower_x=30, fullwidth=4, dup=0.4),
        quote_all=True,
    ),
    FileSpec(
        "yingji_disaster.csv",
        header=_h("记录编号,姓名,身份证号,行政区划,灾害类型,灾害发生日期,救助项目,救助金额,"
                 "发放日期"),
        mandatory=_h("记录编号,姓名,身份证号,行政区划,救助项目,救助金额"),
        encoding="utf-8", crlf=False, prefix="YJ", width=6,
        dates=_h("灾害发生日期,发放日期"),
        numeric=_h("救助金额"),
        noise=_n(trad=3, homo=4, space=2, dot=40, translit=6, typo=1, transpose=0.5,
                 lower_x=30, fullwidth=2, phone=1, dup=1),
    ),
    FileSpec(
        "xiangcun_monitoring.csv",
        header=_h("记录编号,户主姓名,户主身份证号,行政区划,家庭人口,监测类型,风险类型,纳入日期,"
                 "家庭年人均纯收入,风险是否消除,联系电话"),
        mandatory=_h("记录编号,户主姓名,户主身份证号,监测类型,纳入日期"),
        encoding="utf-8", crlf=False, prefix="XC", width=7,
        dates=_h("纳入日期"),
        numeric=_h("家庭人口,家庭年人均纯收入"),
        noise=_n(trad=2, homo=3, space=2, dot=30, translit=5, typo=0.6, transpose=0.4,
                 lower_x=20, fullwidth=1, dup=0.5),
    ),
    FileSpec(
        "staff_roster.csv",
        header=_h("记录编号,姓名,身份证号,职务,单位,行政区划,联系电话,任职日期"),
        mandatory=_h("记录编号,姓名,身份证号,职务,单位,行政区划"),
        encoding="utf-8", crlf=False, prefix="RY", width=5,
        dates=_h("任职日期"),
        noise=_n(space=2, dot=20, lower_x=20),
        bad=(2, 2),
    ),
    FileSpec(
        "standards.csv",
        header=_h("记录编号,行政区划,区划名称,年度,城乡,低保标准,特困供养标准,人均金融资产上限"),
        mandatory=_h("记录编号,行政区划,区划名称,年度,城乡,低保标准,特困供养标准,人均金融资产上限"),
        encoding="utf-8", crlf=False, prefix="BZ", width=3,
        numeric=_h("低保标准,特困供养标准,人均金融资产上限"),
        bad=(1, 1),
    ),
)
SPEC_BY_NAME = {s.name: s for s in SPECS}
# Year-month columns written as YYYY-MM (all others YYYYMM).
DASH_YM = frozenset({"参保月份"})


def iso(d: date | None) -> str:
    """``YYYY-MM-DD`` or empty."""
    return "" if d is None else d.isoformat()


def fmt_date(d: date | None, style: int) -> str:
    """One of the four documented date styles (0 ISO, 1 slash, 2 compact, 3 Chinese)."""
    if d is None:
        return ""
    if style == 0:
        return d.isoformat()
    if style == 1:
        return f"{d.year}/{d.month}/{d.day}"
    if style == 2:
        return f"{d:%Y%m%d}"
    return f"{d.year}年{d.month}月{d.day}日"


def money(value: float) -> str:
    """Two decimals."""
    return f"{value:.2f}"

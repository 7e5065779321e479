"""Name pools and the name-noise transformations of FORMATS.md section 6."""

from __future__ import annotations

import random

# kind of a name: "han" (surname + given), "dot" (本人名·父名), "tibetan" (no surname)
HAN_SURNAMES = (
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
    "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
    "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏",
    "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金",
    "石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹",
    "薛", "闫", "段", "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵",
    "万", "钱", "严", "覃", "武", "戴", "莫", "孔", "向", "汤", "申",
)
_SURNAME_WEIGHTS = tuple(max(1.0, 40.0 / (i + 1)) for i in range(len(HAN_SURNAMES)))
MINORITY_SURNAMES = {
    "回族": ("马", "米", "白", "丁", "哈", "纳", "杨", "李"),
    "纳西族": ("和", "木", "杨", "李", "王", "赵"),
    "傈僳族": ("余", "李", "和", "蜂", "胡", "熊"),
    "彝族": ("李", "杨", "罗", "王", "普", "沙"),
}
MALE_GIVEN = ("伟", "强", "军", "磊", "勇", "杰", "涛", "明", "超", "波", "辉", "刚", "健",
              "亮", "平", "斌", "鹏", "浩", "宇", "峰", "建军", "建国", "国庆", "志刚", "卫国",
              "俊杰", "浩然", "子豪", "宇轩", "梓涵", "天宇", "明轩", "睿泽", "沐宸", "皓轩",
              "晓东", "建平", "德明", "福", "贵", "得胜", "树林", "玉山", "红兵", "大伟", "学文",
              "海峰", "志强", "文华", "永红")
FEMALE_GIVEN = ("芳", "娟", "敏", "静", "丽", "艳", "燕", "玲", "婷", "霞", "红", "梅", "琳",
                "雪", "慧", "颖", "秀英", "桂英", "玉兰", "桂兰", "秀兰", "桂芳", "玉珍", "淑华",
                "春梅", "红梅", "丽娟", "晓燕", "晓红", "彩霞", "美玲", "雪梅", "欣怡", "梓涵",
                "子涵", "可馨", "雨桐", "诗涵", "思雨", "佳怡", "静怡", "梦瑶", "晓雪", "雪婷",
                "丽华", "玉梅", "金凤", "桂芝", "紫涵", "欣妍")
TIBETAN_PARTS = ("扎西", "次仁", "卓玛", "拉姆", "达瓦", "多吉", "平措", "顿珠", "此里", "鲁茸",
                 "七林", "洛桑", "丹增", "尼玛", "格桑", "央金", "白玛", "旺堆", "斯那", "农布",
                 "都吉", "拉茸", "德吉", "央宗", "曲珍", "桑珠", "阿旺", "尼玛")
TIBETAN_FEMALE_END = ("卓玛", "拉姆", "央金", "央宗", "曲珍", "德吉")
TIBETAN_MALE_END = ("多吉", "次仁", "平措", "顿珠", "旺堆", "尼玛", "扎西", "桑珠", "鲁茸", "格桑")
UYGHUR_MALE = ("阿不都热依木", "买买提", "艾力", "吐尔逊", "玉素甫", "阿里木", "艾山", "依明",
               "努尔买买提", "托合提", "买合木提", "吐尔洪", "艾买提", "热合曼", "阿不都")
UYGHUR_FEMALE = ("古丽", "阿依古丽", "米日古丽", "巴哈古丽", "布帕提马", "阿依先木", "热依拉",
                 "帕提古丽", "再努尔", "古丽亚森", "努尔古丽")
KAZAKH_MALE = ("叶尔波拉提", "赛里克", "达吾列提", "哈力木", "胡安", "叶尔江", "努尔兰", "别克",
               "叶尔兰", "波拉提")
KAZAKH_FEMALE = ("阿依达娜", "古丽娜尔", "加娜尔", "阿依努尔", "玛依拉", "沙吾列")

TRADITIONAL = {"陈": "陳", "刘": "劉", "张": "張", "赵": "趙", "黄": "黃", "吴": "吳", "孙": "孫",
               "杨": "楊", "马": "馬", "罗": "羅", "郑": "鄭", "谢": "謝", "冯": "馮", "邓": "鄧",
               "许": "許", "韩": "韓", "钱": "錢", "卢": "盧", "叶": "葉", "苏": "蘇", "龙": "龍",
               "陆": "陸", "贺": "賀", "顾": "顧", "龚": "龔", "严": "嚴", "万": "萬", "钟": "鍾",
               "蒋": "蔣", "韦": "韋", "邹": "鄒", "闫": "閆", "汤": "湯"}
HOMOPHONES = {"伟": "玮炜", "静": "晶婧", "丽": "莉", "华": "桦", "明": "铭鸣", "军": "君",
              "红": "虹", "婷": "亭", "杰": "捷", "涛": "滔", "玲": "琳", "燕": "艳", "峰": "锋",
              "浩": "昊皓", "宇": "雨", "欣": "馨", "涵": "晗", "轩": "萱", "梓": "子", "敏": "闵",
              "强": "蔷", "磊": "垒", "勇": "永", "芳": "方", "霞": "侠", "梅": "玫", "雪": "雯",
              "健": "建", "亮": "靓", "平": "萍", "波": "博", "辉": "晖", "英": "瑛", "兰": "岚"}
TRANSLIT = {"次仁": ("茨仁", "此仁"), "扎西": ("扎史",), "拉姆": ("拉木",), "达瓦": ("达娃",),
            "多吉": ("多杰",), "卓玛": ("卓马",), "平措": ("彭措",), "顿珠": ("登珠",),
            "此里": ("次里",), "鲁茸": ("鲁绒",), "七林": ("齐林",), "洛桑": ("罗桑",),
            "丹增": ("旦增",), "买买提": ("麦麦提",), "阿不都": ("阿布都",), "艾力": ("阿力",),
            "吐尔逊": ("图尔逊",), "古丽": ("古力",), "玉素甫": ("玉苏甫",)}
DOT_VARIANTS = ("•", ".", "・", "．", "")
DOT_VARIANTS_GBK = (".", "．", "")


def han_name(rng: random.Random, sex: str, surname: str | None = None) -> str:
    """A Han-style name (also used for Hui, Naxi, Lisu and Yi)."""
    if surname is None:
        surname = rng.choices(HAN_SURNAMES, weights=_SURNAME_WEIGHTS)[0]
    return surname + rng.choice(MALE_GIVEN if sex == "男" else FEMALE_GIVEN)


def tibetan_name(rng: random.Random, sex: str) -> str:
    """A Tibetan name without surname: one or two parts (very repetitive on purpose)."""
    end = rng.choice(TIBETAN_MALE_END if sex == "男" else TIBETAN_FEMALE_END)
    if rng.random() < 0.25:
        return end
    first = rng.choice(TIBETAN_PARTS)
    return end if first == end else first + end


def dot_given(rng: random.Random, sex: str, ethnicity: str) -> str:
    """The own-name part of a Uyghur or Kazakh name."""
    if ethnicity == "哈萨克族":
        return rng.choice(KAZAKH_MALE if sex == "男" else KAZAKH_FEMALE)
    return rng.choice(UYGHUR_MALE if sex == "男" else UYGHUR_FEMALE)


def name_kind(name: str, ethnicity: str) -> str:
    """Classify a canonical name for noise purposes."""
    if "·" in name:
        return "dot"
    if ethnicity == "藏族":
        return "tibetan"
    return "han"


def traditional(name: str, kind: str) -> str | None:
    """Traditional-character surname, or None when not applicable."""
    if kind != "han" or name[0] not in TRADITIONAL:
        return None
    return TRADITIONAL[name[0]] + name[1:]


def homophone(rng: random.Random, name: str, kind: str) -> str | None:
    """Replace one given-name character by a homophone, or None when not applicable."""
    if kind != "han":
        return None
    spots = [i for i in range(1, len(name)) if name[i] in HOMOPHONES]
    if not spots:
        return None
    i = rng.choice(spots)
    return name[:i] + rng.choice(HOMOPHONES[name[i]]) + name[i + 1:]


def transliteration(rng: random.Random, name: str, kind: str) -> str | None:
    """Another transliteration of one Tibetan/Uyghur/Kazakh name part, or None."""
    if kind == "han":
        return None
    hits = [part for part in TRANSLIT if part in name]
    if not hits:
        return None
    part = rng.choice(hits)
    return name.replace(part, rng.choice(TRANSLIT[part]), 1)


def dot_variant(rng: random.Random, name: str, gbk: bool) -> str | None:
    """Write the middle dot differently (or drop it), or None when there is no dot."""
    if "·" not in name:
        return None
    return name.replace("·", rng.choice(DOT_VARIANTS_GBK if gbk else DOT_VARIANTS))


def space_in_name(rng: random.Random, name: str, kind: str) -> str:
    """Insert a space, usually after the surname."""
    if len(name) < 2:
        return name + " "
    pos = 1 if kind == "han" else rng.randint(1, len(name) - 1)
    if "·" in name and kind == "dot":
        pos = name.index("·")
    space = "\u3000" if rng.random() < 0.15 else " "
    return name[:pos] + space + name[pos:]

"""The village ledger's file format (脱贫劳动力台账): its columns and how each cell is read and written.

The format is Chinese whatever the UI language, so a file keeps working when a clerk switches to
English: headers and enum cells use the policy texts' own words. Codes (lifted, full, ...) are
accepted too. Pure functions, no flask and no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import partial

from portal.reports.cells import restore

CATEGORY_ZH = {"lifted": "脱贫户", "monitored": "监测户", "low_income": "低保/特困/低收入户", "general": "一般户"}
SUBTYPE_ZH = {"unstable": "脱贫不稳定户", "marginal": "边缘易致贫户", "sudden_hardship": "突发严重困难户"}
RELATION_ZH = {"head": "户主", "spouse": "配偶", "child": "子女", "parent": "父母", "grandchild": "孙子女",
               "sibling": "兄弟姐妹", "child_in_law": "儿媳/女婿", "other": "其他"}
CAPACITY_ZH = {"full": "全劳力", "half": "半劳力", "weak": "弱劳力", "none": "无劳动能力"}
EMPLOYMENT_ZH = {"migrant_out_of_province": "外出务工-省外", "migrant_in_province": "外出务工-省内县外",
                 "in_county": "县内务工", "workshop": "帮扶车间", "welfare_post": "公益岗位",
                 "self_employed": "自主创业", "unemployed": "未就业"}
YES, NO = "是", "否"

# Other spellings found in county ledgers, read as the same value.
ALIASES = {
    "category": {"低保户": "low_income", "特困户": "low_income", "低收入户": "low_income", "低保": "low_income",
                 "特困": "low_income", "低收入": "low_income", "低保/特困/低收入": "low_income",
                 "脱贫": "lifted", "监测": "monitored", "一般": "general"},
    "monitored_subtype": {"脱贫不稳定": "unstable", "边缘易致贫": "marginal", "突发严重困难": "sudden_hardship"},
    "relation_to_head": {"本人": "head", "妻": "spouse", "夫": "spouse", "妻子": "spouse", "丈夫": "spouse",
                         "之子": "child", "之女": "child", "儿子": "child", "女儿": "child", "父亲": "parent",
                         "母亲": "parent", "孙子": "grandchild", "孙女": "grandchild", "儿媳": "child_in_law",
                         "女婿": "child_in_law"},
    "labour_capacity": {"普通劳动力": "full", "技能劳动力": "full", "丧失劳动力": "none", "无劳动力": "none"},
    "employment_status": {"省外务工": "migrant_out_of_province", "省内县外务工": "migrant_in_province",
                          "公益性岗位": "welfare_post", "就业帮扶车间": "workshop"},
}
ENUMS = {"category": CATEGORY_ZH, "monitored_subtype": SUBTYPE_ZH, "relation_to_head": RELATION_ZH,
         "labour_capacity": CAPACITY_ZH, "employment_status": EMPLOYMENT_ZH}
TRUE_WORDS = {"是", "有", "y", "yes", "true", "1", "√", "✓"}
FALSE_WORDS = {"否", "无", "n", "no", "false", "0", "×", ""}
GRADE_RE = re.compile(r"^([1-4一二三四])\s*级?$")
GRADE_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4}


class CellError(ValueError):
    """A cell that cannot be read as its column's kind; `code` is translated by the caller."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def read_text(value) -> str:
    if value.__class__ is str:  # most cells: no chain of type checks
        text = value.strip()
        return restore(text).strip() if text[:1] == "'" else text  # an exported "'=…" comes back as typed
    if value is None:
        return ""
    if isinstance(value, bool):
        raise CellError("text")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return restore(str(value).strip())  # an exported "'=…" comes back as typed


def _unmasked(text: str) -> str:
    if "*" in text:  # a masked export cannot put its stars into the register
        raise CellError("masked")
    return text


def read_id(value) -> str:
    """Excel turns an 18-digit ID typed into a General cell into a float and drops digits: refuse it."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError("id_as_number")
    return _unmasked(read_text(value).replace(" ", "").upper())


def read_account(value) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError("account_as_number")
    return _unmasked(read_text(value).replace(" ", ""))


def read_phone(value) -> str:
    # An 11-digit mobile number survives Excel's number conversion exactly; a landline's leading 0 does not,
    # and the phone check then reports it.
    if isinstance(value, float) and not value.is_integer():
        raise CellError("text")
    return _unmasked(read_text(value).replace(" ", ""))


def read_enum(field: str, value) -> str:
    """The code for a Chinese label, an alias or a code; anything else is returned as typed (rules refuse it)."""
    text = read_text(value)
    if not text:
        return ""
    for code, zh in ENUMS[field].items():
        if text in (zh, code):
            return code
    return ALIASES.get(field, {}).get(text, text)


LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")


class UnknownWords(ValueError):
    """Words of a typed list that are none of the accepted values (`words`, as typed)."""

    def __init__(self, words: list[str]):
        super().__init__("、".join(words))
        self.words = words


def read_categories(text, allowed=tuple(CATEGORY_ZH)) -> frozenset[str]:
    """Household category codes from a typed list: Chinese names (脱贫户,监测户), their other spellings or the
    codes, separated by commas, 、 or spaces. UnknownWords names the words that are not one of `allowed`;
    ValueError when the list is empty."""
    words = [w for w in LIST_SEPARATORS.split(str(text or "").strip()) if w]
    if not words:
        raise ValueError("empty list")
    codes, unknown = set(), []
    for word in words:
        code = read_enum("category", word.lower() if word.isascii() else word)
        if code in allowed:
            codes.add(code)
        else:
            unknown.append(word)
    if unknown:
        raise UnknownWords(unknown)
    return frozenset(codes)


def category_names(codes) -> str:
    """The Chinese names of category codes, in the ledger's order (脱贫户、监测户)."""
    return "、".join(CATEGORY_ZH[c] for c in CATEGORY_ZH if c in set(codes))


def read_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
        raise CellError("yes_no")
    text = read_text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError("yes_no")


def read_grade(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer():
            return int(value)
        raise CellError("grade")
    m = GRADE_RE.match(read_text(value))
    if not m:
        raise CellError("grade")
    digit = m.group(1)
    return GRADE_WORDS.get(digit) or int(digit)


def read_money(value) -> Decimal:
    """Yuan as Decimal; a float cell goes through its shortest repr, so 2500.5 stays 2500.5."""
    if value is None or value == "":
        return Decimal("0")
    if isinstance(value, bool):
        raise CellError("money")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = read_text(value).replace(",", "").replace("¥", "").replace("元", "").strip()
    try:
        amount = Decimal(text or "0")
    except InvalidOperation as exc:
        raise CellError("money") from exc
    if not amount.is_finite():
        raise CellError("money")
    return amount


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: str  # text, id, account, phone, enum, bool, grade, money
    width: int
    household: bool = False  # a household field: the same in every row of the household

    def reader(self):
        """The function that reads this column's cells."""
        if self.kind == "enum":
            return partial(read_enum, self.field)
        return READERS[self.kind]


READERS = {"text": read_text, "id": read_id, "account": read_account, "phone": read_phone, "bool": read_bool,
           "grade": read_grade, "money": read_money}

COLUMNS = (
    Column("户编号", "number", "text", 12, True),
    Column("户类别", "category", "enum", 18, True),
    Column("监测户类型", "monitored_subtype", "enum", 16, True),
    Column("风险已消除", "risk_eliminated", "bool", 10, True),
    Column("家庭住址", "address", "text", 28, True),
    Column("姓名", "name", "text", 10),
    Column("身份证号", "id_number", "id", 21),
    Column("与户主关系", "relation_to_head", "enum", 11),
    Column("劳动能力", "labour_capacity", "enum", 12),
    Column("是否残疾", "disabled", "bool", 9),
    Column("残疾等级", "disability_grade", "grade", 9),
    Column("联系电话", "phone", "phone", 14),
    Column("开户银行", "bank_name", "text", 18),
    Column("银行账号", "bank_account", "account", 23),
    Column("就业状态", "employment_status", "enum", 17),
    Column("月务工收入(元)", "monthly_income", "money", 14),
    Column("培训意愿", "training_wish", "text", 16),
    Column("外出务工意愿", "willing_to_migrate", "bool", 12),
    Column("村干部", "is_cadre", "bool", 8),
    Column("已故", "deceased", "bool", 6),
    Column("备注", "note", "text", 24),
)
HEADERS = tuple(c.header for c in COLUMNS)
HEADER_OF = {c.field: c.header for c in COLUMNS}
REQUIRED_FIELDS = ("number", "category", "name", "id_number", "relation_to_head", "labour_capacity",
                   "employment_status")
HEADER_ALIASES = {"户号": "户编号", "家庭编号": "户编号", "身份证号码": "身份证号", "公民身份号码": "身份证号",
                  "手机号": "联系电话", "手机号码": "联系电话", "银行卡号": "银行账号", "月务工收入": "月务工收入(元)",
                  "残疾": "是否残疾", "是否村干部": "村干部", "是否已故": "已故", "地址": "家庭住址"}
VILLAGE_HEADER = "行政村"  # appended by the export for reading; the import ignores it


def normalise_header(value) -> str:
    text = read_text(value) if not isinstance(value, bool) else ""
    text = text.replace("（", "(").replace("）", ")").replace(" ", "").replace("\u3000", "")
    return HEADER_ALIASES.get(text, text)


def write_value(column: Column, value):
    """A model value as the ledger shows it: Chinese labels, 是/否, amounts as numbers."""
    if column.kind == "enum":
        return ENUMS[column.field].get(value, value) if value else None
    if column.kind == "bool":
        return YES if value else NO
    if column.kind == "money":
        return value if value is not None else Decimal("0")
    return None if value in (None, "") else value  # an empty cell is not written at all


def choices_of(field: str) -> list[str]:
    """The Chinese labels of an enum column, for dropdowns and the instructions."""
    return list(ENUMS[field].values())

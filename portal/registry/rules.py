"""The register's vocabulary and its pure checks (no flask, no database)."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from operator import attrgetter, le

from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

from portal.core.text import has_control, text_problem


class HouseholdCategory(enum.StrEnum):
    LIFTED = "lifted"  # 脱贫户
    MONITORED = "monitored"  # 监测户
    LOW_INCOME = "low_income"  # 低保/特困/低收入
    GENERAL = "general"  # 一般户


class MonitoredSubtype(enum.StrEnum):
    UNSTABLE = "unstable"  # 脱贫不稳定户
    MARGINAL = "marginal"  # 边缘易致贫户
    SUDDEN_HARDSHIP = "sudden_hardship"  # 突发严重困难户


class LabourCapacity(enum.StrEnum):
    FULL = "full"  # 全劳力
    HALF = "half"  # 半劳力
    WEAK = "weak"  # 弱劳力
    NONE = "none"  # 无劳动能力


class EmploymentStatus(enum.StrEnum):
    MIGRANT_OUT_OF_PROVINCE = "migrant_out_of_province"  # 外出务工-省外
    MIGRANT_IN_PROVINCE = "migrant_in_province"  # 外出务工-省内县外
    IN_COUNTY = "in_county"  # 县内务工
    WORKSHOP = "workshop"  # 帮扶车间
    WELFARE_POST = "welfare_post"  # 公益岗位
    SELF_EMPLOYED = "self_employed"  # 自主创业
    UNEMPLOYED = "unemployed"  # 未就业


class RelationToHead(enum.StrEnum):
    HEAD = "head"  # 户主
    SPOUSE = "spouse"  # 配偶
    CHILD = "child"  # 子女
    PARENT = "parent"  # 父母
    GRANDCHILD = "grandchild"  # 孙子女
    SIBLING = "sibling"  # 兄弟姐妹
    CHILD_IN_LAW = "child_in_law"  # 儿媳/女婿
    OTHER = "other"  # 其他


class RelativeKind(enum.StrEnum):
    SPOUSE = "spouse"
    PARENT = "parent"
    CHILD = "child"
    SIBLING = "sibling"
    IN_LAW = "in_law"
    OTHER = "other"


class Sex(enum.StrEnum):
    MALE = "M"
    FEMALE = "F"


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: date
    sex: Sex


class InvalidResidentId(ValueError):
    """The resident ID fails GB 11643: length, format, check digit, birth date or region."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def with_check_digit(body17: str) -> str:
    """The 18-digit ID for a 17-digit body (stdnum's calc_check_digit expects a placeholder 18th digit)."""
    return body17 + ric.calc_check_digit(body17 + "0")


@lru_cache(maxsize=16384)
def _known_region(prefix: str, year: int) -> bool:
    """stdnum's region check (was the code assigned in the birth year?) reads its code table for every
    number; a county has a handful of prefixes and birth years, so the answer is cached."""
    try:
        ric.get_birth_place(f"{prefix}{year:04d}01010000")
    except ValidationError:
        return False
    return True


def _birth_date(raw: str) -> date:
    """stdnum's get_birth_date for a number already compact (it would clean the number again)."""
    try:
        return date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14]))
    except ValueError as exc:
        raise InvalidComponent() from exc


def parse_resident_id(value: str) -> ResidentId:
    """Validate an 18-digit resident ID and derive birth date and sex (odd 17th digit = male).

    The checks are stdnum.cn.ric.validate's, in its order (length, format, check digit, birth date,
    region), with the region lookup cached per six-digit prefix.
    """
    raw = (value or "").strip().upper()
    if not (raw.isascii() and raw.isalnum()):  # plain ASCII letters and digits are already compact
        raw = ric.compact(raw)
    try:
        if len(raw) != 18:
            raise InvalidLength()
        if not raw[:-1].isdigit():
            raise InvalidFormat()
        if raw[-1] != ric.calc_check_digit(raw):
            raise InvalidChecksum()
        birth = _birth_date(raw)
        if not _known_region(raw[:6], birth.year):
            raise InvalidComponent()
        number = raw
    except ValidationError as exc:
        name = type(exc).__name__
        reason = {
            "InvalidLength": "length",
            "InvalidFormat": "format",
            "InvalidChecksum": "checksum",
            "InvalidComponent": "component",
        }.get(name, "invalid")
        raise InvalidResidentId(reason) from exc
    sex = Sex.MALE if int(number[16]) % 2 == 1 else Sex.FEMALE
    return ResidentId(number, birth, sex)


# ---- checks shared by the pages, the API and the Excel import ------------------------------------

PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
ACCOUNT_RE = re.compile(r"^\d{12,30}$")
HOUSEHOLD_NUMBER_RE = re.compile(r"^[0-9A-Za-z_-]{1,30}$")
MAX_INCOME = Decimal("1000000")
# The longest text each field holds: the forms, the API and the Excel import all check these.
MAX_LENGTH = {"number": 30, "address": 120, "name": 40, "phone": 20, "bank_name": 60, "bank_account": 32,
              "training_wish": 120, "note": 2000}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one field; `code` is translated by the caller."""

    field: str
    code: str
    params: tuple[tuple[str, str], ...] = ()


@dataclass
class HouseholdData:
    number: str
    category: str
    monitored_subtype: str | None = None
    risk_eliminated: bool = False
    address: str = ""


@dataclass
class PersonData:
    name: str
    id_number: str
    relation_to_head: str
    labour_capacity: str
    employment_status: str
    disabled: bool = False
    disability_grade: int | None = None
    phone: str = ""
    bank_name: str = ""
    bank_account: str = ""
    monthly_income: Decimal = Decimal("0")
    training_wish: str = ""
    willing_to_migrate: bool = False
    deceased: bool = False
    is_cadre: bool = False
    note: str = ""


@cache
def _values(enum_cls) -> frozenset[str]:
    return frozenset(m.value for m in enum_cls)


def _in(value, enum_cls) -> bool:
    return value in _values(enum_cls)


def check_household(data: HouseholdData) -> list[Problem]:
    """A household needs a number, a known category, and a subtype exactly when it is monitored."""
    problems = []
    if not HOUSEHOLD_NUMBER_RE.match(data.number or ""):
        problems.append(Problem("number", "household_number"))
    if not _in(data.category, HouseholdCategory):
        problems.append(Problem("category", "unknown_category"))
    elif data.category == HouseholdCategory.MONITORED:
        if not _in(data.monitored_subtype, MonitoredSubtype):
            problems.append(Problem("monitored_subtype", "subtype_required"))
    elif data.monitored_subtype:
        problems.append(Problem("monitored_subtype", "subtype_only_for_monitored"))
    problems += _text_problems(data, ("address",), {p.field for p in problems})
    return problems


@cache
def _text_fields(fields: tuple[str, ...]):
    return attrgetter(*fields), tuple(MAX_LENGTH[f] for f in fields)


def _text_problems(data, fields: tuple[str, ...], already: set[str]) -> list[Problem]:
    """Over-long text and control characters, for the fields not refused for another reason."""
    get, limits = _text_fields(fields)
    values = get(data) if len(fields) > 1 else (get(data),)
    try:  # the usual case, all fine, in one search (a ledger checks 20 000 people)
        if not has_control("".join(values)) and all(map(le, map(len, values), limits)):
            return []
    except TypeError:  # not all text (None, say): field by field
        pass
    problems = []
    for field in fields:
        if field in already:
            continue
        code = text_problem(getattr(data, field) or "", MAX_LENGTH[field])
        if code == "too_long":
            problems.append(Problem(field, "too_long", (("max", str(MAX_LENGTH[field])),)))
        elif code:
            problems.append(Problem(field, code))
    return problems


def check_person(data: PersonData) -> tuple[list[Problem], ResidentId | None]:
    """Every problem of a person's fields; the parsed ID (birth date, sex) when it is valid."""
    problems: list[Problem] = []
    name = (data.name or "").strip()
    if not name:
        problems.append(Problem("name", "required"))
    elif len(name) > 40:
        problems.append(Problem("name", "too_long", (("max", "40"),)))
    parsed = None
    try:
        parsed = parse_resident_id(data.id_number)
    except InvalidResidentId as bad:
        problems.append(Problem("id_number", f"id_{bad.reason}"))
    for field, enum_cls in (("relation_to_head", RelationToHead), ("labour_capacity", LabourCapacity),
                            ("employment_status", EmploymentStatus)):
        if not _in(getattr(data, field), enum_cls):
            problems.append(Problem(field, "unknown_choice"))
    if data.disability_grade is not None:
        if not data.disabled:
            problems.append(Problem("disability_grade", "grade_without_disability"))
        elif not 1 <= data.disability_grade <= 4:
            problems.append(Problem("disability_grade", "grade_range"))
    if data.phone and not PHONE_RE.match(data.phone):
        problems.append(Problem("phone", "phone_format"))
    if data.bank_account and not ACCOUNT_RE.match(data.bank_account):
        problems.append(Problem("bank_account", "account_format"))
    if data.bank_account and not data.bank_name.strip():
        problems.append(Problem("bank_name", "bank_name_required"))
    income = data.monthly_income
    if income is None or income < 0 or income > MAX_INCOME or income.as_tuple().exponent < -2:
        problems.append(Problem("monthly_income", "income_range"))
    problems += _text_problems(data, ("name", "phone", "bank_name", "bank_account", "training_wish", "note"),
                               {p.field for p in problems})
    return problems, parsed


def in_work(employment_status: str, deceased: bool = False) -> bool:
    """两张清单: a living person is in work when their status is anything but unemployed."""
    return not deceased and employment_status != EmploymentStatus.UNEMPLOYED


def willing_but_not_working(employment_status: str, willing_to_migrate: bool, deceased: bool) -> bool:
    """两张清单: willing to go out to work but not yet working."""
    return willing_to_migrate and employment_status == EmploymentStatus.UNEMPLOYED and not deceased


def may_edit_register(role: str) -> bool:
    """The clerk keeps the register of their village; the county admin may correct it (bulk loads)."""
    return role in ("village_clerk", "county_admin")


def may_reveal(role: str) -> bool:
    """Only the clerk of the person's own village and the county admin may see full personal data."""
    return role in ("village_clerk", "county_admin")

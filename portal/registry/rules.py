"""The register's vocabulary and its pure checks (no flask, no database)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from stdnum.cn import ric
from stdnum.exceptions import ValidationError


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


def parse_resident_id(value: str) -> ResidentId:
    """Validate an 18-digit resident ID and derive birth date and sex (odd 17th digit = male)."""
    raw = (value or "").strip().upper()
    try:
        number = ric.validate(raw)
    except ValidationError as exc:
        name = type(exc).__name__
        reason = {
            "InvalidLength": "length",
            "InvalidFormat": "format",
            "InvalidChecksum": "checksum",
            "InvalidComponent": "component",
        }.get(name, "invalid")
        raise InvalidResidentId(reason) from exc
    birth = ric.get_birth_date(number)
    sex = Sex.MALE if int(number[16]) % 2 == 1 else Sex.FEMALE
    return ResidentId(number, birth, sex)

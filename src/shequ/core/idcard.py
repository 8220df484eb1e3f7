"""Resident ID numbers (居民身份证号码) per GB 11643-1999."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from shequ.core.errors import ValidationError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: dt.date
    gender: str  # "M" or "F": the 17th digit, odd for men

    @property
    def region_code(self) -> str:
        return self.value[:6]


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def parse_id_number(raw: str, *, today: dt.date | None = None) -> IdNumber:
    """Validate and parse; raises ValidationError with a Chinese message."""
    value = (raw or "").strip().upper()
    if len(value) != 18:
        raise ValidationError(f"身份证号应为18位，当前为{len(value)}位。", field="id_number")
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError("身份证号前17位应为数字，最后一位为数字或X。", field="id_number")
    if value[:2] in {"00", "10"} or value[0] == "0":
        raise ValidationError("身份证号的地址码不正确。", field="id_number")
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(
            f"身份证号中的出生日期 {value[6:10]}-{value[10:12]}-{value[12:14]} 不存在。",
            field="id_number",
        ) from None
    today = today or timezone.localdate()
    if birth > today or birth.year < 1890:
        raise ValidationError(f"身份证号中的出生日期 {birth:%Y-%m-%d} 不合理。", field="id_number")
    if check_digit(value[:17]) != value[17]:
        raise ValidationError("身份证号校验位不正确，请核对号码。", field="id_number")
    return IdNumber(value=value, birth_date=birth, gender="M" if int(value[16]) % 2 else "F")


def make_id_number(region_code: str, birth: dt.date, seq: int) -> str:
    """A valid number for generated data: 6-digit region, birth date, 3-digit sequence."""
    first17 = f"{region_code[:6]}{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + check_digit(first17)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))

"""Input checks, quarters and the timeline helper shared by the whistles services."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from shequ.core.errors import ValidationError
from shequ.core.models import User
from shequ.core.pii import encrypt
from shequ.core.scope import Actor

# A mainland mobile number, or a landline with its area code (0411-12345678).
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")
MAX_HOURS = Decimal("100000")
MAX_AMOUNT = Decimal("9999999999")
MAX_PEOPLE = 100000


# -- input checks --------------------------------------------------------------------------


def clean_phone(raw: Any, *, field: str = "phone") -> str:
    """A mobile or landline number without spaces, or "" when none is given."""
    phone = re.sub(r"\s", "", str(raw or ""))
    if phone.startswith("+86"):
        phone = phone[3:]
    if phone and not PHONE_RE.fullmatch(phone):
        raise ValidationError(
            "电话应为11位手机号，或带区号的固定电话（如 0411-12345678）。", field=field
        )
    return phone


def phone_columns(phone: str, prefix: str = "phone") -> dict[str, Any]:
    digits = phone.replace("-", "")
    if not phone:
        return {f"{prefix}_enc": None, f"{prefix}_head": "", f"{prefix}_tail": ""}
    return {
        f"{prefix}_enc": encrypt(phone),
        f"{prefix}_head": digits[:3],
        f"{prefix}_tail": digits[-4:],
    }


def _masked(phone: str) -> str:
    digits = phone.replace("-", "")
    return f"{digits[:3]}****{digits[-4:]}" if digits else ""


def _choice(value: Any, choices: Any, *, field: str, label: str) -> str:
    if value not in choices.values:
        raise ValidationError(f"请选择有效的{label}。", field=field)
    return str(value)


def _decimal(value: Any, *, field: str, label: str, maximum: Decimal) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(f"{label}应为数字。", field=field) from None
    if not number.is_finite():
        raise ValidationError(f"{label}应为数字。", field=field)
    if number < 0:
        raise ValidationError(f"{label}不能为负数。", field=field)
    if number > maximum:
        raise ValidationError(f"{label}过大。", field=field)
    return number


def _int(value: Any, *, field: str, label: str, maximum: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(f"{label}应为整数。", field=field) from None
    if number < 0:
        raise ValidationError(f"{label}不能为负数。", field=field)
    if number > maximum:
        raise ValidationError(f"{label}过大。", field=field)
    return number


def quarter_bounds(quarter: str) -> tuple[dt.date, dt.date]:
    """ "2026Q4" -> (2026-10-01, 2026-12-31)."""
    match = QUARTER_RE.fullmatch(str(quarter or "").strip().upper())
    if match is None:
        raise ValidationError("季度格式应为“2026Q4”。", field="quarter")
    year, q = int(match.group(1)), int(match.group(2))
    if not 2000 <= year <= 2100:
        raise ValidationError("季度的年份不正确。", field="quarter")
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1)
    return start, end


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def last_full_quarter(day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar quarter before the one ``day`` lies in."""
    this_start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    prev_end = this_start - dt.timedelta(days=1)
    return quarter_bounds(quarter_of(prev_end))


# -- timeline and audit --------------------------------------------------------------------


def _user(actor: Actor) -> User | None:
    return actor.user if actor.is_authenticated else None

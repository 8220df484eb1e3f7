"""Input cleaning and constants shared by the appeal writes."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import models

from shequ.appeals.models import (
    AppealChannel,
    TriageDecision,
)
from shequ.core.errors import ValidationError
from shequ.core.models import Region, RegionLevel
from shequ.core.pii import encrypt
from shequ.core.selectors import district_id_of
from shequ.core.text import TOO_LONG_SHORT, clean_text
from shequ.residents.services import clean_phone

TRIAGE_DAYS = 1  # working days the community has to triage a new appeal
DESCRIPTION_MAX = 4000
RESULT_MAX = 2000
NOTE_MAX = 500
WHISTLE_DECISION = TriageDecision.WHISTLE  # 分办：吹哨 (a whistle of the whistles app)

ON_BEHALF_CHANNELS = (AppealChannel.WINDOW, AppealChannel.HOTLINE, AppealChannel.BUILDING_HEAD)


def reopen_days() -> int:
    return int(getattr(settings, "APPEAL_REOPEN_DAYS", 7))


# -- input checks --------------------------------------------------------------------------


def clean_coordinates(lat: Any, long: Any) -> tuple[Decimal | None, Decimal | None]:
    """Latitude and longitude as decimals with six places, both or neither."""

    def number(value: Any, label: str, field: str, bound: int) -> Decimal | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            d = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            raise ValidationError(f"{label}应为数字。", field=field) from None
        if not d.is_finite() or not -bound <= d <= bound:
            raise ValidationError(f"{label}应在-{bound}到{bound}之间。", field=field)
        return d.quantize(Decimal("0.000001"))

    la = number(lat, "纬度", "lat", 90)
    lo = number(long, "经度", "long", 180)
    if (la is None) != (lo is None):
        raise ValidationError("经纬度须同时填写。", field="lat" if la is None else "long")
    return la, lo


def _choice(value: Any, choices: type[models.TextChoices], *, field: str, label: str) -> str:
    if value not in choices.values:
        raise ValidationError(f"请选择{label}。", field=field)
    return str(value)


def _community(community: Region) -> Region:
    if not isinstance(community, Region) or community.level != RegionLevel.COMMUNITY:
        raise ValidationError("请选择社区。", field="community")
    district_id_of(community)  # refuses a community that lost its district
    return community


def _place(community: Region, place: Region | None) -> tuple[Region | None, Region | None]:
    """(compound, building) of a place inside ``community`` (a compound, a
    building, or a unit: the unit's building is kept)."""
    if place is None:
        return None, None
    if place.community_id != community.pk or place.level <= RegionLevel.COMMUNITY:
        raise ValidationError("地点须是本社区内的小区或楼栋。", field="place")
    if place.level == RegionLevel.COMPOUND:
        return place, None
    building = place if place.level == RegionLevel.BUILDING else place.building
    return place.compound, building


def _contact(name: Any, phone: Any, *, anonymous: bool) -> dict[str, Any]:
    name = (
        ""
        if anonymous
        else clean_text(
            name,
            field="contact_name",
            label="联系人",
            max_length=40,
            required=False,
            markup="tags",
            too_long=TOO_LONG_SHORT,
        )
    )
    phone = clean_phone(str(phone or ""))
    if not anonymous and not name:
        raise ValidationError("请填写联系人姓名，或选择匿名反映。", field="contact_name")
    if not anonymous and not phone:
        raise ValidationError("请填写联系电话，便于社区回复；不愿留电话可选择匿名。", field="phone")
    return {
        "contact_name": name,
        "phone_enc": encrypt(phone) if phone else None,
        "phone_head": phone[:3],
        "phone_tail": phone[-4:],
    }


# -- timeline and audit ---------------------------------------------------------------------

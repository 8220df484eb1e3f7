"""Display helpers for resident pages: masked numbers, age, derived tags."""

from __future__ import annotations

import datetime as dt

from django import template

from shequ.core.idcard import age_on
from shequ.core.pii import mask_name
from shequ.residents import masking, selectors
from shequ.residents.models import Household, Resident

register = template.Library()


@register.filter
def masked_id(resident: Resident) -> str:
    return masking.masked_id(resident)


@register.filter
def masked_name(name: str) -> str:
    """张** for a reader who may not see names (core.pii.mask_name)."""
    return mask_name(name or "")


@register.filter
def masked_phone(resident: Resident) -> str:
    return masking.masked_phone(resident)


@register.filter
def age(resident: Resident, today: dt.date) -> int:
    return age_on(resident.birth_date, today)


@register.filter
def age_tag(resident: Resident, today: dt.date) -> str:
    """60岁以上 / 80岁以上, or "" when neither applies."""
    tag = selectors.age_tag(resident.birth_date, today)
    return selectors.AGE_TAG_LABELS[tag] if tag else ""


@register.filter
def address(household: Household) -> str:
    """小区 楼栋 单元 门牌号 (the household's unit, compound and building preloaded)."""
    unit = household.unit
    return f"{unit.compound.name} {unit.building.name} {unit.name} {household.room}室"

"""居民档案 API: the same selectors and services as the pages, masked output."""

import datetime as dt
from typing import TypeVar

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core.api_auth import audited, require
from shequ.core.api_pages import Pages, mapped
from shequ.core.errors import ValidationError
from shequ.core.idcard import age_on
from shequ.residents import selectors, services
from shequ.residents.masking import masked_id, masked_phone
from shequ.residents.models import Household, Relation, Resident

router = Router(tags=["居民档案"])

T = TypeVar("T")


class ResidentOut(Schema):
    id: int
    name: str
    gender: str
    age: int
    id_number: str = Field(description="脱敏身份证号，如 110101********1234")
    phone: str = Field(description="脱敏手机号，如 138****5678；未登记为空")
    relation: str
    relation_label: str
    household_id: int
    community_id: int
    community: str
    address: str
    tags: list[str] = Field(description="存储的标签代码（无权限时不含敏感标签）")
    derived_tags: list[str] = Field(description="由出生日期得出：60+、80+")


class ListFilters(Schema):
    q: str = ""
    building: int | None = None
    tag: str | None = None


class ResidentCreateIn(Schema):
    household_id: int | None = Field(None, description="已有住户；或给出 unit_id 与 room")
    unit_id: int | None = None
    room: str = ""
    name: str
    id_number: str
    phone: str = ""
    relation: str = Field(description="head、spouse、child…（见 Relation）")
    tags: list[str] = []


class ResidentUpdateIn(Schema):
    name: str | None = None
    id_number: str | None = None
    phone: str | None = Field(None, description="空字符串表示清除手机号")
    relation: str | None = None
    tags: list[str] | None = None


class HouseholdOut(Schema):
    id: int
    unit_id: int
    room: str
    address: str


def _address(household: Household) -> str:
    unit = household.unit
    return f"{unit.compound.name}{unit.building.name}{unit.name}{household.room}室"


def _out(r: Resident, today: dt.date) -> ResidentOut:
    age = age_on(r.birth_date, today)
    return ResidentOut(
        id=r.pk,
        name=r.name,
        gender=r.gender,
        age=age,
        id_number=masked_id(r),
        phone=masked_phone(r),
        relation=r.relation,
        relation_label=Relation(r.relation).label,
        household_id=r.household_id,
        community_id=r.community_id,
        community=r.community.name,
        address=_address(r.household),
        tags=[t.tag for t in r.visible_tags],
        derived_tags=[tag for tag, years in selectors.AGE_TAGS.items() if age >= years],
    )


@router.get("/", response=list[ResidentOut], summary="居民列表（号码已脱敏）")
@paginate(Pages)
def resident_list(request: HttpRequest, filters: Query[ListFilters]):
    actor = require(request, "resident.view")
    today = selectors.local_today()
    rows = selectors.resident_list(
        actor=actor, q=filters.q, building=filters.building, tag=filters.tag, today=today
    )
    return mapped(rows, lambda r: _out(r, today))


@router.get("/households", response=list[HouseholdOut], summary="住户列表")
def household_list(request: HttpRequest, unit_id: int | None = None):
    actor = require(request, "resident.view")
    unit = selectors.unit_get(actor=actor, unit_id=unit_id) if unit_id else None
    rows = selectors.household_list(actor=actor, unit=unit)[:1000]
    return [
        HouseholdOut(id=h.pk, unit_id=h.unit_id, room=h.room, address=_address(h)) for h in rows
    ]


@router.get("/{int:resident_id}", response=ResidentOut, summary="居民详情（号码已脱敏）")
def resident_get(request: HttpRequest, resident_id: int):
    actor = require(request, "resident.view")
    return _out(
        selectors.resident_get(actor=actor, resident_id=resident_id), selectors.local_today()
    )


@router.post("/", response={201: ResidentOut}, summary="登记居民")
def resident_create(request: HttpRequest, payload: ResidentCreateIn):
    actor = require(request, "resident.create")

    def create() -> Resident:
        fields = {
            "name": payload.name,
            "id_number": payload.id_number,
            "phone": payload.phone,
            "relation": payload.relation,
            "tags": payload.tags,
        }
        if payload.household_id is not None:
            household = selectors.household_get(actor=actor, household_id=payload.household_id)
            return services.resident_create(actor=actor, household=household, **fields)
        if payload.unit_id is None:
            raise ValidationError("请给出住户（household_id）或单元与门牌号（unit_id、room）。")
        unit = selectors.unit_get(actor=actor, unit_id=payload.unit_id)
        return services.resident_register(actor=actor, unit=unit, room=payload.room, **fields)

    resident = audited(request, "resident.create", create)
    today = selectors.local_today()
    return Status(201, _out(selectors.resident_get(actor=actor, resident_id=resident.pk), today))


@router.patch("/{int:resident_id}", response=ResidentOut, summary="修改居民信息")
def resident_update(request: HttpRequest, resident_id: int, payload: ResidentUpdateIn):
    actor = require(request, "resident.change")
    resident = selectors.resident_get(actor=actor, resident_id=resident_id)
    audited(
        request,
        "resident.update",
        lambda: services.resident_update(
            actor=actor, resident=resident, **payload.model_dump(exclude_unset=True)
        ),
        obj=resident,
    )
    return _out(
        selectors.resident_get(actor=actor, resident_id=resident_id), selectors.local_today()
    )

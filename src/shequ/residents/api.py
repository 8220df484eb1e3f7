"""居民档案 API: the same selectors and services as the pages, masked output."""

import datetime as dt
from typing import Any, Literal, TypeVar

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core.api_auth import audited, require
from shequ.core.api_pages import Pages, mapped
from shequ.core.api_schema import Id, choice, listed, refusals
from shequ.core.errors import ValidationError
from shequ.core.idcard import age_on
from shequ.residents import personal_data, retention, selectors, services
from shequ.residents.masking import masked_id, masked_phone
from shequ.residents.models import Household, Relation, Resident, Tag

router = Router(tags=["居民档案"])

T = TypeVar("T")

TagFilter = choice([*Tag.values, *selectors.AGE_TAGS], "未知的标签。")


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
    left_at: dt.date | None = Field(None, description="迁出日期；在册居民为空")
    left_reason: str = Field("", description="迁出原因：moved_out、deceased、other")
    erased: bool = Field(False, description="保存期满，个人信息已删除")


class ResidentFilters(Schema):
    q: str = ""
    building: Id | None = None
    tag: TagFilter = Field(None, description="标签；60+、80+ 由出生日期得出")
    status: Literal["", "left"] = Field("", description="空：在册居民；left：已迁出")


class ResidentLeaveIn(Schema):
    left_at: dt.date = Field(description="迁出日期，不晚于今天")
    reason: Literal["moved_out", "deceased", "other"] = Field(
        description="moved_out 迁出本区、deceased 死亡、other 其他（须写说明）"
    )
    note: str = ""
    new_head_id: int | None = Field(None, description="户主迁出时，改为户主的本户成员")


class ResidentCreateIn(Schema):
    household_id: int | None = Field(None, description="已有住户；或给出 unit_id 与 room")
    unit_id: int | None = None
    room: str = ""
    name: str
    id_number: str
    phone: str = ""
    relation: str = Field(description="与户主关系", json_schema_extra=listed(Relation.values))
    tags: list[str] = []


class ResidentUpdateIn(Schema):
    name: str | None = None
    id_number: str | None = None
    phone: str | None = Field(None, description="空字符串表示清除手机号")
    relation: str | None = Field(None, json_schema_extra=listed(Relation.values))
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
        left_at=r.left_at,
        left_reason=r.left_reason,
        erased=r.erased_at is not None,
    )


@router.get("/", response={200: list[ResidentOut], **refusals()}, summary="居民列表（号码已脱敏）")
@paginate(Pages)
def resident_list(request: HttpRequest, filters: Query[ResidentFilters]):
    actor = require(request, "resident.view")
    today = selectors.local_today()
    rows = selectors.resident_list(
        actor=actor,
        q=filters.q,
        building=filters.building,
        tag=filters.tag,
        status=filters.status,
        today=today,
    )
    return mapped(rows, lambda r: _out(r, today))


@router.get("/households", response={200: list[HouseholdOut], **refusals(404)}, summary="住户列表")
def household_list(request: HttpRequest, unit_id: Id | None = None):
    actor = require(request, "resident.view")
    unit = selectors.unit_get(actor=actor, unit_id=unit_id) if unit_id else None
    rows = selectors.household_list(actor=actor, unit=unit)[:1000]
    return [
        HouseholdOut(id=h.pk, unit_id=h.unit_id, room=h.room, address=_address(h)) for h in rows
    ]


@router.get(
    "/{int:resident_id}",
    response={200: ResidentOut, **refusals(404)},
    summary="居民详情（号码已脱敏）",
)
def resident_get(request: HttpRequest, resident_id: int):
    actor = require(request, "resident.view")
    return _out(
        selectors.resident_get(actor=actor, resident_id=resident_id), selectors.local_today()
    )


@router.post("/", response={201: ResidentOut, **refusals(400, 404, 409)}, summary="登记居民")
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


@router.patch(
    "/{int:resident_id}",
    response={200: ResidentOut, **refusals(400, 404, 409)},
    summary="修改居民信息",
)
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


@router.post(
    "/{int:resident_id}/leave",
    response={200: ResidentOut, **refusals(400, 404, 409)},
    summary="居民迁出",
)
def resident_leave(request: HttpRequest, resident_id: int, payload: ResidentLeaveIn):
    actor = require(request, "resident.leave")
    resident = selectors.resident_get(actor=actor, resident_id=resident_id)
    audited(
        request,
        "resident.leave",
        lambda: retention.resident_leave(
            actor=actor,
            resident=resident,
            left_at=payload.left_at,
            reason=payload.reason,
            note=payload.note,
            new_head=payload.new_head_id,
        ),
        obj=resident,
    )
    return _out(
        selectors.resident_get(actor=actor, resident_id=resident_id), selectors.local_today()
    )


@router.post(
    "/{int:resident_id}/restore",
    response={200: ResidentOut, **refusals(404, 409)},
    summary="撤销迁出",
)
def resident_restore(request: HttpRequest, resident_id: int):
    actor = require(request, "resident.leave")
    resident = selectors.resident_get(actor=actor, resident_id=resident_id)
    audited(
        request,
        "resident.restore",
        lambda: retention.resident_restore(actor=actor, resident=resident),
        obj=resident,
    )
    return _out(
        selectors.resident_get(actor=actor, resident_id=resident_id), selectors.local_today()
    )


@router.get(
    "/me/data",
    response={200: dict[str, Any], **refusals(404)},
    summary="我的个人信息副本（含完整身份证号、手机号；每次读取记入审计）",
)
def my_data(request: HttpRequest):
    actor = require(request, "resident.self")
    copy = personal_data.personal_copy(actor=actor, fmt="json")
    return personal_data.as_dict(copy)

"""党员 API: the register (party roles only, in their scope), one member,
enrolling, 转正, and a resident's own membership."""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core.api_auth import audited, require
from shequ.core.api_pages import Pages, mapped
from shequ.core.api_schema import choice, listed, refusals
from shequ.core.errors import NotFound
from shequ.party.models import MemberStatus, PartyMember, Relation, Standing
from shequ.party.selectors import members as selectors
from shequ.party.services import members as services

router = Router()

StandingFilter = choice(Standing.values, "未知的党员类别。")
RelationFilter = choice(Relation.values, "未知的管理类型。")
StatusFilter = choice(MemberStatus.values, "未知的党员状态。")


class PartyMemberOut(Schema):
    id: int
    name: str
    org_id: int
    org: str
    standing: str = Field(description="full 正式党员 / probationary 预备党员")
    probation_ends_on: dt.date | None
    relation: str = Field(description="self_managed / in_service / mobile / retired")
    relation_label: str
    compound: str = Field(description="居住小区")
    joined_on: dt.date
    status: str
    employer: str = Field(description="在职党员的工作单位")


class PartyMemberFilters(Schema):
    org_id: int | None = Field(None, ge=1, le=2**31 - 1)
    standing: StandingFilter = None
    relation: RelationFilter = None
    status: StatusFilter = Field(MemberStatus.ACTIVE.value, description="默认只看在册党员")
    q: str = Field("", description="姓名关键词")


class PartyMemberIn(Schema):
    resident_id: int = Field(ge=1, le=2**31 - 1, description="居民档案中的居民")
    org_id: int = Field(ge=1, le=2**31 - 1)
    standing: str = Field(json_schema_extra=listed(Standing.values))
    relation: str = Field(json_schema_extra=listed(Relation.values))
    joined_on: dt.date
    probation_ends_on: dt.date | None = None
    employer_org_name: str = Field("", max_length=200)
    employer_unit_id: int | None = Field(None, ge=1, le=2**31 - 1)
    employer_name: str = Field("", max_length=200)


class PartyMemberConfirmIn(Schema):
    confirmed_on: dt.date


def _member(m: PartyMember) -> PartyMemberOut:
    return PartyMemberOut(
        id=m.pk, name=m.resident.name, org_id=m.org_id, org=m.org.name, standing=m.standing,
        probation_ends_on=m.probation_ends_on, relation=m.relation,
        relation_label=Relation(m.relation).label,
        compound=m.compound.name if m.compound else "", joined_on=m.joined_on, status=m.status,
        employer=m.employer_name,
    )  # fmt: skip


@router.get(
    "/members",
    response={200: list[PartyMemberOut], **refusals(404)},
    summary="党员名册（党务角色，本辖区）",
)
@paginate(Pages)
def member_list(request: HttpRequest, filters: Query[PartyMemberFilters]):
    actor = require(request, "party.members")
    rows = selectors.member_list(
        actor=actor,
        filters=selectors.MemberFilters(
            org_id=filters.org_id,
            standing=filters.standing or "",
            relation=filters.relation or "",
            status=filters.status or "",
            q=filters.q[:40],
        ),  # fmt: skip
    )
    return mapped(rows, _member)


@router.get(
    "/members/me", response={200: PartyMemberOut, **refusals(404)}, summary="本人的党员信息（居民）"
)
def my_membership(request: HttpRequest):
    actor = require(request, "party.self")
    member = selectors.my_membership(actor=actor)
    if member is None:
        raise NotFound("您的账号没有党员登记信息。")
    return _member(member)


@router.get(
    "/members/{int:member_id}", response={200: PartyMemberOut, **refusals(404)}, summary="党员详情"
)
def member_detail(request: HttpRequest, member_id: int):
    actor = require(request, "party.members")
    return _member(selectors.member_get(actor=actor, member_id=member_id))


@router.post(
    "/members",
    response={201: PartyMemberOut, **refusals(400, 404, 409)},
    summary="登记党员（居民档案中的居民）",
)
def member_create(request: HttpRequest, payload: PartyMemberIn):
    actor = require(request, "party.member_manage")
    member = audited(
        request,
        "party_member.create",
        lambda: services.member_create(actor=actor, **payload.dict()),
    )
    return Status(201, _member(selectors.member_get(actor=actor, member_id=member.pk)))


@router.post(
    "/members/{int:member_id}/confirm",
    response={200: PartyMemberOut, **refusals(400, 404, 409)},
    summary="预备党员转正",
)
def member_confirm(request: HttpRequest, member_id: int, payload: PartyMemberConfirmIn):
    actor = require(request, "party.member_manage")
    audited(
        request,
        "party_member.confirm",
        lambda: services.member_confirm(
            actor=actor, member_id=member_id, confirmed_on=payload.confirmed_on
        ),
    )
    return _member(selectors.member_get(actor=actor, member_id=member_id))

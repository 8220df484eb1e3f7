"""双报到 API at ``/api/party/report-in/…``: units and members reporting in,
the needs list and its claims, the services logged — the same selectors
and services as the pages, the same scope. Names leave masked except to
the party roles; contact phones always masked."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core.api_auth import audited
from shequ.core.api_pages import Pages, mapped
from shequ.core.api_schema import Id, choice, refusals
from shequ.core.scope import Actor
from shequ.party.models import MemberReportIn, Need, NeedClaim, NeedState, ServiceLog, UnitReportIn
from shequ.party.selectors import reporting as selectors
from shequ.party.services import reporting as services

router = Router(tags=["党建引领·双报到"])

NeedStatusFilter = choice(NeedState.values, "未知的需求状态。")


def _actor(request: HttpRequest) -> Actor:
    actor: Actor = request.actor  # type: ignore[attr-defined]  # set by the API's auth
    return actor


# -- units ------------------------------------------------------------------------------------


class UnitReportOut(Schema):
    id: int
    community_id: int
    community: str
    unit_id: int
    unit: str
    party_org_name: str
    resources: str
    contact_name: str = Field(description="党组织书记等党建角色可见全名，其他角色脱敏")
    contact_phone: str = Field(description="脱敏电话，如 138****5678")
    reported_on: dt.date
    withdrawn_on: dt.date | None
    members: int = Field(description="关联本单位报到的在职党员（未撤回）")


class UnitReportBody(Schema):
    unit_id: int
    community_id: int | None = Field(None, description="社区工作人员可省略：本社区")
    party_org_name: str = Field(max_length=200)
    resources: str = Field(max_length=1000)
    contact_name: str = Field(max_length=100)
    contact_phone: str = Field("", max_length=40)


def _unit_out(actor: Actor, r: UnitReportIn, members: int) -> UnitReportOut:
    return UnitReportOut(
        id=r.pk,
        community_id=r.community_id,
        community=r.community.name,
        unit_id=r.unit_id,
        unit=r.unit.name,
        party_org_name=r.party_org_name,
        resources=r.resources,
        contact_name=selectors.shown_name(actor, r.contact_name),
        contact_phone=r.contact_phone_masked,
        reported_on=r.reported_on,
        withdrawn_on=r.withdrawn_on,
        members=members,
    )


@router.get(
    "/report-in/units",
    response={200: list[UnitReportOut], **refusals()},
    summary="驻区单位报到列表（联络员：本单位的）",
)
@paginate(Pages)
def unit_report_list(request: HttpRequest):
    actor = _actor(request)
    rows = selectors.unit_reports(actor=actor)
    return mapped(rows, lambda r: _unit_out(actor, r, r.member_count))


@router.post(
    "/report-in/units",
    response={201: UnitReportOut, **refusals(400, 404, 409)},
    summary="驻区单位到社区报到（联络员为本单位，或社区代为登记）",
)
def unit_report_create(request: HttpRequest, payload: UnitReportBody):
    actor = _actor(request)
    report = audited(
        request,
        "unit_report.create",
        lambda: services.unit_report_create(actor=actor, **payload.model_dump()),
    )
    report = selectors.unit_reports(actor=actor).get(pk=report.pk)
    return Status(201, _unit_out(actor, report, report.member_count))


# -- members ----------------------------------------------------------------------------------


class MemberReportOut(Schema):
    id: int
    community_id: int
    community: str
    member_id: int
    member: str = Field(description="党建角色可见全名，其他角色脱敏")
    employer_unit_id: int | None
    employer: str
    unit_report_id: int | None
    skills: str
    availability: str
    reported_on: dt.date
    withdrawn_on: dt.date | None


class MemberReportBody(Schema):
    member_id: int
    skills: str = Field(max_length=400)
    availability: str = Field(max_length=200)


def _member_out(actor: Actor, r: MemberReportIn) -> MemberReportOut:
    m = r.member
    return MemberReportOut(
        id=r.pk,
        community_id=r.community_id,
        community=r.community.name,
        member_id=m.pk,
        member=selectors.shown_name(actor, m.resident.name),
        employer_unit_id=m.employer_unit_id,
        employer=m.employer_unit.name if m.employer_unit else m.employer_name,
        unit_report_id=r.unit_report_id,
        skills=r.skills,
        availability=r.availability,
        reported_on=r.reported_on,
        withdrawn_on=r.withdrawn_on,
    )


@router.get(
    "/report-in/members",
    response={200: list[MemberReportOut], **refusals()},
    summary="在职党员报到列表（联络员：本单位党员；居民：本人）",
)
@paginate(Pages)
def member_report_list(request: HttpRequest):
    actor = _actor(request)
    return mapped(selectors.member_reports(actor=actor), lambda r: _member_out(actor, r))


@router.post(
    "/report-in/members",
    response={201: MemberReportOut, **refusals(400, 404, 409)},
    summary="在职党员到居住地社区报到（本人，或社区代为登记）",
)
def member_report_create(request: HttpRequest, payload: MemberReportBody):
    actor = _actor(request)
    report = audited(
        request,
        "member_report.create",
        lambda: services.member_report_create(actor=actor, **payload.model_dump()),
    )
    report = selectors.member_reports(actor=actor).get(pk=report.pk)
    return Status(201, _member_out(actor, report))


# -- needs ------------------------------------------------------------------------------------


class NeedOut(Schema):
    id: int
    community_id: int
    community: str
    title: str
    description: str
    skills: str
    wanted: int
    claims: int
    needed_by: dt.date
    status: str
    status_label: str


class NeedFilters(Schema):
    status: NeedStatusFilter = Field(
        None, description="open 待认领 / claimed 已认领 / closed 已关闭"
    )


class NeedIn(Schema):
    community_id: int | None = Field(None, description="社区工作人员可省略：本社区")
    title: str = Field(max_length=120)
    description: str = Field("", max_length=1000)
    skills: str = Field("", max_length=200)
    wanted: int = Field(description="需要人数（1–999）")
    needed_by: dt.date


class NeedClaimIn(Schema):
    report_in_id: int | None = Field(None, description="社区代党员认领时必填；居民本人认领省略")


class NeedClaimOut(Schema):
    id: int
    need_id: int
    report_in_id: int
    claimed_at: dt.datetime
    need_status: str
    claims: int


def _need_out(n: Need, claims: int) -> NeedOut:
    return NeedOut(
        id=n.pk,
        community_id=n.community_id,
        community=n.community.name,
        title=n.title,
        description=n.description,
        skills=n.skills,
        wanted=n.wanted,
        claims=claims,
        needed_by=n.needed_by,
        status=n.status,
        status_label=n.get_status_display(),
    )


@router.get(
    "/report-in/needs",
    response={200: list[NeedOut], **refusals()},
    summary="社区需求清单（居民：已报到社区的需求）",
)
@paginate(Pages)
def need_list(request: HttpRequest, filters: Query[NeedFilters]):
    actor = _actor(request)
    rows = selectors.needs(actor=actor, status=filters.status)
    return mapped(rows, lambda n: _need_out(n, n.claim_count))


@router.post(
    "/report-in/needs", response={201: NeedOut, **refusals(400, 404, 409)}, summary="发布社区需求"
)
def need_post(request: HttpRequest, payload: NeedIn):
    actor = _actor(request)
    need = audited(
        request, "need.post", lambda: services.need_post(actor=actor, **payload.model_dump())
    )
    return Status(201, _need_out(need, 0))


@router.post(
    "/report-in/needs/{int:need_id}/claim",
    response={201: NeedClaimOut, **refusals(400, 404, 409)},
    summary="认领社区需求（已报到的党员本人，或社区代为认领）",
)
def need_claim(request: HttpRequest, need_id: int, payload: NeedClaimIn):
    actor = _actor(request)
    claim: NeedClaim = audited(
        request,
        "need.claim",
        lambda: services.need_claim(
            actor=actor, need_id=need_id, report_in_id=payload.report_in_id
        ),
    )
    need = selectors.need_get(actor=actor, need_id=claim.need_id)
    return Status(
        201,
        NeedClaimOut(
            id=claim.pk,
            need_id=need.pk,
            report_in_id=claim.report_in_id,
            claimed_at=claim.claimed_at,
            need_status=need.status,
            claims=need.claim_count,
        ),
    )


# -- services ---------------------------------------------------------------------------------


class ServiceLogOut(Schema):
    id: int
    community_id: int
    community: str
    report_in_id: int | None
    member: str = Field(description="党建角色可见全名，其他角色脱敏")
    unit_id: int | None
    unit: str
    need_id: int | None
    day: dt.date
    hours: Decimal
    what: str
    pairing_action_id: int | None = Field(description="同时计入的结对共建活动")


class ServiceLogFilters(Schema):
    quarter: str = Field("", description="如 2026Q4")
    unit_id: Id | None = None


class ServiceLogIn(Schema):
    report_in_id: int
    need_id: int | None = None
    day: dt.date
    hours: Decimal = Field(description="大于0、不超过24小时，最多一位小数")
    what: str = Field(max_length=400)


def _service_out(actor: Actor, s: ServiceLog) -> ServiceLogOut:
    return ServiceLogOut(
        id=s.pk,
        community_id=s.community_id,
        community=s.community.name,
        report_in_id=s.report_in_id,
        member=selectors.shown_name(actor, selectors.service_member_name(s)),
        unit_id=s.unit_id,
        unit=s.unit.name if s.unit else "",
        need_id=s.need_id,
        day=s.day,
        hours=s.hours,
        what=s.what,
        pairing_action_id=s.pairing_action_id,
    )


@router.get(
    "/report-in/services",
    response={200: list[ServiceLogOut], **refusals(404)},
    summary="服务登记（联络员：本单位党员的；居民：本人的）",
)
@paginate(Pages)
def service_list(request: HttpRequest, filters: Query[ServiceLogFilters]):
    actor = _actor(request)
    rows = selectors.service_logs(
        actor=actor, quarter=filters.quarter[:10] or None, unit_id=filters.unit_id
    )
    return mapped(rows, lambda s: _service_out(actor, s))


@router.post(
    "/report-in/services",
    response={201: ServiceLogOut, **refusals(400, 404, 409)},
    summary="登记在职党员服务（单位有结对共建协议的，同时计入共建活动）",
)
def service_create(request: HttpRequest, payload: ServiceLogIn):
    actor = _actor(request)
    log: Any = audited(
        request,
        "service_log.create",
        lambda: services.service_log_create(actor=actor, **payload.model_dump()),
    )
    return Status(201, _service_out(actor, selectors.service_logs(actor=actor).get(pk=log.pk)))

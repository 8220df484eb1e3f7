"""居民诉求 API: list, detail, create (with ``Idempotency-Key``), triage and
close, through the same services and selectors as the pages. Contact
phones leave masked; anonymous appeals carry no contact name."""

import datetime as dt
from decimal import Decimal
from typing import Any, TypeVar

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.params import HeaderEx, P

from shequ.appeals import selectors
from shequ.appeals.models import (
    Appeal,
    AppealCategory,
    AppealChannel,
    AppealKind,
    AppealState,
    TriageDecision,
)
from shequ.appeals.services import appeal_close, appeal_create, appeal_triage
from shequ.core.api_auth import audited, require
from shequ.core.api_pages import Pages, mapped
from shequ.core.api_schema import Id, choice, listed, refusals
from shequ.core.errors import NotFound, PermissionDenied, ValidationError
from shequ.core.idempotency import HEADER, idempotent
from shequ.core.models import Region, RegionLevel, TimelineEvent

router = Router(tags=["居民诉求"])

T = TypeVar("T")

# Over the API a triage keeps the appeal in the community: 吹哨 and 议事协商
# need their own forms (the pages).
API_DECISIONS = (TriageDecision.SELF.value, TriageDecision.MERGE.value)

StatusFilter = choice([*AppealState.values, "open"], "未知的诉求状态。")
CategoryFilter = choice(AppealCategory.values, "未知的诉求类别。")


class AppealOut(Schema):
    id: int
    number: str = Field(description="诉求编号")
    status: str
    status_label: str
    kind: str
    kind_label: str
    category: str
    category_label: str
    channel: str
    channel_label: str
    community_id: int
    community: str
    compound_id: int | None
    building_id: int | None
    address: str
    description: str
    anonymous: bool
    contact_name: str = Field(description="匿名诉求为空")
    phone: str = Field(description="脱敏联系电话，如 138****1234")
    submitted_at: dt.datetime
    triage_due: dt.date = Field(description="分办期限（工作日）")
    triage_overdue: bool
    owner: str = Field(description="首接负责人")
    supporters: int = Field(description="我也遇到（含合并的重复诉求）")
    duplicate_of_id: int | None
    closed_at: dt.datetime | None
    rating: str


class AppealEventOut(Schema):
    at: dt.datetime
    action: str
    label: str
    from_state: str
    to_state: str
    actor: str
    note: str


class AppealCandidateOut(Schema):
    id: int
    number: str
    score: int = Field(description="相同关键词个数")
    shared: list[str]
    description: str


class AppealDetailOut(AppealOut):
    lat: Decimal | None
    long: Decimal | None
    decision: str
    result: str
    reopened_count: int
    photos: int
    timeline: list[AppealEventOut]
    duplicate_candidates: list[AppealCandidateOut] = Field(description="待分办时：可能重复的诉求")
    suggested_category: str | None


class AppealListFilters(Schema):
    q: str = Field("", description="诉求编号（前缀）或内容关键词")
    status: StatusFilter = Field(None, description="状态，或 open（未办结）")
    category: CategoryFilter = None
    overdue: bool = Field(False, description="只看分办超期的")
    community_id: Id | None = None


class AppealCreateIn(Schema):
    community_id: int
    kind: str = Field(
        description=" / ".join(f"{v} {label}" for v, label in AppealKind.choices),
        json_schema_extra=listed(AppealKind.values),
    )
    category: str = Field(
        description=" / ".join(f"{v} {label}" for v, label in AppealCategory.choices),
        json_schema_extra=listed(AppealCategory.values),
    )
    description: str = Field(max_length=8000)
    channel: str = Field(
        AppealChannel.WINDOW.value,
        description="代为登记：window / hotline / building_head；居民本人：phone",
        json_schema_extra=listed(c for c in AppealChannel.values if c != AppealChannel.OPEN311),
    )
    place_id: int | None = Field(None, description="本社区内的小区或楼栋")
    address: str = Field("", max_length=400)
    contact_name: str = Field("", max_length=80)
    contact_phone: str = Field("", max_length=40)
    anonymous: bool = False
    lat: Decimal | None = None
    long: Decimal | None = None


class AppealTriageIn(Schema):
    decision: str = Field(
        description="self 社区自办自结 / merge 合并为重复诉求（吹哨和议事协商在页面上办理）",
        json_schema_extra=listed(API_DECISIONS),
    )
    duplicate_of_id: int | None = None
    note: str = Field("", max_length=1000)


class AppealCloseIn(Schema):
    result: str = Field(max_length=4000)


def _fields(a: Appeal, today: dt.date) -> dict[str, Any]:
    return {
        "id": a.pk,
        "number": a.number,
        "status": a.status,
        "status_label": AppealState(a.status).label,
        "kind": a.kind,
        "kind_label": AppealKind(a.kind).label,
        "category": a.category,
        "category_label": AppealCategory(a.category).label,
        "channel": a.channel,
        "channel_label": AppealChannel(a.channel).label,
        "community_id": a.community_id,
        "community": a.community.name,
        "compound_id": a.compound_id,
        "building_id": a.building_id,
        "address": a.address,
        "description": a.description,
        "anonymous": a.anonymous,
        "contact_name": "" if a.anonymous else a.contact_name,
        "phone": a.phone_masked,
        "submitted_at": a.submitted_at,
        "triage_due": a.triage_due,
        "triage_overdue": a.status == AppealState.SUBMITTED and a.triage_due < today,
        "owner": (a.owner.full_name or a.owner.username) if a.owner_id else "",
        "supporters": a.supporters,
        "duplicate_of_id": a.duplicate_of_id,
        "closed_at": a.closed_at,
        "rating": a.rating,
    }


def _event_out(e: TimelineEvent) -> AppealEventOut:
    return AppealEventOut(
        at=e.at,
        action=e.action,
        label=e.action_label,
        from_state=e.from_state,
        to_state=e.to_state,
        actor=(e.actor.full_name or e.actor.username) if e.actor_id else "",
        note=e.note,
    )


def _detail(request: HttpRequest, appeal_id: int) -> AppealDetailOut:
    actor = request.actor
    a = selectors.appeal_get(actor=actor, appeal_id=appeal_id)
    triaging = (
        a.status == AppealState.SUBMITTED
        and actor.can("appeal.triage")
        and actor.covers(a.community)
    )
    candidates = selectors.duplicate_candidates(a) if triaging else []
    return AppealDetailOut(
        **_fields(a, selectors.local_today()),
        lat=a.lat,
        long=a.long,
        decision=a.decision,
        result=a.result,
        reopened_count=a.reopened_count,
        photos=len(selectors.appeal_photos(appeal=a)),
        timeline=[_event_out(e) for e in selectors.appeal_timeline(appeal=a)],
        duplicate_candidates=[
            AppealCandidateOut(
                id=c.appeal.pk,
                number=c.appeal.number,
                score=c.score,
                shared=list(c.shared),
                description=c.appeal.description[:200],
            )
            for c in candidates
        ],
        suggested_category=selectors.suggested_category(a) if triaging else None,
    )


@router.get("/", response={200: list[AppealOut], **refusals(404)}, summary="诉求列表")
@paginate(Pages)
def appeal_list(request: HttpRequest, filters: Query[AppealListFilters]):
    actor = require(request, "appeal.view")
    rows = selectors.appeal_list(
        actor=actor,
        filters=selectors.AppealFilters(
            q=filters.q[:40],
            status=filters.status or "",
            category=filters.category or "",
            overdue=filters.overdue,
            community_id=filters.community_id,
        ),
    )
    today = selectors.local_today()
    return mapped(rows, lambda a: AppealOut(**_fields(a, today)))


@router.get(
    "/{int:appeal_id}",
    response={200: AppealDetailOut, **refusals(404)},
    summary="诉求详情（含办理过程和可能重复的诉求）",
)
def appeal_detail(request: HttpRequest, appeal_id: int):
    require(request, "appeal.view")
    return _detail(request, appeal_id)


def _community(actor, community_id: int) -> Region:
    community = Region.objects.filter(pk=community_id, level=RegionLevel.COMMUNITY).first()
    if community is None or community.pk not in actor.community_ids:
        raise NotFound("没有找到该社区。")
    return community


@router.post(
    "/",
    response={201: AppealOut, **refusals(400, 404, 409)},
    summary="登记诉求（代居民登记，或居民本人反映）",
    description="可带 Idempotency-Key 头重发：24小时内同一个键只登记一次，重发得到第一次的结果。"
    "照片请通过页面上传。",
)
def appeal_create_endpoint(
    request: HttpRequest,
    payload: AppealCreateIn,
    idempotency_key: HeaderEx[
        str | None, P(alias=HEADER, description="同一请求重发时带同一个键")
    ] = None,
):
    actor = request.actor
    if not (actor.can("appeal.create") or actor.can("appeal.self")):
        raise PermissionDenied("当前角色无权执行此操作。")
    user = actor.require_user()

    def run() -> tuple[int, dict]:
        community = _community(actor, payload.community_id)
        place = None
        if payload.place_id is not None:
            place = selectors.place_get(community=community, place_id=payload.place_id)
            if place is None:
                raise ValidationError("地点须是本社区内的小区或楼栋。", field="place_id")
        appeal = appeal_create(
            actor=actor,
            community=community,
            kind=payload.kind,
            category=payload.category,
            description=payload.description,
            channel=payload.channel,
            place=place,
            address=payload.address,
            contact_name=payload.contact_name,
            contact_phone=payload.contact_phone,
            anonymous=payload.anonymous,
            lat=payload.lat,
            long=payload.long,
        )
        appeal = Appeal.objects.select_related("community", "owner").get(pk=appeal.pk)
        out = AppealOut(**_fields(appeal, selectors.local_today()))
        return 201, out.model_dump(mode="json")

    status, body = audited(
        request,
        "appeal.create",
        lambda: idempotent(
            caller=f"user:{user.pk}",
            scope="appeals.appeal_create",
            key=idempotency_key,
            body=payload.model_dump(mode="json"),
            run=run,
        ),
    )
    return Status(status, body)


@router.post(
    "/{int:appeal_id}/triage",
    response={200: AppealDetailOut, **refusals(400, 404, 409)},
    summary="分办：自办自结或合并",
)
def appeal_triage_endpoint(request: HttpRequest, appeal_id: int, payload: AppealTriageIn):
    actor = require(request, "appeal.triage")

    def triage() -> Appeal:
        if payload.decision not in API_DECISIONS:
            raise ValidationError(
                "分办方式应为 self（社区自办自结）或 merge（合并为重复诉求）；"
                "吹哨和议事协商请在页面上办理。",
                field="decision",
            )
        return appeal_triage(
            actor=actor,
            appeal_id=appeal_id,
            decision=payload.decision,
            duplicate_of_id=payload.duplicate_of_id,
            note=payload.note,
        )

    audited(request, "appeal.triage", triage)
    return _detail(request, appeal_id)


@router.post(
    "/{int:appeal_id}/close",
    response={200: AppealDetailOut, **refusals(400, 404, 409)},
    summary="办结（须填写办理结果）",
)
def appeal_close_endpoint(request: HttpRequest, appeal_id: int, payload: AppealCloseIn):
    actor = require(request, "appeal.triage")
    audited(
        request,
        "appeal.close",
        lambda: appeal_close(actor=actor, appeal_id=appeal_id, result=payload.result),
    )
    return _detail(request, appeal_id)

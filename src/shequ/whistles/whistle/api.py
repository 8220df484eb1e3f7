"""吹哨报到 API: list, detail, raise (with ``Idempotency-Key``) and the
actions, through the same selectors and services as the pages. Mounted under
``/api/whistles/whistles/`` by ``whistles.api``."""

import datetime as dt
from typing import TypeVar

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.params import HeaderEx, P

from shequ.core.api_auth import audited, require
from shequ.core.api_pages import Pages, mapped
from shequ.core.api_schema import Id, choice, listed, refusals
from shequ.core.categories import IssueCategory
from shequ.core.errors import NotFound, ValidationError
from shequ.core.idempotency import HEADER, idempotent
from shequ.core.models import Region, RegionLevel
from shequ.whistles.models import Whistle, WhistleState, WhistleUrgency
from shequ.whistles.whistle import events, selectors
from shequ.whistles.whistle.selectors import FIGURES
from shequ.whistles.whistle.services import WHISTLE_FLOW, whistle_raise
from shequ.whistles.whistle.services.flow import ACTIONS

router = Router(tags=["吹哨报到"])
T = TypeVar("T")

StatusFilter = choice(WhistleState.values, "请选择有效的状态。")
FigureFilter = choice(FIGURES, "没有这项考评指标。")


class WhistleOut(Schema):
    id: int
    number: str
    title: str
    community_id: int
    category: str
    urgency: str
    status: str
    status_label: str
    lead_department_id: int
    lead_department: str
    report_in_due: dt.datetime
    resolve_due: dt.datetime
    reported_at: dt.datetime | None
    resolved_at: dt.datetime | None
    evaluation: str
    escalation: int = Field(description="0 未督办 / 1 街道督办 / 2 区级督办")


class WhistleDetailOut(WhistleOut):
    description: str
    address: str
    responsible_name: str
    result: str
    dispute_reason: str
    cooperating_ids: list[int]
    appeal_ids: list[int]
    actions: list[str] = Field(description="当前账号可执行的操作")


class WhistleFilters(Schema):
    status: StatusFilter = None
    community_id: Id | None = None
    department_id: Id | None = Field(None, description="牵头部门")
    month: str = Field("", description="2026-03")
    figure: FigureFilter = Field(None, description="考评指标下钻")


class WhistleRaiseIn(Schema):
    community_id: int | None = Field(None, description="社区；街道可只给 place_id，社区随之确定")
    place_id: int | None = Field(None, description="小区或楼栋（可选）")
    title: str = Field(max_length=200)
    description: str = Field(max_length=8000)
    category: str = Field(json_schema_extra=listed(IssueCategory.values))
    urgency: str = Field(
        WhistleUrgency.NORMAL.value, json_schema_extra=listed(WhistleUrgency.values)
    )
    lead_department_id: int
    cooperating_ids: list[Id] = []
    appeal_ids: list[Id] = []
    address: str = Field("", max_length=400)


class WhistleActionIn(Schema):
    action: str = Field(
        description="report_in 报到 / start 开始处置 / resolve 办结 / dispute 退回 / "
        "reassign 改派 / evaluate 评价 / close 关闭",
        json_schema_extra=listed(ACTIONS),
    )
    responsible_name: str = ""
    result: str = ""
    reason: str = ""
    department_id: int | None = None
    evaluation: str = ""
    comment: str = ""
    note: str = ""


def _out(w: Whistle) -> dict:
    return {
        "id": w.pk,
        "number": w.number,
        "title": w.title,
        "community_id": w.community_id,
        "category": w.category,
        "urgency": w.urgency,
        "status": w.status,
        "status_label": w.get_status_display(),
        "lead_department_id": w.lead_department_id,
        "lead_department": w.lead_department.name,
        "report_in_due": w.report_in_due,
        "resolve_due": w.resolve_due,
        "reported_at": w.reported_at,
        "resolved_at": w.resolved_at,
        "evaluation": w.evaluation,
        "escalation": w.escalation,
    }


def _detail(request: HttpRequest, whistle_id: int) -> dict:
    actor = request.actor
    w = selectors.whistle_get(actor=actor, whistle_id=whistle_id)
    return {
        **_out(w),
        "description": w.description,
        "address": w.address,
        "responsible_name": w.responsible_name,
        "result": w.result,
        "dispute_reason": w.dispute_reason,
        "cooperating_ids": sorted(w.cooperating.values_list("pk", flat=True)),
        "appeal_ids": sorted(o.pk for o in events.origins_of(w) if o.kind == "appeal"),
        "actions": [t.action for t in WHISTLE_FLOW.available(w, actor)],
    }


@router.get(
    "/",
    response={200: list[WhistleOut], **refusals(400, 404)},
    summary="吹哨事项列表（按权限范围）",
)
@paginate(Pages)
def whistle_list(request: HttpRequest, filters: Query[WhistleFilters]):
    actor = require(request, "whistle.view")
    rows = selectors.whistle_list(
        actor=actor,
        status=filters.status or "",
        community_id=filters.community_id,
        department_id=filters.department_id,
        month=filters.month,
        figure=filters.figure or "",
    )
    return mapped(rows, _out)


@router.get(
    "/{int:whistle_id}", response={200: WhistleDetailOut, **refusals(404)}, summary="吹哨事项详情"
)
def whistle_detail(request: HttpRequest, whistle_id: int):
    require(request, "whistle.view")
    return _detail(request, whistle_id)


@router.post(
    "/",
    response={201: WhistleDetailOut, **refusals(400, 404, 409)},
    summary="吹哨",
    description="可带 Idempotency-Key 头重发：同一个键只吹哨一次，重发得到第一次的结果。",
)
def whistle_raise_endpoint(
    request: HttpRequest,
    payload: WhistleRaiseIn,
    idempotency_key: HeaderEx[
        str | None, P(alias=HEADER, description="同一请求重发时带同一个键")
    ] = None,
):
    actor = require(request, "whistle.raise")
    user = actor.require_user()

    def run() -> tuple[int, dict]:
        community = None
        if payload.community_id is not None or payload.place_id is None:
            community = Region.objects.filter(
                pk=payload.community_id, level=RegionLevel.COMMUNITY
            ).first()
            if community is None or community.pk not in actor.community_ids:
                raise NotFound("没有找到该社区。")
        place = None
        if payload.place_id is not None:
            place = selectors.place_get(actor=actor, place_id=payload.place_id)
        whistle = whistle_raise(
            actor=actor,
            community=community,
            place=place,
            title=payload.title,
            description=payload.description,
            category=payload.category,
            urgency=payload.urgency,
            lead_department_id=payload.lead_department_id,
            cooperating_ids=payload.cooperating_ids,
            sources={"appeal": payload.appeal_ids},
            address=payload.address,
        )
        return 201, WhistleDetailOut(**_detail(request, whistle.pk)).model_dump(mode="json")

    status, body = audited(
        request,
        "whistle.raise",
        lambda: idempotent(
            caller=f"user:{user.pk}",
            scope="whistles.whistle_raise",
            key=idempotency_key,
            body=payload.model_dump(mode="json"),
            run=run,
        ),
    )
    return Status(status, body)


_FIELDS = {
    "report_in": ("responsible_name",),
    "start": ("note",),
    "resolve": ("result",),
    "dispute": ("reason",),
    "reassign": ("department_id", "note"),
    "evaluate": ("evaluation", "comment"),
    "close": ("note",),
}


@router.post(
    "/{int:whistle_id}/actions",
    response={200: WhistleDetailOut, **refusals(400, 404, 409)},
    summary="报到、处置、办结、退回、改派、评价、关闭",
)
def whistle_action(request: HttpRequest, whistle_id: int, payload: WhistleActionIn):
    actor = require(request, "whistle.view")
    if payload.action not in ACTIONS:
        raise ValidationError("没有这项操作。", field="action")
    data = {name: getattr(payload, name) for name in _FIELDS[payload.action]}
    audited(
        request,
        f"whistle.{payload.action}",
        lambda: ACTIONS[payload.action](actor=actor, whistle_id=whistle_id, **data),  # type: ignore[operator]
    )
    return _detail(request, whistle_id)

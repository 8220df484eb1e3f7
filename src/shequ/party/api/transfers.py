"""组织关系接转 API: the list and one transfer (party roles, either side in
their grant), a request, and the receiving side's decisions — through the
same services and selectors as the pages. The ID number never leaves here
in clear: it is printed only on the letter, from the page."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core.api_auth import audited, require
from shequ.core.api_pages import Pages, mapped
from shequ.core.api_schema import choice, listed, listed_str, refusals
from shequ.core.errors import ValidationError
from shequ.core.pii import mask_id_parts
from shequ.party.models import (
    Relation,
    Standing,
    Transfer,
    TransferKind,
    TransferReason,
    TransferState,
)
from shequ.party.selectors import transfers as selectors
from shequ.party.services import transfers as services

router = Router()

ID = {"ge": 1, "le": 2**31 - 1}

StatusFilter = choice([*TransferState.values, "open"], "未知的接转状态。")
ReasonFilter = choice(TransferReason.values, "未知的接转原因。")


class TransferOut(Schema):
    id: int
    number: str = Field(description="介绍信编号")
    kind: str = Field(description="in 转入 / out 转出 / within 区内转移")
    kind_label: str
    reason: str = Field(description="retired / moved / job / other")
    reason_label: str
    status: str = Field(description="requested / approved / completed / returned")
    status_label: str
    name: str = Field(description="党员姓名（仅党务角色可见）")
    member_id: int | None
    from_org_id: int | None
    from_org_name: str
    to_org_id: int | None
    to_org_name: str
    requested_on: dt.date
    answer_due: dt.date = Field(description="接收方答复期限（工作日）")
    complete_due: dt.date = Field(description="办结期限（介绍信有效期）")
    overdue: bool


class TransferDetailOut(TransferOut):
    id_number: str = Field(description="身份证号（脱敏）")
    incoming_letter_number: str
    standing: str
    probation_ends_on: dt.date | None
    joined_on: dt.date | None
    relation: str
    note: str
    returned_reason: str
    approved_at: dt.datetime | None
    completed_at: dt.datetime | None
    actions: list[str] = Field(description="当前角色可执行的操作")


class TransferFilters(Schema):
    status: StatusFilter = Field(None, description="状态，或 open（办理中）")
    kind: str = Field("", description="类别，可用逗号连写多个：in,within")
    reason: ReasonFilter = None
    year: int | None = Field(None, ge=2000, le=2100, description="完成年度")
    overdue: bool = False


class TransferIn(Schema):
    kind: str = Field(
        description="in / out / within", json_schema_extra=listed(TransferKind.values)
    )
    reason: str = Field(
        description="retired / moved / job / other", json_schema_extra=listed(TransferReason.values)
    )
    resident_id: int | None = Field(None, **ID, description="转入：本区居民档案中的居民")
    member_id: int | None = Field(None, **ID, description="转出、区内转移：在册党员")
    to_org_id: int | None = Field(None, **ID, description="转入、区内转移：接收党组织")
    to_org_name: str = Field("", max_length=200, description="转出：区外接收党组织名称")
    from_org_name: str = Field("", max_length=200, description="转入：原党组织名称")
    incoming_letter_number: str = Field("", max_length=80, description="转入：原介绍信编号")
    standing: str = Field(
        "",
        description="转入：full / probationary",
        json_schema_extra=listed(Standing.values, blank=True),
    )
    probation_ends_on: dt.date | None = None
    joined_on: dt.date | None = None
    relation: str = Field(
        "",
        description="转入：self_managed / mobile / retired",
        json_schema_extra=listed(Relation.values, blank=True),
    )
    note: str = Field("", max_length=600)


class TransferActIn(Schema):
    note: str = Field("", max_length=600)
    reason: str = Field("", max_length=600, description="退回原因（退回时必填）")


def _transfer(t: Transfer) -> dict[str, Any]:
    return {
        "id": t.pk, "number": t.number, "kind": t.kind, "kind_label": t.get_kind_display(),
        "reason": t.reason, "reason_label": t.get_reason_display(), "status": t.status,
        "status_label": t.get_status_display(), "name": t.resident.name,
        "member_id": t.member_id, "from_org_id": t.from_org_id,
        "from_org_name": t.from_org_name, "to_org_id": t.to_org_id,
        "to_org_name": t.to_org_name, "requested_on": t.requested_on,
        "answer_due": t.answer_due, "complete_due": t.complete_due,
        "overdue": bool(getattr(t, "overdue", False)),
    }  # fmt: skip


def _detail(request: HttpRequest, transfer_id: int) -> TransferDetailOut:
    actor = request.actor  # type: ignore[attr-defined]
    t = selectors.transfer_get(actor=actor, transfer_id=transfer_id)
    return TransferDetailOut(
        **_transfer(t),
        id_number=mask_id_parts(t.resident.id_region_code, t.resident.id_number_tail),
        incoming_letter_number=t.incoming_letter_number, standing=t.standing,
        probation_ends_on=t.probation_ends_on, joined_on=t.joined_on, relation=t.relation,
        note=t.note, returned_reason=t.returned_reason, approved_at=t.approved_at,
        completed_at=t.completed_at,
        actions=[a.action for a in services.TRANSFER_FLOW.available(t, actor)],
    )  # fmt: skip


@router.get(
    "/transfers",
    response={200: list[TransferOut], **refusals()},
    summary="组织关系接转列表（党务角色）",
)
@paginate(Pages)
def transfer_list(request: HttpRequest, filters: Query[TransferFilters]):
    actor = require(request, "party.members")
    rows = selectors.transfer_list(
        actor=actor, status=filters.status or "", kind=filters.kind[:24], reason=filters.reason or "",
        year=filters.year, overdue=filters.overdue,
    )  # fmt: skip
    return mapped(rows, lambda t: TransferOut(**_transfer(t)))


@router.get(
    "/transfers/{int:transfer_id}",
    response={200: TransferDetailOut, **refusals(404)},
    summary="组织关系接转详情",
)
def transfer_detail(request: HttpRequest, transfer_id: int):
    require(request, "party.members")
    return _detail(request, transfer_id)


@router.post(
    "/transfers",
    response={201: TransferDetailOut, **refusals(400, 404, 409)},
    summary="申请组织关系接转",
)
def transfer_create(request: HttpRequest, payload: TransferIn):
    actor = require(request, "party.member_manage")
    transfer = audited(
        request,
        "transfer.request",
        lambda: services.transfer_request(actor=actor, **payload.dict()),
    )
    return Status(201, _detail(request, transfer.pk))


ACTIONS = {
    "approve": lambda actor, pk, body: services.transfer_approve(
        actor=actor, transfer_id=pk, note=body.note
    ),
    "complete": lambda actor, pk, body: services.transfer_complete(
        actor=actor, transfer_id=pk, note=body.note
    ),
    "return": lambda actor, pk, body: services.transfer_return(
        actor=actor, transfer_id=pk, reason=body.reason
    ),
}
ACTION_CODES = {
    "approve": "transfer.approve",
    "complete": "transfer.complete",
    "return": "transfer.return",
}


@router.post(
    "/transfers/{int:transfer_id}/{action}",
    response={200: TransferDetailOut, **refusals(400, 404, 409)},
    summary="办理组织关系接转：approve 接收、complete 完成、return 退回（须填写原因）",
)
def transfer_act(
    request: HttpRequest,
    transfer_id: int,
    action: listed_str(ACTIONS),
    payload: TransferActIn,
):
    actor = require(request, "party.member_manage")
    if action not in ACTIONS:
        raise ValidationError("没有这项操作：请用 approve、complete 或 return。", field="action")
    audited(request, ACTION_CODES[action], lambda: ACTIONS[action](actor, transfer_id, payload))
    return _detail(request, transfer_id)

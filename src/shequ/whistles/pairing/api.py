"""结对共建 API: agreements (list, detail) and logging an action (with
``Idempotency-Key``), through the same selectors and services as the pages.
Contacts leave masked; liaisons see only their own bodies' agreements."""

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.params import HeaderEx, P

from shequ.core.api_auth import require
from shequ.core.api_pages import Pages, mapped
from shequ.core.api_schema import Id, choice, listed, refusals
from shequ.core.audit import audit_refused
from shequ.core.errors import DomainError
from shequ.core.idempotency import HEADER, idempotent
from shequ.whistles.models import ActionKind, AgreementState, PairingAction, PairingAgreement
from shequ.whistles.pairing import selectors as pairing_selectors
from shequ.whistles.pairing import services as pairing_services
from shequ.whistles.pairing.services import NEW_ACTION_KINDS

router = Router(tags=["结对共建"])

StatusFilter = choice(AgreementState.values, "未知的协议状态。")
PartnerKindFilter = choice(["unit", "department"], "结对方类别应为 unit 或 department。")


class AgreementOut(Schema):
    id: int
    community_id: int
    community: str
    partner_kind: str = Field(description="unit 驻区单位 / department 职能部门")
    partner_id: int
    partner: str
    starts_on: dt.date
    ends_on: dt.date
    status: str
    status_label: str
    paper_only: bool = Field(description="上一完整季度以来没有共建活动（仅面上）")
    paper_only_since: dt.date | None
    contact_name: str = Field(description="脱敏姓名，如 张*")
    contact_phone: str = Field(description="脱敏电话，如 138****5678")
    action_count: int


class AgreementCommitmentOut(Schema):
    id: int
    kind: str
    kind_label: str
    quantity: Decimal
    quantity_unit: str
    description: str


class PairingActionOut(Schema):
    id: int
    kind: str
    kind_label: str
    commitment_id: int | None
    what: str
    date: dt.date
    hours: Decimal
    people: int
    resources: str
    amount: Decimal | None
    member_name: str = Field(description="在职党员双报到（历史记录）的党员（脱敏）")


class AgreementRatingOut(Schema):
    quarter: str
    score: int
    score_label: str
    comment: str


class AgreementDetailOut(AgreementOut):
    commitments: list[AgreementCommitmentOut]
    actions: list[PairingActionOut]
    ratings: list[AgreementRatingOut]


class AgreementListFilters(Schema):
    q: str = Field("", description="结对方名称包含")
    community_id: Id | None = None
    street_id: Id | None = None
    partner_kind: PartnerKindFilter = Field(None, description="unit 驻区单位 / department 职能部门")
    status: StatusFilter = None
    paper_only: bool | None = None


class PairingActionIn(Schema):
    kind: str = Field(
        description="、".join(f"{k} {v}" for k, v in NEW_ACTION_KINDS)
        + "（在职党员双报到请用 /api/party/report-in/services 登记）",
        json_schema_extra=listed(k for k, _label in NEW_ACTION_KINDS),
    )
    what: str = Field(max_length=400)
    date: dt.date
    hours: Decimal = Decimal(0)
    people: int = 0
    commitment_id: int | None = None
    resources: str = Field("", max_length=600)
    amount: Decimal | None = None


def _out(a: PairingAgreement, action_count: int) -> dict:
    return {
        "id": a.pk,
        "community_id": a.community_id,
        "community": a.community.name,
        "partner_kind": "unit" if a.unit_id else "department",
        "partner_id": a.unit_id or a.department_id,
        "partner": a.partner_name,
        "starts_on": a.starts_on,
        "ends_on": a.ends_on,
        "status": a.status,
        "status_label": AgreementState(a.status).label,
        "paper_only": a.paper_only_since is not None,
        "paper_only_since": a.paper_only_since,
        "contact_name": a.contact_name_masked,
        "contact_phone": a.contact_phone_masked,
        "action_count": action_count,
    }


def _action_out(x: PairingAction) -> PairingActionOut:
    return PairingActionOut(
        id=x.pk,
        kind=x.kind,
        kind_label=ActionKind(x.kind).label,
        commitment_id=x.commitment_id,
        what=x.what,
        date=x.date,
        hours=x.hours,
        people=x.people,
        resources=x.resources,
        amount=x.amount,
        member_name=x.member_name_masked,
    )


def _detail(request: HttpRequest, agreement_id: int) -> AgreementDetailOut:
    a = pairing_selectors.agreement_get(actor=request.actor, agreement_id=agreement_id)
    actions = list(a.actions.all())
    return AgreementDetailOut(
        **_out(a, len(actions)),
        commitments=[
            AgreementCommitmentOut(
                id=c.pk,
                kind=c.kind,
                kind_label=c.get_kind_display(),
                quantity=c.quantity,
                quantity_unit=c.quantity_unit,
                description=c.description,
            )
            for c in a.commitments.all()
        ],
        actions=[_action_out(x) for x in actions],
        ratings=[
            AgreementRatingOut(
                quarter=r.quarter,
                score=r.score,
                score_label=r.get_score_display(),
                comment=r.comment,
            )
            for r in a.ratings.all()
        ],
    )


@router.get(
    "/agreements", response={200: list[AgreementOut], **refusals(404)}, summary="结对共建协议列表"
)
@paginate(Pages)
def agreement_list(request: HttpRequest, filters: Query[AgreementListFilters]):
    actor = require(request, "pairing.view")
    rows = pairing_selectors.agreement_list(
        actor=actor,
        filters=pairing_selectors.AgreementFilters(
            q=filters.q[:40],
            community_id=filters.community_id,
            street_id=filters.street_id,
            partner_kind=filters.partner_kind or "",
            status=filters.status or "",
            paper_only=filters.paper_only,
        ),
    )
    return mapped(rows, lambda a: AgreementOut(**_out(a, a.action_count)))


@router.get(
    "/agreements/{int:agreement_id}",
    response={200: AgreementDetailOut, **refusals(404)},
    summary="结对共建协议详情（共建清单、活动、季度评价）",
)
def agreement_detail(request: HttpRequest, agreement_id: int):
    require(request, "pairing.view")
    return _detail(request, agreement_id)


@router.post(
    "/agreements/{int:agreement_id}/actions",
    response={201: PairingActionOut, **refusals(400, 404, 409)},
    summary="登记共建活动",
    description="可带 Idempotency-Key 头重发：24小时内同一个键只登记一次。",
)
def action_create(
    request: HttpRequest,
    agreement_id: int,
    payload: PairingActionIn,
    idempotency_key: HeaderEx[
        str | None, P(alias=HEADER, description="同一请求重发时带同一个键")
    ] = None,
):
    actor = require(request, "pairing.act")
    user = actor.require_user()
    agreement = pairing_selectors.agreement_get(actor=actor, agreement_id=agreement_id)

    def run() -> tuple[int, dict]:
        action = pairing_services.action_log(
            actor=actor,
            agreement_id=agreement.pk,
            kind=payload.kind,
            what=payload.what,
            date=payload.date,
            hours=payload.hours,
            people=payload.people,
            commitment_id=payload.commitment_id,
            resources=payload.resources,
            amount=payload.amount,
        )
        return 201, _action_out(action).model_dump(mode="json")

    try:
        status, body = idempotent(
            caller=f"user:{user.pk}",
            scope="whistles.action_create",
            key=idempotency_key,
            body={"agreement": agreement.pk, **payload.model_dump(mode="json")},
            run=run,
        )
    except DomainError as error:
        audit_refused(
            actor=actor, action="pairing.action_log", message=error.message, obj=agreement
        )
        raise
    return Status(status, body)


# 吹哨报到: /api/whistles/whistles/...

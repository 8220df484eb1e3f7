"""办件 API: intake (with ``Idempotency-Key``), lists, detail, workflow
actions and rectifications, through the same services and selectors as the
window's pages. Phone and ID numbers leave masked."""

import datetime as dt
from typing import Any, Literal, TypeVar

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.params import HeaderEx, P

from shequ.core.api_auth import audited, require
from shequ.core.api_pages import Pages, mapped
from shequ.core.api_schema import Id, IdOrZero, choice, listed, listed_str, refusals
from shequ.core.errors import ValidationError
from shequ.core.idempotency import HEADER, idempotent
from shequ.core.models import TimelineEvent
from shequ.desk.cases import selectors as case_selectors
from shequ.desk.cases.selectors import LEVEL_LABELS_ALL, CaseFilters, case_level
from shequ.desk.cases.services import CASE_ACTIONS, CASE_FLOW, Applicant, case_intake
from shequ.desk.catalog import selectors
from shequ.desk.models import (
    Case,
    CaseState,
    Channel,
    Notice,
    Outcome,
    Rating,
    Rectification,
    RectificationState,
)

router = Router(tags=["办件"])

T = TypeVar("T")

StatusFilter = choice([*CaseState.values, "open", "done"], "未知的办件状态。")
LevelFilter = choice(["overdue", "urgent", "near", "warned"], "未知的期限预警级别。")
RatingFilter = choice(Rating.values, "评价等级应为1到5。")


# -- schemas ------------------------------------------------------------------------------


class CaseOut(Schema):
    id: int
    receipt_no: str = Field(description="受理编号（查询和评价凭此编号与手机号后四位）")
    status: str
    status_label: str
    channel: str
    channel_label: str
    community_id: int
    community: str
    item_id: int
    item: str
    item_code: str
    window_id: int | None
    window: str
    applicant_name: str
    phone: str = Field(description="脱敏手机号，如 138****1234")
    submitted_at: dt.datetime
    accepted_on: dt.date | None
    accepted_by: str
    due_date: dt.date | None
    due_uncertain: bool = Field(description="期限所在年份的节假日尚未公布，期限可能变动")
    level: str = Field(description="overdue 已超期 / urgent 超期预警 / near 临期 / paused 计时暂停")
    level_label: str
    overdue: bool = Field(description="最近一次流转时是否已超期（办结时冻结）")
    visit_count: int
    completed_on: dt.date | None


class CaseMaterialOut(Schema):
    name: str
    original_or_copy: str
    key: bool
    provided: bool


class CaseEventOut(Schema):
    at: dt.datetime
    action: str
    label: str
    from_state: str
    to_state: str
    actor: str
    note: str


class CaseActionOut(Schema):
    action: str
    label: str


class CaseDetailOut(CaseOut):
    id_number: str = Field(description="脱敏身份证号，如 110101********1234")
    materials: list[CaseMaterialOut]
    missing: list[str] = Field(description="尚未提交的材料（容缺）")
    supplement_by: dt.date | None
    form_data: dict[str, Any]
    note: str
    promised_days: int
    paused_days: int
    warn70_on: dt.date | None
    warn90_on: dt.date | None
    department: str
    department_due: dt.date | None
    outcome: str
    outcome_label: str
    outcome_reason: str
    closed_reason: str
    timeline: list[CaseEventOut]
    actions: list[CaseActionOut] = Field(description="当前角色现在可以执行的操作")


class CaseListFilters(Schema):
    q: str = Field("", description="受理编号（前缀）或申请人姓名")
    status: StatusFilter = Field(None, description="状态，或 open（未办结）、done（已办结）")
    level: LevelFilter = Field(
        None, description="overdue 已超期 / urgent 超期预警 / near 临期 / warned 临期或预警"
    )
    community_id: Id | None = None
    street_id: Id | None = None
    item_id: Id | None = None
    window_id: IdOrZero | None = Field(None, description="0 表示无窗口（网上申请等）")
    worker_id: IdOrZero | None = Field(None, description="受理人；0 表示尚未受理")
    month: str = Field("", description="受理月份，如 2026-10；与 month_to 一起为起始月份")
    month_to: str = Field("", description="受理月份截止（含），如 2026-11")
    one_trip: bool | None = None
    rating: RatingFilter = None
    overdue: bool | None = None


class CaseCreateIn(Schema):
    community_id: int
    item_id: int
    window_id: int | None = Field(None, description="窗口受理时必填")
    channel: str = Field(
        Channel.WINDOW.value,
        description="window 窗口 / phone 电话 / proxy 上门代办",
        json_schema_extra=listed([Channel.WINDOW.value, Channel.PHONE.value, Channel.PROXY.value]),
    )
    applicant_name: str = Field(max_length=100)
    id_number: str = Field(max_length=40)
    phone: str = Field(max_length=40)
    provided: list[str] = Field([], max_length=100, description="已提交材料的名称")
    supplement_by: dt.date | None = Field(None, description="容缺受理时约定的补齐日期")
    form_data: dict[str, Any] = {}
    note: str = Field("", max_length=2000)


class NoticeOut(Schema):
    id: int
    number: str = Field(description="告知单编号")
    item: str
    missing: list[str] = Field(description="一次性告知的全部缺少材料")
    issued_at: dt.datetime


class CaseCreated(Schema):
    kind: Literal["case"]
    case: CaseOut


class NoticeIssued(Schema):
    kind: Literal["notice"]
    notice: NoticeOut


class CaseActionIn(Schema):
    note: str = Field("", max_length=2000)
    data: dict[str, Any] = Field(
        {},
        description="操作的字段：reason、outcome（approved/refused）、department、"
        "department_days、supplied、in_person、method（window/mail/electronic/home）",
    )
    visit_reason: str = Field("", max_length=200, description="申请人到窗口时填写（记一次到访）")
    window_id: int | None = None


class RectificationOut(Schema):
    id: int
    case_id: int
    receipt_no: str
    item: str
    community_id: int
    community: str
    status: str
    status_label: str
    rating: int
    rating_label: str
    comment: str
    opened_at: dt.datetime
    due_date: dt.date
    overdue: bool
    measures: str
    followup_result: str
    followup_satisfied: bool | None


# -- building the output --------------------------------------------------------------------


def _phone(case: Case | Notice) -> str:
    return f"{case.phone_head}****{case.phone_tail}" if case.phone_tail else ""


def _case_fields(case: Case, today: dt.date) -> dict[str, Any]:
    level = case_level(case, today)
    return {
        "id": case.pk,
        "receipt_no": case.receipt_no,
        "status": case.status,
        "status_label": CaseState(case.status).label,
        "channel": case.channel,
        "channel_label": Channel(case.channel).label,
        "community_id": case.community_id,
        "community": case.community.name,
        "item_id": case.item_id,
        "item": case.item.name,
        "item_code": case.item.code,
        "window_id": case.window_id,
        "window": case.window.name if case.window_id else "",
        "applicant_name": case.applicant_name,
        "phone": _phone(case),
        "submitted_at": case.submitted_at,
        "accepted_on": case.accepted_on,
        "accepted_by": str(case.accepted_by.full_name) if case.accepted_by_id else "",
        "due_date": case.due_date,
        "due_uncertain": case.due_uncertain,
        "level": level,
        "level_label": LEVEL_LABELS_ALL.get(level, "") if level else "",
        "overdue": case.overdue,
        "visit_count": case.visit_count,
        "completed_on": case.completed_on,
    }


def _event_out(e: TimelineEvent) -> CaseEventOut:
    return CaseEventOut(
        at=e.at,
        action=e.action,
        label=e.action_label,
        from_state=e.from_state,
        to_state=e.to_state,
        actor=(e.actor.full_name or e.actor.username) if e.actor_id else "",
        note=e.note,
    )


def _detail(request: HttpRequest, case_id: int) -> CaseDetailOut:
    actor = request.actor
    case = case_selectors.case_get(actor=actor, case_id=case_id)
    timeline = case_selectors.case_timeline(case=case)
    return CaseDetailOut(
        **_case_fields(case, case_selectors.local_today()),
        id_number=case_selectors.applicant_masked_id(case),
        materials=[CaseMaterialOut(**m) for m in case.materials],
        missing=[m["name"] for m in case.missing_materials],
        supplement_by=case.supplement_by,
        form_data=case.form_data,
        note=case.note,
        promised_days=case.promised_days,
        paused_days=case.paused_days,
        warn70_on=case.warn70_on,
        warn90_on=case.warn90_on,
        department=case.department,
        department_due=case.department_due,
        outcome=case.outcome,
        outcome_label=Outcome(case.outcome).label if case.outcome else "",
        outcome_reason=case.outcome_reason,
        closed_reason=case.closed_reason,
        timeline=[_event_out(e) for e in timeline],
        actions=[
            CaseActionOut(action=t.action, label=t.label) for t in CASE_FLOW.available(case, actor)
        ],
    )


def _month(text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(f"{text}-01")
    except ValueError:
        raise ValidationError("月份格式应为 2026-10。", field="month") from None


# -- endpoints ---------------------------------------------------------------------------


@router.get("/cases", response={200: list[CaseOut], **refusals(404)}, summary="办件列表")
@paginate(Pages)
def case_list(request: HttpRequest, filters: Query[CaseListFilters]):
    actor = require(request, "case.view")
    rows = case_selectors.case_list(
        actor=actor,
        filters=CaseFilters(
            q=filters.q[:40],
            status=filters.status or "",
            level=filters.level or "",
            community_id=filters.community_id,
            street_id=filters.street_id,
            item_id=filters.item_id,
            window_id=filters.window_id,
            worker_id=filters.worker_id,
            month=_month(filters.month),
            month_to=_month(filters.month_to),
            one_trip=filters.one_trip,
            rating=filters.rating,
            overdue=filters.overdue,
        ),
    )
    today = case_selectors.local_today()
    return mapped(rows, lambda c: CaseOut(**_case_fields(c, today)))


@router.get(
    "/cases/{int:case_id}",
    response={200: CaseDetailOut, **refusals(404)},
    summary="办件详情（含办理过程）",
)
def case_detail(request: HttpRequest, case_id: int):
    require(request, "case.view")
    return _detail(request, case_id)


@router.post(
    "/cases",
    response={201: CaseCreated | NoticeIssued, **refusals(400, 404, 409)},
    summary="窗口受理（材料缺关键项时出具一次性告知单）",
    description="同一请求可带 Idempotency-Key 头重发：24小时内同一个键只受理一次，"
    "重发得到第一次的结果；同一个键用于不同的请求体时返回422。",
)
def case_create(
    request: HttpRequest,
    payload: CaseCreateIn,
    idempotency_key: HeaderEx[
        str | None, P(alias=HEADER, description="同一请求重发时带同一个键")
    ] = None,
):
    actor = require(request, "case.accept")
    user = actor.require_user()

    def run() -> tuple[int, dict]:
        community = selectors.community_get(actor=actor, community_id=payload.community_id)
        item = case_selectors.intake_item(actor=actor, item_id=payload.item_id)
        if item is None:
            raise ValidationError("事项不存在或不在本区事项清单中。", field="item_id")
        window = None
        if payload.window_id is not None:
            window = case_selectors.intake_window(
                actor=actor, community=community, window_id=payload.window_id
            )
            if window is None:
                raise ValidationError("窗口不存在或不属于本社区。", field="window_id")
        result = case_intake(
            actor=actor,
            community=community,
            item=item,
            applicant=Applicant(
                name=payload.applicant_name, id_number=payload.id_number, phone=payload.phone
            ),
            provided=payload.provided,
            channel=payload.channel,
            window=window,
            supplement_by=payload.supplement_by,
            form_data=payload.form_data,
            note=payload.note,
        )
        if result.case is not None:
            case = result.case
            fields = _case_fields(case, case.accepted_on or case_selectors.local_today())
            return 201, CaseCreated(kind="case", case=CaseOut(**fields)).model_dump(mode="json")
        notice = result.notice
        assert notice is not None  # noqa: S101 - intake returns a case or a notice
        body = NoticeIssued(
            kind="notice",
            notice=NoticeOut(
                id=notice.pk,
                number=notice.number,
                item=item.name,
                missing=result.missing,
                issued_at=notice.issued_at,
            ),
        )
        return 201, body.model_dump(mode="json")

    status, body = audited(
        request,
        "case.accept",
        lambda: idempotent(
            caller=f"user:{user.pk}",
            scope="services.case_create",
            key=idempotency_key,
            body=payload.model_dump(mode="json"),
            run=run,
        ),
    )
    return Status(status, body)


@router.post(
    "/cases/{int:case_id}/actions/{action}",
    response={200: CaseDetailOut, **refusals(400, 404, 409)},
    summary="办件流转：受理、开始办理、转办、补正、挂起、恢复、办结、送达、撤回",
)
def case_action(
    request: HttpRequest,
    case_id: int,
    action: listed_str(CASE_ACTIONS),
    payload: CaseActionIn,
):
    actor = require(request, "case.view")
    case = case_selectors.case_get(actor=actor, case_id=case_id)
    spec = CASE_ACTIONS.get(action)
    if spec is None:
        raise ValidationError("未知的办件操作。", field="action")

    def act() -> Case:
        window = None
        if payload.window_id is not None:
            window = (
                selectors.window_list(actor=actor, community=case.community)
                .prefetch_related(None)
                .filter(pk=payload.window_id)
                .first()
            )
            if window is None:
                raise ValidationError("窗口不存在或不属于本社区。", field="window_id")
        inputs = {name: payload.data.get(name) for name in spec.fields}
        visit = {"visit_reason": payload.visit_reason, "window": window} if spec.visit else {}
        return spec.service(actor=actor, case_id=case.pk, note=payload.note, **inputs, **visit)

    audited(request, f"case.{action}", act)
    return _detail(request, case.pk)


@router.get(
    "/rectifications", response={200: list[RectificationOut], **refusals()}, summary="差评整改任务"
)
@paginate(Pages)
def rectifications(request: HttpRequest, open_only: bool = True):
    actor = require(request, "case.view")
    return mapped(case_selectors.rectification_list(actor=actor, open_only=open_only), _rect_out)


def _rect_out(r: Rectification) -> RectificationOut:
    return RectificationOut(
        id=r.pk,
        case_id=r.case_id,
        receipt_no=r.case.receipt_no,
        item=r.case.item.name,
        community_id=r.community_id,
        community=r.community.name,
        status=r.status,
        status_label=RectificationState(r.status).label,
        rating=r.review.rating,
        rating_label=Rating(r.review.rating).label,
        comment=r.review.comment,
        opened_at=r.opened_at,
        due_date=r.due_date,
        overdue=r.overdue,
        measures=r.measures,
        followup_result=r.followup_result,
        followup_satisfied=r.followup_satisfied,
    )

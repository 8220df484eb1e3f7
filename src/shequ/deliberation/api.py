"""议事协商 API: topics (propose with ``Idempotency-Key``, co-sign, review),
meetings with their agenda, the vote (cast, result), outcomes with their
tasks, and the figures — through the same services and selectors as the
pages. No resident's name or phone leaves here: a topic names its proposer
by kind (居民, 业委会·…), and invitees are listed only to the staff who run
the meeting."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.params import HeaderEx, P

from shequ.core import selectors as core_selectors
from shequ.core.api_auth import audited, require
from shequ.core.api_pages import Pages, mapped
from shequ.core.api_schema import Id, choice, listed, refusals
from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.idempotency import HEADER, idempotent
from shequ.core.models import Region, RegionLevel
from shequ.core.scope import Actor
from shequ.core.workdays import local_today
from shequ.deliberation import selectors
from shequ.deliberation.models import (
    AgendaItem,
    Choice,
    Invitee,
    Meeting,
    MeetingForm,
    MeetingState,
    Outcome,
    OutcomeState,
    OutcomeTask,
    Participant,
    ProposerKind,
    TaskState,
    Topic,
    TopicState,
    VoteRule,
    VoteState,
)
from shequ.deliberation.rules import Tally
from shequ.deliberation.services import (
    ballot_cast,
    outcome_task_progress,
    tally_of,
    topic_accept,
    topic_cosign,
    topic_propose,
    topic_reject,
)

router = Router(tags=["议事协商"])

FIGURE_YEARS = (2000, 2100)  # what a statistics period may span

TopicStatusFilter = choice([*TopicState.values, "open"], "未知的议题状态。")
MeetingStatusFilter = choice(MeetingState.values, "未知的会议状态。")
OutcomeStatusFilter = choice(OutcomeState.values, "未知的成果状态。")
# The proposers a worker enters a topic for (a resident proposes as himself).
STAFF_PROPOSERS = (
    ProposerKind.COMMUNITY.value,
    ProposerKind.PARTY_MEMBER.value,
    ProposerKind.OWNERS_COMMITTEE.value,
    ProposerKind.PROPERTY.value,
    ProposerKind.UNIT.value,
)


def _actor(request: HttpRequest) -> Actor:
    actor: Actor = request.actor  # type: ignore[attr-defined]  # set by the API's auth
    return actor


# -- topics ------------------------------------------------------------------------------------


class TopicOut(Schema):
    id: int
    number: str = Field(description="议题编号")
    status: str
    status_label: str
    category: str = Field(description="门类")
    title: str
    description: str
    community_id: int
    community: str
    compound: str = Field(description="小区（社区事项为空）")
    building: str = Field(description="楼栋（小区事项为空）")
    proposer_kind: str
    proposer: str = Field(description="提议方，如“居民”“业委会·…”；不含姓名和电话")
    threshold: int = Field(description="附议人数门槛（0：无需附议）")
    cosigners: int
    review_due: dt.date | None = Field(description="审核期限（工作日）")
    proposed_at: dt.datetime


class TopicDetailOut(TopicOut):
    item_code: str = Field(description="协商目录条目编码")
    item_name: str
    reason: str = Field(description="不予受理或转办的理由（公开）")
    merged_into: str = Field(description="合并至的议题编号")
    handed_over_to: str


class TopicFilters(Schema):
    q: str = Field("", description="议题编号（前缀）或标题关键词")
    status: TopicStatusFilter = Field(None, description="状态，或 open（未结束）")
    category: str = Field("", description="门类")


class TopicProposeIn(Schema):
    community_id: int
    item_id: int = Field(description="协商目录条目（本社区采用的）")
    title: str = Field(max_length=400)
    description: str = Field(max_length=8000)
    place_id: int | None = Field(None, description="本社区的小区或楼栋（居民可省略：本人所在小区）")
    proposer_kind: str | None = Field(
        None,
        description="工作人员代为登记：community / party_member / owners_committee / property / unit",
        json_schema_extra=listed(STAFF_PROPOSERS),
    )
    proposer_body: str = Field("", max_length=400, description="提议单位名称")


class TopicAcceptIn(Schema):
    note: str = Field("", max_length=2000)


class TopicRejectIn(Schema):
    reason: str = Field("", max_length=2000)


def _topic(t: Topic) -> dict[str, Any]:
    return {
        "id": t.pk,
        "number": t.number,
        "status": t.status,
        "status_label": TopicState(t.status).label,
        "category": t.category,
        "title": t.title,
        "description": t.description,
        "community_id": t.community_id,
        "community": t.community.name,
        "compound": t.compound.name if t.compound else "",
        "building": t.building.name if t.building else "",
        "proposer_kind": t.proposer_kind,
        "proposer": t.proposer_label,
        "threshold": t.threshold,
        "cosigners": t.cosigners,
        "review_due": t.review_due,
        "proposed_at": t.proposed_at,
    }


def _topic_detail(actor: Actor, topic_id: int) -> TopicDetailOut:
    t = selectors.readable_topic_get(actor=actor, topic_id=topic_id)
    return TopicDetailOut(
        **_topic(t),
        item_code=t.item.code,
        item_name=t.item_version.name,
        reason=t.reason,
        merged_into=t.merged_into.number if t.merged_into else "",
        handed_over_to=t.handed_over_to,
    )


@router.get(
    "/topics",
    response={200: list[TopicOut], **refusals()},
    summary="议题列表（居民：本社区的议题）",
)
@paginate(Pages)
def topic_list(request: HttpRequest, filters: Query[TopicFilters]):
    actor = _actor(request)
    rows = selectors.readable_topics(
        actor=actor,
        filters=selectors.TopicFilters(
            q=filters.q[:40], status=filters.status or "", category=filters.category[:30]
        ),
    )
    return mapped(rows, lambda t: TopicOut(**_topic(t)))


@router.get(
    "/topics/{int:topic_id}", response={200: TopicDetailOut, **refusals(404)}, summary="议题详情"
)
def topic_detail(request: HttpRequest, topic_id: int):
    return _topic_detail(_actor(request), topic_id)


@router.post(
    "/topics",
    response={201: TopicDetailOut, **refusals(400, 404, 409)},
    summary="提出议题（居民本人，或工作人员代为登记）",
    description="可带 Idempotency-Key 头重发：24小时内同一个键只登记一次，重发得到第一次的结果。"
    "照片请通过页面上传。",
)
def topic_propose_endpoint(
    request: HttpRequest,
    payload: TopicProposeIn,
    idempotency_key: HeaderEx[
        str | None, P(alias=HEADER, description="同一请求重发时带同一个键")
    ] = None,
):
    actor = require(request, "deliberation.propose")
    user = actor.require_user()

    def run() -> tuple[int, dict[str, Any]]:
        # The actor's communities (a building head's too: the service checks the place).
        community = core_selectors.communities(actor=actor).filter(pk=payload.community_id).first()
        if community is None:
            raise NotFound(core_selectors.COMMUNITY_NOT_FOUND)
        place: Region | None = None
        if payload.place_id is not None:
            place = next(
                (p for p in selectors.places(community=community) if p.pk == payload.place_id),
                None,
            )
            if place is None:
                raise ValidationError("议题地点须是本社区的小区或楼栋。", field="place_id")
        topic = topic_propose(
            actor=actor,
            community=community,
            item_id=payload.item_id,
            title=payload.title,
            description=payload.description,
            place=place,
            proposer_kind=payload.proposer_kind,
            proposer_body=payload.proposer_body,
        )
        return 201, _topic_detail(actor, topic.pk).model_dump(mode="json")

    status, body = audited(
        request,
        "topic.propose",
        lambda: idempotent(
            caller=f"user:{user.pk}",
            scope="deliberation.topic_propose",
            key=idempotency_key,
            body=payload.model_dump(mode="json"),
            run=run,
        ),
    )
    return Status(status, body)


@router.post(
    "/topics/{int:topic_id}/cosign",
    response={200: TopicDetailOut, **refusals(404, 409)},
    summary="附议（本小区、楼栋的居民）",
)
def topic_cosign_endpoint(request: HttpRequest, topic_id: int):
    actor = require(request, "deliberation.take_part")
    audited(request, "topic.cosign", lambda: topic_cosign(actor=actor, topic_id=topic_id))
    return _topic_detail(actor, topic_id)


@router.post(
    "/topics/{int:topic_id}/accept",
    response={200: TopicDetailOut, **refusals(400, 404, 409)},
    summary="审核通过，列入议题库",
)
def topic_accept_endpoint(request: HttpRequest, topic_id: int, payload: TopicAcceptIn):
    actor = require(request, "deliberation.review")
    audited(
        request,
        "topic.accept",
        lambda: topic_accept(actor=actor, topic_id=topic_id, note=payload.note),
    )
    return _topic_detail(actor, topic_id)


@router.post(
    "/topics/{int:topic_id}/reject",
    response={200: TopicDetailOut, **refusals(400, 404, 409)},
    summary="不予受理（须填写理由）",
)
def topic_reject_endpoint(request: HttpRequest, topic_id: int, payload: TopicRejectIn):
    actor = require(request, "deliberation.review")
    audited(
        request,
        "topic.reject",
        lambda: topic_reject(actor=actor, topic_id=topic_id, reason=payload.reason),
    )
    return _topic_detail(actor, topic_id)


# -- meetings and votes ------------------------------------------------------------------------


class VoteResultOut(Schema):
    final: bool = Field(description="true：表决已结束，为正式结果；false：表决中的计票")
    eligible: int = Field(description="应参与表决（人或户）")
    eligible_area: Decimal
    participants: int
    participants_area: Decimal
    yes: int
    yes_area: Decimal
    no: int
    no_area: Decimal
    abstain: int
    abstain_area: Decimal
    passed: bool | None
    verdict: str
    decision: str
    publicity_until: dt.date | None = Field(description="公示截止")


class AgendaItemOut(Schema):
    id: int
    order: int
    topic_id: int
    topic_number: str
    topic_title: str
    rule: str
    rule_label: str
    secret: bool = Field(description="无记名投票")
    vote_state: str
    vote_state_label: str
    opened_at: dt.datetime | None
    closes_at: dt.datetime | None
    closed_at: dt.datetime | None
    result: VoteResultOut | None = Field(description="表决结束后的结果")


class MeetingInviteeOut(Schema):
    id: int
    role: str
    role_label: str
    name: str
    body: str
    present: bool
    proxy: bool = Field(description="委托代理人到会")


class MeetingOut(Schema):
    id: int
    number: str
    form: str
    form_label: str
    title: str
    status: str
    status_label: str
    community_id: int
    community: str
    compound: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    place: str
    topics: int = Field(description="议程数")
    invited: int = Field(description="应到人数（发布公告时确定）")
    present: int = Field(description="实到人数（含委托）")
    quorum_met: bool


class MeetingDetailOut(MeetingOut):
    notice_text: str
    noticed_at: dt.datetime | None
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    agenda: list[AgendaItemOut]
    invitees: list[MeetingInviteeOut] = Field(description="参会人名单：仅组织会议的工作人员可见")


class MeetingFilters(Schema):
    status: MeetingStatusFilter = None


class BallotIn(Schema):
    choice: str = Field(
        max_length=16,
        description="yes 同意 / no 反对 / abstain 弃权",
        json_schema_extra=listed(Choice.values),
    )
    invitee_id: int | None = Field(None, description="工作人员代录已签到参会人的纸质票")


class BallotOut(Schema):
    ballot_id: int
    item_id: int
    recorded: bool = Field(description="工作人员代录")


COUNTS = (
    "eligible", "eligible_area", "participants", "participants_area", "yes", "yes_area", "no",
    "no_area", "abstain", "abstain_area",
)  # fmt: skip


def _result(counted: AgendaItem | Tally) -> VoteResultOut:
    """The stored result of a closed vote, or the tally of an open one (no verdict yet)."""
    counts = {name: getattr(counted, name) for name in COUNTS}
    if isinstance(counted, Tally):
        return VoteResultOut(final=False, passed=None, verdict="", decision="", publicity_until=None,
                         **counts)  # fmt: skip
    return VoteResultOut(final=True, passed=counted.passed, verdict=counted.verdict,
                     decision=counted.decision, publicity_until=counted.publicity_until,
                     **counts)  # fmt: skip


def _agenda(i: AgendaItem) -> AgendaItemOut:
    return AgendaItemOut(
        id=i.pk,
        order=i.order,
        topic_id=i.topic_id,
        topic_number=i.topic.number,
        topic_title=i.topic.title,
        rule=i.rule,
        rule_label=VoteRule(i.rule).label,
        secret=i.secret,
        vote_state=i.vote_state,
        vote_state_label=VoteState(i.vote_state).label,
        opened_at=i.opened_at,
        closes_at=i.closes_at,
        closed_at=i.closed_at,
        result=_result(i) if i.vote_state == VoteState.CLOSED else None,
    )


def _invitee(v: Invitee) -> MeetingInviteeOut:
    return MeetingInviteeOut(
        id=v.pk,
        role=v.role,
        role_label=Participant(v.role).label,
        name=v.name,
        body=v.body,
        present=v.present,
        proxy=bool(v.proxy_name),
    )


def _meeting(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.pk,
        "number": m.number,
        "form": m.form,
        "form_label": MeetingForm(m.form).label,
        "title": m.title,
        "status": m.status,
        "status_label": MeetingState(m.status).label,
        "community_id": m.community_id,
        "community": m.community.name,
        "compound": m.compound.name if m.compound else "",
        "starts_at": m.starts_at,
        "ends_at": m.ends_at,
        "place": m.place,
        "invited": m.invited,
        "present": m.present,
        "quorum_met": m.quorum_met,
    }


@router.get(
    "/meetings",
    response={200: list[MeetingOut], **refusals()},
    summary="协商会议列表（居民：本社区已公告的）",
)
@paginate(Pages)
def meeting_list(request: HttpRequest, filters: Query[MeetingFilters]):
    actor = _actor(request)
    rows = selectors.readable_meetings(actor=actor, status=filters.status or "")
    return mapped(rows, lambda m: MeetingOut(**_meeting(m), topics=m.topics))


@router.get(
    "/meetings/{int:meeting_id}",
    response={200: MeetingDetailOut, **refusals(404)},
    summary="会议详情（含议程和表决结果）",
)
def meeting_detail(request: HttpRequest, meeting_id: int):
    actor = _actor(request)
    m = selectors.readable_meeting_get(actor=actor, meeting_id=meeting_id)
    agenda = list(m.agenda.all())
    # Names of the invitees are for the staff who run the meeting (and record paper ballots).
    invitees = [_invitee(v) for v in m.invitees.all()] if actor.can("deliberation.meet") else []
    return MeetingDetailOut(
        **_meeting(m),
        topics=len(agenda),
        notice_text=m.notice_text,
        noticed_at=m.noticed_at,
        opened_at=m.opened_at,
        closed_at=m.closed_at,
        agenda=[_agenda(i) for i in agenda],
        invitees=invitees,
    )


@router.post(
    "/agenda/{int:agenda_id}/ballots",
    response={201: BallotOut, **refusals(400, 404, 409)},
    summary="投票（居民本人；工作人员代录参会人的纸质票）",
    description="每人（业主表决：每户）每项议程只能投一次；无记名投票只记录投过票，不记录投了什么。",
)
def ballot_cast_endpoint(request: HttpRequest, agenda_id: int, payload: BallotIn):
    actor = _actor(request)
    if not (actor.can("deliberation.take_part") or actor.can("deliberation.meet")):
        raise PermissionDenied("当前角色无权执行此操作。")
    ballot = audited(
        request,
        "vote.cast",
        lambda: ballot_cast(
            actor=actor, item_id=agenda_id, choice=payload.choice, invitee_id=payload.invitee_id
        ),
    )
    return Status(
        201, BallotOut(ballot_id=ballot.pk, item_id=ballot.item_id, recorded=ballot.recorded)
    )


@router.get(
    "/agenda/{int:agenda_id}/result",
    response={200: VoteResultOut, **refusals(404, 409)},
    summary="表决结果（表决中的计票仅组织会议的工作人员可见）",
)
def vote_result(request: HttpRequest, agenda_id: int):
    actor = _actor(request)
    item = selectors.agenda_item_get(actor=actor, item_id=agenda_id)
    if item.vote_state == VoteState.CLOSED:
        return _result(item)
    if not actor.can("deliberation.meet"):
        raise PermissionDenied("表决结束后才公布结果。")
    if item.vote_state != VoteState.OPEN:
        raise Conflict("该议程尚未开始表决。")
    return _result(tally_of(item))


# -- outcomes ----------------------------------------------------------------------------------


class OutcomeTaskOut(Schema):
    id: int
    order: int
    title: str
    weight: int
    due: dt.date
    status: str
    status_label: str
    progress: int = Field(description="完成度（%）")
    milestone: bool
    overdue: bool = Field(description="已过完成期限而未完成")
    done_at: dt.datetime | None
    whistle_id: int | None


class OutcomeOut(Schema):
    id: int
    title: str
    status: str
    status_label: str
    category: str
    community_id: int
    community: str
    compound: str
    topic_id: int
    topic_number: str
    owner_kind: str
    owner: str = Field(description="责任方")
    department_id: int | None
    unit_id: int | None
    progress: Decimal = Field(description="进度（%），各任务按权重加权")
    due: dt.date | None
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    on_time: bool | None
    ratings: int
    satisfied: int


class OutcomeDetailOut(OutcomeOut):
    reason: str = Field(description="搁置原因")
    meeting_number: str
    tasks: list[OutcomeTaskOut]


class OutcomeFilters(Schema):
    status: OutcomeStatusFilter = None
    category: str = ""
    overdue: bool = Field(False, description="只看有任务超期的")


class TaskProgressIn(Schema):
    progress: int | str | None = Field(None, description="完成度 0–100，不能低于已登记的")
    note: str = Field("", max_length=2000)


def _outcome(o: Outcome) -> dict[str, Any]:
    return {
        "id": o.pk,
        "title": o.title,
        "status": o.status,
        "status_label": OutcomeState(o.status).label,
        "category": o.category,
        "community_id": o.community_id,
        "community": o.community.name,
        "compound": o.compound.name if o.compound else "",
        "topic_id": o.topic_id,
        "topic_number": o.topic.number,
        "owner_kind": o.owner_kind,
        "owner": o.owner_label,
        "department_id": o.department_id,
        "unit_id": o.unit_id,
        "progress": o.progress,
        "due": o.due,
        "started_at": o.started_at,
        "completed_at": o.completed_at,
        "on_time": o.on_time,
        "ratings": o.ratings,
        "satisfied": o.satisfied,
    }


def _task(k: OutcomeTask, today: dt.date) -> OutcomeTaskOut:
    return OutcomeTaskOut(
        id=k.pk,
        order=k.order,
        title=k.title,
        weight=k.weight,
        due=k.due,
        status=k.status,
        status_label=TaskState(k.status).label,
        progress=k.progress,
        milestone=k.milestone,
        overdue=k.status != TaskState.DONE and k.due < today,
        done_at=k.done_at,
        whistle_id=k.whistle_id,
    )


def _outcome_detail(actor: Actor, outcome_id: int) -> OutcomeDetailOut:
    o = selectors.outcome_get(actor=actor, outcome_id=outcome_id)
    today = local_today()
    return OutcomeDetailOut(
        **_outcome(o),
        reason=o.reason,
        meeting_number=o.agenda_item.meeting.number,
        tasks=[_task(k, today) for k in o.tasks.all()],
    )


@router.get(
    "/outcomes",
    response={200: list[OutcomeOut], **refusals()},
    summary="协商成果列表（部门：交给本部门的）",
)
@paginate(Pages)
def outcome_list(request: HttpRequest, filters: Query[OutcomeFilters]):
    actor = require(request, "deliberation.view")
    rows = selectors.outcome_list(
        actor=actor,
        filters=selectors.OutcomeFilters(
            status=filters.status or "", category=filters.category[:30], overdue=filters.overdue
        ),
    )
    return mapped(rows, lambda o: OutcomeOut(**_outcome(o)))


@router.get(
    "/outcomes/{int:outcome_id}",
    response={200: OutcomeDetailOut, **refusals(404)},
    summary="协商成果详情（含任务）",
)
def outcome_detail(request: HttpRequest, outcome_id: int):
    return _outcome_detail(require(request, "deliberation.view"), outcome_id)


@router.post(
    "/tasks/{int:task_id}/progress",
    response={200: OutcomeDetailOut, **refusals(400, 404, 409)},
    summary="登记成果任务进展",
)
def task_progress_endpoint(request: HttpRequest, task_id: int, payload: TaskProgressIn):
    actor = require(request, "deliberation.outcome")
    task = audited(
        request,
        "outcome.progress",
        lambda: outcome_task_progress(
            actor=actor, task_id=task_id, progress=payload.progress, note=payload.note
        ),
    )
    return _outcome_detail(actor, task.outcome_id)


# -- figures -----------------------------------------------------------------------------------


class DeliberationFigureOut(Schema):
    raised: int = Field(description="提出议题")
    accepted: int = Field(description="列入议题库")
    meetings: int = Field(description="召开会议")
    physical: int = Field(description="其中现场会议")
    quorum: int = Field(description="现场会议达到法定人数")
    decisions: int = Field(description="表决通过")
    outcomes: int
    completed: int
    on_time: int
    ratings: int
    satisfied: int
    quorum_pct: Decimal | None = Field(description="达到法定人数的现场会议占比（%）")
    on_time_pct: Decimal | None = Field(description="按期完成占已完成（%）")
    satisfied_pct: Decimal | None = Field(description="满意占评价（%）")


class DeliberationRegionFigureOut(DeliberationFigureOut):
    region_id: int
    region: str


class DeliberationCategoryFigureOut(DeliberationFigureOut):
    category: str


class DeliberationFiguresOut(Schema):
    region_id: int
    region: str
    start: dt.date
    end: dt.date
    rows: list[DeliberationRegionFigureOut] = Field(description="下一级区划（街道或社区）各一行")
    total: DeliberationFigureOut
    categories: list[DeliberationCategoryFigureOut] = Field(description="按协商目录门类")


class DeliberationFigureFilters(Schema):
    region_id: Id | None = Field(None, description="区、街道或社区（默认：本账号的区划）")
    start: dt.date | None = Field(None, description="默认：今年1月1日")
    end: dt.date | None = Field(None, description="默认：今天")


def _figures(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in ("region", "category")}


@router.get(
    "/figures",
    response={200: DeliberationFiguresOut, **refusals(404)},
    summary="协商工作统计（按下一级区划和门类）",
)
def figures(request: HttpRequest, filters: Query[DeliberationFigureFilters]):
    actor = require(request, "deliberation.view")
    if filters.region_id is None:
        region = actor.region
    else:
        region = core_selectors.region_get(actor=actor, region_id=filters.region_id)
    if region is None:
        raise NotFound(core_selectors.REGION_NOT_FOUND)
    if region.level > RegionLevel.COMMUNITY:
        raise ValidationError("统计按区、街道或社区汇总，请选择其中一级。", field="region_id")
    today = local_today()
    start = filters.start or dt.date(today.year, 1, 1)
    end = filters.end or today
    if start > end:
        raise ValidationError("开始日期不能晚于结束日期。", field="start")
    if start.year < FIGURE_YEARS[0] or end.year > FIGURE_YEARS[1]:
        raise ValidationError(
            f"统计期间须在{FIGURE_YEARS[0]}年至{FIGURE_YEARS[1]}年之间。", field="start"
        )
    data = selectors.figures(actor=actor, region=region, start=start, end=end)
    return DeliberationFiguresOut(
        region_id=data.region.pk,
        region=data.region.name,
        start=data.start,
        end=data.end,
        rows=[
            DeliberationRegionFigureOut(
                region_id=r["region"].pk, region=r["region"].name, **_figures(r)
            )
            for r in data.rows
        ],
        total=DeliberationFigureOut(**data.total),
        categories=[
            DeliberationCategoryFigureOut(category=c["category"], **_figures(c))
            for c in data.categories
        ],
    )

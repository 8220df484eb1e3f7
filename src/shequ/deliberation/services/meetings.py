"""协商会议: scheduling with its agenda and invitees, the notice period,
opening, sign-in with proxies and quorum, votes cast and counted, minutes,
closing with the publicity of its decisions — ``MEETING_FLOW`` and services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.history import Event, record
from shequ.core.models import Region, RegionLevel
from shequ.core.numbering import receipt_next
from shequ.core.scope import Actor
from shequ.core.workdays import add_workdays
from shequ.core.workflow import Transition, Workflow, transition
from shequ.deliberation import notify
from shequ.deliberation.models import (
    OWNER_RULES,
    AgendaItem,
    Ballot,
    Choice,
    Invitee,
    Meeting,
    MeetingForm,
    MeetingState,
    Participant,
    SecretTally,
    Topic,
    TopicState,
    VoteState,
)
from shequ.deliberation.rules import Tally, decide
from shequ.deliberation.services.common import (
    NOTE_MAX,
    TITLE_MAX,
    as_id,
    lives_in,
    locked_in_scope,
    own_resident,
    setting,
    text,
)
from shequ.deliberation.services.topics import TOPIC_FLOW
from shequ.residents.models import Household, Resident

CENTS = Decimal("0.01")


def notice_days() -> int:
    return int(setting("DELIBERATION_NOTICE_DAYS", 3))


def publicity_days() -> int:
    return int(setting("DELIBERATION_PUBLICITY_DAYS", 5))


def _g_notice(meeting: Meeting, actor: Actor, **data: Any) -> None:
    if not meeting.agenda.exists():
        raise ValidationError("会议还没有议程，请先列入议题。")
    if not meeting.is_online and not meeting.invitees.exists():
        raise ValidationError("会议还没有参会人，请先邀请参会人员。")
    earliest = timezone.now() + dt.timedelta(days=meeting.notice_days)
    if meeting.starts_at < earliest:
        raise ValidationError(
            f"会议公告须至少提前{meeting.notice_days}天发布：开始时间最早为"
            f"{timezone.localtime(earliest):%Y年%m月%d日 %H:%M}，请调整会议时间。",
            field="starts_at",
        )


def _a_notice(meeting: Meeting, actor: Actor, **data: Any) -> list[str]:
    meeting.noticed_at = timezone.now()
    meeting.notice_text = text(data.get("notice_text"), field="notice_text", label="会议公告",
                               max_length=2000, required=False) or meeting.notice_text  # fmt: skip
    meeting.invited = meeting.invitees.count()
    return ["noticed_at", "notice_text", "invited"]


def _g_open(meeting: Meeting, actor: Actor, **data: Any) -> None:
    ready = (meeting.noticed_at or timezone.now()) + dt.timedelta(days=meeting.notice_days)
    if timezone.now() < ready:
        raise Conflict(f"公告期未满：{timezone.localtime(ready):%Y年%m月%d日 %H:%M}后才能开会。")


def _a_open(meeting: Meeting, actor: Actor, **data: Any) -> list[str]:
    meeting.opened_at = timezone.now()
    return ["opened_at"]


def _g_close(meeting: Meeting, actor: Actor, **data: Any) -> None:
    if meeting.agenda.filter(vote_state=VoteState.OPEN).exists():
        raise Conflict("还有议程正在表决，请先结束表决。")


def _a_close(meeting: Meeting, actor: Actor, **data: Any) -> list[str]:
    meeting.closed_at = timezone.now()
    return ["closed_at"]


MEETING_FLOW = Workflow(
    name="meeting",
    model=Meeting,
    transitions=[
        Transition("notice", [MeetingState.PLANNED], MeetingState.NOTICED, "发布会议公告",
                   "deliberation.meet", guards=[_g_notice], apply=_a_notice),
        Transition("open", [MeetingState.NOTICED], MeetingState.IN_SESSION, "开会",
                   "deliberation.meet", guards=[_g_open], apply=_a_open),
        Transition("close", [MeetingState.IN_SESSION], MeetingState.CLOSED, "散会",
                   "deliberation.meet", guards=[_g_close], apply=_a_close),
        Transition("cancel", [MeetingState.PLANNED, MeetingState.NOTICED], MeetingState.CANCELLED,
                   "取消会议", "deliberation.meet"),
    ],
)  # fmt: skip


def _clean_form(form: str) -> str:
    if form not in MeetingForm.values:
        raise ValidationError("请选择协商形式。", field="form")
    return form


@transaction.atomic
def meeting_schedule(
    *,
    actor: Actor,
    community: Region,
    form: str,
    title: str,
    starts_at: dt.datetime,
    topic_ids: list[Any],
    ends_at: dt.datetime | None = None,
    place: str = "",
    room_ref: str = "",
    compound: Region | None = None,
    secret: bool = False,
) -> Meeting:
    """筹备会议: the agenda is accepted topics of the community whose catalog
    item allows this form; each keeps its item's vote rule."""
    actor.require("deliberation.meet")
    if community.level != RegionLevel.COMMUNITY or not actor.covers(community):
        raise PermissionDenied("该社区不在您的管辖范围内。")
    form = _clean_form(form)
    title = text(title, field="title", label="会议名称", max_length=TITLE_MAX)
    place = text(
        place, field="place", label="地点", max_length=100, required=form != MeetingForm.ONLINE
    )
    if not isinstance(starts_at, dt.datetime):
        raise ValidationError("请填写会议开始时间。", field="starts_at")
    if form == MeetingForm.ONLINE and (
        not isinstance(ends_at, dt.datetime) or ends_at <= starts_at
    ):
        raise ValidationError("线上协商须填写晚于开始时间的截止时间。", field="ends_at")
    if compound is not None and (
        compound.community_id != community.pk or compound.level != RegionLevel.COMPOUND
    ):
        raise ValidationError("会议所在小区须是本社区的小区。", field="compound")
    ids = sorted({int(i) for i in topic_ids or [] if str(i).isdigit()})
    if not ids:
        raise ValidationError("请至少列入一个议题。", field="topic_ids")
    topics = list(Topic.objects.select_for_update().select_related("item_version")
                  .filter(pk__in=ids, community=community).order_by("pk"))  # fmt: skip
    if len(topics) != len(ids):
        raise ValidationError("所选议题不存在或不属于本社区。", field="topic_ids")
    for topic in topics:
        if topic.status != TopicState.ACCEPTED:
            raise Conflict(
                f"议题 {topic.number} 当前为“{TopicState(topic.status).label}”，只有审核通过的议题才能列入议程。"
            )
        if form not in topic.item_version.forms:
            raise ValidationError(f"议题 {topic.number} 的协商条目不允许“{MeetingForm(form).label}”这种形式。",
                                  field="form")  # fmt: skip
    meeting = Meeting.objects.create(
        district_id=cast(int, community.district_id), community=community, compound=compound,
        number=receipt_next(community=community), form=form, title=title, starts_at=starts_at,
        ends_at=ends_at, place=place, room_ref=room_ref[:40], notice_days=notice_days(),
        status=MeetingState.PLANNED, created_by=actor.user,
    )  # fmt: skip
    for order, topic in enumerate(topics, start=1):
        AgendaItem.objects.create(meeting=meeting, topic=topic, district_id=meeting.district_id,
                                  community=community, order=order, rule=topic.item_version.vote_rule,
                                  secret=bool(secret), closes_at=ends_at)  # fmt: skip
        transition(workflow=TOPIC_FLOW, actor=actor, obj_or_pk=topic.pk, action="schedule",
                   note=f"会议 {meeting.number}")  # fmt: skip
    record(actor=actor, action="meeting.schedule", obj=meeting, region=community,
           changes={"number": meeting.number, "form": form, "topics": [t.number for t in topics]},
           event=Event("schedule", f"筹备{MeetingForm(form).label}", from_state=""))  # fmt: skip
    return meeting


@transaction.atomic
def meeting_invite(
    *,
    actor: Actor,
    meeting_id: Any,
    role: str,
    name: str = "",
    body: str = "",
    resident_id: Any = None,
) -> Invitee:
    """邀请参会人 by role; a resident invitee is named by the register."""
    actor.require("deliberation.meet")
    meeting = locked_in_scope(actor, Meeting, meeting_id, "会议")
    if meeting.status != MeetingState.PLANNED:
        raise Conflict("会议公告发布后不能再增加参会人。")
    if role not in Participant.values:
        raise ValidationError("请选择参会人身份。", field="role")
    resident = None
    if resident_id not in (None, ""):
        resident = Resident.objects.filter(pk=resident_id, community=meeting.community).first()
        if resident is None:
            raise ValidationError("所选居民不在本社区登记。", field="resident_id")
        name = resident.name
    name = text(name, field="name", label="姓名", max_length=40)
    body = text(body, field="body", label="所在单位", max_length=100, required=False)
    try:
        with transaction.atomic():
            invitee = Invitee.objects.create(meeting=meeting, district_id=meeting.district_id,
                                             community=meeting.community, role=role, name=name, body=body,
                                             resident=resident, user=resident.user if resident else None)  # fmt: skip
    except IntegrityError:
        raise Conflict(f"{name}已在参会名单中。") from None
    record(actor=actor, action="meeting.invite", obj=meeting, region=meeting.community,
           changes={"invitee": invitee.pk, "role": role}, event=Event("invite", f"邀请参会：{name}"))  # fmt: skip
    return invitee


def _meeting_step(actor: Actor, meeting_id: Any, action: str, **data: Any) -> Meeting:
    meeting = locked_in_scope(actor, Meeting, meeting_id, "会议")
    return cast(Meeting, transition(workflow=MEETING_FLOW, actor=actor, obj_or_pk=meeting.pk,
                                    action=action, data=data))  # fmt: skip


@transaction.atomic
def meeting_notice(*, actor: Actor, meeting_id: Any, notice_text: str = "") -> Meeting:
    """发布会议公告, at least the notice period before the meeting starts; the
    invitees with an account are told."""
    meeting = _meeting_step(actor, meeting_id, "notice", notice_text=notice_text)
    notify.meeting_noticed(actor, meeting)
    return meeting


@transaction.atomic
def meeting_open(*, actor: Actor, meeting_id: Any) -> Meeting:
    """开会 once the notice period has run (an online window opens)."""
    meeting = _meeting_step(actor, meeting_id, "open")
    if meeting.is_online:
        meeting.agenda.update(vote_state=VoteState.OPEN, opened_at=timezone.now())
    return meeting


@transaction.atomic
def meeting_sign_in(
    *,
    actor: Actor,
    invitee_id: Any,
    meeting_id: Any = None,
    proxy_name: str = "",
    proxy_relation: str = "",
    proxy_authorisation: str = "",
) -> Invitee:
    """签到, in person or by a proxy who holds a written authorisation
    (授权委托书: its number or description is recorded)."""
    actor.require("deliberation.meet")
    invitee = (
        Invitee.objects.select_for_update()
        .select_related("meeting", "community")
        .filter(actor.scope_q(community="community"), pk=as_id(invitee_id))
        .first()
    )
    if invitee is None or (meeting_id is not None and invitee.meeting_id != as_id(meeting_id)):
        raise NotFound("参会人不存在，或不在您的管辖范围内。")
    meeting = Meeting.objects.select_for_update().get(pk=invitee.meeting_id)
    if meeting.status != MeetingState.IN_SESSION:
        raise Conflict("会议开始后才能签到。")
    if invitee.signed_in_at is not None:
        raise Conflict(f"{invitee.name}已经签到。")
    proxy_name = text(
        proxy_name, field="proxy_name", label="委托代理人", max_length=40, required=False
    )
    if proxy_name:
        proxy_relation = text(
            proxy_relation, field="proxy_relation", label="与本人关系", max_length=20
        )
        proxy_authorisation = text(proxy_authorisation, field="proxy_authorisation",
                                   label="授权委托书", max_length=200,
                                   missing="委托他人参会须有书面授权：请填写授权委托书。")  # fmt: skip
    invitee.signed_in_at = timezone.now()
    invitee.proxy_name, invitee.proxy_relation = proxy_name, proxy_relation if proxy_name else ""
    invitee.proxy_authorisation = proxy_authorisation if proxy_name else ""
    invitee.save(
        update_fields=["signed_in_at", "proxy_name", "proxy_relation", "proxy_authorisation"]
    )
    meeting.present = F("present") + 1
    meeting.save(update_fields=["present"])
    meeting.refresh_from_db(fields=["present"])
    met = meeting.present * 2 > meeting.invited
    if met != meeting.quorum_met:
        meeting.quorum_met = met
        meeting.save(update_fields=["quorum_met"])
    record(actor=actor, action="meeting.sign_in", obj=meeting, region=meeting.community,
           changes={"invitee": invitee.pk, "proxy": bool(proxy_name), "present": meeting.present,
                    "quorum_met": meeting.quorum_met},
           event=Event("sign_in", f"签到：{invitee.name}" + (f"（委托{proxy_name}）" if proxy_name else "")))  # fmt: skip
    return invitee


def _item_locked(actor: Actor, item_id: Any, meeting_id: Any = None) -> AgendaItem:
    """The agenda item locked for the write (of ``meeting_id``, when a page names it)."""
    item = (
        AgendaItem.objects.select_for_update()
        .select_related("meeting", "community", "topic")
        .filter(actor.scope_q(community="community"), pk=as_id(item_id))
        .first()
    )
    if item is None or (meeting_id is not None and item.meeting_id != as_id(meeting_id)):
        raise NotFound("议程不存在，或不在您的管辖范围内。")
    return item


# What a ballot reads of its agenda item, meeting, topic and community: the
# vote cast is the hottest write of the app, and most of its cost is the ORM
# compiling wide rows (measured in bench/deliberation.py).
BALLOT_COLUMNS = (
    "id", "district_id", "community_id", "meeting_id", "topic_id", "order", "rule", "secret", "vote_state",
    "closes_at", "meeting__id", "meeting__form", "topic__id", "topic__community_id",
    "topic__compound_id", "topic__building_id", "community__id", "community__name",
)  # fmt: skip


def _item_for_ballot(actor: Actor, item_id: Any, meeting_id: Any = None) -> AgendaItem:
    item = (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("meeting", "community", "topic")
        .only(*BALLOT_COLUMNS)
        .filter(actor.scope_q(community="community"), pk=as_id(item_id))
        .first()
    )
    if item is None or (meeting_id is not None and item.meeting_id != as_id(meeting_id)):
        raise NotFound("议程不存在，或不在您的管辖范围内。")
    return item


def _owner_base(item: AgendaItem) -> tuple[int, Decimal]:
    """Households of the topic's compound and their floor area; every one must
    carry its area before an owners' vote can open."""
    compound_id = item.topic.compound_id
    if compound_id is None:
        raise ValidationError("业主共同决定事项须属于某个小区。")
    rows = Household.objects.filter(building__compound_id=compound_id)
    agg = rows.aggregate(n=Count("id"), area=Sum("floor_area"),
                         missing=Count("id", filter=Q(floor_area__isnull=True)))  # fmt: skip
    if not agg["n"]:
        raise ValidationError("该小区尚未登记住户，无法进行业主表决。")
    if agg["missing"]:
        raise ValidationError(
            f"该小区有{agg['missing']}户未登记建筑面积，请先补齐后再进行业主表决。"
        )
    return agg["n"], Decimal(agg["area"] or 0).quantize(CENTS)


@transaction.atomic
def vote_open(*, actor: Actor, item_id: Any, meeting_id: Any = None) -> AgendaItem:
    """开始表决 on one agenda topic of a meeting in session that reached its quorum."""
    actor.require("deliberation.meet")
    item = _item_locked(actor, item_id, meeting_id)
    meeting = item.meeting
    if meeting.status != MeetingState.IN_SESSION:
        raise Conflict("会议开始后才能表决：公告期未满或会议尚未开始。")
    if item.vote_state != VoteState.PENDING:
        raise Conflict(f"该议程{VoteState(item.vote_state).label}。")
    if not meeting.is_online and not meeting.quorum_met:
        raise Conflict(f"实到{meeting.present}人，未超过应到{meeting.invited}人的半数，不能表决。")
    if item.rule in OWNER_RULES:
        _owner_base(item)
    item.vote_state, item.opened_at = VoteState.OPEN, timezone.now()
    item.save(update_fields=["vote_state", "opened_at"])
    record(actor=actor, action="vote.open", obj=item, region=item.community,
           changes={"rule": item.rule, "secret": item.secret},
           event=Event("vote_open", "开始表决"), timeline=meeting)  # fmt: skip
    return item


def _check_window(item: AgendaItem) -> None:
    if item.vote_state != VoteState.OPEN:
        raise Conflict("该议程不在表决中。")
    now = timezone.now()
    if item.closes_at is not None and now > item.closes_at:
        raise Conflict("表决已截止。")


@transaction.atomic
def ballot_cast(
    *, actor: Actor, item_id: Any, choice: str, invitee_id: Any = None, meeting_id: Any = None
) -> Ballot:
    """投票. A resident votes for themself: for their household (owners'
    rules), as a present invitee (a meeting), or as a resident of the
    compound (an online consultation). A worker records the paper ballot of
    a present invitee (``invitee_id``)."""
    if choice not in Choice.values:
        raise ValidationError("请选择同意、反对或弃权。", field="choice")
    item = _item_for_ballot(actor, item_id, meeting_id)
    _check_window(item)
    meeting = item.meeting
    ballot = Ballot(item=item, district_id=item.district_id, community_id=item.community_id,
                    cast_by=actor.user, at=timezone.now())  # fmt: skip
    if invitee_id not in (None, ""):
        actor.require("deliberation.meet")
        invitee = Invitee.objects.filter(meeting=meeting, pk=as_id(invitee_id)).first()
        if invitee is None:
            raise NotFound("参会人不在本次会议名单中。")
        if not invitee.present:
            raise Conflict(f"{invitee.name}未签到，不能投票。")
        ballot.recorded = True
        if item.rule in OWNER_RULES:
            if invitee.resident is None:
                raise ValidationError("业主表决须由登记在册的住户投票。", field="invitee_id")
            _household_ballot(ballot, item, invitee.resident)
        else:
            ballot.invitee = invitee
    else:
        actor.require("deliberation.take_part")
        resident = own_resident(actor, lean=True)
        if item.rule in OWNER_RULES:
            _household_ballot(ballot, item, resident)
        elif meeting.is_online:
            if not lives_in(item.topic, resident):
                raise PermissionDenied("只有议题所涉小区（楼栋）的居民才能参与表决。")
            ballot.resident = resident
        else:
            invitee = Invitee.objects.filter(meeting=meeting, resident=resident).first()
            if invitee is None or not invitee.present:
                raise PermissionDenied("只有已签到的参会人才能在会上表决。")
            ballot.invitee = invitee
    ballot.choice = "" if item.secret else choice
    try:
        with transaction.atomic():
            ballot.save()
    except IntegrityError:
        raise Conflict("已经投过票了，每人（每户）只能投一次。") from None
    if item.secret:
        tally, _ = SecretTally.objects.get_or_create(
            item=item, choice=choice, district_id=item.district_id
        )
        SecretTally.objects.filter(pk=tally.pk).update(
            count=F("count") + 1, area=F("area") + ballot.area
        )
    # The record says who voted, never how (a secret ballot's choice is only counted).
    record(actor=actor, action="vote.cast", obj=item, region=item.community,
           changes={"ballot": ballot.pk, "recorded": ballot.recorded,
                    **({} if item.secret else {"choice": choice})})  # fmt: skip
    return ballot


def _household_ballot(ballot: Ballot, item: AgendaItem, resident: Resident) -> None:
    household = resident.household
    if household.building.compound_id != item.topic.compound_id:
        raise PermissionDenied("只有本小区的业主才能参与业主共同决定事项的表决。")
    if household.floor_area is None:
        raise ValidationError("您家的建筑面积尚未登记，请联系社区工作人员。")
    ballot.household, ballot.area = household, household.floor_area


def tally_of(item: AgendaItem) -> Tally:
    """The counts behind the vote, from the ballots (open) or SecretTally."""
    per: dict[str, tuple[int, Decimal]] = {c: (0, Decimal("0")) for c in Choice.values}
    if item.secret:
        for secret in SecretTally.objects.filter(item=item):
            per[secret.choice] = (secret.count, secret.area)
    else:
        rows = (
            Ballot.objects.filter(item=item).values("choice").annotate(n=Count("id"), a=Sum("area"))
        )
        for row in rows:
            per[row["choice"]] = (row["n"], row["a"] or Decimal("0"))
    # SQLite sums decimals as floats: back to the column's two places.
    per = {c: (n, Decimal(a).quantize(CENTS)) for c, (n, a) in per.items()}
    if item.rule in OWNER_RULES:
        eligible, area = _owner_base(item)
    elif item.meeting.is_online:
        eligible, area = sum(n for n, _ in per.values()), Decimal("0")
    else:
        eligible, area = item.meeting.present, Decimal("0")
    return Tally(eligible=eligible, eligible_area=area,
                 yes=per["yes"][0], yes_area=per["yes"][1], no=per["no"][0], no_area=per["no"][1],
                 abstain=per["abstain"][0], abstain_area=per["abstain"][1])  # fmt: skip


@transaction.atomic
def vote_close(
    *, actor: Actor, item_id: Any, decision: str = "", meeting_id: Any = None
) -> AgendaItem:
    """结束表决: the service counts and decides by the item's rule; a passed
    topic gets its outcome (``outcome_from``), a failed one is closed."""
    from shequ.deliberation.services.outcomes import outcome_from

    actor.require("deliberation.meet")
    item = _item_locked(actor, item_id, meeting_id)
    if item.vote_state != VoteState.OPEN:
        raise Conflict("该议程不在表决中。")
    decision = text(decision, field="decision", label="协商结果", max_length=2000, required=False)
    t = tally_of(item)
    verdict = decide(item.rule, t)
    item.eligible, item.eligible_area = t.eligible, t.eligible_area
    item.participants, item.participants_area = t.participants, t.participants_area
    item.yes, item.yes_area, item.no, item.no_area = t.yes, t.yes_area, t.no, t.no_area
    item.abstain, item.abstain_area = t.abstain, t.abstain_area
    item.passed, item.verdict = verdict.passed, verdict.reason[:200]
    item.decision = decision or item.topic.title
    item.vote_state, item.closed_at = VoteState.CLOSED, timezone.now()
    if verdict.passed:
        item.publicity_until = add_workdays(timezone.localdate(), publicity_days()).date
    item.save()
    record(actor=actor, action="vote.close", obj=item, region=item.community,
           changes={"rule": item.rule, "yes": t.yes, "no": t.no, "abstain": t.abstain,
                    "eligible": t.eligible, "passed": verdict.passed},
           event=Event("vote_close", f"表决{'通过' if verdict.passed else '未通过'}：{item.topic.title}",
                       note=verdict.reason), timeline=item.meeting)  # fmt: skip
    transition(workflow=TOPIC_FLOW, actor=actor, obj_or_pk=item.topic_id,
               action="decide" if verdict.passed else "not_pass", note=verdict.reason)  # fmt: skip
    if verdict.passed:
        outcome_from(actor=actor, item=item)
    return item


@transaction.atomic
def meeting_minutes(*, actor: Actor, meeting_id: Any, chair: str, recorder: str,
                    speeches: list[dict[str, Any]], minutes: str) -> Meeting:  # fmt: skip
    """会议纪要: who spoke and what was decided; only for a meeting that
    reached its quorum (an online consultation: one that had votes)."""
    actor.require("deliberation.meet")
    meeting = locked_in_scope(actor, Meeting, meeting_id, "会议")
    if meeting.status not in (MeetingState.IN_SESSION, MeetingState.CLOSED):
        raise Conflict("会议召开后才能填写纪要。")
    if not meeting.is_online and not meeting.quorum_met:
        raise Conflict("会议未达到法定人数，不能形成会议纪要。")
    chair = text(chair, field="chair", label="主持人", max_length=40)
    recorder = text(recorder, field="recorder", label="记录人", max_length=40)
    minutes = text(minutes, field="minutes", label="会议纪要", max_length=8000)
    clean = []
    for n, s in enumerate(speeches or [], start=1):
        if not isinstance(s, dict):
            raise ValidationError(f"第{n}条发言格式不对。", field="speeches")
        clean.append({
            "name": text(s.get("name"), field="speeches", label=f"第{n}条发言的发言人", max_length=40),
            "role": text(s.get("role"), field="speeches", label=f"第{n}条发言的身份", max_length=40, required=False),
            "summary": text(s.get("summary"), field="speeches", label=f"第{n}条发言的内容", max_length=NOTE_MAX * 2),
        })  # fmt: skip
    meeting.chair, meeting.recorder, meeting.speeches, meeting.minutes = (
        chair,
        recorder,
        clean,
        minutes,
    )
    meeting.minutes_at = timezone.now()
    meeting.save(update_fields=["chair", "recorder", "speeches", "minutes", "minutes_at"])
    record(actor=actor, action="meeting.minutes", obj=meeting, region=meeting.community,
           changes={"speeches": len(clean)}, event=Event("minutes", "填写会议纪要"))  # fmt: skip
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: Actor, meeting_id: Any) -> Meeting:
    """取消会议 before it opens: its topics go back to the pool of accepted topics."""
    meeting = _meeting_step(actor, meeting_id, "cancel")
    for topic_id in meeting.agenda.order_by("order").values_list("topic_id", flat=True):
        transition(workflow=TOPIC_FLOW, actor=actor, obj_or_pk=topic_id, action="unschedule",
                   note=f"会议 {meeting.number} 取消")  # fmt: skip
    return meeting


@transaction.atomic
def meeting_close(*, actor: Actor, meeting_id: Any) -> Meeting:
    """散会 once no vote is open."""
    return _meeting_step(actor, meeting_id, "close")


# -- publicity and objections ------------------------------------------------------------------


@transaction.atomic
def objection_raise(*, actor: Actor, item_id: Any, content: str) -> Any:
    """公示期异议: a resident of the community objects to a decision under publicity."""
    from shequ.deliberation.models import Objection

    actor.require("deliberation.take_part")
    resident = own_resident(actor)
    item = (
        AgendaItem.objects.select_related("community")
        .filter(
            pk=as_id(item_id),
            community_id=resident.community_id,
            passed=True,
        )
        .first()
    )
    if item is None:
        raise NotFound("该协商结果不存在，或不在您所在的社区。")
    if item.publicity_until is None or timezone.localdate() > item.publicity_until:
        raise Conflict("公示期已结束，不能再提出异议。")
    body = text(content, field="content", label="异议内容", max_length=NOTE_MAX * 2)
    objection = Objection.objects.create(item=item, district_id=item.district_id, community_id=item.community_id,
                                         resident=resident, user=actor.user, text=body, at=timezone.now())  # fmt: skip
    record(actor=actor, action="objection.raise", obj=objection, region=item.community,
           changes={"item": item.pk})  # fmt: skip
    notify.objection_raised(actor, objection, item.meeting_id)
    return objection


@transaction.atomic
def objection_answer(*, actor: Actor, objection_id: Any, answer: str) -> Any:
    """The community answers an objection (once); the resident reads it."""
    from shequ.deliberation.models import Objection

    actor.require("deliberation.meet")
    objection = locked_in_scope(actor, Objection, objection_id, "异议")
    if objection.answered_at is not None:
        raise Conflict("该异议已答复。")
    objection.answer = text(answer, field="answer", label="答复", max_length=NOTE_MAX * 2)
    objection.answered_by, objection.answered_at = actor.require_user(), timezone.now()
    objection.save(update_fields=["answer", "answered_by", "answered_at"])
    record(actor=actor, action="objection.answer", obj=objection, region=objection.community,
           changes={"item": objection.item_id})  # fmt: skip
    notify.objection_answered(actor, objection)
    return objection

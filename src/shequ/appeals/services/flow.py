"""The appeal workflow (``APPEAL_FLOW``) and its transitions: triage, merge,
whistle, close, rating, reopening and "me too"."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shequ.appeals import notify
from shequ.appeals.models import (
    OPEN_STATES,
    Appeal,
    AppealRating,
    AppealState,
    AppealSupporter,
    TriageDecision,
)
from shequ.appeals.services.inputs import (
    NOTE_MAX,
    RESULT_MAX,
    WHISTLE_DECISION,
    reopen_days,
)
from shequ.appeals.services.ownership import _in_scope, _scope, _take_ownership, is_own
from shequ.appeals.services.records import appeal_record
from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.history import Event
from shequ.core.scope import Actor
from shequ.core.text import TOO_LONG_SHORT, clean_text
from shequ.core.workflow import Transition, Workflow, transition
from shequ.deliberation.models import ProposerKind
from shequ.deliberation.services import topic_propose
from shequ.residents.models import Resident
from shequ.whistles.whistle.services import title_from, whistle_raise


def _a_triage(appeal: Appeal, actor: Actor, **data: Any) -> list[str]:
    appeal.decision = TriageDecision.SELF
    appeal.triaged_at = timezone.now()
    appeal.triaged_by = actor.require_user()
    return ["decision", "triaged_at", "triaged_by", *_take_ownership(appeal, actor)]


def _original(appeal: Appeal, data: dict[str, Any]) -> Appeal:
    raw = data.get("duplicate_of_id")
    try:
        pk = int(str(raw))
    except (TypeError, ValueError):
        raise ValidationError("请选择要合并到的原诉求。", field="duplicate_of_id") from None
    original = Appeal.objects.filter(pk=pk).first()
    if original is None:
        raise ValidationError("要合并到的诉求不存在。", field="duplicate_of_id")
    return original


def _g_merge(appeal: Appeal, actor: Actor, **data: Any) -> None:
    original = _original(appeal, data)
    if original.pk == appeal.pk:
        raise ValidationError("诉求不能合并到它自己。", field="duplicate_of_id")
    if original.community_id != appeal.community_id:
        raise ValidationError("只能合并到本社区的诉求。", field="duplicate_of_id")
    if original.status not in OPEN_STATES:
        raise ValidationError(
            f"诉求 {original.number} 已{AppealState(original.status).label}，不能作为合并对象。",
            field="duplicate_of_id",
        )


def _a_merge(appeal: Appeal, actor: Actor, **data: Any) -> list[str]:
    appeal.duplicate_of = _original(appeal, data)
    appeal.decision = TriageDecision.MERGE
    appeal.triaged_at = timezone.now()
    appeal.triaged_by = actor.require_user()
    return ["duplicate_of", "decision", "triaged_at", "triaged_by", *_take_ownership(appeal, actor)]


def _g_result(appeal: Appeal, actor: Actor, **data: Any) -> None:
    clean_text(
        data.get("result"),
        field="result",
        label="办理结果",
        max_length=RESULT_MAX,
        markup="tags",
        too_long=TOO_LONG_SHORT,
    )


def _a_close(appeal: Appeal, actor: Actor, **data: Any) -> list[str]:
    appeal.result = clean_text(
        data.get("result"),
        field="result",
        label="办理结果",
        max_length=RESULT_MAX,
        markup="tags",
        too_long=TOO_LONG_SHORT,
    )
    appeal.closed_at = timezone.now()
    appeal.closed_by = actor.require_user()
    return ["result", "closed_at", "closed_by"]


def _g_own(appeal: Appeal, actor: Actor, **data: Any) -> None:
    if not is_own(actor, appeal):
        raise PermissionDenied("只能评价或重新提起本人的诉求。")


def _g_rate(appeal: Appeal, actor: Actor, **data: Any) -> None:
    _g_own(appeal, actor)
    if appeal.rating:
        raise Conflict("该诉求已评价，每次办结只能评价一次。")
    if data.get("rating") not in AppealRating.values:
        raise ValidationError("请选择评价：满意、基本满意或不满意。", field="rating")


def _a_rate(appeal: Appeal, actor: Actor, **data: Any) -> list[str]:
    appeal.rating = data["rating"]
    appeal.rated_at = timezone.now()
    return ["rating", "rated_at"]


def _g_reopen(appeal: Appeal, actor: Actor, **data: Any) -> None:
    _g_own(appeal, actor)
    clean_text(
        data.get("reason"),
        field="reason",
        label="重新办理的原因",
        max_length=NOTE_MAX,
        markup="tags",
        too_long=TOO_LONG_SHORT,
    )
    if appeal.reopened_count >= 1:
        raise Conflict("该诉求已重新办理过一次，不能再次重新提起。")
    days = reopen_days()
    if appeal.closed_at is None or timezone.now() > appeal.closed_at + dt.timedelta(days=days):
        raise Conflict(f"办结{days}天内才能重新提起，已超过期限。")


def _a_reopen(appeal: Appeal, actor: Actor, **data: Any) -> list[str]:
    # The earlier result and rating stay in the timeline and the audit record;
    # the reopened appeal is closed and rated afresh.
    appeal.reopened_count += 1
    appeal.closed_at = None
    appeal.closed_by = None
    appeal.rating = ""
    appeal.rated_at = None
    return ["reopened_count", "closed_at", "closed_by", "rating", "rated_at"]


def _a_whistle(appeal: Appeal, actor: Actor, **data: Any) -> list[str]:
    appeal.decision = WHISTLE_DECISION
    appeal.triaged_at = timezone.now()
    appeal.triaged_by = actor.require_user()
    return ["decision", "triaged_at", "triaged_by", *_take_ownership(appeal, actor)]


def _a_deliberate(appeal: Appeal, actor: Actor, **data: Any) -> list[str]:
    appeal.decision = TriageDecision.DELIBERATION
    appeal.topic_id = int(data["topic_id"])
    appeal.triaged_at = timezone.now()
    appeal.triaged_by = actor.require_user()
    return ["decision", "topic", "triaged_at", "triaged_by", *_take_ownership(appeal, actor)]


APPEAL_FLOW = Workflow(
    name="appeal",
    model=Appeal,
    scope=_scope,
    transitions=[
        Transition(
            "triage",
            [AppealState.SUBMITTED],
            AppealState.HANDLING,
            "分办：社区自办自结",
            "appeal.triage",
            apply=_a_triage,
        ),
        Transition(
            "merge",
            [AppealState.SUBMITTED],
            AppealState.MERGED,
            "分办：合并为重复诉求",
            "appeal.triage",
            guards=[_g_merge],
            apply=_a_merge,
        ),
        Transition(
            "close",
            [AppealState.HANDLING],
            AppealState.CLOSED,
            "办结",
            "appeal.triage",
            guards=[_g_result],
            apply=_a_close,
        ),
        Transition(
            "rate",
            [AppealState.CLOSED],
            AppealState.CLOSED,
            "居民评价",
            "appeal.self",
            guards=[_g_rate],
            apply=_a_rate,
        ),
        Transition(
            "reopen",
            [AppealState.CLOSED],
            AppealState.HANDLING,
            "居民重新提起",
            "appeal.self",
            guards=[_g_reopen],
            apply=_a_reopen,
        ),
        # 吹哨: the whistles app hands the appeal on (``appeal_whistled``) and
        # closes it with the whistle's result once the community evaluated it.
        Transition(
            "whistle",
            [AppealState.SUBMITTED],
            AppealState.WHISTLED,
            "分办：吹哨",
            "whistle.raise",
            apply=_a_whistle,
        ),
        # 议事协商: a topic of the deliberation app carries it; the appeal is
        # closed with the outcome once that is done (``appeal_deliberation_close``).
        Transition(
            "deliberate",
            [AppealState.SUBMITTED],
            AppealState.DELIBERATION,
            "分办：提交议事协商",
            "appeal.triage",
            apply=_a_deliberate,
        ),
        Transition(
            "deliberation_close",
            [AppealState.DELIBERATION],
            AppealState.CLOSED,
            "协商成果已完成",
            "deliberation.outcome",
            guards=[_g_result],
            apply=_a_close,
        ),
        Transition(
            "whistle_close",
            [AppealState.WHISTLED],
            AppealState.CLOSED,
            "吹哨事项办结",
            "whistle.evaluate",
            guards=[_g_result],
            apply=_a_close,
        ),
    ],
)


@transaction.atomic
def appeal_triage(
    *,
    actor: Actor,
    appeal_id: int,
    decision: str,
    duplicate_of_id: int | None = None,
    note: str = "",
    whistle: dict[str, Any] | None = None,
    topic: dict[str, Any] | None = None,
) -> Appeal:
    """分办 within the working-day limit: ``self`` (社区自办自结) or ``merge``
    into an open appeal of the same community, whose supporters then count
    this one and its own supporters; ``whistle`` (吹哨, with the whistle's
    fields) or ``deliberation`` (a topic, with ``topic``'s fields: item_id,
    title, description, place)."""
    actor.require("appeal.triage")
    note = clean_text(
        note,
        field="note",
        label="分办说明",
        max_length=NOTE_MAX,
        required=False,
        markup="tags",
        too_long=TOO_LONG_SHORT,
    )
    if decision == TriageDecision.DELIBERATION:
        appeal = _in_scope(actor, appeal_id)
        fields = dict(topic or {})
        fields.setdefault("title", title_from(appeal.description))
        fields.setdefault("description", appeal.description)
        fields.setdefault("place", appeal.building or appeal.compound)
        raised = topic_propose(
            actor=actor,
            community=appeal.community,
            proposer_kind=ProposerKind.COMMUNITY,
            appeal_number=appeal.number,
            **fields,
        )
        done = transition(
            workflow=APPEAL_FLOW,
            actor=actor,
            obj_or_pk=appeal.pk,
            action="deliberate",
            note=note or f"议题 {raised.number}",
            data={"topic_id": raised.pk, "topic": raised.number},
        )
        return cast(Appeal, done)
    if decision == WHISTLE_DECISION:
        # 吹哨: a whistle linked to this appeal; ``whistle`` holds its fields
        # (lead_department_id, urgency, cooperating_ids, title, description).
        appeal = _in_scope(actor, appeal_id)
        fields = dict(whistle or {})
        fields.setdefault("title", title_from(appeal.description))
        fields.setdefault("description", appeal.description)
        fields.setdefault("category", appeal.category)
        fields.setdefault("address", appeal.address)
        fields.setdefault("place", appeal.building or appeal.compound)
        whistle_raise(
            actor=actor, community=appeal.community, sources={"appeal": [appeal.pk]}, **fields
        )
        return Appeal.objects.get(pk=appeal.pk)
    if decision not in TriageDecision.values:
        raise ValidationError(
            "请选择分办方式：社区自办自结、合并为重复诉求、吹哨或提交议事协商。", field="decision"
        )
    appeal = _in_scope(actor, appeal_id)
    if decision == TriageDecision.SELF:
        done = transition(
            workflow=APPEAL_FLOW, actor=actor, obj_or_pk=appeal.pk, action="triage", note=note
        )
        return cast(Appeal, done)
    try:
        original_id = int(duplicate_of_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationError("请选择要合并到的原诉求。", field="duplicate_of_id") from None
    # Both rows locked, lower id first, so two merges never wait on each other.
    ids = sorted({appeal.pk, original_id})
    list(Appeal.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    merged = cast(
        Appeal,
        transition(
            workflow=APPEAL_FLOW,
            actor=actor,
            obj_or_pk=appeal.pk,
            action="merge",
            note=note,
            data={"duplicate_of_id": original_id},
        ),
    )
    added = 1 + merged.supporters
    Appeal.objects.filter(pk=original_id).update(supporters=F("supporters") + added)
    original = Appeal.objects.select_related("community").get(pk=original_id)
    appeal_record(
        actor,
        "appeal.absorb",
        original,
        event=Event(
            "absorb",
            "合并重复诉求",
            note=note,
            data={"merged": merged.number, "supporters_added": added},
        ),
        merged=merged.number,
        supporters=[original.supporters - added, original.supporters],
    )
    return merged


@transaction.atomic
def appeal_whistled(*, actor: Actor, appeal_id: int, whistle_number: str) -> Appeal:
    """The appeal is handed on by a whistle (called by ``whistle_raise``)."""
    done = transition(
        workflow=APPEAL_FLOW,
        actor=actor,
        obj_or_pk=appeal_id,
        action="whistle",
        note=f"吹哨 {whistle_number}",
        data={"whistle": whistle_number},
    )
    return cast(Appeal, done)


@transaction.atomic
def appeal_whistle_close(
    *, actor: Actor, appeal_id: int, result: str, whistle_number: str
) -> Appeal:
    """Closed with the result of its whistle once the community evaluated it;
    the resident may then rate it (called by ``whistle_evaluate``)."""
    done = transition(
        workflow=APPEAL_FLOW,
        actor=actor,
        obj_or_pk=appeal_id,
        action="whistle_close",
        note=f"吹哨 {whistle_number} 已办结",
        data={"result": result, "whistle": whistle_number},
    )
    return cast(Appeal, done)


@transaction.atomic
def appeal_deliberation_close(*, actor: Actor, appeal_id: int, result: str) -> Appeal:
    """Closed with the outcome of its topic once that is done; the resident
    may then rate it (called through ``deliberation.events.outcome_done``)."""
    done = transition(
        workflow=APPEAL_FLOW,
        actor=actor,
        obj_or_pk=appeal_id,
        action="deliberation_close",
        note=result[:200],
        data={"result": result},
    )
    return cast(Appeal, done)


@transaction.atomic
def appeal_close(*, actor: Actor, appeal_id: int, result: str) -> Appeal:
    """办结: the result text is required; the resident may then rate it and
    reopen it once."""
    actor.require("appeal.triage")
    appeal = _in_scope(actor, appeal_id)
    done = transition(
        workflow=APPEAL_FLOW,
        actor=actor,
        obj_or_pk=appeal.pk,
        action="close",
        note=str(result or "").strip()[:200],
        data={"result": result},
    )
    return cast(Appeal, done)


@transaction.atomic
def appeal_rate(*, actor: Actor, appeal_id: int, rating: str, comment: str = "") -> Appeal:
    """The resident who raised it rates the result once (满意 / 基本满意 / 不满意)."""
    actor.require("appeal.self")
    comment = clean_text(
        comment,
        field="comment",
        label="评价意见",
        max_length=NOTE_MAX,
        required=False,
        markup="tags",
        too_long=TOO_LONG_SHORT,
    )
    appeal = _in_scope(actor, appeal_id)
    done = transition(
        workflow=APPEAL_FLOW,
        actor=actor,
        obj_or_pk=appeal.pk,
        action="rate",
        note=comment,
        data={"rating": rating},
    )
    return cast(Appeal, done)


@transaction.atomic
def appeal_reopen(*, actor: Actor, appeal_id: int, reason: str) -> Appeal:
    """The resident reopens their closed appeal, once, within
    ``APPEAL_REOPEN_DAYS`` calendar days of its closing."""
    actor.require("appeal.self")
    appeal = _in_scope(actor, appeal_id)
    done = transition(
        workflow=APPEAL_FLOW,
        actor=actor,
        obj_or_pk=appeal.pk,
        action="reopen",
        note=str(reason or "").strip()[:NOTE_MAX],
        data={"reason": reason},
    )
    notify.appeal_reopened(actor, cast(Appeal, done))
    return cast(Appeal, done)


@transaction.atomic
def appeal_support(*, actor: Actor, appeal_id: int) -> Appeal:
    """我也遇到: a resident of the community adds themself to an open appeal
    raised by someone else, once."""
    actor.require("appeal.self")
    user = actor.require_user()
    own = Resident.objects.filter(user=user).first()
    if own is None:
        raise PermissionDenied("您的账号尚未关联居民登记信息，请联系社区工作人员。")
    appeal = (
        Appeal.objects.select_for_update()
        .select_related("community")
        .filter(pk=appeal_id, community_id=own.community_id)
        .first()
    )
    if appeal is None:
        raise NotFound("诉求不存在，或不在您所在的社区。")
    if appeal.status not in OPEN_STATES:
        raise Conflict(f"该诉求{AppealState(appeal.status).label}，不能再点“我也遇到”。")
    if is_own(actor, appeal):
        raise Conflict("这是您本人提出的诉求。")
    if AppealSupporter.objects.filter(appeal=appeal, user=user).exists():
        raise Conflict("您已经点过“我也遇到”了。")
    AppealSupporter.objects.create(
        appeal=appeal,
        district_id=appeal.district_id,
        community_id=appeal.community_id,
        resident=own,
        user=user,
        phone_tail=own.phone_tail,
        at=timezone.now(),
    )
    Appeal.objects.filter(pk=appeal.pk).update(supporters=F("supporters") + 1)
    appeal.refresh_from_db(fields=["supporters"])
    appeal_record(
        actor,
        "appeal.support",
        appeal,
        event=Event("support", "我也遇到"),
        supporters=appeal.supporters,
    )
    return appeal

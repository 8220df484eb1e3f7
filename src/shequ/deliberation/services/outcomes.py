"""协商成果运用: the outcome of a passed decision, its weighted tasks and
progress (as Decidim's accountability rolls results up), status changes
published and told to the residents who took part, the residents' rating,
and the tick job that flags overdue tasks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Sum
from django.utils import timezone

from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.history import Event, record
from shequ.core.scope import Actor
from shequ.core.workdays import local_today
from shequ.deliberation import events, notify
from shequ.deliberation.models import (
    AgendaItem,
    Outcome,
    OutcomeRating,
    OutcomeReview,
    OutcomeState,
    OutcomeTask,
    OwnerKind,
    TaskState,
)
from shequ.deliberation.selectors import took_part
from shequ.deliberation.services.common import NOTE_MAX, TITLE_MAX, as_id, locked_in_scope, text
from shequ.whistles.models import Department, Unit


def outcome_from(*, actor: Actor, item: AgendaItem) -> Outcome:
    """每项协商结果一个成果 (called by ``vote_close`` when a vote passed)."""
    topic = item.topic
    outcome = Outcome.objects.create(
        district_id=item.district_id, community_id=item.community_id, compound_id=topic.compound_id,
        topic=topic, agenda_item=item, category=topic.category, title=topic.title[:TITLE_MAX],
        status=OutcomeState.NOT_STARTED,
    )  # fmt: skip
    record(actor=actor, action="outcome.create", obj=outcome, region=item.community,
           changes={"topic": topic.number}, event=Event("create", "形成协商成果", from_state=""))  # fmt: skip
    notify.outcome_changed(actor, outcome, "已形成，社区将组织实施")
    return outcome


def _roll_up(outcome: Outcome) -> None:
    agg = outcome.tasks.aggregate(
        w=Sum("weight"), done=Sum(F("weight") * F("progress")), due=Max("due")
    )
    weight = agg["w"] or 0
    outcome.progress = (
        (Decimal(agg["done"] or 0) / weight).quantize(Decimal("0.01")) if weight else Decimal("0")
    )
    outcome.due = agg["due"]


def _locked(actor: Actor, outcome_id: Any) -> Outcome:
    actor.require("deliberation.outcome")
    return locked_in_scope(actor, Outcome, outcome_id, "协商成果")


@transaction.atomic
def outcome_assign(*, actor: Actor, outcome_id: Any, owner_kind: str, owner_name: str = "",
                   department_id: Any = None, unit_id: Any = None) -> Outcome:  # fmt: skip
    """责任方: the community, the property company, a department or a unit."""
    outcome = _locked(actor, outcome_id)
    if owner_kind not in OwnerKind.values:
        raise ValidationError("请选择责任方。", field="owner_kind")
    outcome.department = outcome.unit = None
    if owner_kind == OwnerKind.DEPARTMENT:
        outcome.department = Department.objects.filter(pk=as_id(department_id), district_id=outcome.district_id,
                                                       active=True).first()  # fmt: skip
        if outcome.department is None:
            raise ValidationError("请选择责任部门。", field="department_id")
        owner_name = outcome.department.name
    elif owner_kind == OwnerKind.UNIT:
        outcome.unit = Unit.objects.filter(
            pk=as_id(unit_id), district_id=outcome.district_id
        ).first()
        if outcome.unit is None:
            raise ValidationError("请选择驻区单位。", field="unit_id")
        owner_name = outcome.unit.name
    outcome.owner_kind = owner_kind
    outcome.owner_name = text(
        owner_name, field="owner_name", label="责任单位", max_length=100, required=False
    )
    outcome.save(update_fields=["owner_kind", "owner_name", "department", "unit"])
    record(actor=actor, action="outcome.assign", obj=outcome, region=outcome.community,
           changes={"owner_kind": owner_kind, "owner_name": outcome.owner_name},
           event=Event("assign", f"明确责任方：{outcome.owner_label}"))  # fmt: skip
    return outcome


@transaction.atomic
def outcome_task_add(*, actor: Actor, outcome_id: Any, title: str, weight: Any, due: Any,
                     milestone: bool = False) -> OutcomeTask:  # fmt: skip
    """任务 with its weight (1–100) and due date."""
    outcome = _locked(actor, outcome_id)
    if outcome.status in (OutcomeState.DONE, OutcomeState.SHELVED):
        raise Conflict(f"该成果{OutcomeState(outcome.status).label}，不能再增加任务。")
    title = text(title, field="title", label="任务", max_length=TITLE_MAX)
    try:
        w = int(weight)
    except (TypeError, ValueError):
        raise ValidationError("权重应为1到100的整数。", field="weight") from None
    if not 1 <= w <= 100:
        raise ValidationError("权重应为1到100的整数。", field="weight")
    if not isinstance(due, dt.date):
        raise ValidationError("请填写任务完成期限。", field="due")
    order = (outcome.tasks.aggregate(m=Max("order"))["m"] or 0) + 1
    task = OutcomeTask.objects.create(outcome=outcome, district_id=outcome.district_id,
                                      community_id=outcome.community_id, order=order, title=title,
                                      weight=w, due=due, milestone=bool(milestone))  # fmt: skip
    _roll_up(outcome)
    outcome.save(update_fields=["progress", "due"])
    record(actor=actor, action="outcome.task_add", obj=outcome, region=outcome.community,
           changes={"task": title, "weight": w, "due": due.isoformat()},
           event=Event("task_add", f"增加任务：{title}（权重{w}）"))  # fmt: skip
    return task


@transaction.atomic
def outcome_task_progress(
    *, actor: Actor, task_id: Any, progress: Any, note: str = "", outcome_id: Any = None
) -> OutcomeTask:
    """进展: a task's completion (0–100); at 100 it is done. The outcome's
    progress is the tasks' weighted mean; it starts with the first progress
    and is done when every task is."""
    actor.require("deliberation.outcome")
    task = (OutcomeTask.objects.select_for_update().filter(actor.scope_q(community="community"),
            pk=as_id(task_id)).first())  # fmt: skip
    if task is None or (outcome_id is not None and task.outcome_id != as_id(outcome_id)):
        raise NotFound("任务不存在，或不在您的管辖范围内。")
    outcome = (
        Outcome.objects.select_for_update()
        .select_related("community", "topic")
        .get(pk=task.outcome_id)
    )
    if outcome.status in (OutcomeState.DONE, OutcomeState.SHELVED):
        raise Conflict(f"该成果{OutcomeState(outcome.status).label}。")
    try:
        p = int(progress)
    except (TypeError, ValueError):
        raise ValidationError("完成度应为0到100的整数。", field="progress") from None
    if not 0 <= p <= 100:
        raise ValidationError("完成度应为0到100的整数。", field="progress")
    if p < task.progress:
        raise ValidationError(f"完成度不能低于已登记的{task.progress}%。", field="progress")
    note = text(note, field="note", label="进展说明", max_length=NOTE_MAX, required=False)
    before = task.progress
    task.progress = p
    task.status = TaskState.DONE if p == 100 else (TaskState.DOING if p else TaskState.TODO)
    task.done_at = timezone.now() if p == 100 else None
    task.save(update_fields=["progress", "status", "done_at"])
    _roll_up(outcome)
    before_status = outcome.status
    if outcome.status == OutcomeState.NOT_STARTED and outcome.progress > 0:
        outcome.status, outcome.started_at = OutcomeState.IN_PROGRESS, timezone.now()
    if not outcome.tasks.exclude(status=TaskState.DONE).exists():
        outcome.status, outcome.completed_at = OutcomeState.DONE, timezone.now()
        outcome.on_time = outcome.due is None or local_today() <= outcome.due
    outcome.save(
        update_fields=["progress", "due", "status", "started_at", "completed_at", "on_time"]
    )
    record(actor=actor, action="outcome.progress", obj=outcome, region=outcome.community,
           changes={"task": task.title, "progress": [before, p], "outcome_progress": str(outcome.progress),
                    "status": outcome.status},
           event=Event("progress", f"任务“{task.title}”完成{p}%，总进度{outcome.progress}%", note=note))  # fmt: skip
    if outcome.status != before_status:
        notify.outcome_changed(actor, outcome, "已完成，欢迎评价" if outcome.status == OutcomeState.DONE
                               else f"{OutcomeState(outcome.status).label}（进度{outcome.progress}%）")  # fmt: skip
    if outcome.status == OutcomeState.DONE:
        events.outcome_done.emit(events.OutcomeDone(actor=actor, outcome=outcome,
                                 result=f"经议事协商，{outcome.title}已完成。{note}".strip()))  # fmt: skip
    return task


@transaction.atomic
def outcome_shelve(*, actor: Actor, outcome_id: Any, reason: str) -> Outcome:
    """搁置, with a reason residents read."""
    outcome = _locked(actor, outcome_id)
    if outcome.status in (OutcomeState.DONE, OutcomeState.SHELVED):
        raise Conflict(f"该成果{OutcomeState(outcome.status).label}。")
    before = outcome.status
    outcome.reason = text(reason, field="reason", label="搁置原因", max_length=NOTE_MAX)
    outcome.status = OutcomeState.SHELVED
    outcome.save(update_fields=["reason", "status"])
    record(actor=actor, action="outcome.shelve", obj=outcome, region=outcome.community,
           changes={"status": [before, outcome.status]},
           event=Event("shelve", "搁置", from_state=before, note=outcome.reason))  # fmt: skip
    notify.outcome_changed(actor, outcome, f"已搁置：{outcome.reason[:60]}")
    return outcome


@transaction.atomic
def outcome_rate(*, actor: Actor, outcome_id: Any, rating: str, comment: str = "") -> OutcomeReview:
    """A resident who proposed, co-signed or voted rates the finished outcome once."""
    actor.require("deliberation.take_part")
    user = actor.require_user()
    outcome = locked_in_scope(actor, Outcome, outcome_id, "协商成果")
    if outcome.status != OutcomeState.DONE:
        raise Conflict("成果完成后才能评价。")
    if user.pk not in took_part([outcome.topic_id], user_id=user.pk)[outcome.topic_id]:
        raise PermissionDenied("只有提议、附议或参与表决的居民才能评价该成果。")
    if rating not in OutcomeRating.values:
        raise ValidationError("请选择评价：满意、基本满意或不满意。", field="rating")
    if OutcomeReview.objects.filter(outcome=outcome, user=user).exists():
        raise Conflict("您已经评价过了。")
    comment = text(comment, field="comment", label="评价意见", max_length=NOTE_MAX, required=False)
    review = OutcomeReview.objects.create(outcome=outcome, district_id=outcome.district_id,
                                          community_id=outcome.community_id, user=user, rating=rating,
                                          comment=comment, at=timezone.now())  # fmt: skip
    Outcome.objects.filter(pk=outcome.pk).update(
        ratings=F("ratings") + 1,
        satisfied=F("satisfied") + (1 if rating == OutcomeRating.SATISFIED else 0),
    )
    record(actor=actor, action="outcome.rate", obj=outcome, region=outcome.community,
           changes={"rating": rating}, event=Event("rate", f"居民评价：{OutcomeRating(rating).label}"))  # fmt: skip
    return review


def outcome_tasks_flag_overdue(actor: Actor | None = None) -> int:
    """``shequ tick``: mark tasks past their due date (once), tell the community."""
    actor = actor or Actor.for_command("shequ tick")
    today = local_today()
    late = list(OutcomeTask.objects.select_related("outcome", "community")
                .filter(due__lt=today, overdue_at__isnull=True).exclude(status=TaskState.DONE)
                .order_by("pk")[:500])  # fmt: skip
    now = timezone.now()
    for task in late:
        OutcomeTask.objects.filter(pk=task.pk).update(overdue_at=now)
        record(actor=actor, action="outcome.task_overdue", obj=task.outcome, region=task.community,
               changes={"task": task.title, "due": task.due.isoformat()},
               event=Event("task_overdue", f"任务“{task.title}”已超期"))  # fmt: skip
    return len(late)

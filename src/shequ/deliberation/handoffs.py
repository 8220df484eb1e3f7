"""An outcome's task carried out by a department through a whistle (吹哨):
the subscribers of the whistle's hooks (``shequ.whistles.whistle.events``),
connected in ``DeliberationConfig.ready()``. Whistles know no outcome.

The raise form opens from a task (``?outcome_task=<id>``) and hands the
whistle back here: the task is checked and locked (open, no whistle yet, of
the whistle's community), then linked and started; once the community
evaluates the whistle, the task is done with its result and the outcome's
progress rolls up."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from shequ.core.errors import Conflict, DomainError, NotFound, ValidationError
from shequ.core.history import Event, record
from shequ.core.scope import Actor
from shequ.deliberation.models import OutcomeState, OutcomeTask, TaskState
from shequ.deliberation.selectors import outcomes_in_scope
from shequ.deliberation.services import outcome_task_progress
from shequ.whistles.models import Whistle
from shequ.whistles.whistle import events
from shequ.whistles.whistle.services import whistle_raise

KIND = "outcome_task"


def _task(actor: Actor, raw: Any) -> OutcomeTask:
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        raise NotFound("要吹哨的成果任务不存在，或不在您的管辖范围内。") from None
    task = (
        OutcomeTask.objects.select_related(
            "outcome__community",
            "outcome__agenda_item",
            "outcome__topic__compound",
            "outcome__topic__building",
        )
        .filter(pk=pk, outcome__in=outcomes_in_scope(actor))
        .first()
    )
    if task is None:
        raise NotFound("要吹哨的成果任务不存在，或不在您的管辖范围内。")
    return task


def source(lookup: events.SourceLookup) -> events.Source | None:
    raw = lookup.params.get(KIND, "")
    if not raw:
        return None
    try:
        task = _task(lookup.actor, raw)
    except DomainError:
        raise NotFound("要吹哨的成果任务不存在，或不在您的管辖范围内。") from None
    outcome = task.outcome
    place = outcome.topic.building or outcome.topic.compound
    return events.Source(
        kind=KIND,
        kind_label="协商成果任务",
        pk=task.pk,
        number=outcome.topic.number,
        community_id=outcome.community_id,
        back_url=reverse("deliberation:outcome", args=[outcome.pk]),
        success_message="已吹哨，成果任务转由职能部门办理。",
        hand_off=lambda actor, fields: whistle_raise(
            actor=actor,
            community=outcome.community,
            place=place,
            sources={KIND: [task.pk]},
            **fields,
        ),
        prefill={
            "title": task.title,
            "description": f"经居民议事协商议定：{outcome.agenda_item.decision}\n任务：{task.title}"
            f"（{task.due:%Y年%m月%d日}前完成）",
            "place": place,
        },
    )


def claim(request: events.SourcesClaim) -> events.Claim | None:
    ids = request.sources.get(KIND)
    if not ids:
        return None
    tasks = list(
        OutcomeTask.objects.select_for_update().select_related("outcome").filter(pk__in=ids)
        .order_by("pk")
    )  # fmt: skip
    if len(tasks) != len(ids) or any(t.community_id != request.community.pk for t in tasks):
        raise ValidationError("成果任务不存在，或不属于本社区。", field="outcome_task")
    for task in tasks:
        if task.whistle_id is not None:
            raise Conflict(f"任务“{task.title}”已经吹哨。")
        if task.status == TaskState.DONE or task.outcome.status in (
            OutcomeState.DONE,
            OutcomeState.SHELVED,
        ):
            raise Conflict(f"任务“{task.title}”已完成或其成果已搁置，不能再吹哨。")
    return events.Claim(kind=KIND, numbers=tuple(t.outcome.title for t in tasks))


def raised(event: events.WhistleRaised) -> None:
    ids = event.sources.get(KIND) or []
    for task in OutcomeTask.objects.select_related("outcome", "community").filter(pk__in=ids):
        OutcomeTask.objects.filter(pk=task.pk).update(whistle=event.whistle, status=TaskState.DOING)
        record(actor=event.actor, action="outcome.task_whistle", obj=task.outcome, region=task.community,
               changes={"task": task.title, "whistle": event.whistle.number},
               event=Event("task_whistle", f"任务“{task.title}”吹哨：{event.whistle.number}"))  # fmt: skip


def evaluated(event: events.WhistleEvaluated) -> None:
    """The community evaluated the whistle: its tasks are done."""
    whistle = event.whistle
    waiting = OutcomeTask.objects.filter(whistle=whistle).exclude(status=TaskState.DONE)
    for task_id in waiting.order_by("pk").values_list("pk", flat=True):
        outcome_task_progress(actor=event.actor, task_id=task_id, progress=100,
                              note=f"吹哨 {whistle.number} 办结：{whistle.result}"[:500])  # fmt: skip


def origins(whistle: Whistle) -> list[events.Origin]:
    rows = (
        OutcomeTask.objects.filter(whistle=whistle).select_related("outcome__topic").order_by("pk")
    )
    return [
        events.Origin(kind=KIND, kind_label="协商成果任务", pk=t.pk, number=t.outcome.topic.number,
                      status_label=TaskState(t.status).label)
        for t in rows
    ]  # fmt: skip


def connect() -> None:
    events.whistle_source.subscribe(source)
    events.whistle_sources_claim.subscribe(claim)
    events.whistle_raised.subscribe(raised)
    events.whistle_evaluated.subscribe(evaluated)
    events.whistle_origins.subscribe(origins)

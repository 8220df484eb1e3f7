"""Deliberation's lines on the workbench: topics to review (审核), decisions
whose objections wait for an answer, outcome tasks past their due date;
alerts: review past its deadline. A resident's: finished outcomes to rate."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from django.db.models import Count, Min, Q
from django.urls import reverse

from shequ.core.registry import ToDo, ToDoItem, ToDoProvider
from shequ.core.scope import Actor
from shequ.core.workdays import local_today
from shequ.deliberation.models import Objection, OutcomeState, OutcomeTask, TaskState, TopicState
from shequ.deliberation.selectors import outcome_q, resident_board, topic_q, topics_in_scope
from shequ.deliberation.selectors import own_resident as resident_of


def _url(name: str, **params: object) -> str:
    return f"{reverse(name)}?{urlencode(params)}" if params else reverse(name)


def _lines(actor: Actor) -> list[ToDo]:
    today = local_today()
    waiting = Q(status=TopicState.REVIEW)
    late = waiting & Q(review_due__lt=today)
    row = topics_in_scope(actor).filter(waiting).aggregate(
        waiting=Count("pk"), due=Min("review_due"), late=Count("pk", filter=late),
        late_due=Min("review_due", filter=late),
    )  # fmt: skip
    tasks = (
        OutcomeTask.objects.filter(outcome_q(actor, "outcome__"), due__lt=today)
        .exclude(status=TaskState.DONE)
        .exclude(outcome__status=OutcomeState.SHELVED)
    )
    late_tasks = tasks.aggregate(n=Count("pk"), due=Min("due"))
    lines = []
    if "deliberation.review" in actor.permissions:
        lines.append(ToDo("议题待审核", row["waiting"], _url("deliberation:topics", status="review"),
                          "urgent" if row["late"] else "warning", due=row["due"]))  # fmt: skip
    if "deliberation.meet" in actor.permissions:
        objections = Objection.objects.filter(
            topic_q(actor, "item__topic__"), answered_at__isnull=True
        ).count()
        lines.append(ToDo("协商结果公示异议待答复", objections, _url("deliberation:meetings")))
    lines += [
        ToDo("议题审核已超期", row["late"], _url("deliberation:topics", overdue="on"), "urgent",
             kind="alert", due=row["late_due"]),
        ToDo("协商成果任务超期", late_tasks["n"], _url("deliberation:outcomes", overdue="on"), "urgent",
             kind="alert", due=late_tasks["due"]),
    ]  # fmt: skip
    return lines


def _items(actor: Actor, limit: int) -> list[ToDoItem]:
    rows = (
        topics_in_scope(actor)
        .filter(status=TopicState.REVIEW)
        .only("pk", "number", "title", "review_due")
        .order_by("review_due", "id")[:limit]
    )
    return [
        ToDoItem(
            f"议题 {t.number} {t.title}", reverse("deliberation:topic", args=[t.pk]), t.review_due
        )
        for t in rows
    ]


def _overdue_by_community(actor: Actor) -> Mapping[int, int]:
    rows = (
        topics_in_scope(actor)
        .filter(status=TopicState.REVIEW, review_due__lt=local_today())
        .values("community_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["community_id"]: r["n"] for r in rows}


def _own_lines(actor: Actor) -> list[ToDo]:
    """A resident: open votes to cast, topics to co-sign, outcomes to rate."""
    resident = resident_of(actor=actor)
    if resident is None:
        return []
    board = resident_board(actor=actor, resident=resident)
    mine = reverse("deliberation:mine")
    return [
        ToDo(
            "社区协商待表决",
            len([v for v in board.votes if v.pk not in board.voted]),
            mine,
            "warning",
        ),
        ToDo("协商成果待评价", len(board.can_rate - board.rated), mine),
    ]


PROVIDERS = [
    ToDoProvider("deliberation", "deliberation.view", _lines, items=_items,
                 overdue_by_community=_overdue_by_community),
    ToDoProvider("deliberation.own", "deliberation.take_part", _own_lines),
]  # fmt: skip

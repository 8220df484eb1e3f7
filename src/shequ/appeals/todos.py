"""Appeals' lines on the workbench: appeals to triage (分办) and the ones the
worker owns (首接负责); alerts: triage past its deadline."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from django.db.models import Count, Min, Q
from django.urls import reverse

from shequ.appeals.models import Appeal, AppealState
from shequ.appeals.selectors import appeals_in_scope
from shequ.core.registry import ToDo, ToDoItem, ToDoProvider
from shequ.core.scope import Actor
from shequ.core.words import gist
from shequ.core.workdays import local_today


def _list_url(**params: object) -> str:
    return f"{reverse('appeals:list')}?{urlencode(params)}"


def _lines(actor: Actor) -> list[ToDo]:
    today = local_today()
    user_id = actor.user.pk if actor.user is not None else 0
    waiting = Q(status=AppealState.SUBMITTED)
    late = waiting & Q(triage_due__lt=today)
    mine = Q(status=AppealState.HANDLING, owner_id=user_id)
    waiting_or_owned = (AppealState.SUBMITTED, AppealState.HANDLING)
    row = (
        appeals_in_scope(actor)
        .filter(status__in=waiting_or_owned)
        .aggregate(
            waiting=Count("pk", filter=waiting),
            waiting_due=Min("triage_due", filter=waiting),
            late=Count("pk", filter=late),
            late_due=Min("triage_due", filter=late),
            mine=Count("pk", filter=mine),
        )
    )
    lines = []
    if "appeal.triage" in actor.permissions:
        lines += [
            ToDo(
                "居民诉求待分办",
                row["waiting"],
                _list_url(status=AppealState.SUBMITTED),
                "urgent" if row["late"] else "warning",
                due=row["waiting_due"],
            ),
            ToDo("我首接负责的诉求", row["mine"], _list_url(status="handling", mine="on")),
        ]
    lines.append(
        ToDo(
            "诉求分办已超期",
            row["late"],
            _list_url(overdue="on"),
            "urgent",
            kind="alert",
            due=row["late_due"],
        )
    )
    return lines


def _items(actor: Actor, limit: int) -> list[ToDoItem]:
    rows = (
        appeals_in_scope(actor)
        .filter(status=AppealState.SUBMITTED)
        .only("pk", "number", "category", "description", "triage_due")
        .order_by("triage_due", "id")[:limit]
    )
    return [
        ToDoItem(
            f"诉求 {a.number} {a.get_category_display()}：{gist(a.description, 16)}",
            reverse("appeals:detail", args=[a.pk]),
            a.triage_due,
        )
        for a in rows
    ]


def _overdue_by_community(actor: Actor) -> Mapping[int, int]:
    rows = (
        appeals_in_scope(actor)
        .filter(status=AppealState.SUBMITTED, triage_due__lt=local_today())
        .values("community_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["community_id"]: r["n"] for r in rows}


def _own_lines(actor: Actor) -> list[ToDo]:
    """A resident's own appeals closed and not yet rated (评价 or reopen)."""
    user_id = actor.user.pk if actor.user is not None else 0
    count = Appeal.objects.filter(
        resident__user_id=user_id, status=AppealState.CLOSED, rated_at__isnull=True
    ).count()
    return [ToDo("我的诉求已办结，待评价", count, reverse("appeals:mine"))]


PROVIDERS = [
    ToDoProvider(
        "appeals",
        "appeal.view",
        _lines,
        items=_items,
        overdue_by_community=_overdue_by_community,
    ),
    ToDoProvider("appeals.own", "appeal.self", _own_lines),
]

"""The desk's lines on the workbench (待办 / 预警), registered in ``ready()``.

Cases: online applications to accept, the worker's own running cases,
容缺 materials due; alerts: the scope's overdue and near-deadline cases.
Rectifications (整改): to rectify and to call back. Each provider counts its
lines in one aggregate query over indexed columns and lists its nearest
deadlines in one more.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from django.db.models import Count, Min, Q
from django.urls import reverse

from shequ.core.registry import ToDo, ToDoItem, ToDoProvider
from shequ.core.scope import Actor
from shequ.core.workdays import local_today
from shequ.desk.cases.selectors import (
    cases_in_scope,
    notice_list,
    rectifications_in_scope,
)
from shequ.desk.models import (
    CLOCK_RUNNING,
    DONE_STATES,
    OPEN_STATES,
    Case,
    CaseState,
    RectificationState,
)


def _cases_url(**params: object) -> str:
    return f"{reverse('services:case_list')}?{urlencode(params)}"


def _case_lines(actor: Actor) -> list[ToDo]:
    today = local_today()
    user_id = actor.user.pk if actor.user is not None else 0
    running = Q(status__in=CLOCK_RUNNING)
    mine = running & Q(accepted_by_id=user_id)
    overdue = running & Q(due_date__lt=today)
    near = running & Q(due_date__gte=today, warn70_on__lte=today)
    supplement = Q(status__in=OPEN_STATES, materials_complete=False, supplement_by__isnull=False)
    submitted = Q(status=CaseState.SUBMITTED)
    # Every line counts open cases: the partial index ``case_open_workbench``
    # holds them alone, however many finished cases the scope has. The
    # actor's own lines are counted only for those who accept cases.
    counts = {
        "overdue": Count("pk", filter=overdue),
        "overdue_due": Min("due_date", filter=overdue),
        "near": Count("pk", filter=near),
        "near_due": Min("due_date", filter=near),
    }
    accepts = "case.accept" in actor.permissions
    if accepts:
        own_supplement = supplement & Q(accepted_by_id=user_id)
        counts |= {
            "submitted": Count("pk", filter=submitted),
            "mine": Count("pk", filter=mine),
            "mine_overdue": Count("pk", filter=mine & Q(due_date__lt=today)),
            "mine_due": Min("due_date", filter=mine),
            "supplement": Count("pk", filter=own_supplement),
            "supplement_due": Min("supplement_by", filter=own_supplement),
        }
    row = cases_in_scope(actor).filter(status__in=OPEN_STATES).aggregate(**counts)
    lines = []
    if accepts:
        lines += [
            ToDo("网上申请待受理", row["submitted"], reverse("services:submitted"), "warning"),
            ToDo(
                "我受理的在办件",
                row["mine"],
                reverse("services:my_cases"),
                "urgent" if row["mine_overdue"] else "info",
                due=row["mine_due"],
            ),
            ToDo(
                "容缺材料待补齐",
                row["supplement"],
                reverse("services:my_cases"),
                "warning",
                due=row["supplement_due"],
            ),
        ]
    lines += [
        ToDo(
            "办件已超期",
            row["overdue"],
            _cases_url(status="open", level="overdue"),
            "urgent",
            kind="alert",
            due=row["overdue_due"],
        ),
        ToDo(
            "办件临近期限",
            row["near"],
            _cases_url(status="open", level="warned"),
            "warning",
            kind="alert",
            due=row["near_due"],
        ),
    ]
    return lines


def _case_items(actor: Actor, limit: int) -> list[ToDoItem]:
    """The actor's own running cases (a worker), or the scope's overdue ones
    (a secretary, a street officer), nearest deadline first."""
    today = local_today()
    qs = cases_in_scope(actor).filter(status__in=CLOCK_RUNNING)
    if "case.accept" in actor.permissions and actor.user is not None:
        qs = qs.filter(accepted_by=actor.user)
    else:
        qs = qs.filter(due_date__lt=today)
    rows = qs.select_related("item").only("pk", "receipt_no", "due_date", "item__name")
    return [
        ToDoItem(
            f"办件 {c.receipt_no} {c.item.name}",
            reverse("services:case", args=[c.pk]),
            c.due_date,
        )
        for c in rows.order_by("due_date", "id")[:limit]
    ]


def _case_overdue_by_community(actor: Actor) -> Mapping[int, int]:
    rows = (
        cases_in_scope(actor)
        .filter(status__in=CLOCK_RUNNING, due_date__lt=local_today())
        .values("community_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["community_id"]: r["n"] for r in rows}


def _rectification_lines(actor: Actor) -> list[ToDo]:
    today = local_today()
    open_ = Q(status=RectificationState.OPEN)
    rectified = Q(status=RectificationState.RECTIFIED)
    row = (
        rectifications_in_scope(actor)
        .filter(status__in=(RectificationState.OPEN, RectificationState.RECTIFIED))
        .aggregate(
            open=Count("pk", filter=open_),
            open_overdue=Count("pk", filter=open_ & Q(due_date__lt=today)),
            open_due=Min("due_date", filter=open_),
            rectified=Count("pk", filter=rectified),
        )
    )
    url = reverse("services:rectifications")
    held = actor.permissions
    lines = []
    if "rectification.handle" in held:
        lines.append(
            ToDo(
                "差评待整改",
                row["open"],
                url,
                "urgent" if row["open_overdue"] else "warning",
                due=row["open_due"],
            )
        )
    if "rectification.follow_up" in held:
        lines.append(ToDo("整改后待回访", row["rectified"], url, "info"))
    return [
        *lines,
        ToDo(
            "整改已超期",
            row["open_overdue"],
            url,
            "urgent",
            kind="alert",
            due=row["open_due"] if row["open_overdue"] else None,
        ),
    ]


def _rectification_items(actor: Actor, limit: int) -> list[ToDoItem]:
    rows = (
        rectifications_in_scope(actor)
        .filter(status=RectificationState.OPEN)
        .select_related("case")
        .only("pk", "due_date", "case__receipt_no")
        .order_by("due_date", "id")[:limit]
    )
    return [
        ToDoItem(
            f"整改 {r.case.receipt_no}",
            reverse("services:rectification", args=[r.pk]),
            r.due_date,
            "差评整改",
        )
        for r in rows
    ]


def _rectification_overdue_by_community(actor: Actor) -> Mapping[int, int]:
    rows = (
        rectifications_in_scope(actor)
        .filter(status=RectificationState.OPEN, due_date__lt=local_today())
        .values("community_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["community_id"]: r["n"] for r in rows}


def _notice_lines(actor: Actor) -> list[ToDo]:
    """Open notices whose item's materials list changed since: the applicant
    was told an old list and must be told the new one (重新告知)."""
    count = notice_list(actor=actor, outdated=True).count()
    url = f"{reverse('services:notices')}?outdated=1"
    return [ToDo("告知单须按新清单重新告知", count, url, "warning")]


def _own_lines(actor: Actor) -> list[ToDo]:
    """A resident's own applications: materials to supply, results to rate."""
    user_id = actor.user.pk if actor.user is not None else 0
    supplement = Q(status=CaseState.SUPPLEMENT)
    unrated = Q(status__in=DONE_STATES, review__isnull=True)
    row = Case.objects.filter(resident__user_id=user_id).aggregate(
        supplement=Count("pk", filter=supplement),
        unrated=Count("pk", filter=unrated),
    )
    url = reverse("services:my_applications")
    return [
        ToDo("我的申请待补正材料", row["supplement"], url, "warning"),
        ToDo("我的申请已办结，待评价", row["unrated"], url),
    ]


PROVIDERS = [
    ToDoProvider(
        "desk.cases",
        "case.view",
        _case_lines,
        items=_case_items,
        overdue_by_community=_case_overdue_by_community,
    ),
    ToDoProvider(
        "desk.rectifications",
        "case.view",
        _rectification_lines,
        items=_rectification_items,
        overdue_by_community=_rectification_overdue_by_community,
    ),
    ToDoProvider("desk.notices", "case.accept", _notice_lines),
    ToDoProvider("desk.own", "case.apply", _own_lines),
]

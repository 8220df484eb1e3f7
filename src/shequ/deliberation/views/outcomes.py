"""协商成果 pages: the list (a department's liaison sees those addressed to
its department) and an outcome with its owner, weighted tasks, progress,
shelving, and a task handed to a department by whistle."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from shequ.core.http import requires
from shequ.core.submit import int_or_none, local_date, posted, write
from shequ.core.workdays import local_today
from shequ.deliberation import selectors, services
from shequ.deliberation.models import OutcomeState, OwnerKind, TaskState


@require_GET
@requires("deliberation.view")
def outcome_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    filters = selectors.OutcomeFilters(
        status=g.get("status", "")[:16] if g.get("status") in OutcomeState.values else "",
        category=g.get("category", "")[:30],
        overdue=g.get("overdue") == "on",
        region_id=int_or_none(g.get("region")),
    )
    rows = selectors.outcome_list(actor=request.actor, filters=filters)
    page = Paginator(rows, settings.SHEQU_PAGE_SIZE).get_page(g.get("page"))
    query = g.copy()
    query.pop("page", None)
    return render(
        request,
        "deliberation/outcomes.html",
        {
            "page": page,
            "filters": filters,
            "states": OutcomeState.choices,
            "query": query.urlencode(),
        },
    )


def _detail_page(
    request: HttpRequest, outcome_id: int, *, status: int = 200, error: str = ""
) -> HttpResponse:
    actor = request.actor
    outcome = selectors.outcome_get(actor=actor, outcome_id=outcome_id)
    managing = (
        actor.can("deliberation.outcome")
        and actor.covers(outcome.community)
        and outcome.status not in (OutcomeState.DONE, OutcomeState.SHELVED)
    )
    today = local_today()
    tasks = list(outcome.tasks.all())
    for task in tasks:
        task.late = task.status != TaskState.DONE and task.due < today
    return render(
        request,
        "deliberation/outcome.html",
        {
            "outcome": outcome,
            "tasks": tasks,
            "managing": managing,
            "can_whistle": managing and actor.can("whistle.raise"),
            "owner_kinds": OwnerKind.choices,
            "departments": selectors.departments(district_id=outcome.district_id)
            if managing
            else [],
            "units": selectors.units(district_id=outcome.district_id) if managing else [],
            "timeline": list(selectors.outcome_timeline(outcome=outcome)),
            "error": error,
            "posted": request.POST if error else {},
        },
        status=status,
    )


@require_GET
@requires("deliberation.view")
def outcome_detail(request: HttpRequest, outcome_id: int) -> HttpResponse:
    return _detail_page(request, outcome_id)


def _outcome_write(
    request: HttpRequest, outcome_id: int, action: str, call, done: str
) -> HttpResponse:
    return write(request, action=action, call=call, done=done, page=_detail_page,
                 page_args=(outcome_id,), to="deliberation:outcome", to_args=(outcome_id,))  # fmt: skip


@require_POST
@requires("deliberation.outcome")
def outcome_edit(request: HttpRequest, outcome_id: int) -> HttpResponse:
    """明确责任方 / 增加任务 / 搁置."""
    actor = request.actor
    step = posted(request, "step", 10)
    calls = {
        "assign": (lambda: services.outcome_assign(
            actor=actor, outcome_id=outcome_id, owner_kind=posted(request, "owner_kind", 16),
            owner_name=posted(request, "owner_name", 120),
            department_id=request.POST.get("department_id"), unit_id=request.POST.get("unit_id"),
        ), "outcome.assign", "已明确责任方。"),
        "task": (lambda: services.outcome_task_add(
            actor=actor, outcome_id=outcome_id, title=posted(request, "title", 100),
            weight=posted(request, "weight", 5), due=local_date(request.POST.get("due")),
            milestone=request.POST.get("milestone") == "on",
        ), "outcome.task_add", "已增加任务。"),
        "shelve": (lambda: services.outcome_shelve(
            actor=actor, outcome_id=outcome_id, reason=posted(request, "reason"),
        ), "outcome.shelve", "已搁置，原因已公开。"),
    }  # fmt: skip
    if step not in calls:
        return _detail_page(request, outcome_id, status=422, error="请选择操作。")
    call, action, done = calls[step]
    return _outcome_write(request, outcome_id, action, call, done)


@require_POST
@requires("deliberation.outcome")
def task_progress(request: HttpRequest, outcome_id: int, task_id: int) -> HttpResponse:
    return _outcome_write(
        request,
        outcome_id,
        "outcome.progress",
        lambda: services.outcome_task_progress(
            actor=request.actor,
            task_id=task_id,
            outcome_id=outcome_id,
            progress=posted(request, "progress", 5),
            note=posted(request, "note"),
        ),
        "已登记进展。",
    )

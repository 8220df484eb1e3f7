"""Pages of whistles (吹哨报到): the scoped list (with the scorecard's
drill-down filters), one whistle with its action forms, the raise form (from
scratch or from an appeal's triage) and the department scorecard. Each view
parses, calls one service or selector, renders; refusals are shown in Chinese
and audited."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from shequ.core.categories import IssueCategory
from shequ.core.errors import DomainError, ValidationError
from shequ.core.formtokens import once
from shequ.core.http import error_page, refusal, requires
from shequ.core.workflow import timeline_for
from shequ.whistles.bodies import selectors as body_selectors
from shequ.whistles.models import WhistleEvaluation, WhistleState, WhistleUrgency
from shequ.whistles.scope import is_liaison
from shequ.whistles.whistle import events, selectors
from shequ.whistles.whistle.services import (
    WHISTLE_FLOW,
    escalation_notice_read,
    whistle_raise,
    whistle_rule_set,
)
from shequ.whistles.whistle.services.flow import ACTIONS


@requires("whistle.view")
def whistle_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    g = request.GET
    error = ""
    try:
        rows = selectors.whistle_list(
            actor=actor,
            status=g.get("status", ""),
            community_id=g.get("community", ""),
            department_id=g.get("department", ""),
            month=g.get("month", ""),
            figure=g.get("figure", ""),
            escalated=g.get("escalated") == "1",
        )
    except DomainError as e:
        error, rows = e.message, selectors.whistle_list(actor=actor)
    page = Paginator(rows, settings.SHEQU_PAGE_SIZE).get_page(g.get("page"))
    query = g.copy()
    query.pop("page", None)
    return render(
        request,
        "whistles/whistle/list.html",
        {
            "page": page,
            "query": query.urlencode(),
            "error": error,
            "states": WhistleState.choices,
            "status": g.get("status", ""),
            "communities": selectors.filter_communities(actor=actor),
            "departments": selectors.filter_departments(actor=actor),
            "community": g.get("community", ""),
            "department": g.get("department", ""),
            "can_raise": actor.can("whistle.raise"),
            "can_score": actor.can("scorecard.view"),
            "can_rules": actor.can("department.manage"),
            "notices": selectors.escalation_notices(actor=actor),
            "unread": selectors.unread_notice_count(actor=actor),
            "can_read_notices": is_liaison(actor),
        },
        status=400 if error else 200,
    )


def _detail(request: HttpRequest, whistle_id: int, *, status: int = 200) -> HttpResponse:
    actor = request.actor
    whistle = selectors.whistle_get(actor=actor, whistle_id=whistle_id)
    actions = {t.action: t for t in WHISTLE_FLOW.available(whistle, actor)}
    return render(
        request,
        "whistles/whistle/detail.html",
        {
            "w": whistle,
            "cooperating": list(whistle.cooperating.all()),
            "origins": events.origins_of(whistle),
            "timeline": list(timeline_for(whistle)),
            "actions": actions,
            "departments": list(selectors.department_choices(actor=actor))
            if "reassign" in actions
            else [],
            "evaluations": WhistleEvaluation.choices,
        },
        status=status,
    )


@requires("whistle.view")
def whistle_detail(request: HttpRequest, whistle_id: int) -> HttpResponse:
    return _detail(request, whistle_id)


_FIELDS = {
    "report_in": ("responsible_name",),
    "start": ("note",),
    "resolve": ("result",),
    "dispute": ("reason",),
    "reassign": ("department_id", "note"),
    "evaluate": ("evaluation", "comment"),
    "close": ("note",),
}


@require_POST
@requires("whistle.view")
def whistle_act(request: HttpRequest, whistle_id: int) -> HttpResponse:
    action = request.POST.get("action", "")
    with refusal(request, action=f"whistle.{action or 'act'}", flash=True) as refused:
        if action not in ACTIONS:
            raise ValidationError("请选择要执行的操作。", field="action")
        data = {name: request.POST.get(name, "") for name in _FIELDS[action]}
        done = ACTIONS[action](actor=request.actor, whistle_id=whistle_id, **data)  # type: ignore[operator]
    if refused.error is not None:
        if refused.status in (403, 404):
            return error_page(request, refused.error)
        return _detail(request, whistle_id, status=refused.status)
    messages.success(request, f"{WHISTLE_FLOW.get(action).label}：已完成。")
    return redirect("whistles:whistle", whistle_id=done.pk)


@require_POST
@requires("whistle.view")
def notice_read(request: HttpRequest, notice_id: int) -> HttpResponse:
    """A department liaison marks a 督办通知 read."""
    with refusal(request, action="whistle.notice_read", flash=True) as refused:
        escalation_notice_read(actor=request.actor, notice_id=notice_id)
    if refused.error is not None:
        return error_page(request, refused.error)
    messages.success(request, "督办通知已标记为已读。")
    return redirect("whistles:list")


@require_http_methods(["GET", "POST"])
@requires("whistle.raise")
@once
def whistle_new(request: HttpRequest) -> HttpResponse:
    """吹哨 from scratch, or from a record another app hands over (``?appeal=<id>``:
    the appeal's triage; see ``events.whistle_source``)."""
    actor = request.actor
    source = None
    error = ""
    status = 200
    try:
        source = events.source_for(actor=actor, params=request.POST.dict() | request.GET.dict())
    except DomainError as e:
        error, status = e.message, e.status
    communities = list(body_selectors.communities(actor=actor))
    prefill = source.prefill if source else {}
    values: dict[str, Any] = {
        "title": prefill.get("title", ""),
        "description": prefill.get("description", ""),
        "category": prefill.get("category", ""),
        "address": prefill.get("address", ""),
        "urgency": WhistleUrgency.NORMAL,
        "community": str(source.community_id if source else ""),
        "place": "",
        "lead_department_id": "",
        "cooperating_ids": [],
    }
    if request.method == "POST" and status == 200:
        p = request.POST
        values.update({k: p.get(k, "") for k in values if k != "cooperating_ids"})
        values["cooperating_ids"] = p.getlist("cooperating_ids")
        fields = {k: values[k] for k in values if k not in ("community", "place")}
        with refusal(request, action="whistle.raise") as refused:
            if source is not None:
                source.hand_off(actor, fields)
                messages.success(request, source.success_message)
                return redirect(source.back_url)
            community = next((c for c in communities if str(c.pk) == values["community"]), None)
            place = None
            if values["place"]:
                place = selectors.place_get(actor=actor, place_id=values["place"])
            elif community is None:
                raise ValidationError("请选择社区，或选择小区。", field="community")
            whistle = whistle_raise(actor=actor, community=community, place=place, **fields)
            messages.success(request, f"已吹哨，编号 {whistle.number}。")
            return redirect("whistles:whistle", whistle_id=whistle.pk)
        if refused:
            status = refused.status
            error = refused.error.message
    return render(
        request,
        "whistles/whistle/new.html",
        {
            "source": source,
            "values": values,
            "error": error,
            "communities": communities,
            "places": selectors.place_choices(actor=actor) if source is None else [],
            "departments": list(selectors.department_choices(actor=actor)),
            "categories": IssueCategory.choices,
            "urgencies": WhistleUrgency.choices,
        },
        status=status,
    )


@requires("scorecard.view")
def scorecard(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    error = ""
    try:
        month, rows = selectors.scorecard(actor=actor, month=request.GET.get("month", ""))
    except DomainError as e:
        error = e.message
        month, rows = selectors.scorecard(actor=actor)
    return render(
        request,
        "whistles/whistle/scorecard.html",
        {
            "month": month,
            "ranked": [r for r in rows if r.rank is not None],
            "unranked": [r for r in rows if r.rank is None],
            "min_whistles": selectors.scorecard_min_whistles(),
            "error": error,
        },
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@requires("department.manage")
def rules(request: HttpRequest) -> HttpResponse:
    """吹哨时限规则: the district admin sets each category's deadlines."""
    actor = request.actor
    error, field, status, posted = "", "", 200, {}
    if request.method == "POST":
        posted = {k: request.POST.get(k, "") for k in RULE_FIELDS}
        with refusal(request, action="whistle.rule_set") as refused:
            rule = whistle_rule_set(actor=actor, **posted)
            messages.success(request, f"已保存“{IssueCategory(rule.category).label}”的时限。")
            return redirect("whistles:rules")
        if refused:
            status = refused.status
            error, field = refused.error.message, refused.error.field or ""
    return render(
        request,
        "whistles/whistle/rules.html",
        {"rows": selectors.whistle_rules(actor=actor), "error": error, "field": field,
         "posted": posted},
        status=status,
    )  # fmt: skip


RULE_FIELDS = ("category", "urgent_report_hours", "normal_report_days", "resolve_days")

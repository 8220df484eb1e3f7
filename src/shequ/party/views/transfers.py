"""组织关系接转 pages: the list with its overdue badge, a request (the form
follows the kind: 转入 finds the resident by ID number, 转出 and 区内转移
choose an active member), one transfer with its timeline and the actions
the workflow offers the actor, and the printed introduction letter."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.core.errors import ValidationError
from shequ.core.formtokens import once
from shequ.core.http import error_page, refusal, requires
from shequ.core.submit import int_or_none, local_date, posted, write
from shequ.core.workdays import local_today
from shequ.core.workflow import timeline_for
from shequ.party.models import (
    HELD_HERE,
    Relation,
    Standing,
    TransferKind,
    TransferReason,
    TransferState,
)
from shequ.party.selectors import members as member_selectors
from shequ.party.selectors import transfers as selectors
from shequ.party.services import transfers as services

ACTIONS = {
    "approve": lambda actor, pk, request: services.transfer_approve(
        actor=actor, transfer_id=pk, note=posted(request, "note", 400)
    ),
    "complete": lambda actor, pk, request: services.transfer_complete(
        actor=actor, transfer_id=pk, note=posted(request, "note", 400)
    ),
    "return": lambda actor, pk, request: services.transfer_return(
        actor=actor, transfer_id=pk, reason=posted(request, "reason", 400)
    ),
}
# Each action's audit code, literal (the audit registry is checked against them).
ACTION_CODES = {
    "approve": "transfer.approve",
    "complete": "transfer.complete",
    "return": "transfer.return",
}


@require_GET
@requires("party.members")
def transfer_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    filters = {
        "status": g.get("status", "")[:16],
        "kind": g.get("kind", "")[:24],
        "reason": g.get("reason", "")[:16],
        "year": int_or_none(g.get("year", "")[:4]),
        "overdue": g.get("overdue") == "on",
    }
    rows = selectors.transfer_list(actor=request.actor, **filters)
    page = Paginator(rows, settings.SHEQU_PAGE_SIZE).get_page(g.get("page"))
    query = g.copy()
    query.pop("page", None)
    return render(
        request,
        "party/transfers/list.html",
        {
            "page": page,
            "filters": filters,
            "states": TransferState.choices,
            "kinds": TransferKind.choices,
            "reasons": TransferReason.choices,
            "query": query.urlencode(),
            "can_request": "party.member_manage" in request.actor.permissions,
        },
    )


def _kind(request: HttpRequest) -> str:
    raw = request.POST.get("kind") or request.GET.get("kind") or ""
    if raw in TransferKind.values:
        return raw
    return TransferKind.WITHIN if request.GET.get("member") else TransferKind.IN


def _create_page(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    actor = request.actor
    kind = _kind(request)
    context: dict = {
        "kind": kind,
        "kinds": TransferKind.choices,
        "reasons": TransferReason.choices,
        "error": error,
        "posted": request.POST if error else {},
        "picked_member": int_or_none(request.POST.get("member") or request.GET.get("member")),
    }
    if kind == TransferKind.IN:
        id_number = (request.GET.get("id_number") or request.POST.get("id_number") or "")[:24]
        found, lookup_error = None, ""
        if id_number:
            try:
                found = member_selectors.resident_by_id_number(actor=actor, id_number=id_number)
            except ValidationError as refused:
                lookup_error = refused.message
            else:
                if found is None:
                    lookup_error = "您管辖的社区居民档案中没有这个身份证号，请先在居民档案中登记。"
        context |= {
            "id_number": id_number,
            "found": found,
            "lookup_error": lookup_error,
            "orgs": selectors.receiving_orgs(actor=actor, community_id=found.community_id)
            if found is not None
            else [],
            "standings": Standing.choices,
            "relations": [(r.value, r.label) for r in Relation if r in HELD_HERE],
            "today": local_today(),
        }
    else:
        context["members"] = list(selectors.member_choices(actor=actor, kind=kind))
        if kind == TransferKind.WITHIN:
            context["orgs"] = selectors.receiving_orgs(actor=actor)
    return render(request, "party/transfers/new.html", context, status=status)


@require_http_methods(["GET", "POST"])
@requires("party.member_manage")
@once
def transfer_create(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _create_page(request)
    p = request.POST
    return write(
        request,
        action="transfer.request",
        call=lambda: services.transfer_request(
            actor=request.actor,
            kind=_kind(request),
            reason=posted(request, "reason", 16),
            resident_id=int_or_none(p.get("resident")),
            member_id=int_or_none(p.get("member")),
            to_org_id=int_or_none(p.get("to_org")),
            to_org_name=posted(request, "to_org_name", 120),
            from_org_name=posted(request, "from_org_name", 120),
            incoming_letter_number=posted(request, "incoming_letter_number", 60),
            standing=posted(request, "standing", 16),
            probation_ends_on=local_date(p.get("probation_ends_on")),
            joined_on=local_date(p.get("joined_on")),
            relation=posted(request, "relation", 16),
            note=posted(request, "note", 400),
        ),
        done=lambda t: f"已提交组织关系接转，介绍信编号 {t.number}。",
        page=_create_page,
        to=lambda t: reverse("party:transfer", args=[t.pk]),
    )


def _detail_page(
    request: HttpRequest, transfer_id: int, *, status: int = 200, error: str = ""
) -> HttpResponse:
    actor = request.actor
    transfer = selectors.transfer_get(actor=actor, transfer_id=transfer_id)
    sides = [org for org in (transfer.from_org, transfer.to_org) if org is not None]
    return render(
        request,
        "party/transfers/detail.html",
        {
            "t": transfer,
            "actions": {a.action: a for a in services.TRANSFER_FLOW.available(transfer, actor)},
            "timeline": list(timeline_for(transfer)),
            "can_print": actor.can("party.member_manage")
            and transfer.status != TransferState.RETURNED
            and any(actor.covers(org.region) for org in sides),
            "error": error,
            "posted": request.POST if error else {},
        },
        status=status,
    )


@require_GET
@requires("party.members")
def transfer_detail(request: HttpRequest, transfer_id: int) -> HttpResponse:
    return _detail_page(request, transfer_id)


@require_POST
@requires("party.member_manage")
def transfer_act(request: HttpRequest, transfer_id: int) -> HttpResponse:
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        return error_page(request, ValidationError("请选择要执行的操作。", field="action"))
    label = services.TRANSFER_FLOW.get(action).label
    return write(
        request,
        action=ACTION_CODES[action],
        call=lambda: ACTIONS[action](request.actor, transfer_id, request),
        done=f"已{label}。",
        page=_detail_page,
        page_args=(transfer_id,),
        to="party:transfer",
        to_args=(transfer_id,),
    )


@require_GET
@requires("party.member_manage")
def transfer_letter(request: HttpRequest, transfer_id: int) -> HttpResponse:
    """介绍信 PDF: each print is recorded (the ID number is printed in clear)."""
    with refusal(request, action="transfer.letter_print") as refused:
        transfer, content = services.transfer_letter_print(
            actor=request.actor, transfer_id=transfer_id
        )
    if refused.error is not None:
        return error_page(request, refused.error)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f"inline; filename*=UTF-8''{quote(f'组织关系介绍信_{transfer.number}.pdf')}"
    )
    response["Cache-Control"] = "no-store"
    return response

"""党员 pages: the register of the actor's organisations, enrolling a
resident of the register, one member with their seats, the facts that may
change without a transfer, 转正, and a resident's own membership."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.core.errors import ValidationError
from shequ.core.formtokens import once
from shequ.core.http import requires
from shequ.core.submit import int_or_none, local_date, posted, write
from shequ.core.workdays import local_today
from shequ.party.models import MemberStatus, Relation, Standing
from shequ.party.selectors import members as selectors
from shequ.party.selectors import orgs as org_selectors
from shequ.party.selectors.reporting import needs_for_member
from shequ.party.services import members as services
from shequ.whistles.models import Unit


@require_GET
@requires("party.members")
def member_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    filters = selectors.MemberFilters(
        org_id=int_or_none(g.get("org")),
        standing=g.get("standing", "")[:16],
        relation=g.get("relation", "")[:16],
        status=g.get("status", MemberStatus.ACTIVE)[:16],
        q=g.get("q", "")[:40],
    )
    rows = selectors.member_list(actor=request.actor, filters=filters)
    page = Paginator(rows, settings.SHEQU_PAGE_SIZE).get_page(g.get("page"))
    query = g.copy()
    query.pop("page", None)
    return render(
        request,
        "party/members/list.html",
        {
            "page": page,
            "filters": filters,
            "orgs": list(org_selectors.member_orgs(actor=request.actor)),
            "standings": Standing.choices,
            "relations": Relation.choices,
            "statuses": MemberStatus.choices,
            "query": query.urlencode(),
            "today": local_today(),
        },
    )


def _units(request: HttpRequest) -> list[Unit]:
    return list(selectors.district_units(actor=request.actor))


def _create_page(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    actor = request.actor
    id_number = (request.GET.get("id_number") or request.POST.get("id_number") or "")[:24]
    found, lookup_error = None, ""
    if id_number:
        try:
            found = selectors.resident_by_id_number(actor=actor, id_number=id_number)
        except ValidationError as refused:
            lookup_error = refused.message
        else:
            if found is None:
                lookup_error = "您管辖的社区居民档案中没有这个身份证号，请先在居民档案中登记。"
    return render(
        request,
        "party/members/new.html",
        {
            "id_number": id_number,
            "found": found,
            "lookup_error": lookup_error,
            "orgs": [o for o in org_selectors.member_orgs(actor=actor)
                     if found is None or o.community_id == found.community_id],
            "standings": Standing.choices,
            "relations": Relation.choices,
            "units": _units(request),
            "error": error,
            "posted": request.POST if error else {},
        },
        status=status,
    )  # fmt: skip


def _employer_fields(request: HttpRequest) -> dict:
    return {
        "employer_org_name": posted(request, "employer_org_name", 100),
        "employer_unit_id": int_or_none(request.POST.get("employer_unit")),
        "employer_name": posted(request, "employer_name", 100),
    }


@require_http_methods(["GET", "POST"])
@requires("party.member_manage")
@once
def member_create(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _create_page(request)
    return write(
        request,
        action="party_member.create",
        call=lambda: services.member_create(
            actor=request.actor,
            resident_id=int_or_none(request.POST.get("resident")) or 0,
            org_id=int_or_none(request.POST.get("org")) or 0,
            standing=posted(request, "standing", 16),
            relation=posted(request, "relation", 16),
            joined_on=local_date(request.POST.get("joined_on")),
            probation_ends_on=local_date(request.POST.get("probation_ends_on")),
            **_employer_fields(request),
        ),
        done="已登记党员。",
        page=_create_page,
        to=lambda member: reverse("party:member", args=[member.pk]),
    )


def _detail_page(
    request: HttpRequest, member_id: int, *, status: int = 200, error: str = ""
) -> HttpResponse:
    actor = request.actor
    member = selectors.member_get(actor=actor, member_id=member_id)
    today = local_today()
    return render(
        request,
        "party/members/detail.html",
        {
            "member": member,
            "managing": actor.can("party.member_manage")
            and actor.covers(member.org.region)
            and member.status == MemberStatus.ACTIVE,
            "today": today,
            "probation_over": member.standing == Standing.PROBATIONARY
            and member.probation_ends_on is not None
            and member.probation_ends_on <= today,
            "error": error,
        },
        status=status,
    )


@require_GET
@requires("party.members")
def member_detail(request: HttpRequest, member_id: int) -> HttpResponse:
    return _detail_page(request, member_id)


def _edit_page(
    request: HttpRequest, member_id: int, *, status: int = 200, error: str = ""
) -> HttpResponse:
    return render(
        request,
        "party/members/edit.html",
        {
            "member": selectors.member_get(actor=request.actor, member_id=member_id),
            "relations": Relation.choices,
            "units": _units(request),
            "error": error,
            "posted": request.POST if error else {},
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@requires("party.member_manage")
def member_edit(request: HttpRequest, member_id: int) -> HttpResponse:
    if request.method == "GET":
        return _edit_page(request, member_id)
    return write(
        request,
        action="party_member.update",
        call=lambda: services.member_update(
            actor=request.actor,
            member_id=member_id,
            relation=posted(request, "relation", 16),
            **_employer_fields(request),
        ),
        done="已保存。",
        page=_edit_page,
        page_args=(member_id,),
        to="party:member",
        to_args=(member_id,),
    )


@require_POST
@requires("party.member_manage")
def member_confirm(request: HttpRequest, member_id: int) -> HttpResponse:
    return write(
        request,
        action="party_member.confirm",
        call=lambda: services.member_confirm(
            actor=request.actor,
            member_id=member_id,
            confirmed_on=local_date(request.POST.get("confirmed_on")),
        ),
        done="已转为正式党员。",
        page=_detail_page,
        page_args=(member_id,),
        to="party:member",
        to_args=(member_id,),
    )


@require_GET
@requires("party.self")
def my_membership(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    member = selectors.my_membership(actor=actor)
    return render(
        request,
        "party/members/me.html",
        {
            "member": member,
            "needs": list(needs_for_member(actor=actor)) if member is not None else [],
        },
    )

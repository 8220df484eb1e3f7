"""楼长制 pages: the heads of the buildings in scope (staff), assigning one and
ending a term; the building head's phone pages: the building's households
with their last visit and the quarter's coverage, logging a visit (with an
appeal raised on the resident's behalf), one visit."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.appeals.models import AppealCategory, AppealKind
from shequ.core.errors import NotFound
from shequ.core.formtokens import once
from shequ.core.http import requires
from shequ.core.submit import int_or_none, local_date, posted, write
from shequ.core.workdays import local_today
from shequ.party.models import HeadKind, HouseholdVisit
from shequ.party.selectors import buildings as selectors
from shequ.party.services import buildings as services
from shequ.party.services.common import quarter_of

RECENT_VISITS = 20


def _heads_page(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    actor = request.actor
    quarter = quarter_of(local_today())
    without_head = request.GET.get("missing") == "1"
    buildings = selectors.head_buildings(actor=actor, without_head=without_head)
    page = Paginator(buildings, settings.SHEQU_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "party/buildings/heads.html",
        {
            "page": page,
            "rows": selectors.head_board(actor=actor, buildings=list(page), quarter=quarter),
            "quarter": quarter,
            "without_head": without_head,
            "headed": selectors.headed_count(actor=actor),
            "query": "missing=1" if without_head else "",
            "names": actor.can("party.members"),
            "today": local_today(),
            "error": error,
        },
        status=status,
    )


@require_GET
@requires("party.heads")
def head_list(request: HttpRequest) -> HttpResponse:
    return _heads_page(request)


def _assign_page(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    building_id = int_or_none(request.GET.get("building") or request.POST.get("building"))
    return render(
        request,
        "party/buildings/assign.html",
        {
            "choices": selectors.assign_choices(actor=request.actor, building_id=building_id),
            "kinds": HeadKind.choices,
            "names": request.actor.can("party.members"),
            "today": local_today(),
            "error": error,
            "posted": request.POST if error else {},
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@requires("party.heads")
@once
def head_assign(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _assign_page(request)
    return write(
        request,
        action="building_head.assign",
        call=lambda: services.building_head_assign(
            actor=request.actor,
            building_id=int_or_none(request.POST.get("building")) or 0,
            resident_id=int_or_none(request.POST.get("resident")) or 0,
            kind=posted(request, "kind", 16),
            unit_id=int_or_none(request.POST.get("unit")),
            term_start=local_date(request.POST.get("term_start")),
            term_end=local_date(request.POST.get("term_end")),
        ),
        done=lambda head: f"已选配{head.get_kind_display()}。",
        page=_assign_page,
        to="party:heads",
    )


@require_POST
@requires("party.heads")
def head_end(request: HttpRequest, head_id: int) -> HttpResponse:
    return write(
        request,
        action="building_head.end",
        call=lambda: services.building_head_end(
            actor=request.actor, head_id=head_id, ended_on=local_date(request.POST.get("ended_on"))
        ),
        done=lambda head: f"{head.get_kind_display()}已离任。",
        page=_heads_page,
        to="party:heads",
    )


# -- visits (the building head's phone pages; staff read them) ----------------------


@require_GET
@requires("party.view")
def visit_home(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    quarter = quarter_of(local_today())
    coverage = selectors.visit_coverage(actor=actor, quarter=quarter)
    wanted = int_or_none(request.GET.get("building"))
    if wanted is None and len(coverage) == 1:
        wanted = coverage[0].building.pk  # type: ignore[union-attr]
    chosen = next((r for r in coverage if r.building and r.building.pk == wanted), None)
    if wanted is not None and chosen is None:
        raise NotFound("该楼栋不存在或不在您的管辖范围内。")
    households, recent = [], []
    if chosen is not None:
        households = selectors.visit_households(actor=actor, building_id=wanted or 0)
        recent = list(
            selectors.visit_list(actor=actor, filters=selectors.VisitFilters(building_id=wanted))[
                :RECENT_VISITS
            ]
        )
    return render(
        request,
        "party/buildings/visits.html",
        {
            "quarter": quarter,
            "coverage": coverage,
            "total": selectors.coverage_total(coverage),
            "chosen": chosen,
            "households": households,
            "recent": recent,
            "visiting": actor.can("party.visit"),
        },
    )


def _visit_form(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    household_id = int_or_none(request.GET.get("household") or request.POST.get("household"))
    household = selectors.visit_household(actor=request.actor, household_id=household_id or 0)
    return render(
        request,
        "party/buildings/visit_new.html",
        {
            "household": household,
            "members": list(household.members.all()),
            "kinds": AppealKind.choices,
            "categories": AppealCategory.choices,
            "today": local_today(),
            "error": error,
            "posted": request.POST if error else {},
        },
        status=status,
    )


def _visit_done(visit: HouseholdVisit) -> str:
    if visit.appeal is not None:
        return f"已登记走访，并代居民提出诉求（受理号 {visit.appeal.number}），社区将在1个工作日内分办。"
    return "已登记走访。"


@require_http_methods(["GET", "POST"])
@requires("party.visit")
@once
def visit_create(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _visit_form(request)
    p = request.POST
    return write(
        request,
        action="household_visit.log",
        call=lambda: services.household_visit_log(
            actor=request.actor,
            household_id=int_or_none(p.get("household")) or 0,
            visited_on=local_date(p.get("visited_on")),
            raised=posted(request, "raised", 600),
            follow_up=posted(request, "follow_up", 400),
            raise_appeal=p.get("raise_appeal") == "1",
            appeal_kind=posted(request, "appeal_kind", 16) or None,
            appeal_category=posted(request, "appeal_category", 24) or None,
            resident_id=int_or_none(p.get("resident")),
        ),
        done=_visit_done,
        page=_visit_form,
        to=lambda visit: reverse("party:visit", args=[visit.pk]),
    )


@require_GET
@requires("party.view")
def visit_detail(request: HttpRequest, visit_id: int) -> HttpResponse:
    actor = request.actor
    return render(
        request,
        "party/buildings/visit.html",
        {
            "visit": selectors.visit_get(actor=actor, visit_id=visit_id),
            "names": actor.can("party.members"),
        },
    )

"""The community's topic pages: the list, entering a topic for the
community or a named body (业委会, 物业, 驻区单位), and a topic with its
review (accept, reject, merge with a similar topic, hand over as a whistle)."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.core import photos as photo_store
from shequ.core.categories import IssueCategory
from shequ.core.errors import NotFound, PermissionDenied
from shequ.core.formtokens import once
from shequ.core.http import requires
from shequ.core.submit import int_or_none, posted, write
from shequ.core.workdays import local_today
from shequ.deliberation import selectors, services
from shequ.deliberation.models import PHOTO_DIR, ProposerKind, TopicState
from shequ.whistles.scope import is_liaison

STAFF_PROPOSERS = [
    (k.value, k.label)
    for k in ProposerKind
    if k not in (ProposerKind.RESIDENT, ProposerKind.BUILDING_HEAD, ProposerKind.APPEAL)
]


@require_GET
@requires("deliberation.view")
def topic_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if is_liaison(actor):  # a department sees only the outcomes addressed to it
        return redirect("deliberation:outcomes")
    g = request.GET
    filters = selectors.TopicFilters(
        q=g.get("q", "")[:40],
        status=g.get("status", "")[:16],
        category=g.get("category", "")[:30],
        overdue=g.get("overdue") == "on",
        region_id=int_or_none(g.get("region")),
    )
    rows = selectors.topic_list(actor=actor, filters=filters)
    page = Paginator(rows, settings.SHEQU_PAGE_SIZE).get_page(g.get("page"))
    query = g.copy()
    query.pop("page", None)
    return render(
        request,
        "deliberation/topics.html",
        {
            "page": page,
            "filters": filters,
            "states": TopicState.choices,
            "query": query.urlencode(),
            "today": local_today(),
            "can_register": actor.can("deliberation.propose") and actor.role != "resident",
        },
    )


def _community_of(request: HttpRequest):
    community = selectors.actor_community(request.actor)
    if community is None:
        raise PermissionDenied("请切换到社区或楼栋的角色后再登记议题。")
    return community


def _register_page(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    community = _community_of(request)
    return render(
        request,
        "deliberation/topic_new.html",
        {
            "community": community,
            "items": selectors.usable_items(community=community),
            "places": selectors.places(community=community),
            "proposers": STAFF_PROPOSERS if request.actor.role != "building_head" else [],
            "posted": request.POST,
            "error": error,
            "max_photos": photo_store.MAX_PHOTOS,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@requires("deliberation.propose")
@once
def topic_register(request: HttpRequest) -> HttpResponse:
    """登记议题: the community's own, or a body's of a compound, or a building head's."""
    if request.actor.role == "resident":
        raise PermissionDenied("居民请在“我的社区协商”页面提出议题。")
    if request.method == "GET":
        return _register_page(request)
    community = _community_of(request)
    place_id = int_or_none(request.POST.get("place"))
    place = None
    if place_id is not None:
        place = next((p for p in selectors.places(community=community) if p.pk == place_id), None)
        if place is None:
            raise NotFound("所选小区或楼栋不在本社区。")
    return write(
        request,
        action="topic.propose",
        call=lambda: services.topic_propose(
            actor=request.actor,
            community=community,
            item_id=request.POST.get("item_id"),
            title=posted(request, "title", 100),
            description=posted(request, "description", 4100),
            place=place,
            proposer_kind=posted(request, "proposer_kind", 20) or None,
            proposer_body=posted(request, "proposer_body", 120),
            photos=request.FILES.getlist("photos"),
        ),
        done=lambda t: f"已登记议题，编号 {t.number}。",
        page=_register_page,
        to=lambda t: reverse("deliberation:topic", args=[t.pk]),
    )


def _detail_page(
    request: HttpRequest, topic_id: int, *, status: int = 200, error: str = ""
) -> HttpResponse:
    actor = request.actor
    topic = selectors.topic_get(actor=actor, topic_id=topic_id)
    reviewing = (
        actor.can("deliberation.review")
        and actor.covers(topic.community)
        and topic.status in (TopicState.REVIEW, TopicState.COSIGNING)
    )
    return render(
        request,
        "deliberation/topic.html",
        {
            "topic": topic,
            "photos": selectors.topic_photos(topic=topic),
            "timeline": list(selectors.topic_timeline(topic=topic)),
            "agenda": selectors.topic_agenda(topic=topic),
            "reviewing": reviewing,
            "similar": selectors.similar_topics(topic) if reviewing else [],
            "overdue": topic.status == TopicState.REVIEW
            and topic.review_due is not None
            and topic.review_due < local_today(),
            "departments": selectors.departments(district_id=topic.district_id)
            if reviewing and topic.status == TopicState.REVIEW and actor.can("whistle.raise")
            else [],
            "whistle_categories": IssueCategory.choices,
            "error": error,
            "posted": request.POST if error else {},
        },
        status=status,
    )


@require_GET
@requires("deliberation.view")
def topic_detail(request: HttpRequest, topic_id: int) -> HttpResponse:
    return _detail_page(request, topic_id)


@require_POST
@requires("deliberation.review")
def topic_review(request: HttpRequest, topic_id: int) -> HttpResponse:
    actor = request.actor
    decision = posted(request, "decision", 20)
    reason = posted(request, "reason")
    calls = {
        "accept": (lambda: services.topic_accept(actor=actor, topic_id=topic_id,
                                                 note=posted(request, "note")), "已列入议题库，可安排会议。"),
        "reject": (lambda: services.topic_reject(actor=actor, topic_id=topic_id, reason=reason),
                   "已不予受理，理由已告知提议人。"),
        "merge": (lambda: services.topic_merge(actor=actor, topic_id=topic_id,
                                               into_id=request.POST.get("into_id")), "已合并到相似议题。"),
        "hand_over": (lambda: services.topic_hand_over(
            actor=actor, topic_id=topic_id, reason=reason,
            whistle={"category": posted(request, "category", 20),
                     "lead_department_id": request.POST.get("lead_department_id")}),
            "已转为吹哨，由职能部门办理。"),
    }  # fmt: skip
    if decision not in calls:
        return _detail_page(request, topic_id, status=422, error="请选择审核结果。")
    call, done = calls[decision]
    return write(
        request,
        action=f"topic.{decision}",
        call=call,
        done=done,
        page=_detail_page,
        page_args=(topic_id,),
        to="deliberation:topic",
        to_args=(topic_id,),
    )


@require_GET
@requires("deliberation.view")
def topic_photo(request: HttpRequest, photo_id: int) -> HttpResponse:
    photo = selectors.photo_get(actor=request.actor, photo_id=photo_id)
    path = photo_store.open_stored(photo.file, subdir=PHOTO_DIR)
    if path is None:
        raise NotFound("照片文件不存在。")
    response = FileResponse(path.open("rb"), content_type=photo.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    return response

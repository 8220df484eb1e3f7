"""Pages of appeals: the resident's phone pages (raise one, my appeals with
rate / reopen / 我也遇到) and the community's pages (the list, registering on
a resident's behalf, the appeal with triage, closing and hand-over, photos).

Each view parses, calls one service or selector, renders; a refused write
shows the service's Chinese message with its 4xx status (and is audited).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.appeals import selectors, services
from shequ.appeals.forms import AppealFilterForm, AppealNewForm, AppealRegisterForm, place_label
from shequ.appeals.models import PHOTO_DIR, AppealCategory, AppealPhoto, AppealRating, AppealState
from shequ.core import photos as photo_store
from shequ.core.errors import DomainError, NotFound, PermissionDenied
from shequ.core.formtokens import once
from shequ.core.http import refusal, refuse, requires
from shequ.core.models import Region
from shequ.core.scope import Actor
from shequ.deliberation.selectors import usable_items

# Where a service names a field differently from the page's form.
_FIELDS = {"phone": "contact_phone", "photos": None, "lat": None, "long": None}


def _form_error(form, error: DomainError) -> None:
    field = _FIELDS.get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, error.message)


def _place(community: Region, raw: int | None) -> Region | None:
    if raw is None:
        return None
    place = selectors.place_get(community=community, place_id=raw)
    if place is None:
        raise NotFound("所选小区或楼栋不在本社区。")
    return place


# -- the resident's phone pages ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@requires("appeal.self")
@once
def appeal_new(request: HttpRequest) -> HttpResponse:
    """反映诉求 (375 px): what, where, photos; the contact defaults to the register."""
    actor = request.actor
    resident = selectors.own_resident(actor=actor)
    if resident is None:
        return render(request, "appeals/new.html", {"resident": None}, status=403)
    places = selectors.places(community=resident.community)
    posted = request.POST if request.method == "POST" else None
    form = AppealNewForm(posted, places=places)
    status = 200
    if posted is not None:
        if form.is_valid():
            data = form.cleaned_data
            try:
                appeal = services.appeal_create(
                    actor=actor,
                    community=resident.community,
                    kind=data["kind"],
                    category=data["category"],
                    description=data["description"],
                    channel="phone",
                    place=_place(resident.community, data["place"]),
                    address=data["address"],
                    contact_phone=data["contact_phone"],
                    anonymous=data["anonymous"],
                    photos=request.FILES.getlist("photos"),
                    lat=data["lat"],
                    long=data["long"],
                )
            except DomainError as error:
                status = refuse(request, error, action="appeal.create")
                _form_error(form, error)
            else:
                messages.success(
                    request,
                    f"诉求已提交，编号 {appeal.number}。社区将在"
                    f"{appeal.triage_due:%Y年%m月%d日}前分办，请留意进度。",
                )
                return redirect("appeals:mine")
        else:
            status = 422
    return render(
        request,
        "appeals/new.html",
        {"resident": resident, "form": form, "max_photos": photo_store.MAX_PHOTOS},
        status=status,
    )


def _mine_page(request: HttpRequest, *, status: int = 200, error: str = "", failed: int = 0):
    actor = request.actor
    resident = selectors.own_resident(actor=actor)
    mine = list(selectors.my_appeals(actor=actor)[:50])
    others = selectors.community_open_appeals(actor=actor, resident=resident) if resident else []
    supported = selectors.supported_ids(actor=actor, appeal_ids=[a.pk for a in others])
    days = services.reopen_days()
    now = timezone.now()
    progress = selectors.my_whistle_progress(appeals=mine)
    for a in mine:
        a.whistle_progress = progress.get(a.pk, [])
        a.can_rate = a.status == AppealState.CLOSED and not a.rating
        a.can_reopen = (
            a.status == AppealState.CLOSED
            and a.reopened_count < 1
            and a.closed_at is not None
            and now <= a.closed_at + dt.timedelta(days=days)
        )
    for a in others:
        a.supported = a.pk in supported
    return render(
        request,
        "appeals/mine.html",
        {
            "resident": resident,
            "mine": mine,
            "others": others,
            "ratings": AppealRating.choices,
            "reopen_days": days,
            "error": error,
            "failed": failed,
        },
        status=status,
    )


@require_GET
@requires("appeal.self")
def appeal_mine(request: HttpRequest) -> HttpResponse:
    return _mine_page(request)


def _resident_write(request: HttpRequest, appeal_id: int, action: str, call, done: str):
    with refusal(request, action=f"appeal.{action}") as refused:
        call()
    if refused:
        status = refused.status
        return _mine_page(request, status=status, error=refused.error.message, failed=appeal_id)
    messages.success(request, done)
    return redirect("appeals:mine")


@require_POST
@requires("appeal.self")
def appeal_rate(request: HttpRequest, appeal_id: int) -> HttpResponse:
    return _resident_write(
        request,
        appeal_id,
        "rate",
        lambda: services.appeal_rate(
            actor=request.actor,
            appeal_id=appeal_id,
            rating=request.POST.get("rating", "")[:20],
            comment=request.POST.get("comment", "")[:600],
        ),
        "感谢您的评价！",
    )


@require_POST
@requires("appeal.self")
def appeal_reopen(request: HttpRequest, appeal_id: int) -> HttpResponse:
    return _resident_write(
        request,
        appeal_id,
        "reopen",
        lambda: services.appeal_reopen(
            actor=request.actor, appeal_id=appeal_id, reason=request.POST.get("reason", "")[:600]
        ),
        "已重新提起，社区将继续办理。",
    )


@require_POST
@requires("appeal.self")
def appeal_support(request: HttpRequest, appeal_id: int) -> HttpResponse:
    return _resident_write(
        request,
        appeal_id,
        "support",
        lambda: services.appeal_support(actor=request.actor, appeal_id=appeal_id),
        "已记录“我也遇到”，社区会一并办理。",
    )


def _photo_response(photo: AppealPhoto) -> HttpResponse:
    path = photo_store.open_stored(photo.file, subdir=PHOTO_DIR)
    if path is None:
        raise NotFound("照片文件不存在。")
    response = FileResponse(path.open("rb"), content_type=photo.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@requires("appeal.self")
def my_photo(request: HttpRequest, photo_id: int) -> HttpResponse:
    return _photo_response(selectors.my_photo_get(actor=request.actor, photo_id=photo_id))


# -- the community's pages ----------------------------------------------------------------------


@require_GET
@requires("appeal.view")
def appeal_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = AppealFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    rows = selectors.appeal_list(
        actor=actor,
        filters=selectors.AppealFilters(
            q=data.get("q", ""),
            status=data.get("status", ""),
            category=data.get("category", ""),
            overdue=bool(data.get("overdue")),
            mine=bool(data.get("mine")),
        ),
    )
    page = Paginator(rows, settings.SHEQU_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "appeals/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "today": selectors.local_today(),
            "can_register": actor.can("appeal.create"),
        },
    )


def _register_community(actor: Actor) -> Region:
    communities = selectors.actor_communities(actor=actor)
    if len(communities) != 1:
        raise PermissionDenied("请切换到社区或楼栋的角色后再登记诉求。")
    return communities[0]


@require_http_methods(["GET", "POST"])
@requires("appeal.create")
@once
def appeal_register(request: HttpRequest) -> HttpResponse:
    """代为登记: a worker at the window or on the hotline, or a building head."""
    actor = request.actor
    community = _register_community(actor)
    places = selectors.places(community=community)
    posted = request.POST if request.method == "POST" else None
    form = AppealRegisterForm(posted, places=places)
    if not actor.can("appeal.triage"):
        form.fields["channel"].choices = [("building_head", "楼栋长代报")]
    status = 200
    if posted is not None:
        if form.is_valid():
            data = form.cleaned_data
            try:
                appeal = services.appeal_create(
                    actor=actor,
                    community=community,
                    kind=data["kind"],
                    category=data["category"],
                    description=data["description"],
                    channel=data["channel"],
                    place=_place(community, data["place"]),
                    address=data["address"],
                    contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"],
                    anonymous=data["anonymous"],
                    photos=request.FILES.getlist("photos"),
                    lat=data["lat"],
                    long=data["long"],
                )
            except DomainError as error:
                status = refuse(request, error, action="appeal.create")
                _form_error(form, error)
            else:
                messages.success(request, f"已登记诉求，编号 {appeal.number}。")
                return redirect("appeals:detail", appeal_id=appeal.pk)
        else:
            status = 422
    return render(
        request,
        "appeals/register.html",
        {"form": form, "community": community, "max_photos": photo_store.MAX_PHOTOS},
        status=status,
    )


def _detail_page(
    request: HttpRequest, appeal_id: int, *, status: int = 200, failed: str = "", error: str = ""
) -> HttpResponse:
    actor = request.actor
    appeal = selectors.appeal_get(actor=actor, appeal_id=appeal_id)
    can_triage = actor.can("appeal.triage") and actor.covers(appeal.community)
    triaging = can_triage and appeal.status == AppealState.SUBMITTED
    candidates = selectors.duplicate_candidates(appeal) if triaging else []
    suggested = selectors.suggested_category(appeal) if triaging else None
    overdue = appeal.status == AppealState.SUBMITTED and appeal.triage_due < selectors.local_today()
    return render(
        request,
        "appeals/detail.html",
        {
            "appeal": appeal,
            "photos": selectors.appeal_photos(appeal=appeal),
            "timeline": list(selectors.appeal_timeline(appeal=appeal)),
            "duplicates": list(selectors.appeal_duplicates(appeal=appeal)),
            "whistles": selectors.appeal_whistles(actor=actor, appeal=appeal),
            "triaging": triaging,
            "closing": can_triage and appeal.status == AppealState.HANDLING,
            "handing_over": can_triage and appeal.is_open,
            "handover_users": (
                [u for u in selectors.triage_users(appeal.community) if u.pk != appeal.owner_id]
                if can_triage and appeal.is_open
                else []
            ),
            "candidates": candidates,
            "suggested": AppealCategory(suggested).label if suggested else "",
            "suggested_differs": bool(suggested and suggested != appeal.category),
            "consultation_items": usable_items(community=appeal.community) if triaging else [],
            "overdue": overdue,
            "place": place_label(appeal.building or appeal.compound)
            if (appeal.building or appeal.compound)
            else "",
            "failed": failed,
            "error": error,
            "posted": request.POST if failed else {},
        },
        status=status,
    )


@require_GET
@requires("appeal.view")
def appeal_detail(request: HttpRequest, appeal_id: int) -> HttpResponse:
    return _detail_page(request, appeal_id)


def _staff_write(request: HttpRequest, appeal_id: int, action: str, call, done: str):
    with refusal(request, action=f"appeal.{action}") as refused:
        call()
    if refused:
        status = refused.status
        return _detail_page(
            request, appeal_id, status=status, failed=action, error=refused.error.message
        )
    messages.success(request, done)
    return redirect("appeals:detail", appeal_id=appeal_id)


def _int_or_none(raw: str | None) -> int | None:
    try:
        return int(raw or "")
    except ValueError:
        return None


def _topic_fields(request: HttpRequest) -> dict[str, str]:
    """The topic an appeal put to deliberation becomes: its catalog item, and
    a title when the worker wrote one (else the service takes the appeal's)."""
    fields = {"item_id": request.POST.get("item_id", "")[:20]}
    title = request.POST.get("topic_title", "")[:100].strip()
    return fields | ({"title": title} if title else {})


@require_POST
@requires("appeal.triage")
def appeal_triage(request: HttpRequest, appeal_id: int) -> HttpResponse:
    decision = request.POST.get("decision", "")[:20]
    return _staff_write(
        request,
        appeal_id,
        "triage",
        lambda: services.appeal_triage(
            actor=request.actor,
            appeal_id=appeal_id,
            decision=decision,
            duplicate_of_id=_int_or_none(request.POST.get("duplicate_of_other"))
            or _int_or_none(request.POST.get("duplicate_of_id")),
            note=request.POST.get("note", "")[:600],
            topic=_topic_fields(request) if decision == "deliberation" else None,
        ),
        {"merge": "已合并到原诉求。", "deliberation": "已提交议事协商：议题进入社区审核。"}.get(
            decision, "已分办：社区自办自结。"
        ),
    )


@require_POST
@requires("appeal.triage")
def appeal_close(request: HttpRequest, appeal_id: int) -> HttpResponse:
    return _staff_write(
        request,
        appeal_id,
        "close",
        lambda: services.appeal_close(
            actor=request.actor, appeal_id=appeal_id, result=request.POST.get("result", "")[:2100]
        ),
        "已办结，居民可以评价。",
    )


@require_POST
@requires("appeal.triage")
def appeal_hand_over(request: HttpRequest, appeal_id: int) -> HttpResponse:
    return _staff_write(
        request,
        appeal_id,
        "hand_over",
        lambda: services.appeal_hand_over(
            actor=request.actor,
            appeal_id=appeal_id,
            to_user_id=_int_or_none(request.POST.get("to_user_id")),  # type: ignore[arg-type]
            note=request.POST.get("note", "")[:600],
        ),
        "已移交首接负责。",
    )


@require_GET
@requires("appeal.view")
def appeal_photo(request: HttpRequest, photo_id: int) -> HttpResponse:
    return _photo_response(selectors.photo_get(actor=request.actor, photo_id=photo_id))


urlpatterns: list[URLPattern] = [
    path("", appeal_list, name="list"),
    path("register/", appeal_register, name="register"),
    path("<int:appeal_id>/", appeal_detail, name="detail"),
    path("<int:appeal_id>/triage/", appeal_triage, name="triage"),
    path("<int:appeal_id>/close/", appeal_close, name="close"),
    path("<int:appeal_id>/hand-over/", appeal_hand_over, name="hand_over"),
    path("photos/<int:photo_id>/", appeal_photo, name="photo"),
    path("new/", appeal_new, name="new"),
    path("mine/", appeal_mine, name="mine"),
    path("mine/<int:appeal_id>/rate/", appeal_rate, name="rate"),
    path("mine/<int:appeal_id>/reopen/", appeal_reopen, name="reopen"),
    path("mine/<int:appeal_id>/support/", appeal_support, name="support"),
    path("mine/photos/<int:photo_id>/", my_photo, name="my_photo"),
]

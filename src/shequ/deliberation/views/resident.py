"""The resident's phone pages (375 px) — raise a topic, co-sign the topics
of their compound, vote in an open window, object to a decision under
publicity, rate a finished outcome — and the community's public board
(协商公开栏), which anyone can read."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.core import photos as photo_store
from shequ.core.errors import NotFound
from shequ.core.formtokens import once
from shequ.core.http import requires
from shequ.core.submit import posted, write
from shequ.deliberation import selectors, services
from shequ.deliberation.models import Choice, OutcomeRating


def _board_page(
    request: HttpRequest, *, status: int = 200, error: str = "", failed: str = ""
) -> HttpResponse:
    actor = request.actor
    resident = selectors.own_resident(actor=actor)
    if resident is None:
        return render(request, "deliberation/mine.html", {"resident": None}, status=403)
    return render(
        request,
        "deliberation/mine.html",
        {
            "resident": resident,
            "board": selectors.resident_board(actor=actor, resident=resident),
            "choices": Choice.choices,
            "ratings": OutcomeRating.choices,
            "error": error,
            "failed": failed or request.POST.get("failed", ""),
        },
        status=status,
    )


@require_GET
@requires("deliberation.take_part")
def mine(request: HttpRequest) -> HttpResponse:
    return _board_page(request)


def _propose_page(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    resident = selectors.own_resident(actor=request.actor)
    if resident is None:
        return render(request, "deliberation/propose.html", {"resident": None}, status=403)
    return render(
        request,
        "deliberation/propose.html",
        {
            "resident": resident,
            "items": selectors.usable_items(community=resident.community),
            "posted": request.POST,
            "error": error,
            "max_photos": photo_store.MAX_PHOTOS,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@requires("deliberation.take_part")
@once
def propose(request: HttpRequest) -> HttpResponse:
    """提出议题: for the resident's own compound (building); neighbours co-sign."""
    if request.method == "GET":
        return _propose_page(request)
    resident = selectors.own_resident(actor=request.actor)
    if resident is None:
        return _propose_page(request)
    return write(
        request,
        action="topic.propose",
        call=lambda: services.topic_propose(
            actor=request.actor,
            community=resident.community,
            item_id=request.POST.get("item_id"),
            title=posted(request, "title", 100),
            description=posted(request, "description", 4100),
            photos=request.FILES.getlist("photos"),
        ),
        done=lambda t: f"议题已提出，编号 {t.number}：邀请邻居附议，满{t.threshold}人后社区审核。",
        page=_propose_page,
        to="deliberation:mine",
    )


def _resident_write(
    request: HttpRequest, action: str, call, done: str, failed: str
) -> HttpResponse:
    def page(request: HttpRequest, *, status: int, error: str) -> HttpResponse:
        return _board_page(request, status=status, error=error, failed=failed)

    return write(request, action=action, call=call, done=done, page=page, to="deliberation:mine")


@require_POST
@requires("deliberation.take_part")
def cosign(request: HttpRequest, topic_id: int) -> HttpResponse:
    return _resident_write(
        request,
        "topic.cosign",
        lambda: services.topic_cosign(actor=request.actor, topic_id=topic_id),
        "已附议，感谢您的支持。",
        f"topic-{topic_id}",
    )


@require_POST
@requires("deliberation.take_part")
def vote(request: HttpRequest, agenda_id: int) -> HttpResponse:
    return _resident_write(
        request,
        "vote.cast",
        lambda: services.ballot_cast(
            actor=request.actor, item_id=agenda_id, choice=posted(request, "choice", 10)
        ),
        "已投票。表决结束后公布结果。",
        f"vote-{agenda_id}",
    )


@require_POST
@requires("deliberation.take_part")
def object_to(request: HttpRequest, agenda_id: int) -> HttpResponse:
    return _resident_write(
        request,
        "objection.raise",
        lambda: services.objection_raise(
            actor=request.actor, item_id=agenda_id, content=posted(request, "content", 1100)
        ),
        "异议已提交，社区将答复您。",
        f"publicity-{agenda_id}",
    )


@require_POST
@requires("deliberation.take_part")
def rate(request: HttpRequest, outcome_id: int) -> HttpResponse:
    return _resident_write(
        request,
        "outcome.rate",
        lambda: services.outcome_rate(
            actor=request.actor,
            outcome_id=outcome_id,
            rating=posted(request, "rating", 16),
            comment=posted(request, "comment"),
        ),
        "感谢您的评价！",
        f"outcome-{outcome_id}",
    )


@require_GET
def public_board(request: HttpRequest, code: str) -> HttpResponse:
    """社区协商公开栏: anyone, no account."""
    try:
        board = selectors.public_board(code=code)
    except NotFound as error:
        return render(request, "core/error.html", {"error": error}, status=404)
    return render(request, "deliberation/public.html", {"board": board})

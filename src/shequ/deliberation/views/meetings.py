"""The community's meeting pages: the list, scheduling a meeting from
accepted topics, and the meeting console — invitees, the notice, opening,
sign-in with proxies, each agenda topic's vote (open, record a paper
ballot, close), the minutes and their Word file, objections to decisions."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.core.errors import PermissionDenied
from shequ.core.formtokens import once
from shequ.core.http import requires
from shequ.core.submit import int_or_none, local_datetime, posted, write
from shequ.deliberation import selectors, services
from shequ.deliberation.documents import minutes_docx
from shequ.deliberation.models import (
    OWNER_RULES,
    Choice,
    MeetingForm,
    MeetingState,
    Participant,
    VoteState,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@require_GET
@requires("deliberation.view")
def meeting_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    status = request.GET.get("status", "")[:16]
    rows = selectors.meeting_list(
        actor=actor, status=status if status in MeetingState.values else ""
    )
    page = Paginator(rows, settings.SHEQU_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "deliberation/meetings.html",
        {
            "page": page,
            "status": status,
            "states": MeetingState.choices,
            "query": f"status={status}" if status else "",
            "can_schedule": actor.can("deliberation.meet"),
        },
    )


def _community_of(request: HttpRequest):
    community = selectors.actor_community(request.actor)
    if community is None:
        raise PermissionDenied("请切换到社区的角色后再筹备会议。")
    return community


def _schedule_page(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    community = _community_of(request)
    return render(
        request,
        "deliberation/meeting_new.html",
        {
            "community": community,
            "topics": selectors.accepted_topics(community=community),
            "compounds": [p for p in selectors.places(community=community) if p.level == 4],
            "forms": MeetingForm.choices,
            "posted": request.POST,
            "chosen": {int(i) for i in request.POST.getlist("topic_ids") if i.isdigit()},
            "error": error,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@requires("deliberation.meet")
@once
def meeting_schedule(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _schedule_page(request)
    community = _community_of(request)
    compound_id = int_or_none(request.POST.get("compound"))
    compound = next((p for p in selectors.places(community=community) if p.pk == compound_id), None)
    return write(
        request,
        action="meeting.schedule",
        call=lambda: services.meeting_schedule(
            actor=request.actor,
            community=community,
            form=posted(request, "form", 16),
            title=posted(request, "title", 100),
            starts_at=local_datetime(request.POST.get("starts_at")),  # type: ignore[arg-type]
            ends_at=local_datetime(request.POST.get("ends_at")),
            place=posted(request, "place", 120),
            compound=compound,
            topic_ids=request.POST.getlist("topic_ids")[:50],
            secret=request.POST.get("secret") == "on",
        ),
        done=lambda m: f"已筹备会议 {m.number}：请邀请参会人并发布公告。",
        page=_schedule_page,
        to=lambda m: reverse("deliberation:meeting", args=[m.pk]),
    )


def _console(
    request: HttpRequest, meeting_id: int, *, status: int = 200, error: str = ""
) -> HttpResponse:
    actor = request.actor
    meeting = selectors.meeting_get(actor=actor, meeting_id=meeting_id)
    running = actor.can("deliberation.meet") and actor.covers(meeting.community)
    agenda = list(meeting.agenda.all())
    invitees = list(meeting.invitees.all())
    cast = selectors.ballots_cast(meeting=meeting)
    voted = selectors.voted_invitees(meeting=meeting) if running else set()
    for item in agenda:
        item.cast = cast.get(item.pk, 0)
        item.owners_rule = item.rule in OWNER_RULES
        item.waiting = [i for i in invitees if i.present and (item.pk, i.pk) not in voted]
    ready = meeting.noticed_at and meeting.noticed_at + timezone.timedelta(days=meeting.notice_days)
    return render(
        request,
        "deliberation/meeting.html",
        {
            "meeting": meeting,
            "agenda": agenda,
            "invitees": invitees,
            "running": running,
            "ready_at": ready,
            "roles": Participant.choices,
            "choices": Choice.choices,
            "found": selectors.residents_for_invite(
                meeting=meeting, q=request.GET.get("q", "")[:20]
            )
            if running and meeting.status == MeetingState.PLANNED
            else [],
            "objections": selectors.meeting_objections(meeting=meeting),
            "timeline": list(selectors.meeting_timeline(meeting=meeting)),
            "VoteState": {s.name: s.value for s in VoteState},
            "error": error,
            "posted": request.POST if error else {},
        },
        status=status,
    )


@require_GET
@requires("deliberation.view")
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _console(request, meeting_id)


def _meeting_write(
    request: HttpRequest, meeting_id: int, action: str, call, done: str
) -> HttpResponse:
    return write(request, action=action, call=call, done=done, page=_console, page_args=(meeting_id,),
                 to="deliberation:meeting", to_args=(meeting_id,))  # fmt: skip


STEPS = {
    "notice": ("meeting.notice", "已发布会议公告，公告期满后可以开会。"),
    "open": ("meeting.open", "会议已开始：请为参会人签到。"),
    "close": ("meeting.close", "已散会。"),
    "cancel": ("meeting.cancel", "会议已取消。"),
}


@require_POST
@requires("deliberation.meet")
def meeting_step(request: HttpRequest, meeting_id: int) -> HttpResponse:
    actor = request.actor
    step = posted(request, "step", 10)
    if step not in STEPS:
        return _console(request, meeting_id, status=422, error="请选择会议操作。")
    calls = {
        "notice": lambda: services.meeting_notice(actor=actor, meeting_id=meeting_id,
                                                  notice_text=posted(request, "notice_text", 2100)),
        "open": lambda: services.meeting_open(actor=actor, meeting_id=meeting_id),
        "close": lambda: services.meeting_close(actor=actor, meeting_id=meeting_id),
        "cancel": lambda: services.meeting_cancel(actor=actor, meeting_id=meeting_id),
    }  # fmt: skip
    action, done = STEPS[step]
    return _meeting_write(request, meeting_id, action, calls[step], done)


@require_POST
@requires("deliberation.meet")
def meeting_invite(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _meeting_write(
        request,
        meeting_id,
        "meeting.invite",
        lambda: services.meeting_invite(
            actor=request.actor,
            meeting_id=meeting_id,
            role=posted(request, "role", 20),
            name=posted(request, "name", 60),
            body=posted(request, "body", 120),
            resident_id=int_or_none(request.POST.get("resident_id")),
        ),
        "已加入参会名单。",
    )


@require_POST
@requires("deliberation.meet")
def invitee_sign_in(request: HttpRequest, meeting_id: int, invitee_id: int) -> HttpResponse:
    return _meeting_write(
        request,
        meeting_id,
        "meeting.sign_in",
        lambda: services.meeting_sign_in(
            actor=request.actor,
            invitee_id=invitee_id,
            meeting_id=meeting_id,
            proxy_name=posted(request, "proxy_name", 60),
            proxy_relation=posted(request, "proxy_relation", 30),
            proxy_authorisation=posted(request, "proxy_authorisation", 220),
        ),
        "已签到。",
    )


@require_POST
@requires("deliberation.meet")
def agenda_vote(request: HttpRequest, meeting_id: int, agenda_id: int) -> HttpResponse:
    """开始表决 / 代录纸质票 / 结束表决 for one agenda topic."""
    actor = request.actor
    step = posted(request, "step", 10)
    calls = {
        "open": (lambda: services.vote_open(actor=actor, item_id=agenda_id, meeting_id=meeting_id),
                 "vote.open", "已开始表决。"),
        "record": (lambda: services.ballot_cast(actor=actor, item_id=agenda_id, meeting_id=meeting_id,
                                                choice=posted(request, "choice", 10),
                                                invitee_id=request.POST.get("invitee_id") or "0"),
                   "vote.cast", "已代录纸质表决票。"),
        "close": (lambda: services.vote_close(actor=actor, item_id=agenda_id, meeting_id=meeting_id,
                                              decision=posted(request, "decision", 2100)),
                  "vote.close", "表决结束，结果已由系统计票产生。"),
    }  # fmt: skip
    if step not in calls:
        return _console(request, meeting_id, status=422, error="请选择表决操作。")
    call, action, done = calls[step]
    return _meeting_write(request, meeting_id, action, call, done)


def _speeches(request: HttpRequest) -> list[dict[str, str]]:
    names = request.POST.getlist("speaker")[:30]
    roles = request.POST.getlist("speaker_role")[:30]
    words = request.POST.getlist("speech")[:30]
    out = []
    for n, name in enumerate(names):
        summary = words[n] if n < len(words) else ""
        if name.strip() or summary.strip():
            out.append({"name": name[:60], "role": (roles[n] if n < len(roles) else "")[:60],
                        "summary": summary[:1100]})  # fmt: skip
    return out


@require_POST
@requires("deliberation.meet")
def meeting_minutes(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _meeting_write(
        request,
        meeting_id,
        "meeting.minutes",
        lambda: services.meeting_minutes(
            actor=request.actor,
            meeting_id=meeting_id,
            chair=posted(request, "chair", 60),
            recorder=posted(request, "recorder", 60),
            speeches=_speeches(request),
            minutes=posted(request, "minutes", 8100),
        ),
        "会议纪要已保存，可下载Word版。",
    )


@require_GET
@requires("deliberation.view")
def meeting_minutes_docx(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(actor=request.actor, meeting_id=meeting_id)
    if meeting.minutes_at is None:
        raise PermissionDenied("该会议尚未形成会议纪要。")
    response = HttpResponse(minutes_docx(meeting), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="minutes-{meeting.number}.docx"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@requires("deliberation.meet")
def objection_answer(request: HttpRequest, meeting_id: int, objection_id: int) -> HttpResponse:
    return _meeting_write(
        request,
        meeting_id,
        "objection.answer",
        lambda: services.objection_answer(
            actor=request.actor, objection_id=objection_id, answer=posted(request, "answer", 1100)
        ),
        "已答复异议，居民可以看到。",
    )

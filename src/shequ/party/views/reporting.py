"""双报到 pages: the community's home (units and members reported in, the
needs list, recent services, the quarter per unit with its feedback
letter), the forms that register them, a need with its claims, the
resident's claim, the unit liaison's own page, and the letter itself.

The report form and a report's page serve both a unit's liaison
(``party.unit_report``) and the community's staff (``party.report_in``):
they declare ``home.view`` and let ``_either`` refuse anyone else."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.core.errors import DomainError, PermissionDenied
from shequ.core.formtokens import once
from shequ.core.http import requires
from shequ.core.permissions import PERMISSIONS
from shequ.core.submit import local_date, posted, write
from shequ.core.workdays import local_today
from shequ.party.models import NeedState
from shequ.party.selectors import reporting as selectors
from shequ.party.services import reporting as services_

PDF = "application/pdf"


def _either(request: HttpRequest, *codes: str) -> None:
    actor = request.actor
    if not any(actor.can(code) for code in codes):
        raise PermissionDenied(f"您当前的角色没有“{PERMISSIONS[codes[0]]}”的权限。")


def _quarter(request: HttpRequest) -> str:
    """The quarter asked for (?quarter=2026Q3), this one when none or junk."""
    try:
        return selectors.clean_quarter(request.GET.get("quarter", "")[:10])
    except DomainError:
        return selectors.this_quarter()


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200):
    return render(request, f"party/reporting/{template}", {"tab": "report_in", **context},
                  status=status)  # fmt: skip


# -- the community's home ------------------------------------------------------------------------


def _home(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    actor = request.actor
    quarter = _quarter(request)
    R = selectors.RECENT
    return _page(request, "home.html", {
        "units": selectors.named(actor, selectors.unit_reports(actor=actor, active=True)[:R],
                                 lambda u: u.contact_name),
        "members": selectors.named(actor, selectors.member_reports(actor=actor, active=True)[:R],
                                   lambda r: r.member.resident.name),
        "needs": selectors.needs(actor=actor)[:R],
        "services": selectors.named(actor, selectors.service_logs(actor=actor)[:R],
                                    selectors.service_member_name),
        "summary": selectors.quarter_summary(actor=actor, quarter=quarter),
        "quarter": quarter,
        "recent": R,
        "many_communities": selectors.actor_community(actor) is None,
        "error": error,
    }, status)  # fmt: skip


@require_GET
@requires("party.report_in")
def report_home(request: HttpRequest) -> HttpResponse:
    return _home(request)


# -- 单位报到 -------------------------------------------------------------------------------------


def _unit_form(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    actor = request.actor
    return _page(request, "unit_form.html", {
        "units": selectors.unit_choices(actor=actor),
        "communities": selectors.report_communities(actor=actor),
        "liaison": actor.can("party.unit_report"),
        "own_community": selectors.actor_community(actor),
        "posted": request.POST, "error": error,
    }, status)  # fmt: skip


@require_http_methods(["GET", "POST"])
@requires("home.view")
@once
def unit_report_create(request: HttpRequest) -> HttpResponse:
    _either(request, "party.report_in", "party.unit_report")
    if request.method == "GET":
        return _unit_form(request)
    actor = request.actor
    return write(
        request,
        action="unit_report.create",
        call=lambda: services_.unit_report_create(
            actor=actor,
            unit_id=request.POST.get("unit"),
            community_id=request.POST.get("community") or None,
            party_org_name=posted(request, "party_org_name", 200),
            resources=posted(request, "resources", 1000),
            contact_name=posted(request, "contact_name", 100),
            contact_phone=posted(request, "contact_phone", 40),
        ),  # fmt: skip
        done=lambda r: f"“{r.unit.name}”已到{r.community.name}报到。",
        page=_unit_form,
        to=lambda r: reverse("party:unit_report", args=[r.pk]),
    )


def _unit_detail(
    request: HttpRequest, report_id: int, *, status: int = 200, error: str = ""
) -> HttpResponse:
    actor = request.actor
    report = selectors.unit_report_get(actor=actor, report_id=report_id)
    members = selectors.named(actor, report.members.all(), lambda r: r.member.resident.name)
    report.shown_name = selectors.shown_name(actor, report.contact_name)
    return _page(request, "unit_detail.html", {
        "report": report, "members": members, "error": error,
        "can_withdraw": report.withdrawn_on is None,
    }, status)  # fmt: skip


@require_http_methods(["GET", "POST"])
@requires("home.view")
def unit_report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    """A report-in; POST withdraws it (撤回报到)."""
    _either(request, "party.report_in", "party.unit_report")
    if request.method == "GET":
        return _unit_detail(request, report_id)
    report = selectors.unit_report_get(actor=request.actor, report_id=report_id)
    return write(
        request,
        action="unit_report.withdraw",
        call=lambda: services_.unit_report_withdraw(actor=request.actor, report_id=report.pk),
        done="已撤回报到。",
        page=_unit_detail,
        page_args=(report.pk,),
        to="party:unit_report",
        to_args=(report.pk,),
    )


@require_GET
@requires("party.unit_report")
def unit_home(request: HttpRequest) -> HttpResponse:
    """驻区单位联络员的双报到页: its units' report-ins and its members'
    services, with the quarter's figures."""
    actor = request.actor
    quarter = _quarter(request)
    R = selectors.RECENT
    return _page(request, "unit_home.html", {
        "units": selectors.named(actor, selectors.unit_reports(actor=actor)[:R],
                                 lambda u: u.contact_name),
        "members": selectors.named(actor, selectors.member_reports(actor=actor, active=True)[:R],
                                   lambda r: r.member.resident.name),
        "services": selectors.named(actor, selectors.service_logs(actor=actor)[:R],
                                    selectors.service_member_name),
        "summary": selectors.quarter_summary(actor=actor, quarter=quarter),
        "quarter": quarter,
        "recent": R,
    })  # fmt: skip


# -- 党员报到 -------------------------------------------------------------------------------------


def _member_form(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    actor = request.actor
    members = selectors.named(actor, selectors.in_service_members(actor=actor)[:500],
                              lambda m: m.resident.name)  # fmt: skip
    return _page(request, "member_form.html",
                 {"members": members, "posted": request.POST, "error": error}, status)  # fmt: skip


@require_http_methods(["GET", "POST"])
@requires("party.report_in")
@once
def member_report_create(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _member_form(request)
    return write(
        request,
        action="member_report.create",
        call=lambda: services_.member_report_create(
            actor=request.actor,
            member_id=request.POST.get("member"),
            skills=posted(request, "skills", 400),
            availability=posted(request, "availability", 200),
        ),  # fmt: skip
        done="已登记党员报到。",
        page=_member_form,
        to="party:report_in",
    )


# -- 需求清单 -------------------------------------------------------------------------------------


def _need_form(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    return _page(request, "need_form.html", {
        "communities": selectors.report_communities(actor=request.actor),
        "own_community": selectors.actor_community(request.actor),
        "today": local_today(), "posted": request.POST, "error": error,
    }, status)  # fmt: skip


@require_http_methods(["GET", "POST"])
@requires("party.report_in")
@once
def need_create(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _need_form(request)
    return write(
        request,
        action="need.post",
        call=lambda: services_.need_post(
            actor=request.actor,
            community_id=request.POST.get("community") or None,
            title=posted(request, "title", 120),
            description=posted(request, "description", 1000),
            skills=posted(request, "skills", 200),
            wanted=posted(request, "wanted", 10),
            needed_by=local_date(request.POST.get("needed_by")),
        ),  # fmt: skip
        done=lambda n: f"已发布需求“{n.title}”。",
        page=_need_form,
        to=lambda n: reverse("party:need", args=[n.pk]),
    )


def _need_detail(
    request: HttpRequest, need_id: int, *, status: int = 200, error: str = ""
) -> HttpResponse:
    actor = request.actor
    need = selectors.need_get(actor=actor, need_id=need_id)
    claims = selectors.named(actor, need.claims.all(), lambda c: c.report_in.member.resident.name)
    claimed = {c.report_in_id for c in claims if c.withdrawn_at is None}
    return _page(request, "need_detail.html", {
        "need": need, "claims": claims, "error": error,
        "actions": [t.action for t in services_.NEED_FLOW.available(need, actor)],
        "can_claim": need.status == NeedState.OPEN,
        "candidates": [r for r in selectors.named(
            actor, selectors.member_reports(actor=actor, active=True,
                                            community_id=need.community_id)[:500],
            lambda r: r.member.resident.name) if r.pk not in claimed],
        "services": selectors.named(actor, selectors.service_logs(actor=actor, need_id=need.pk),
                                    selectors.service_member_name),
    }, status)  # fmt: skip


@require_http_methods(["GET", "POST"])
@requires("party.report_in")
def need_detail(request: HttpRequest, need_id: int) -> HttpResponse:
    """A need with its claims; POST ``step=close`` closes it, ``step=claim``
    claims it on a reported-in member's behalf."""
    if request.method == "GET":
        return _need_detail(request, need_id)
    need = selectors.need_get(actor=request.actor, need_id=need_id)
    actor = request.actor
    step = posted(request, "step", 10)
    if step == "close":
        return write(request, action="need.close",
                     call=lambda: services_.need_close(actor=actor, need_id=need.pk,
                                                       note=posted(request, "note", 400)),
                     done="需求已关闭。", page=_need_detail, page_args=(need.pk,),
                     to="party:need", to_args=(need.pk,))  # fmt: skip
    if step == "claim":
        return write(request, action="need.claim",
                     call=lambda: services_.need_claim(actor=actor, need_id=need.pk,
                                                       report_in_id=request.POST.get("report_in")),
                     done="已代党员认领该需求。", page=_need_detail, page_args=(need.pk,),
                     to="party:need", to_args=(need.pk,))  # fmt: skip
    return _need_detail(request, need.pk, status=422, error="请选择操作。")


def _claim_page(
    request: HttpRequest, need_id: int, *, status: int = 200, error: str = ""
) -> HttpResponse:
    needs = selectors.needs_for_member(actor=request.actor)
    return render(request, "party/reporting/claim.html", {"needs": needs, "error": error},
                  status=status)  # fmt: skip


@require_POST
@requires("party.self")
def need_claim(request: HttpRequest, need_id: int) -> HttpResponse:
    """居民认领社区需求 (from their phone page)."""
    return write(
        request,
        action="need.claim",
        call=lambda: services_.need_claim(actor=request.actor, need_id=need_id),
        done=lambda c: f"已认领“{c.need.title}”，社区会与您联系。",
        page=_claim_page,
        page_args=(need_id,),
        to="party:me",
    )


# -- 服务登记 -------------------------------------------------------------------------------------


def _service_form(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    actor = request.actor
    chosen = request.POST.get("need") or request.GET.get("need", "")
    return _page(request, "service_form.html", {
        "report_ins": selectors.named(actor, selectors.member_reports(actor=actor, active=True)[:500],
                                      lambda r: r.member.resident.name),
        "needs": selectors.needs(actor=actor).exclude(status=NeedState.CLOSED)[:200],
        "chosen_need": chosen[:19], "today": local_today(),
        "posted": request.POST, "error": error,
    }, status)  # fmt: skip


@require_http_methods(["GET", "POST"])
@requires("party.report_in")
@once
def service_log_create(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _service_form(request)
    return write(
        request,
        action="service_log.create",
        call=lambda: services_.service_log_create(
            actor=request.actor,
            report_in_id=request.POST.get("report_in"),
            need_id=request.POST.get("need") or None,
            day=local_date(request.POST.get("day")),
            hours=posted(request, "hours", 10),
            what=posted(request, "what", 400),
        ),  # fmt: skip
        done=lambda s: "已登记服务，并计入结对共建。" if s.pairing_action_id else "已登记服务。",
        page=_service_form,
        to="party:report_in",
    )


# -- 季度反馈函 -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@requires("party.report_in")
def feedback_letter(request: HttpRequest, unit_id: int, quarter: str) -> HttpResponse:
    """GET: the letter as a PDF (full names: recorded as a view of personal
    data); POST: record that it was sent."""
    actor = request.actor
    community = request.GET.get("community") or request.POST.get("community") or None
    if request.method == "GET":
        pdf = services_.feedback_print(actor=actor, unit_id=unit_id, quarter=quarter,
                                       community_id=community)  # fmt: skip
        response = HttpResponse(pdf, content_type=PDF)
        name = f"feedback-{selectors.clean_quarter(quarter)}-{unit_id}.pdf"
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response
    return write(
        request,
        action="feedback.send",
        call=lambda: services_.feedback_send(actor=actor, unit_id=unit_id, quarter=quarter,
                                             community_id=community),
        done=lambda x: f"已记录发送{x.quarter}反馈函（编号{x.number}）。",
        page=_home,
        to=lambda x: f"{reverse('party:report_in')}?quarter={x.quarter}",
    )  # fmt: skip

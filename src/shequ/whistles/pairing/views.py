"""Pages of pairing (结对共建): the agreement list, one agreement with its
commitments, actions and ratings, and the liaison's home. Each view parses,
calls one service or selector, renders; refused writes are shown in Chinese
and audited."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from shequ.core.formtokens import once
from shequ.core.http import form_status, refusal, requires
from shequ.whistles import checks
from shequ.whistles.bodies import selectors as body_selectors
from shequ.whistles.models import AgreementState, QuarterScore
from shequ.whistles.pairing import selectors as pairing_selectors
from shequ.whistles.pairing import services as pairing_services
from shequ.whistles.pairing.forms import (
    ActionForm,
    AgreementFilterForm,
    AgreementForm,
    CommitmentForm,
    EndForm,
    RatingForm,
)
from shequ.whistles.scope import is_liaison
from shequ.whistles.whistle import selectors as whistle_selectors


@requires("pairing.view")
def pairing_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = AgreementFilterForm(
        request.GET or None, communities=body_selectors.communities(actor=actor)
    )
    rows = pairing_selectors.agreement_list(
        actor=actor, filters=pairing_selectors.AgreementFilters(**form.filters())
    )
    page = Paginator(rows, settings.SHEQU_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "whistles/pairing_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "liaison": is_liaison(actor),
            "figures": pairing_selectors.pairing_figures(actor=actor, level="community"),
        },
    )


@require_http_methods(["GET", "POST"])
@requires("pairing.manage")
@once
def agreement_create(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    units, departments = body_selectors.partner_choices(actor=actor)
    form = AgreementForm(
        request.POST or None,
        communities=body_selectors.communities(actor=actor),
        units=units,
        departments=departments,
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit_id, department_id = form.partner_ids()
        with refusal(request, action="pairing.create", form=form) as refused:
            unit, department = body_selectors.partner_get(
                actor=actor, unit_id=unit_id, department_id=department_id
            )
            agreement = pairing_services.agreement_create(
                actor=actor,
                community=body_selectors.community_get(actor=actor, community_id=data["community"]),
                unit=unit,
                department=department,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                note=data["note"],
            )
            messages.success(request, f"已登记与“{agreement.partner_name}”的结对共建协议。")
            return redirect("whistles:agreement", agreement_id=agreement.pk)
        if refused:
            status = refused.status
    return render(
        request,
        "whistles/body_form.html",
        {"form": form, "title": "签订结对共建协议", "cancel": "whistles:pairing_list"},
        status=form_status(request, form, status),
    )


def _detail(request: HttpRequest, agreement_id: int, *, status: int = 200, **forms) -> HttpResponse:
    actor = request.actor
    agreement = pairing_selectors.agreement_get(actor=actor, agreement_id=agreement_id)
    commitments = list(agreement.commitments.all())
    active = agreement.status == AgreementState.ACTIVE
    can_end = "end" in {t.action for t in pairing_services.PAIRING_FLOW.available(agreement, actor)}
    context = {
        "agreement": agreement,
        "commitments": commitments,
        "actions": list(agreement.actions.all()),
        "ratings": list(agreement.ratings.all()),
        "timeline": list(pairing_selectors.agreement_timeline(agreement=agreement)),
        "active": active,
        "can_manage": can_end and not is_liaison(actor),
        "can_act": active and actor.can("pairing.act"),
        "can_rate": actor.can("pairing.rate"),
        "action_form": forms.get("action_form") or ActionForm(commitments=commitments),
        "commitment_form": forms.get("commitment_form") or CommitmentForm(),
        "rating_form": forms.get("rating_form")
        or RatingForm(initial={"quarter": checks.quarter_of(pairing_selectors.local_today())}),
        "end_form": forms.get("end_form") or EndForm(),
        "scores": QuarterScore,
    }
    return render(request, "whistles/agreement_detail.html", context, status=status)


@requires("pairing.view")
def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    return _detail(request, agreement_id)


@require_http_methods(["GET", "POST"])
@requires("pairing.act")
def action_log(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """The log form (a liaison's page too); GET shows the agreement with it."""
    actor = request.actor
    agreement = pairing_selectors.agreement_get(actor=actor, agreement_id=agreement_id)
    form = ActionForm(request.POST or None, commitments=list(agreement.commitments.all()))
    status = 200
    if request.method == "POST" and form.is_valid():
        with refusal(request, action="pairing.action_log", form=form, obj=agreement) as refused:
            pairing_services.action_log(
                actor=actor, agreement_id=agreement.pk, **form.data_for_service()
            )
            messages.success(request, "已登记共建活动。")
            return redirect("whistles:agreement", agreement_id=agreement.pk)
        if refused:
            status = refused.status
    return _detail(
        request, agreement.pk, action_form=form, status=form_status(request, form, status)
    )


@require_POST
@requires("pairing.manage")
@once
def commitment_add(request: HttpRequest, agreement_id: int) -> HttpResponse:
    actor = request.actor
    agreement = pairing_selectors.agreement_get(actor=actor, agreement_id=agreement_id)
    form = CommitmentForm(request.POST)
    status = 200
    if form.is_valid():
        with refusal(request, action="pairing.commitment_add", form=form, obj=agreement) as refused:
            pairing_services.commitment_add(
                actor=actor, agreement_id=agreement.pk, **form.cleaned_data
            )
            messages.success(request, "已加入共建清单。")
            return redirect("whistles:agreement", agreement_id=agreement.pk)
        if refused:
            status = refused.status
    return _detail(
        request, agreement.pk, commitment_form=form, status=form_status(request, form, status)
    )


@require_POST
@requires("pairing.rate")
def quarter_rate(request: HttpRequest, agreement_id: int) -> HttpResponse:
    actor = request.actor
    agreement = pairing_selectors.agreement_get(actor=actor, agreement_id=agreement_id)
    form = RatingForm(request.POST)
    status = 200
    if form.is_valid():
        with refusal(request, action="pairing.rate", form=form, obj=agreement) as refused:
            rating = pairing_services.quarter_rate(
                actor=actor, agreement_id=agreement.pk, **form.cleaned_data
            )
            messages.success(request, f"已评价{rating.quarter}：{rating.get_score_display()}。")
            return redirect("whistles:agreement", agreement_id=agreement.pk)
        if refused:
            status = refused.status
    return _detail(
        request, agreement.pk, rating_form=form, status=form_status(request, form, status)
    )


@require_POST
@requires("pairing.manage")
def agreement_end(request: HttpRequest, agreement_id: int) -> HttpResponse:
    actor = request.actor
    agreement = pairing_selectors.agreement_get(actor=actor, agreement_id=agreement_id)
    form = EndForm(request.POST)
    status = 200
    if form.is_valid():
        with refusal(request, action="pairing.end", form=form, obj=agreement) as refused:
            pairing_services.agreement_end(
                actor=actor, agreement_id=agreement.pk, reason=form.cleaned_data["reason"]
            )
            messages.success(request, "协议已终止。")
            return redirect("whistles:agreement", agreement_id=agreement.pk)
        if refused:
            status = refused.status
    return _detail(request, agreement.pk, end_form=form, status=form_status(request, form, status))


@requires("pairing.view")
def liaison_home(request: HttpRequest) -> HttpResponse:
    """联络员首页: the bodies the account speaks for and their active agreements."""
    actor = request.actor
    view = pairing_selectors.liaison_home(actor=actor)
    unread = whistle_selectors.unread_notice_count(actor=actor) if actor.can("whistle.view") else 0
    return render(request, "whistles/liaison_home.html", {"view": view, "unread_notices": unread})

"""Pages of departments, units, liaisons and pairing (结对共建). Each view
parses, calls one service or selector, renders; refused writes are shown in
Chinese and audited."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from shequ.core.errors import DomainError
from shequ.core.http import refuse, requires
from shequ.whistles import selectors, services, whistle_selectors
from shequ.whistles.forms import (
    ActionForm,
    AgreementFilterForm,
    AgreementForm,
    CommitmentForm,
    DepartmentForm,
    EndForm,
    LiaisonForm,
    RatingForm,
    UnitForm,
)
from shequ.whistles.models import AgreementState, QuarterScore
from shequ.whistles.scope import is_liaison


def _status(request: HttpRequest, form, status: int) -> int:
    if request.method == "POST" and form.errors and status == 200:
        return 422
    return status


# -- departments, units, liaisons (district admin) ----------------------------------------


@requires("department.manage")
def bodies(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    return render(
        request,
        "whistles/bodies.html",
        {
            "departments": list(selectors.department_list(actor=actor)),
            "units": list(selectors.unit_list(actor=actor)),
            "liaisons": list(selectors.liaison_list(actor=actor)),
        },
    )


def _body_form(request, *, form, title, save, action, obj=None, success, cancel="whistles:bodies"):
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except DomainError as error:
            status = refuse(request, error, action=action, form=form, obj=obj)
        else:
            messages.success(request, success.format(name=saved.name))
            return redirect("whistles:bodies")
    return render(
        request,
        "whistles/body_form.html",
        {"form": form, "title": title, "cancel": cancel},
        status=_status(request, form, status),
    )


@require_http_methods(["GET", "POST"])
@requires("department.manage")
def department_create(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    return _body_form(
        request,
        form=DepartmentForm(request.POST or None),
        title="新增职能部门",
        save=lambda d: services.department_create(actor=actor, **d),
        action="department.create",
        success="已新增职能部门“{name}”。",
    )


@require_http_methods(["GET", "POST"])
@requires("department.manage")
def department_edit(request: HttpRequest, department_id: int) -> HttpResponse:
    actor = request.actor
    department = selectors.department_get(actor=actor, department_id=department_id)
    initial = {
        "name": department.name,
        "kind": department.kind,
        "head_name": department.head_name,
        "active": department.active,
    }
    form = DepartmentForm(request.POST or None, initial=initial)
    form.fields[
        "phone"
    ].help_text = f"现为 {department.phone_masked or '未登记'}；修改时请填写完整号码，不填则清空。"
    return _body_form(
        request,
        form=form,
        title=f"修改职能部门：{department.name}",
        save=lambda d: services.department_update(actor=actor, department=department, **d),
        action="department.update",
        obj=department,
        success="已保存“{name}”。",
    )


@require_http_methods(["GET", "POST"])
@requires("department.manage")
def unit_create(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    return _body_form(
        request,
        form=UnitForm(request.POST or None),
        title="新增驻区单位",
        save=lambda d: services.unit_create(actor=actor, **d),
        action="unit.create",
        success="已新增驻区单位“{name}”。",
    )


@require_http_methods(["GET", "POST"])
@requires("department.manage")
def unit_edit(request: HttpRequest, unit_id: int) -> HttpResponse:
    actor = request.actor
    unit = selectors.unit_get(actor=actor, unit_id=unit_id)
    initial = {
        "name": unit.name,
        "kind": unit.kind,
        "address": unit.address,
        "contact": unit.contact,
        "active": unit.active,
    }
    return _body_form(
        request,
        form=UnitForm(request.POST or None, initial=initial),
        title=f"修改驻区单位：{unit.name}",
        save=lambda d: services.unit_update(actor=actor, unit=unit, **d),
        action="unit.update",
        obj=unit,
        success="已保存“{name}”。",
    )


@require_http_methods(["GET", "POST"])
@requires("department.manage")
def liaison_grant(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = LiaisonForm(
        request.POST or None,
        departments=selectors.department_list(actor=actor, active_only=True),
        units=selectors.unit_list(actor=actor, active_only=True),
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        department_id, unit_id = form.body_ids()
        try:
            user = selectors.liaison_candidate(actor=actor, username=form.cleaned_data["username"])
            liaison = services.liaison_grant(
                actor=actor,
                user=user,
                department=selectors.department_get(actor=actor, department_id=department_id)
                if department_id
                else None,
                unit=selectors.unit_get(actor=actor, unit_id=unit_id) if unit_id else None,
            )
        except DomainError as error:
            status = refuse(request, error, action="liaison.grant", form=form)
        else:
            messages.success(request, f"{liaison.user}已成为“{liaison.body.name}”的联络员。")
            return redirect("whistles:bodies")
    return render(
        request,
        "whistles/body_form.html",
        {"form": form, "title": "授予联络员", "cancel": "whistles:bodies"},
        status=_status(request, form, status),
    )


@require_POST
@requires("department.manage")
def liaison_revoke(request: HttpRequest, liaison_id: int) -> HttpResponse:
    actor = request.actor
    liaison = selectors.liaison_get(actor=actor, liaison_id=liaison_id)
    try:
        services.liaison_revoke(actor=actor, liaison=liaison)
    except DomainError as error:
        refuse(request, error, action="liaison.revoke", flash=True, obj=liaison)
    else:
        messages.success(request, f"已收回{liaison.user}的联络员身份（{liaison.body.name}）。")
    return redirect("whistles:bodies")


# -- agreements -----------------------------------------------------------------------------


@requires("pairing.view")
def pairing_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = AgreementFilterForm(request.GET or None, communities=selectors.communities(actor=actor))
    rows = selectors.agreement_list(
        actor=actor, filters=selectors.AgreementFilters(**form.filters())
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
            "figures": selectors.pairing_figures(actor=actor, level="community"),
        },
    )


@require_http_methods(["GET", "POST"])
@requires("pairing.manage")
def agreement_create(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    units, departments = selectors.partner_choices(actor=actor)
    form = AgreementForm(
        request.POST or None,
        communities=selectors.communities(actor=actor),
        units=units,
        departments=departments,
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit_id, department_id = form.partner_ids()
        try:
            unit, department = selectors.partner_get(
                actor=actor, unit_id=unit_id, department_id=department_id
            )
            agreement = services.agreement_create(
                actor=actor,
                community=selectors.community_get(actor=actor, community_id=data["community"]),
                unit=unit,
                department=department,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                note=data["note"],
            )
        except DomainError as error:
            status = refuse(request, error, action="pairing.create", form=form)
        else:
            messages.success(request, f"已登记与“{agreement.partner_name}”的结对共建协议。")
            return redirect("whistles:agreement", agreement_id=agreement.pk)
    return render(
        request,
        "whistles/body_form.html",
        {"form": form, "title": "签订结对共建协议", "cancel": "whistles:pairing_list"},
        status=_status(request, form, status),
    )


def _detail(request: HttpRequest, agreement_id: int, *, status: int = 200, **forms) -> HttpResponse:
    actor = request.actor
    agreement = selectors.agreement_get(actor=actor, agreement_id=agreement_id)
    commitments = list(agreement.commitments.all())
    active = agreement.status == AgreementState.ACTIVE
    context = {
        "agreement": agreement,
        "commitments": commitments,
        "actions": list(agreement.actions.all()),
        "ratings": list(agreement.ratings.all()),
        "timeline": list(selectors.agreement_timeline(agreement=agreement)),
        "active": active,
        "can_manage": active and actor.can("pairing.manage") and not is_liaison(actor),
        "can_act": active and actor.can("pairing.act"),
        "can_rate": actor.can("pairing.rate"),
        "action_form": forms.get("action_form") or ActionForm(commitments=commitments),
        "commitment_form": forms.get("commitment_form") or CommitmentForm(),
        "rating_form": forms.get("rating_form")
        or RatingForm(initial={"quarter": services.quarter_of(selectors.local_today())}),
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
    agreement = selectors.agreement_get(actor=actor, agreement_id=agreement_id)
    form = ActionForm(request.POST or None, commitments=list(agreement.commitments.all()))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.action_log(actor=actor, agreement_id=agreement.pk, **form.data_for_service())
        except DomainError as error:
            status = refuse(request, error, action="pairing.action_log", form=form, obj=agreement)
        else:
            messages.success(request, "已登记共建活动。")
            return redirect("whistles:agreement", agreement_id=agreement.pk)
    return _detail(request, agreement.pk, action_form=form, status=_status(request, form, status))


@require_POST
@requires("pairing.manage")
def commitment_add(request: HttpRequest, agreement_id: int) -> HttpResponse:
    actor = request.actor
    agreement = selectors.agreement_get(actor=actor, agreement_id=agreement_id)
    form = CommitmentForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            services.commitment_add(actor=actor, agreement_id=agreement.pk, **form.cleaned_data)
        except DomainError as error:
            status = refuse(
                request, error, action="pairing.commitment_add", form=form, obj=agreement
            )
        else:
            messages.success(request, "已加入共建清单。")
            return redirect("whistles:agreement", agreement_id=agreement.pk)
    return _detail(
        request, agreement.pk, commitment_form=form, status=_status(request, form, status)
    )


@require_POST
@requires("pairing.rate")
def quarter_rate(request: HttpRequest, agreement_id: int) -> HttpResponse:
    actor = request.actor
    agreement = selectors.agreement_get(actor=actor, agreement_id=agreement_id)
    form = RatingForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            rating = services.quarter_rate(
                actor=actor, agreement_id=agreement.pk, **form.cleaned_data
            )
        except DomainError as error:
            status = refuse(request, error, action="pairing.rate", form=form, obj=agreement)
        else:
            messages.success(request, f"已评价{rating.quarter}：{rating.get_score_display()}。")
            return redirect("whistles:agreement", agreement_id=agreement.pk)
    return _detail(request, agreement.pk, rating_form=form, status=_status(request, form, status))


@require_POST
@requires("pairing.manage")
def agreement_end(request: HttpRequest, agreement_id: int) -> HttpResponse:
    actor = request.actor
    agreement = selectors.agreement_get(actor=actor, agreement_id=agreement_id)
    form = EndForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            services.agreement_end(
                actor=actor, agreement_id=agreement.pk, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            status = refuse(request, error, action="pairing.end", form=form, obj=agreement)
        else:
            messages.success(request, "协议已终止。")
            return redirect("whistles:agreement", agreement_id=agreement.pk)
    return _detail(request, agreement.pk, end_form=form, status=_status(request, form, status))


@requires("pairing.view")
def liaison_home(request: HttpRequest) -> HttpResponse:
    """联络员首页: the bodies the account speaks for and their active agreements."""
    actor = request.actor
    view = selectors.liaison_home(actor=actor)
    unread = whistle_selectors.unread_notice_count(actor=actor) if actor.can("whistle.view") else 0
    return render(request, "whistles/liaison_home.html", {"view": view, "unread_notices": unread})


urlpatterns = [
    path("bodies/", bodies, name="bodies"),
    path("bodies/departments/new/", department_create, name="department_create"),
    path("bodies/departments/<int:department_id>/", department_edit, name="department_edit"),
    path("bodies/units/new/", unit_create, name="unit_create"),
    path("bodies/units/<int:unit_id>/", unit_edit, name="unit_edit"),
    path("bodies/liaisons/new/", liaison_grant, name="liaison_grant"),
    path("bodies/liaisons/<int:liaison_id>/revoke/", liaison_revoke, name="liaison_revoke"),
    path("pairing/", pairing_list, name="pairing_list"),
    path("pairing/new/", agreement_create, name="agreement_create"),
    path("pairing/mine/", liaison_home, name="liaison_home"),
    path("pairing/<int:agreement_id>/", agreement_detail, name="agreement"),
    path("pairing/<int:agreement_id>/actions/", action_log, name="action_log"),
    path("pairing/<int:agreement_id>/commitments/", commitment_add, name="commitment_add"),
    path("pairing/<int:agreement_id>/rate/", quarter_rate, name="quarter_rate"),
    path("pairing/<int:agreement_id>/end/", agreement_end, name="agreement_end"),
]

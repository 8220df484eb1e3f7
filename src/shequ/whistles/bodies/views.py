"""Pages of departments, stationed units and liaisons. Each view parses,
calls one service or selector, renders; refused writes are shown in Chinese
and audited."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from shequ.core.formtokens import once
from shequ.core.http import form_status, refusal, requires
from shequ.whistles.bodies import selectors as body_selectors
from shequ.whistles.bodies import services as body_services
from shequ.whistles.bodies.forms import DepartmentForm, LiaisonForm, UnitForm


@requires("department.manage")
def bodies(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    return render(
        request,
        "whistles/bodies.html",
        {
            "departments": list(body_selectors.department_list(actor=actor)),
            "units": list(body_selectors.unit_list(actor=actor)),
            "liaisons": list(body_selectors.liaison_list(actor=actor)),
        },
    )


def _body_form(request, *, form, title, save, action, obj=None, success, cancel="whistles:bodies"):
    status = 200
    if request.method == "POST" and form.is_valid():
        with refusal(request, action=action, form=form, obj=obj) as refused:
            saved = save(form.cleaned_data)
            messages.success(request, success.format(name=saved.name))
            return redirect("whistles:bodies")
        if refused:
            status = refused.status
    return render(
        request,
        "whistles/body_form.html",
        {"form": form, "title": title, "cancel": cancel},
        status=form_status(request, form, status),
    )


@require_http_methods(["GET", "POST"])
@requires("department.manage")
@once
def department_create(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    return _body_form(
        request,
        form=DepartmentForm(request.POST or None),
        title="新增职能部门",
        save=lambda d: body_services.department_create(actor=actor, **d),
        action="department.create",
        success="已新增职能部门“{name}”。",
    )


@require_http_methods(["GET", "POST"])
@requires("department.manage")
def department_edit(request: HttpRequest, department_id: int) -> HttpResponse:
    actor = request.actor
    department = body_selectors.department_get(actor=actor, department_id=department_id)
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
        save=lambda d: body_services.department_update(actor=actor, department=department, **d),
        action="department.update",
        obj=department,
        success="已保存“{name}”。",
    )


@require_http_methods(["GET", "POST"])
@requires("department.manage")
@once
def unit_create(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    return _body_form(
        request,
        form=UnitForm(request.POST or None),
        title="新增驻区单位",
        save=lambda d: body_services.unit_create(actor=actor, **d),
        action="unit.create",
        success="已新增驻区单位“{name}”。",
    )


@require_http_methods(["GET", "POST"])
@requires("department.manage")
def unit_edit(request: HttpRequest, unit_id: int) -> HttpResponse:
    actor = request.actor
    unit = body_selectors.unit_get(actor=actor, unit_id=unit_id)
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
        save=lambda d: body_services.unit_update(actor=actor, unit=unit, **d),
        action="unit.update",
        obj=unit,
        success="已保存“{name}”。",
    )


@require_http_methods(["GET", "POST"])
@requires("department.manage")
@once
def liaison_grant(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = LiaisonForm(
        request.POST or None,
        departments=body_selectors.department_list(actor=actor, active_only=True),
        units=body_selectors.unit_list(actor=actor, active_only=True),
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        department_id, unit_id = form.body_ids()
        with refusal(request, action="liaison.grant", form=form) as refused:
            user = body_selectors.liaison_candidate(
                actor=actor, username=form.cleaned_data["username"]
            )
            liaison = body_services.liaison_grant(
                actor=actor,
                user=user,
                department=body_selectors.department_get(actor=actor, department_id=department_id)
                if department_id
                else None,
                unit=body_selectors.unit_get(actor=actor, unit_id=unit_id) if unit_id else None,
            )
            messages.success(request, f"{liaison.user}已成为“{liaison.body.name}”的联络员。")
            return redirect("whistles:bodies")
        if refused:
            status = refused.status
    return render(
        request,
        "whistles/body_form.html",
        {"form": form, "title": "授予联络员", "cancel": "whistles:bodies"},
        status=form_status(request, form, status),
    )


@require_POST
@requires("department.manage")
def liaison_revoke(request: HttpRequest, liaison_id: int) -> HttpResponse:
    actor = request.actor
    liaison = body_selectors.liaison_get(actor=actor, liaison_id=liaison_id)
    with refusal(request, action="liaison.revoke", flash=True, obj=liaison):
        body_services.liaison_revoke(actor=actor, liaison=liaison)
        messages.success(request, f"已收回{liaison.user}的联络员身份（{liaison.body.name}）。")
    return redirect("whistles:bodies")

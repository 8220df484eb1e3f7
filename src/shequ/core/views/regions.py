"""Region pages: the tree (children load with htmx), detail, add, edit, move."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from shequ.core import selectors
from shequ.core.audit import audit_refused
from shequ.core.errors import DomainError, NotFound, ValidationError
from shequ.core.forms import RegionForm, RegionMoveForm
from shequ.core.formtokens import once
from shequ.core.http import is_htmx, refusal, requires
from shequ.core.models import RegionLevel
from shequ.core.services import regions as services


def _int(value: str | None) -> int:
    try:
        number = int(value or "")
    except ValueError as error:
        raise NotFound(selectors.REGION_NOT_FOUND) from error
    if number <= 0:
        raise NotFound(selectors.REGION_NOT_FOUND)
    return number


def _guard(request: HttpRequest, region, *, action: str) -> None:
    """Refuse a region outside the scope; a refused POST is audited."""
    try:
        request.actor.require_region(region)
    except DomainError as error:
        if request.method == "POST":
            audit_refused(actor=request.actor, action=action, message=error.message, obj=region)
        raise


@requires("region.view")
def region_tree(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if "parent" in request.GET:
        parent_id = _int(request.GET["parent"])
        if not is_htmx(request):
            return redirect("core:region_detail", region_id=parent_id)
        parent = selectors.region_detail(actor=actor, region_id=parent_id)
        children = selectors.region_children(actor=actor, parent=parent)
        return render(request, "core/regions/_children.html", {"rows": children})
    root = selectors.region_root(actor=actor)
    if root is None:
        raise NotFound(selectors.REGION_NOT_FOUND)
    return render(
        request,
        "core/regions/tree.html",
        {
            "root": root,
            "rows": selectors.region_children(actor=actor, parent=root),
        },
    )


@requires("region.view")
def region_detail(request: HttpRequest, region_id: int) -> HttpResponse:
    actor = request.actor
    region = selectors.region_detail(actor=actor, region_id=region_id)
    return render(
        request,
        "core/regions/detail.html",
        {
            "region": region,
            "lineage": selectors.region_lineage(actor=actor, region=region),
            "rows": selectors.region_children(actor=actor, parent=region),
            "child_level": RegionLevel.child_of(region.level),
            "can_manage": actor.can("region.manage"),
        },
    )


@requires("region.manage")
@once
def region_add(request: HttpRequest, parent_id: int) -> HttpResponse:
    actor = request.actor
    parent = selectors.region_lookup(region_id=parent_id)
    _guard(request, parent, action="region.create")
    level = RegionLevel.child_of(parent.level)
    if level is None:
        raise ValidationError("单元之下不能再设下级区划。")
    status = 200
    if request.method == "POST":
        form = RegionForm(request.POST, level=level)
        if form.is_valid():
            with refusal(request, action="region.create", form=form, obj=parent) as refused:
                region = services.region_create(actor=actor, parent=parent, **form.cleaned_data)
                messages.success(request, f"已新增{region.level_label}“{region.name}”。")
                return redirect("core:region_detail", region_id=region.pk)
            if refused:
                status = refused.status
        else:
            status = 422
    else:
        form = RegionForm(level=level, initial={"code": selectors.region_next_code(parent=parent)})
    return render(
        request,
        "core/regions/form.html",
        {
            "form": form,
            "parent": parent,
            "level_label": RegionLevel(level).label,
            "title": f"在“{parent.name}”下新增{RegionLevel(level).label}",
            "code_example": services.code_example(level=level, parent=parent),
            "back": reverse("core:region_detail", args=[parent.pk]),
        },
        status=status,
    )


@requires("region.manage")
def region_edit(request: HttpRequest, region_id: int) -> HttpResponse:
    actor = request.actor
    region = selectors.region_lookup(region_id=region_id)
    _guard(request, region, action="region.update")
    status = 200
    if request.method == "POST":
        form = RegionForm(request.POST, level=region.level)
        if form.is_valid():
            with refusal(request, action="region.update", form=form, obj=region) as refused:
                services.region_update(actor=actor, region=region, **form.cleaned_data)
                messages.success(request, f"已保存“{form.cleaned_data['name']}”。")
                return redirect("core:region_detail", region_id=region.pk)
            if refused:
                status = refused.status
        else:
            status = 422
    else:
        form = RegionForm(
            level=region.level,
            initial={
                "name": region.name,
                "code": region.code,
                "population_served": region.population_served,
                "households_served": region.households_served,
            },
        )
    return render(
        request,
        "core/regions/form.html",
        {
            "form": form,
            "region": region,
            "parent": region.parent,
            "title": f"修改{region.level_label}“{region.name}”",
            "code_example": services.code_example(level=region.level, parent=region.parent),
            "back": reverse("core:region_detail", args=[region.pk]),
        },
        status=status,
    )


@requires("region.manage")
def region_move(request: HttpRequest, region_id: int) -> HttpResponse:
    actor = request.actor
    region = selectors.region_lookup(region_id=region_id)
    _guard(request, region, action="region.move")
    if region.parent_id is None:
        raise ValidationError("区是区划树的根，不能迁移。")
    targets = list(selectors.region_move_targets(actor=actor, region=region))
    status = 200
    if request.method == "POST":
        form = RegionMoveForm(request.POST, targets=targets)
        if form.is_valid():
            with refusal(request, action="region.move", form=form, obj=region) as refused:
                new_parent = selectors.region_lookup(region_id=form.cleaned_data["new_parent"])
                services.region_move(
                    actor=actor,
                    region=region,
                    new_parent=new_parent,
                    new_code=form.cleaned_data["new_code"] or None,
                )
                messages.success(request, f"已把“{region.name}”迁移到“{new_parent.name}”之下。")
                return redirect("core:region_detail", region_id=region.pk)
            if refused:
                status = refused.status
        else:
            status = 422
    else:
        form = RegionMoveForm(targets=targets)
    return render(
        request,
        "core/regions/move.html",
        {
            "form": form,
            "region": region,
            "targets": targets,
            "parent_label": RegionLevel(region.level - 1).label,
        },
        status=status,
    )

"""Pages of the service desk (一窗受理). Each view parses, calls one service
or selector, renders; refused writes are shown in Chinese and audited."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from shequ.core.audit import audit_refused
from shequ.core.errors import DomainError, PermissionDenied
from shequ.core.formtokens import once
from shequ.core.http import refusal, requires
from shequ.desk.catalog import excel, selectors, services
from shequ.desk.catalog.forms import (
    CatalogSearchForm,
    DutyForm,
    ImportForm,
    ItemForm,
    QualificationForm,
    WindowForm,
)


def _own_community(request: HttpRequest):
    community = selectors.actor_community(request.actor)
    if community is None:
        raise PermissionDenied("请切换到社区角色后再操作。")
    return community


# -- home ------------------------------------------------------------------------------


@requires("service_item.view")
def home(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    community = selectors.actor_community(actor)
    context: dict = {"community": community, "today": selectors.local_today()}
    if community is not None:
        context |= {
            "windows": list(selectors.window_list(actor=actor, community=community)),
            "qualifications": list(selectors.qualification_list(actor=actor, community=community)),
            "adopted": len(selectors.adopted_item_ids(actor=actor, community=community)),
        }
    else:
        context |= {
            "categories": selectors.category_counts(actor=actor),
            "desks": list(selectors.desk_counts(actor=actor)),
        }
    context["summary"] = selectors.desk_summary(actor=actor)
    return render(request, "services/home.html", context)


# -- catalog --------------------------------------------------------------------------------


@requires("service_item.view")
def item_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = CatalogSearchForm(request.GET or None)
    rows = selectors.item_list(actor=actor, **form.filters())
    page = Paginator(rows, settings.SHEQU_PAGE_SIZE).get_page(request.GET.get("page"))
    community = selectors.actor_community(actor)
    adopted = selectors.adopted_item_ids(actor=actor, community=community) if community else set()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "services/item_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "community": community,
            "adopted": adopted,
        },
    )


@requires("service_item.view")
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    actor = request.actor
    item = selectors.item_get(actor=actor, item_id=item_id)
    community = selectors.actor_community(actor)
    adoption = (
        selectors.adoption_get(actor=actor, community=community, item=item) if community else None
    )
    return render(
        request,
        "services/item_detail.html",
        {"item": item, "community": community, "adoption": adoption},
    )


@require_http_methods(["GET", "POST"])
@requires("service_item.manage")
@once
def item_create(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = ItemForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid() and (spec := form.spec()) is not None:
        with refusal(request, action="service_item.create", form=form) as refused:
            district = selectors.district_of(actor=actor)
            item = services.item_create(
                actor=actor, district=district, code=form.cleaned_data["code"], spec=spec
            )
            messages.success(request, f"已新增事项“{item.name}”（第1版）。")
            return redirect("services:item", item_id=item.pk)
        if refused:
            status = refused.status
    if request.method == "POST" and form.errors and status == 200:
        status = 422
    return render(
        request, "services/item_form.html", {"form": form, "title": "新增事项"}, status=status
    )


@require_http_methods(["GET", "POST"])
@requires("service_item.manage")
def item_revise(request: HttpRequest, item_id: int) -> HttpResponse:
    actor = request.actor
    item = selectors.item_get(actor=actor, item_id=item_id)
    initial = ItemForm.initial_from(item.current_version) if item.current_version else {}
    form = ItemForm(request.POST or None, initial=initial, revising=True)
    status = 200
    if request.method == "POST" and form.is_valid() and (spec := form.spec()) is not None:
        with refusal(request, action="service_item.revise", form=form, obj=item) as refused:
            version = services.item_revise(actor=actor, item=item, spec=spec)
            messages.success(request, f"已发布第{version.number}版。")
            return redirect("services:item", item_id=item.pk)
        if refused:
            status = refused.status
    if request.method == "POST" and form.errors and status == 200:
        status = 422
    return render(
        request,
        "services/item_form.html",
        {"form": form, "title": f"修订事项：{item.name}", "item": item},
        status=status,
    )


@require_POST
@requires("service_item.manage")
def item_retire(request: HttpRequest, item_id: int) -> HttpResponse:
    actor = request.actor
    item = selectors.item_get(actor=actor, item_id=item_id)
    with refusal(request, action="service_item.retire", flash=True, obj=item):
        services.item_retire(actor=actor, item=item)
        messages.success(request, f"事项“{item.name}”已停用。")
    return redirect("services:item", item_id=item.pk)


@require_POST
@requires("service_item.adopt")
def item_adopt(request: HttpRequest, item_id: int) -> HttpResponse:
    actor = request.actor
    item = selectors.item_get(actor=actor, item_id=item_id)
    with refusal(request, action="community_item.adopt", flash=True, obj=item):
        community = _own_community(request)
        services.community_item_adopt(actor=actor, community=community, item=item)
        messages.success(request, f"本社区已认领“{item.name}”。")
    return redirect("services:item", item_id=item.pk)


@require_POST
@requires("service_item.adopt")
def item_drop(request: HttpRequest, item_id: int) -> HttpResponse:
    actor = request.actor
    item = selectors.item_get(actor=actor, item_id=item_id)
    with refusal(request, action="community_item.drop", flash=True, obj=item):
        community = _own_community(request)
        services.community_item_drop(actor=actor, community=community, item=item)
        messages.success(request, f"本社区不再受理“{item.name}”。")
    return redirect("services:item", item_id=item.pk)


@require_http_methods(["GET", "POST"])
@requires("service_item.manage")
@once
def catalog_import(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = ImportForm(request.POST or None, request.FILES or None)
    report, status = None, 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            district = selectors.district_of(actor=actor)
            result = excel.catalog_import(actor=actor, district=district, file=upload)
        except DomainError as error:
            audit_refused(
                actor=actor,
                action="service_item.import",
                message=error.message,
                changes={"file": upload.name[:200], "bad_rows": len(error.details)},
            )
            report, status = error, error.status
        else:
            messages.success(
                request,
                f"导入完成：新增 {result.created} 项，修订 {result.revised} 项，"
                f"未变 {result.unchanged} 项。",
            )
            return redirect("services:items")
    return render(
        request,
        "services/import.html",
        {"form": form, "report": report, "columns": excel.COLUMNS, "sheet": excel.SHEET},
        status=status,
    )


@requires("service_item.view")
def catalog_export(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = CatalogSearchForm(request.GET or None)
    items = list(selectors.item_list(actor=actor, **form.filters()))
    response = HttpResponse(
        excel.catalog_export(actor=actor, items=items), content_type=excel.XLSX_CONTENT_TYPE
    )
    stamp = selectors.local_today().strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(f'公共服务事项清单_{stamp}.xlsx')}"
    )
    return response


# -- windows -------------------------------------------------------------------------------


@requires("service_item.view")
def window_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    return render(
        request,
        "services/window_list.html",
        {
            "windows": list(selectors.window_list(actor=actor)),
            "community": selectors.actor_community(actor),
            "form": WindowForm(),
            "today": selectors.local_today(),
        },
    )


@require_http_methods(["GET", "POST"])
@requires("window.manage")
@once
def window_create(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = WindowForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        with refusal(request, action="window.create", form=form) as refused:
            community = _own_community(request)
            window = services.window_create(
                actor=actor, community=community, name=form.cleaned_data["name"]
            )
            messages.success(request, f"已设置“{window.name}”。")
            return redirect("services:window", window_id=window.pk)
        if refused:
            status = refused.status
    return render(request, "services/window_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@requires("service_item.view")
def window_detail(request: HttpRequest, window_id: int) -> HttpResponse:
    """窗口与排班; posting the roster form needs window.manage (checked by the service)."""
    actor = request.actor
    window = selectors.window_get(actor=actor, window_id=window_id)
    today = selectors.local_today()
    workers = list(selectors.desk_workers(actor=actor, community=window.community))
    form = DutyForm(request.POST or None, workers=workers, initial={"date": today})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal(request, action="window.duty_set", form=form, obj=window) as refused:
            worker = (
                selectors.desk_worker_get(
                    actor=actor, community=window.community, user_id=data["worker"]
                )
                if data["worker"]
                else None
            )
            services.window_duty_set(actor=actor, window=window, date=data["date"], worker=worker)
            messages.success(request, "排班已保存。")
            return redirect("services:window", window_id=window.pk)
        if refused:
            status = refused.status
    return render(
        request,
        "services/window_detail.html",
        {
            "window": window,
            "form": form,
            "duties": selectors.window_duties(window=window, start=today),
            "can_manage": actor.can("window.manage"),
        },
        status=status,
    )


@require_POST
@requires("window.manage")
def window_toggle(request: HttpRequest, window_id: int) -> HttpResponse:
    actor = request.actor
    window = selectors.window_get(actor=actor, window_id=window_id)
    with refusal(request, action="window.update", flash=True, obj=window):
        services.window_set_active(actor=actor, window=window, active=not window.active)
        messages.success(request, f"“{window.name}”已{'停用' if window.active else '启用'}。")
    return redirect("services:window", window_id=window.pk)


# -- qualifications ----------------------------------------------------------------------------


@requires("service_item.view")
def qualification_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    show_revoked = request.GET.get("revoked") == "1"
    return render(
        request,
        "services/qualification_list.html",
        {
            "rows": list(selectors.qualification_list(actor=actor, include_revoked=show_revoked)),
            "show_revoked": show_revoked,
            "desks": list(selectors.desk_counts(actor=actor)),
        },
    )


def _grant_form(request: HttpRequest) -> QualificationForm:
    actor = request.actor
    communities = list(selectors.communities(actor=actor))
    workers = [
        (c, w) for c in communities for w in selectors.desk_workers(actor=actor, community=c)
    ]
    return QualificationForm(
        request.POST or None,
        communities=communities,
        workers=workers,
        initial={"granted_at": selectors.local_today()},
    )


@require_http_methods(["GET", "POST"])
@requires("qualification.manage")
@once
def qualification_grant(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = _grant_form(request)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal(request, action="qualification.grant", form=form) as refused:
            community = selectors.community_get(actor=actor, community_id=data["community"])
            worker = selectors.desk_worker_get(
                actor=actor, community=community, user_id=data["worker"]
            )
            services.qualification_grant(
                actor=actor,
                worker=worker,
                community=community,
                all_categories=data["all_categories"],
                categories=data["categories"],
                granted_at=data["granted_at"],
                basis=data["basis"],
            )
            messages.success(request, f"已授予{worker}受理资格。")
            return redirect("services:qualifications")
        if refused:
            status = refused.status
    return render(request, "services/qualification_form.html", {"form": form}, status=status)


@require_POST
@requires("qualification.manage")
def qualification_revoke(request: HttpRequest, qualification_id: int) -> HttpResponse:
    actor = request.actor
    row = selectors.qualification_get(actor=actor, qualification_id=qualification_id)
    with refusal(request, action="qualification.revoke", flash=True, obj=row):
        services.qualification_revoke(actor=actor, qualification=row)
        messages.success(request, f"已收回{row.worker}的受理资格。")
    return redirect("services:qualifications")

"""Pages of the resident register. Each view parses, calls one service or
selector, renders; refused writes are shown in Chinese and audited."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.core.audit import audit_refused
from shequ.core.errors import DomainError
from shequ.core.formtokens import once
from shequ.core.http import is_htmx, refusal, requires
from shequ.residents import excel, personal_data, retention, selectors, services
from shequ.residents.forms import (
    HouseholdMoveForm,
    ImportForm,
    LeaveForm,
    ResidentCreateForm,
    ResidentEditForm,
    ResidentSearchForm,
)


def _attachment(filename: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(filename)}"


# -- residents ------------------------------------------------------------------------


@requires("resident.view")
def resident_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = ResidentSearchForm(request.GET or None, actor=actor)
    filters = form.filters() if request.GET else {}
    rows = selectors.resident_list(actor=actor, **filters)
    page = Paginator(rows, settings.SHEQU_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "residents/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "counts": selectors.community_counts(actor=actor),
            "today": selectors.local_today(),
        },
    )


def _detail(request: HttpRequest, resident_id: int, status: int = 200) -> HttpResponse:
    resident = selectors.resident_get(actor=request.actor, resident_id=resident_id)
    return render(
        request,
        "residents/detail.html",
        {
            "resident": resident,
            "records": selectors.resident_records(actor=request.actor, resident=resident),
            "today": selectors.local_today(),
            "erase_on": retention.erase_due(resident.left_at) if resident.left_at else None,
        },
        status=status,
    )


@requires("resident.view")
def resident_detail(request: HttpRequest, resident_id: int) -> HttpResponse:
    return _detail(request, resident_id)


@require_http_methods(["GET", "POST"])
@requires("resident.leave")
def resident_leave(request: HttpRequest, resident_id: int) -> HttpResponse:
    """迁出: a small form on the resident's page."""
    actor = request.actor
    resident = selectors.resident_get(actor=actor, resident_id=resident_id)
    form = LeaveForm(
        request.POST or None,
        resident=resident,
        initial={"left_at": selectors.local_today()},
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal(request, action="resident.leave", form=form, obj=resident) as refused:
            retention.resident_leave(
                actor=actor,
                resident=resident,
                left_at=data["left_at"],
                reason=data["reason"],
                note=data["note"],
                new_head=data.get("new_head"),
            )
            messages.success(request, f"已办理 {resident.name} 迁出。")
            return redirect("residents:detail", resident_id=resident.pk)
        if refused:
            status = refused.status
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "residents/leave.html",
        {
            "form": form,
            "resident": resident,
            "retention_days": retention.retention_days(),
        },
        status=status,
    )


@require_POST
@requires("resident.leave")
def resident_restore(request: HttpRequest, resident_id: int) -> HttpResponse:
    """撤销迁出 (a button on the resident's page)."""
    actor = request.actor
    resident = selectors.resident_get(actor=actor, resident_id=resident_id)
    with refusal(request, action="resident.restore", obj=resident, flash=True) as refused:
        retention.resident_restore(actor=actor, resident=resident)
        messages.success(request, f"已撤销 {resident.name} 的迁出。")
        return redirect("residents:detail", resident_id=resident.pk)
    return _detail(request, resident.pk, status=refused.status)


def _personal_copy(request: HttpRequest, resident_id: int | None) -> HttpResponse:
    fmt = request.GET.get("format", "page")
    copy = personal_data.personal_copy(actor=request.actor, resident_id=resident_id, fmt=fmt)
    if fmt == "json":
        response = HttpResponse(personal_data.as_json(copy), content_type="application/json")
        response["Content-Disposition"] = _attachment(personal_data.filename(copy, "json"))
    elif fmt == "xlsx":
        response = HttpResponse(personal_data.as_xlsx(copy), content_type=excel.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = _attachment(personal_data.filename(copy, "xlsx"))
    else:
        response = render(
            request, "residents/personal_copy.html", {"copy": copy, "own": resident_id is None}
        )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@requires("resident.self")
def resident_my_data(request: HttpRequest) -> HttpResponse:
    """我的个人信息: the resident's own copy, as a page, JSON or Excel."""
    return _personal_copy(request, None)


@require_GET
@requires("resident.data_export")
def resident_data(request: HttpRequest, resident_id: int) -> HttpResponse:
    """个人信息副本 produced by the secretary for a resident who asks."""
    return _personal_copy(request, resident_id)


@requires("resident.self")
def resident_me(request: HttpRequest) -> HttpResponse:
    """我的信息: a resident's own entry and household, on a phone."""
    me = selectors.resident_self(actor=request.actor)
    return render(
        request,
        "residents/me.html",
        {
            "me": me,
            "records": selectors.resident_records(actor=request.actor, resident=me) if me else [],
            "today": selectors.local_today(),
        },
    )


@require_POST
@requires("resident.view")
def resident_unmask(request: HttpRequest, resident_id: int) -> HttpResponse:
    """显示完整号码 (htmx): the service checks resident.unmask and audits the view."""
    actor = request.actor
    resident = selectors.resident_get(actor=actor, resident_id=resident_id)
    with refusal(request, action="resident.unmask", obj=resident) as refused:
        id_number, phone = services.resident_unmask(actor=actor, resident=resident)
    if refused:
        if is_htmx(request):
            return render(
                request,
                "residents/_pii.html",
                {
                    "resident": resident,
                    "error": refused.error.message,
                },
                status=refused.error.status,
            )
        raise refused.error
    context = {
        "resident": resident,
        "id_number": id_number,
        "phone": phone,
        "unmasked": True,
        "today": selectors.local_today(),
    }
    if is_htmx(request):
        return render(request, "residents/_pii.html", context)
    context["records"] = selectors.resident_records(actor=request.actor, resident=resident)
    return render(request, "residents/detail.html", context)


@require_http_methods(["GET", "POST"])
@requires("resident.create")
@once
def resident_create(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    initial = {}
    household_id = request.GET.get("household", "")
    if household_id.isdigit():
        household = selectors.household_get(actor=actor, household_id=int(household_id))
        initial = {"unit": household.unit_id, "room": household.room}
    form = ResidentCreateForm(request.POST or None, actor=actor, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal(request, action="resident.create", form=form) as refused:
            unit = selectors.unit_get(actor=actor, unit_id=data["unit"])
            resident = services.resident_register(
                actor=actor,
                unit=unit,
                room=data["room"],
                name=data["name"],
                id_number=data["id_number"],
                phone=data["phone"],
                relation=data["relation"],
                tags=data["tags"],
            )
            messages.success(request, f"已登记居民 {resident.name}。")
            return redirect("residents:detail", resident_id=resident.pk)
        if refused:
            status = refused.status
    return render(
        request,
        "residents/form.html",
        {
            "form": form,
            "title": "登记居民",
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@requires("resident.change")
def resident_edit(request: HttpRequest, resident_id: int) -> HttpResponse:
    actor = request.actor
    resident = selectors.resident_get(actor=actor, resident_id=resident_id)
    initial = {
        "name": resident.name,
        "relation": resident.relation,
        "tags": [t.tag for t in resident.visible_tags],
    }
    form = ResidentEditForm(request.POST or None, actor=actor, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        with refusal(request, action="resident.update", form=form, obj=resident) as refused:
            services.resident_update(actor=actor, resident=resident, **form.changes())
            messages.success(request, "居民信息已保存。")
            return redirect("residents:detail", resident_id=resident.pk)
        if refused:
            status = refused.status
    return render(
        request,
        "residents/form.html",
        {
            "form": form,
            "title": f"修改居民信息：{resident.name}",
            "resident": resident,
        },
        status=status,
    )


# -- households -------------------------------------------------------------------


@requires("resident.view")
def household_detail(request: HttpRequest, household_id: int) -> HttpResponse:
    household = selectors.household_get(actor=request.actor, household_id=household_id)
    return render(
        request,
        "residents/household.html",
        {
            "household": household,
            "today": selectors.local_today(),
        },
    )


@require_http_methods(["GET", "POST"])
@requires("resident.move")
def household_move(request: HttpRequest, household_id: int) -> HttpResponse:
    actor = request.actor
    household = selectors.household_get(actor=actor, household_id=household_id)
    form = HouseholdMoveForm(request.POST or None, actor=actor)
    status = 200
    if request.method == "POST" and form.is_valid():
        with refusal(request, action="household.move", form=form, obj=household) as refused:
            unit = selectors.unit_get(actor=actor, unit_id=form.cleaned_data["unit"])
            services.household_move(
                actor=actor, household=household, unit=unit, room=form.cleaned_data["room"]
            )
            messages.success(request, "住户已迁移。")
            return redirect("residents:household", household_id=household.pk)
        if refused:
            status = refused.status
    return render(
        request,
        "residents/move.html",
        {
            "form": form,
            "household": household,
        },
        status=status,
    )


# -- Excel ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@requires("resident.import")
@once
def resident_import(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = ImportForm(request.POST or None, request.FILES or None)
    report, status = None, 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = excel.resident_import(actor=actor, file=upload, filename=upload.name)
        except DomainError as error:
            audit_refused(
                actor=actor,
                action="resident.import",
                message=error.message,
                changes={"file": upload.name[:200], "bad_rows": len(error.details)},
            )
            report = error
            status = error.status
        else:
            messages.success(
                request,
                f"已导入 {result.residents} 位居民，新建 {result.households} 户。",
            )
            return redirect("residents:list")
    return render(
        request,
        "residents/import.html",
        {
            "form": form,
            "report": report,
            "columns": excel.COLUMNS,
            "sheet": excel.SHEET,
        },
        status=status,
    )


@requires("resident.import")
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        excel.import_template(actor=request.actor), content_type=excel.XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = _attachment("居民导入模板.xlsx")
    return response


@requires("resident.export")
def resident_export(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = ResidentSearchForm(request.GET or None, actor=actor)
    out, _count = excel.resident_export(actor=actor, **(form.filters() if request.GET else {}))
    stamp = selectors.local_today().strftime("%Y%m%d")
    return FileResponse(
        out,
        as_attachment=True,
        filename=f"居民名单_{stamp}.xlsx",
        content_type=excel.XLSX_CONTENT_TYPE,
    )

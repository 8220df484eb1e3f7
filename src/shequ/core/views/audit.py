"""审计记录: the audit admin's search and record pages. Read only, by design:
there is no edit or delete anywhere in the application."""

from __future__ import annotations

from django import forms
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from shequ.core.audit_chain import AuditFilters, audit_get, audit_page, seal_status
from shequ.core.errors import DomainError, NotFound
from shequ.core.http import requires
from shequ.core.services.audit_export import (
    FORMATS,
    MAX_DAYS,
    audit_export_csv,
    audit_export_xlsx,
)
from shequ.core.xlsx import XLSX_CONTENT_TYPE

PAGE_SIZE = 50


class AuditSearchForm(forms.Form):
    user = forms.CharField(label="账号", required=False, max_length=150)
    action = forms.CharField(
        label="操作",
        required=False,
        max_length=64,
        help_text="如 resident.create，或 resident. 查全部居民操作",
    )
    object_type = forms.CharField(label="对象类型", required=False, max_length=64)
    object_id = forms.CharField(label="对象编号", required=False, max_length=64)
    date_from = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    success = forms.ChoiceField(
        label="结果", required=False, choices=[("", "全部"), ("1", "成功"), ("0", "被拒绝")]
    )
    region = forms.CharField(label="区划代码", required=False, max_length=24)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs["class"] = (
                f"{css} form-control-sm" if css == "form-control" else f"{css} form-select-sm"
            )

    def filters(self) -> AuditFilters:
        d = self.cleaned_data
        success = {"1": True, "0": False}.get(d.get("success") or "")
        return AuditFilters(
            user=d.get("user") or "",
            action=d.get("action") or "",
            object_type=d.get("object_type") or "",
            object_id=d.get("object_id") or "",
            date_from=d.get("date_from"),
            date_to=d.get("date_to"),
            success=success,
            region_code=d.get("region") or "",
        )


@require_GET
@requires("audit.view")
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET)
    page = None
    status = 200
    if form.is_valid():
        try:
            page = audit_page(
                actor=request.actor,
                filters=form.filters(),
                number=request.GET.get("page"),
                per_page=PAGE_SIZE,
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            status = error.status
    else:
        status = 422
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "export_days": MAX_DAYS},
        status=status,
    )


@require_GET
@requires("audit.view")
def audit_detail(request: HttpRequest, record_id: int) -> HttpResponse:
    record = audit_get(actor=request.actor, record_id=record_id)
    if record is None:
        raise NotFound("该审计记录不存在或不在您的范围内。")
    return render(
        request, "core/audit_detail.html", {"record": record, "seal": seal_status(record)}
    )


@require_GET
@requires("audit.export")
def audit_export(request: HttpRequest) -> HttpResponse:
    """The records the list's filter finds, as ``?format=xlsx`` (default) or
    ``csv``; bad input shows the list page's form again with the reason (400)."""
    form = AuditSearchForm(request.GET)
    fmt = request.GET.get("format") or "xlsx"
    if form.is_valid() and fmt not in FORMATS:
        form.add_error(None, "导出格式只能是 xlsx 或 csv。")
    if form.is_valid():
        try:
            if fmt == "csv":
                lines, export = audit_export_csv(actor=request.actor, filters=form.filters())
                response: HttpResponse = StreamingHttpResponse(
                    lines, content_type="text/csv; charset=utf-8"
                )
                response["Content-Disposition"] = content_disposition_header(
                    True, f"{export.filename_stem}.csv"
                )
                return response
            out, export = audit_export_xlsx(actor=request.actor, filters=form.filters())
            return FileResponse(
                out,
                as_attachment=True,
                filename=f"{export.filename_stem}.xlsx",
                content_type=XLSX_CONTENT_TYPE,
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "core/audit_list.html",
        {"form": form, "page": None, "query": query.urlencode(), "export_days": MAX_DAYS},
        status=400,
    )

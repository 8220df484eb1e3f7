"""工作日历: the holiday table of one year, its edits and the yearly import."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from shequ.core.formtokens import once
from shequ.core.http import refusal, requires
from shequ.core.models.calendar import HolidayKind
from shequ.core.services import calendar as services
from shequ.core.workdays import (
    WEEKDAY_LABELS,
    add_workdays,
    calendar_year_get,
    holiday_list,
    known_years,
)


class HolidayForm(forms.Form):
    day = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label="类型", choices=HolidayKind.choices)
    name = forms.CharField(label="节日", max_length=40, required=False)


class ImportForm(forms.Form):
    year = forms.IntegerField(
        label="年份", min_value=services.MIN_YEAR, max_value=services.MAX_YEAR
    )
    source = forms.CharField(
        label="依据", max_length=200, help_text="例如：国务院办公厅关于2027年部分节假日安排的通知"
    )
    dates = forms.CharField(
        label="日期",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="每行一个日期：2027-10-01 off 国庆节；调休上班写 2027-10-09 on；"
        "连续放假可写 2027-10-01..2027-10-07 国庆节。不写类型即为放假。",
    )


class DeadlineForm(forms.Form):
    start = forms.DateField(label="起算日", widget=forms.DateInput(attrs={"type": "date"}))
    n = forms.IntegerField(label="工作日数", min_value=0, max_value=366)


def _styled(form: forms.Form) -> forms.Form:
    for field in form.fields.values():
        css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
        field.widget.attrs.setdefault("class", css)
    return form


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
    except ValueError:
        year = 0
    if services.MIN_YEAR <= year <= services.MAX_YEAR:
        return year
    return timezone.localdate().year


def _page(
    request: HttpRequest,
    year: int,
    *,
    holiday_form: forms.Form | None = None,
    import_form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.actor
    rows = [(h, WEEKDAY_LABELS[h.date.weekday()]) for h in holiday_list(year=year)]
    deadline_form = _styled(DeadlineForm(request.GET if "start" in request.GET else None))
    deadline = (
        deadline_form.cleaned_data if deadline_form.is_bound and deadline_form.is_valid() else None
    )
    if deadline:
        result = add_workdays(deadline["start"], deadline["n"])
        deadline = {**deadline, "result": result, "weekday": WEEKDAY_LABELS[result.date.weekday()]}
    context = {
        "year": year,
        "known": calendar_year_get(year=year),
        "known_years": known_years(),
        "rows": rows,
        "off_count": sum(1 for h, _ in rows if h.kind == HolidayKind.OFF),
        "on_count": sum(1 for h, _ in rows if h.kind == HolidayKind.ON),
        "can_manage": actor.can("calendar.manage"),
        "holiday_form": holiday_form or _styled(HolidayForm(initial={"kind": HolidayKind.OFF})),
        "import_form": import_form or _styled(ImportForm(initial={"year": year})),
        "deadline_form": deadline_form,
        "deadline": deadline,
    }
    return render(request, "core/calendar.html", context, status=status)


def _back(year: int) -> HttpResponse:
    return redirect(f"{reverse('core:calendar')}?year={year}")


@require_GET
@requires("calendar.view")
def calendar_view(request: HttpRequest) -> HttpResponse:
    return _page(request, _year(request))


@require_POST
@requires("calendar.manage")
def holiday_set(request: HttpRequest) -> HttpResponse:
    form = _styled(HolidayForm(request.POST))
    year = _year(request)
    if not form.is_valid():
        return _page(request, year, holiday_form=form, status=422)
    data = form.cleaned_data
    changes = {"date": data["day"].isoformat(), "kind": data["kind"]}
    with refusal(request, action="holiday.set", form=form, changes=changes) as refused:
        holiday = services.holiday_set(
            actor=request.actor, day=data["day"], kind=data["kind"], name=data["name"]
        )
    if refused:
        return _page(request, data["day"].year, holiday_form=form, status=refused.status)
    messages.success(request, f"已将 {holiday.date:%Y-%m-%d} 设为{holiday.get_kind_display()}。")
    return _back(holiday.date.year)


@require_POST
@requires("calendar.manage")
def holiday_delete(request: HttpRequest, holiday_id: int) -> HttpResponse:
    year = _year(request)
    changes = {"holiday_id": holiday_id}
    with refusal(request, action="holiday.delete", flash=True, changes=changes) as refused:
        services.holiday_delete(actor=request.actor, holiday_id=holiday_id)
    if refused:
        return _back(year)
    messages.success(request, "已删除该日期，它恢复为普通日。")
    return _back(year)


@require_POST
@requires("calendar.manage")
@once
def calendar_import(request: HttpRequest) -> HttpResponse:
    form = _styled(ImportForm(request.POST))
    year = _year(request)
    if not form.is_valid():
        return _page(request, year, import_form=form, status=422)
    data = form.cleaned_data
    changes = {"year": data["year"]}
    with refusal(request, action="calendar.import", changes=changes) as refused:
        off, on = services.parse_calendar_text(data["dates"])
        services.calendar_year_import(
            actor=request.actor,
            year=data["year"],
            off_dates=off,
            on_dates=on,
            source=data["source"],
        )
    if refused.error is not None:
        error = refused.error
        form.add_error("dates" if error.field is None else error.field, error.message)
        for detail in error.details[1:20]:
            form.add_error("dates", detail)
        return _page(request, data["year"], import_form=form, status=refused.status)
    messages.success(
        request, f"已导入 {data['year']} 年节假日安排：放假 {len(off)} 天，调休上班 {len(on)} 天。"
    )
    return _back(data["year"])

"""The resident's phone pages (办事查询, 好差评, 网上办事).

Looking a case up needs no account: the receipt number and the last four
digits of the applicant's phone, checked (and rate-limited) by
``case_lookup``. A successful lookup is remembered in the session, with the
digits, so the case page, the notice PDF and the rating need no second
typing and the digits never travel in a form.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from shequ.core.errors import DomainError, NotFound
from shequ.core.formtokens import once
from shequ.core.http import error_page, refusal, requires
from shequ.core.middleware import client_ip
from shequ.desk.cases.notice_pdf import notice_pdf
from shequ.desk.cases.selectors import LEVEL_LABELS_ALL, case_level
from shequ.desk.cases.services import case_apply_online, case_lookup, review_open, review_submit
from shequ.desk.models import DONE_STATES, Case, CaseState, Rating
from shequ.desk.public import selectors as public_selectors

SESSION_VERIFIED = "lookup_ok"  # [receipt numbers] looked up in this session
SESSION_TAILS = "lookup_tails"  # {receipt number: phone digits} for those numbers
VERIFIED_MAX = 10


# -- session verification ---------------------------------------------------------------------


def _remember(request: HttpRequest, number: str, phone_tail: str) -> None:
    numbers = [n for n in request.session.get(SESSION_VERIFIED, []) if n != number]
    numbers = [*numbers, number][-VERIFIED_MAX:]
    tails = request.session.get(SESSION_TAILS, {})
    tails = {n: tails[n] for n in numbers if n in tails} | {number: phone_tail}
    request.session[SESSION_VERIFIED] = numbers
    request.session[SESSION_TAILS] = tails


def _forget(request: HttpRequest, number: str) -> None:
    request.session[SESSION_VERIFIED] = [
        n for n in request.session.get(SESSION_VERIFIED, []) if n != number
    ]
    tails = dict(request.session.get(SESSION_TAILS, {}))
    tails.pop(number, None)
    request.session[SESSION_TAILS] = tails


def _verified_tail(request: HttpRequest, number: str) -> str | None:
    if number not in request.session.get(SESSION_VERIFIED, []):
        return None
    return request.session.get(SESSION_TAILS, {}).get(number)


def _to_lookup(request: HttpRequest, number: str) -> HttpResponse:
    messages.info(request, "请输入受理编号和手机号后四位，核对后查看。")
    return redirect(reverse("services:public_lookup") + "?" + urlencode({"receipt_no": number}))


# -- 办事查询 ---------------------------------------------------------------------------------


class LookupForm(forms.Form):
    receipt_no = forms.CharField(
        label="受理编号或告知单编号",
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg",
                "inputmode": "numeric",
                "autocomplete": "off",
                "pattern": "[0-9]*",
            }
        ),
    )
    phone_tail = forms.CharField(
        label="手机号后四位",
        max_length=4,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg",
                "inputmode": "numeric",
                "autocomplete": "off",
                "pattern": "[0-9]{4}",
                "maxlength": "4",
            }
        ),
    )


@require_http_methods(["GET", "POST"])
def public_lookup(request: HttpRequest) -> HttpResponse:
    """查询办件: anyone, with the number and the phone's last four digits."""
    if request.method == "POST":
        form = LookupForm(request.POST)
    else:
        form = LookupForm(initial={"receipt_no": request.GET.get("receipt_no", "")[:32]})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            number = form.cleaned_data["receipt_no"].strip()
            tail = form.cleaned_data["phone_tail"].strip()
            try:
                case_lookup(receipt_no=number, phone_tail=tail, ip=client_ip(request))
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = error.status
            else:
                _remember(request, number, tail)
                return redirect("services:public_case", receipt_no=number)
        else:
            status = 422
    return render(request, "services/public/lookup.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def public_case(request: HttpRequest, receipt_no: str) -> HttpResponse:
    """办件进度 (or the one-time notice), and the rating once it is done."""
    tail = _verified_tail(request, receipt_no)
    if tail is None:
        return _to_lookup(request, receipt_no)
    record = public_selectors.public_record(receipt_no=receipt_no, phone_tail=tail)
    if record is None:
        _forget(request, receipt_no)
        return _to_lookup(request, receipt_no)
    status = 200
    rating_error = ""
    posted = {"rating": "", "comment": ""}
    if request.method == "POST":
        posted = {
            "rating": request.POST.get("rating", "")[:2],
            "comment": request.POST.get("comment", "")[:600],
        }
        with refusal(request, action="review.submit", obj=record.case) as refused:
            review = review_submit(
                receipt_no=receipt_no,
                phone_tail=tail,
                rating=posted["rating"],
                comment=posted["comment"],
                ip=client_ip(request),
            )
            messages.success(request, f"感谢您的评价！您的评价：{Rating(review.rating).label}。")
            return redirect("services:public_case", receipt_no=receipt_no)
        if refused:
            status = refused.status
            rating_error = refused.error.message
    case = record.case
    context = {
        "record": record,
        "case": case,
        "notice": record.notice,
        "review": record.review,
        "timeline": record.timeline,
        "ratings": Rating.choices,
        "rating_error": rating_error,
        "posted": posted,
        "can_rate": review_open(case=case, reviewed=record.review is not None),
        "done": case is not None and case.status in DONE_STATES,
        "submitted": case is not None and case.status == CaseState.SUBMITTED,
        # Only a warning is worth a badge: 临期, 即将超期, 已超期, 计时暂停.
        "level": LEVEL_LABELS_ALL.get(case_level(case) or "none", "") if case else "",
    }
    return render(request, "services/public/case.html", context, status=status)


@require_http_methods(["GET"])
def public_notice_pdf(request: HttpRequest, receipt_no: str) -> HttpResponse:
    """一次性告知单 PDF, for whoever looked the notice up in this session."""
    tail = _verified_tail(request, receipt_no)
    if tail is None:
        return _to_lookup(request, receipt_no)
    record = public_selectors.public_record(receipt_no=receipt_no, phone_tail=tail)
    if record is None or record.notice is None:
        return error_page(request, NotFound("没有这张一次性告知单。"))
    try:
        content = notice_pdf(record.notice)
    except DomainError as error:
        return error_page(request, error)
    response = HttpResponse(content, content_type="application/pdf")
    filename = quote(f"一次性告知单_{record.notice.number}.pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    response["Cache-Control"] = "no-store"
    return response


# -- 网上办事 (logged-in residents) ----------------------------------------------------------------


@requires("case.apply")
def apply_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    resident = public_selectors.own_resident(actor=actor)
    items = list(public_selectors.apply_items(actor=actor, resident=resident)) if resident else []
    return render(
        request, "services/public/apply_list.html", {"resident": resident, "items": items}
    )


@require_http_methods(["GET", "POST"])
@requires("case.apply")
@once
def apply(request: HttpRequest, item_id: int) -> HttpResponse:
    actor = request.actor
    resident = public_selectors.own_resident(actor=actor)
    if resident is None:
        return render(request, "services/public/apply.html", {"resident": None}, status=403)
    target = public_selectors.apply_item_get(actor=actor, resident=resident, item_id=item_id)
    version = target.item.current_version
    status, error_message = 200, ""
    posted = {
        "provided": request.POST.getlist("provided"),
        "form": {k[6:]: v for k, v in request.POST.items() if k.startswith("form__")},
        "phone": request.POST.get("phone", "")[:20],
        "note": request.POST.get("note", "")[:2000],
    }
    if request.method == "POST":
        with refusal(request, action="case.apply", obj=target.item) as refused:
            case = case_apply_online(
                actor=actor,
                community=resident.community,
                item=target.item,
                phone=posted["phone"],
                provided=posted["provided"],
                form_data=posted["form"],
                note=posted["note"],
            )
            messages.success(
                request,
                f"申请已提交，受理编号 {case.receipt_no}。社区工作人员审核受理后开始计算办理时限，"
                "可凭受理编号和手机号后四位查询进度。",
            )
            return redirect(reverse("services:my_applications") + f"?new={case.receipt_no}")
        if refused:
            status = refused.status
            error_message = refused.error.message
    fields = [
        f | {"input": f"form__{f['name']}", "value": posted["form"].get(f["name"], "")}
        for f in (version.form_fields_display if version else [])
    ]
    return render(
        request,
        "services/public/apply.html",
        {
            "resident": resident,
            "target": target,
            "version": version,
            "fields": fields,
            "posted": posted,
            "error_message": error_message or (target.refusal if request.method == "GET" else ""),
        },
        status=status,
    )


@requires("case.apply")
def my_applications(request: HttpRequest) -> HttpResponse:
    cases: list[Case] = list(public_selectors.my_applications(actor=request.actor)[:100])
    return render(
        request,
        "services/public/mine.html",
        {"cases": cases, "new": request.GET.get("new", "")[:32]},
    )

"""Pages of the window (窗口): intake, the case page with its actions, the
worker's and the community's lists, one-time notices and rectifications.

Each view parses, calls the case service or a selector, renders; a refused
write shows the service's Chinese message (and is audited by ``refuse``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.core.errors import NotFound, PermissionDenied
from shequ.core.formtokens import once
from shequ.core.http import error_page, refusal, requires
from shequ.core.models import Region
from shequ.core.scope import Actor
from shequ.desk.cases import selectors as cs
from shequ.desk.cases import services as cases
from shequ.desk.cases.forms import (
    ID_NUMBER_RE,
    CaseActForm,
    CaseFilterForm,
    IntakeForm,
    RectificationActForm,
)
from shequ.desk.catalog import selectors
from shequ.desk.models import (
    CLOCK_PAUSED,
    CLOCK_RUNNING,
    Case,
    Channel,
    Outcome,
    ServiceItem,
    Window,
)
from shequ.residents.selectors import resident_list

# Where a service names a field differently from the intake form.
_INTAKE_FIELDS = {"materials": "provided", "form_data": None, "community": None}


def _own_community(actor: Actor) -> Region:
    community = selectors.actor_community(actor)
    if community is None:
        raise PermissionDenied("请切换到社区角色后再受理办件。")
    return community


def _active_windows(actor: Actor, community: Region) -> list[Window]:
    """The community's active windows, each with today's duty prefetched."""
    return [w for w in selectors.window_list(actor=actor, community=community) if w.active]


def _duty_window(actor: Actor, windows: list[Window]) -> Window | None:
    """The window the actor sits at today, else the first active one."""
    user_id = actor.user.pk if actor.user else None
    for window in windows:
        if any(d.worker_id == user_id for d in window.today_duties):
            return window
    return windows[0] if windows else None


def _adopted_items(actor: Actor, community: Region) -> list[ServiceItem]:
    adopted = selectors.adopted_item_ids(actor=actor, community=community)
    return [i for i in selectors.item_list(actor=actor) if i.pk in adopted]


def _pick(rows: list, raw: str | None):
    try:
        wanted = int(raw or "")
    except ValueError:
        return None
    return next((r for r in rows if r.pk == wanted), None)


def _page(request: HttpRequest, rows, per_page: int | None = None) -> Page:
    return Paginator(rows, per_page or settings.SHEQU_PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _with_levels(cases_: list[Case]) -> list[Case]:
    """Attach the warning level (computed from loaded columns, no query)."""
    today = cs.local_today()
    for case in cases_:
        case.level = cs.case_level(case, today)
        shown = case.status in CLOCK_RUNNING or case.status in CLOCK_PAUSED
        case.level_label = cs.LEVEL_LABELS_ALL.get(case.level, "") if shown else ""
    return cases_


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# -- intake -------------------------------------------------------------------------------


def _intake_form(
    actor: Actor, community: Region, *, data=None, item_raw: str | None = None
) -> IntakeForm:
    items = _adopted_items(actor, community)
    windows = _active_windows(actor, community)
    item = _pick(items, item_raw)
    duty = _duty_window(actor, windows)
    form = IntakeForm(
        data,
        items=items,
        windows=windows,
        version=item.current_version if item is not None else None,
        initial={
            "window": duty.pk if duty else None,
            "channel": Channel.WINDOW,
            "item": item.pk if item else None,
        },
    )
    # htmx: the register lookup on the ID number, the checklist on the item.
    form.fields["id_number"].widget.attrs |= {
        "hx-get": reverse("services:intake_applicant"),
        "hx-trigger": "change",
        "hx-target": "#applicant-name",
        "hx-swap": "outerHTML",
        "hx-include": "[name='applicant_name']",
    }
    form.fields["item"].widget.attrs |= {
        "hx-get": reverse("services:intake_item"),
        "hx-trigger": "change",
        "hx-target": "#item-fields",
        "hx-swap": "innerHTML",
    }
    return form


@require_http_methods(["GET", "POST"])
@requires("case.accept")
@once
def intake(request: HttpRequest) -> HttpResponse:
    """窗口受理: accept, accept with 容缺, or issue the one-time notice."""
    actor = request.actor
    community = _own_community(actor)
    posted = request.POST if request.method == "POST" else None
    item_raw = posted.get("item") if posted is not None else request.GET.get("item")
    form = _intake_form(actor, community, data=posted, item_raw=item_raw)
    status = 200
    if posted is not None and form.is_valid():
        data = form.cleaned_data
        item = _pick(form.items, str(data["item"]))
        windows = {w.pk: w for w in form.windows}
        with refusal(request, action="case.accept") as refused:
            if item is None:
                raise NotFound("请选择本社区认领的事项。")
            result = cases.case_intake(
                actor=actor,
                community=community,
                item=item,
                applicant=cases.Applicant(
                    name=data["applicant_name"],
                    id_number=form.id_number_value(),
                    phone=data["phone"],
                ),
                provided=data["provided"],
                channel=data["channel"],
                window=windows.get(data["window"]) if data["window"] else None,
                supplement_by=data["supplement_by"],
                form_data=form.form_data(),
                note=data["note"],
            )
            if result.case is not None:
                case = result.case
                text = f"已受理，受理编号 {case.receipt_no}。"
                if result.missing and case.supplement_by is not None:
                    by = case.supplement_by
                    text += (
                        f"容缺受理：{'、'.join(result.missing)}须于"
                        f"{by.year}年{by.month}月{by.day}日前补齐。"
                    )
                messages.success(request, text)
                return redirect("services:case", case_id=case.pk)
            notice = result.notice
            messages.warning(
                request,
                f"关键材料不全，未予受理；已出具一次性告知单，编号 {notice.number}。",
            )
            return redirect("services:notice", notice_id=notice.pk)
        if refused:
            status = refused.status
            field = _INTAKE_FIELDS.get(refused.error.field or "", refused.error.field)
            form.add_error(field if field in form.fields else None, refused.error.message)
    elif posted is not None:
        status = 422
    return render(
        request,
        "services/cases/intake.html",
        {"form": form, "community": community},
        status=status,
    )


@require_GET
@requires("case.accept")
def intake_item(request: HttpRequest) -> HttpResponse:
    """htmx: the materials checklist and extra fields of the chosen item."""
    actor = request.actor
    community = _own_community(actor)
    form = _intake_form(actor, community, item_raw=request.GET.get("item"))
    return render(request, "services/cases/_intake_item.html", {"form": form})


@require_GET
@requires("case.accept")
def intake_applicant(request: HttpRequest) -> HttpResponse:
    """htmx: look the full ID number up in the register and prefill the name
    (the phone stays masked: the worker asks for it)."""
    actor = request.actor
    raw = "".join((request.GET.get("id_number") or "").split()).upper()
    name = (request.GET.get("applicant_name") or "").strip()[:40]
    found = None
    if ID_NUMBER_RE.fullmatch(raw) and actor.can("resident.view"):
        found = resident_list(actor=actor, q=raw).first()
    prefill = found is not None and not name
    form = IntakeForm({"applicant_name": found.name if prefill else name})
    response = render(
        request, "services/cases/_intake_applicant.html", {"form": form, "resident": found}
    )
    if not prefill:
        # Nothing to add: leave what the worker may already be typing alone.
        response["HX-Reswap"] = "none"
    return response


# -- the case page and its actions --------------------------------------------------------


def _case_page(
    request: HttpRequest,
    case_id: int,
    *,
    status: int = 200,
    failed: str = "",
    posted: dict | None = None,
) -> HttpResponse:
    actor = request.actor
    case = cs.case_get(actor=actor, case_id=case_id)
    review = getattr(case, "review", None)
    level = cs.case_level(case)
    # What the workflow offers now: the next steps first, the rest folded.
    actions: dict[bool, list[dict]] = {True: [], False: []}
    for t in cases.CASE_FLOW.available(case, actor):
        actions[cases.CASE_ACTIONS[t.action].primary].append(
            {"action": t.action, "label": t.label, "values": posted if t.action == failed else {}}
        )
    return render(
        request,
        "services/cases/case_detail.html",
        {
            "case": case,
            "level": level,
            "level_label": cs.LEVEL_LABELS_ALL.get(level, ""),
            "running": case.status in CLOCK_RUNNING or case.status in CLOCK_PAUSED,
            "visits": list(cs.case_visits(case=case)),
            "timeline": list(cs.case_timeline(case=case)),
            "review": review,
            "rectification": getattr(review, "rectification", None) if review else None,
            "notice": getattr(case, "notice", None),
            "actions": actions[True],
            "more_actions": actions[False],
            "more_open": any(a["action"] == failed for a in actions[False]),
            "id_number": cs.applicant_masked_id(case),
            "outcomes": Outcome.choices,
            "delivery_methods": list(cases.DELIVERY_METHODS.items()),
        },
        status=status,
    )


@requires("case.view")
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_page(request, case_id)


@require_POST
@requires("case.view")
def case_act(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    """One action from the case page (the service checks the permission of
    that action: accepting, handling)."""
    actor = request.actor
    transition = cases.CASE_FLOW.get(action)
    case = cs.case_get(actor=actor, case_id=case_id)
    form = CaseActForm(request.POST, materials=case.materials)
    posted = {k: request.POST.get(k, "") for k in form.fields} | {
        "supplied": request.POST.getlist("supplied")
    }
    if not form.is_valid():
        messages.error(request, form.first_error())
        return _case_page(request, case.pk, status=422, failed=action, posted=posted)
    data = form.cleaned_data
    spec = cases.CASE_ACTIONS[transition.action]
    with refusal(request, action=f"case.{action}", flash=True, obj=case) as refused:
        visit: dict[str, Any] = {}
        if spec.visit:
            window = None
            if (action == "deliver" and data["method"] == "window") or (
                action == "supply" and data["in_person"]
            ):
                window = _duty_window(actor, _active_windows(actor, case.community))
            visit = {"visit_reason": data["visit_reason"], "window": window}
        spec.service(
            actor=actor,
            case_id=case.pk,
            note=data["note"],
            **form.action_data(action),
            **visit,
        )
    if refused:
        status = refused.status
        return _case_page(request, case.pk, status=status, failed=action, posted=posted)
    messages.success(request, f"已{transition.label}：{case.receipt_no}。")
    return redirect(_safe_next(request, reverse("services:case", kwargs={"case_id": case.pk})))


@require_GET
@requires("case.view")
def case_receipt(request: HttpRequest, case_id: int) -> HttpResponse:
    """受理回执 PDF of an accepted case: A4, or A5 with ``?size=a5``."""
    from shequ.desk.cases.receipt_pdf import receipt_pdf

    case = cs.case_get(actor=request.actor, case_id=case_id)
    content = receipt_pdf(
        case,
        lookup_url=request.build_absolute_uri(reverse("services:public_lookup")),
        size="A5" if request.GET.get("size") == "a5" else "A4",
    )
    response = HttpResponse(content, content_type="application/pdf")
    filename = quote(f"受理回执_{case.receipt_no}.pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{filename}"
    return response


# -- lists --------------------------------------------------------------------------------


@requires("case.accept")
def my_cases(request: HttpRequest) -> HttpResponse:
    """我的在办: the cases I accepted that are not finished, deadline first."""
    page = _page(request, cs.my_open_cases(actor=request.actor))
    return render(
        request,
        "services/cases/my_cases.html",
        {"page": page, "rows": _with_levels(list(page)), "query": ""},
    )


@requires("case.view")
def overdue(request: HttpRequest) -> HttpResponse:
    """超期与临期: one community's cases past or near their deadline. One
    query for the rows (``only()`` of the list columns) and one count."""
    actor = request.actor
    communities = list(selectors.communities(actor=actor))
    community = None
    if request.GET.get("community"):
        community = _pick(communities, request.GET.get("community"))
        if community is None:
            raise NotFound("没有找到该社区，或不在您的管辖范围内。")
    else:
        own = selectors.actor_community(actor)
        community = own if own is not None else (communities[0] if communities else None)
    level = request.GET.get("level")
    level = level if level in ("overdue", "warned") else "warned"
    rows = (
        cs.overdue_list(actor=actor, community_id=community.pk, level=level)
        if community is not None
        else Case.objects.none()
    )
    page = _page(request, rows)
    return render(
        request,
        "services/cases/overdue.html",
        {
            "page": page,
            "rows": _with_levels(list(page)),
            "communities": communities,
            "community": community,
            "level": level,
            "query": _query_without_page(request),
        },
    )


@requires("case.view")
def case_list(request: HttpRequest) -> HttpResponse:
    """办件查询: every filter comes from the query string (drill-down target)."""
    actor = request.actor
    items = (
        list(selectors.item_list(actor=actor, include_retired=True))
        if actor.can("service_item.view")
        else []
    )
    form = CaseFilterForm(
        request.GET, communities=list(selectors.communities(actor=actor)), items=items
    )
    filters = form.filters()
    page = _page(request, cs.case_list(actor=actor, filters=filters))
    return render(
        request,
        "services/cases/case_list.html",
        {
            "form": form,
            "page": page,
            "rows": _with_levels(list(page)),
            "query": _query_without_page(request),
        },
    )


@requires("case.accept")
def submitted(request: HttpRequest) -> HttpResponse:
    """网上申请待受理: accept or decline each (the buttons post to the case_act page)."""
    page = _page(request, cs.submitted_list(actor=request.actor))
    return render(
        request,
        "services/cases/submitted.html",
        {"page": page, "rows": list(page), "query": ""},
    )


# -- one-time notices -----------------------------------------------------------------------


@requires("case.view")
def notice_list(request: HttpRequest) -> HttpResponse:
    """一次性告知单: the open ones (applicants who have not come back), or
    with ``?outdated=1`` those whose item's materials list has changed since."""
    outdated = request.GET.get("outdated") == "1"
    page = _page(request, cs.notice_list(actor=request.actor, outdated=outdated))
    return render(
        request,
        "services/cases/notice_list.html",
        {
            "page": page,
            "rows": list(page),
            "outdated": outdated,
            "query": "outdated=1&" if outdated else "",
        },
    )


@requires("case.view")
def notice_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = cs.notice_get(actor=request.actor, notice_id=notice_id)
    return render(
        request,
        "services/cases/notice.html",
        {"notice": notice, "id_number": cs.applicant_masked_id(notice)},
    )


@require_POST
@requires("case.accept")
def notice_reissue(request: HttpRequest, notice_id: int) -> HttpResponse:
    """重新告知 under the item's current materials list."""
    with refusal(request, action="notice.reissue") as refused:
        new = cases.notice_reissue(actor=request.actor, notice_id=notice_id)
        messages.success(
            request, f"已按新的材料清单重新出具告知单 {new.number}，并短信告知申请人。"
        )
        return redirect("services:notice", notice_id=new.pk)
    if refused.error is None:  # not reached: the block returns unless refused
        return redirect("services:notice", notice_id=notice_id)
    return error_page(request, refused.error)


@requires("case.view")
def notice_pdf_view(request: HttpRequest, notice_id: int) -> HttpResponse:
    from shequ.desk.cases.notice_pdf import notice_pdf

    notice = cs.notice_get(actor=request.actor, notice_id=notice_id)
    response = HttpResponse(notice_pdf(notice), content_type="application/pdf")
    filename = quote(f"一次性告知单_{notice.number}.pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{filename}"
    return response


# -- rectifications (整改) --------------------------------------------------------------------


@requires("case.view")
def rectification_list(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    page = _page(request, cs.rectification_list(actor=request.actor, open_only=not show_all))
    return render(
        request,
        "services/cases/rectification_list.html",
        {
            "page": page,
            "rows": list(page),
            "show_all": show_all,
            "query": _query_without_page(request),
            "today": cs.local_today(),
        },
    )


def _rectification_page(
    request: HttpRequest, rectification_id: int, *, status: int = 200, posted: dict | None = None
) -> HttpResponse:
    actor = request.actor
    rect = cs.rectification_get(actor=actor, rectification_id=rectification_id)
    return render(
        request,
        "services/cases/rectification_detail.html",
        {
            "rect": rect,
            "actions": cases.RECTIFICATION_FLOW.available(rect, actor),
            "posted": posted or {},
            "today": cs.local_today(),
        },
        status=status,
    )


@requires("case.view")
def rectification_detail(request: HttpRequest, rectification_id: int) -> HttpResponse:
    return _rectification_page(request, rectification_id)


@require_POST
@requires("case.view")
def rectification_act(request: HttpRequest, rectification_id: int, action: str) -> HttpResponse:
    actor = request.actor
    transition = cases.RECTIFICATION_FLOW.get(action)
    rect = cs.rectification_get(actor=actor, rectification_id=rectification_id)
    form = RectificationActForm(request.POST)
    posted = {k: request.POST.get(k, "") for k in form.fields}
    if not form.is_valid():
        messages.error(request, form.first_error())
        return _rectification_page(request, rect.pk, status=422, posted=posted)
    with refusal(request, action=f"rectification.{action}", flash=True, obj=rect) as refused:
        service = cases.RECTIFICATION_ACTIONS[transition.action]
        service(actor=actor, rectification_id=rect.pk, **form.action_data(action))
    if refused:
        status = refused.status
        return _rectification_page(request, rect.pk, status=status, posted=posted)
    messages.success(request, f"已{transition.label}。")
    return redirect("services:rectification", rectification_id=rect.pk)

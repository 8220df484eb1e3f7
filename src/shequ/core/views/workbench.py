"""The workbench (工作台: every role's home page), the notification centre
(通知) and announcements (通知公告)."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from shequ.core import selectors, workbench
from shequ.core.forms import AnnouncementForm
from shequ.core.formtokens import once
from shequ.core.http import form_status, refusal, requires
from shequ.core.services import announcements, notifications


@requires("home.view")
def home(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    return render(
        request,
        "core/home.html",
        {
            "bench": workbench.workbench_for(actor=actor),
            "unread": list(workbench.notification_list(actor=actor, unread_only=True)[:5]),
            "counts": selectors.home_counts(actor=actor),
        },
    )


@requires("home.view")
def notification_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    unread_only = request.GET.get("unread") == "1"
    rows = workbench.notification_list(actor=actor, unread_only=unread_only)
    page = Paginator(rows, settings.SHEQU_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "core/notifications.html",
        {"page": page, "unread_only": unread_only, "query": "unread=1&" if unread_only else ""},
    )


def _safe(url: str, request: HttpRequest) -> str:
    """A notification's link stays on this site."""
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return "/"


@require_POST
@requires("home.view")
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark read and go to the object (still in scope: else 404, nothing written)."""
    actor = request.actor
    target = workbench.notification_target(actor=actor, notification_id=notification_id)
    with refusal(request, action="notification.read", flash=True) as refused:
        notifications.notification_read(actor=actor, notification_id=target.pk)
    if refused:
        return redirect("core:notifications")
    return redirect(_safe(target.url, request))


@require_POST
@requires("home.view")
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications.notifications_read_all(actor=request.actor)
    messages.success(request, f"已将 {count} 条通知标为已读。" if count else "没有未读通知。")
    return redirect("core:notifications")


@requires("home.view")
def announcement_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    page = Paginator(workbench.announcement_list(actor=actor), settings.SHEQU_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "core/announcements.html", {"page": page, "query": ""})


@requires("home.view")
def announcement_detail(request: HttpRequest, announcement_id: int) -> HttpResponse:
    """Opening it is the read receipt (written once, audited)."""
    actor = request.actor
    announcement = announcements.announcement_read(actor=actor, announcement_id=announcement_id)
    return render(
        request,
        "core/announcement_detail.html",
        {
            "announcement": announcement,
            "receipts": workbench.announcement_receipts(actor=actor, announcement=announcement),
        },
    )


@requires("announcement.publish")
@once
def announcement_create(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = AnnouncementForm(
        request.POST or None, regions=list(workbench.announcement_targets(actor=actor))
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        with refusal(request, action="announcement.publish", form=form) as refused:
            announcement = announcements.announcement_publish(actor=actor, **form.cleaned_data)
            messages.success(request, f"已发布“{announcement.title}”。")
            return redirect("core:announcement", announcement_id=announcement.pk)
        status = refused.status
    return render(
        request,
        "core/announcement_form.html",
        {"form": form},
        status=form_status(request, form, status),
    )

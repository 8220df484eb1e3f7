"""Shell views: scope switcher, favicon, health check, password, error pages."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from shequ.core import account_policy
from shequ.core.http import refusal
from shequ.core.scope import SESSION_GRANT_KEY
from shequ.core.services import accounts


@require_POST
def switch_grant(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if not actor.is_authenticated:
        return redirect("core:login")
    try:
        grant_id = int(request.POST.get("grant", ""))
    except ValueError:
        grant_id = 0
    chosen = next((g for g in actor.grants if g.id == grant_id), None)
    if chosen is None:
        messages.error(request, "只能切换到您本人持有的授权。")
    else:
        request.session[SESSION_GRANT_KEY] = chosen.id
        messages.success(request, f"已切换到：{chosen.get_role_display()}·{chosen.region.name}")
    return redirect("core:home")


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico before any page names its icon."""
    return redirect(static("shequ/favicon.ico"))


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok", "database": connection.vendor})
    except Exception as error:  # noqa: BLE001 - a health check reports, never raises
        return JsonResponse({"status": "error", "detail": str(error)[:200]}, status=503)


def password_change(request: HttpRequest) -> HttpResponse:
    """Any logged-in account changes its own password; forced after a reset
    and, for an administrator, once the password is past its age."""
    actor = request.actor
    if not actor.is_authenticated:
        return redirect("core:login")
    error = None
    if request.method == "POST":
        with refusal(request, action="user.password_change") as refused:
            user = accounts.user_password_change(
                actor=actor,
                old_password=request.POST.get("old_password", ""),
                new_password=request.POST.get("new_password", ""),
                new_password_again=request.POST.get("new_password_again", ""),
            )
            # The session gets a new key: it stays the account's one session.
            update_session_auth_hash(request, user)
            if account_policy.is_privileged(actor.grants):
                accounts.user_session_claim(
                    actor=actor, user=user, session_key=request.session.session_key or ""
                )
            messages.success(request, "密码已修改。")
            return redirect("core:home")
        error = refused.error
    user = actor.require_user()
    return render(
        request,
        "core/password_change.html",
        {
            "error": error,
            "forced": user.must_change_password,
            "expired": account_policy.password_expired(user, actor.grants, timezone.now()),
            "max_age_days": settings.SHEQU_PASSWORD_MAX_AGE_DAYS,
            "history": settings.SHEQU_PASSWORD_HISTORY,
        },
        status=error.status if error else 200,
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404 in Chinese: JSON under /api/ (clients parse ``detail``), a page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "接口地址不存在。"}, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "服务器内部错误，已记录，请稍后重试。"}, status=500)
    return render(request, "500.html", status=500)
